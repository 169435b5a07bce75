"""The search index's entries for paper pages: one short entry per paper.

Paper pages are left out of the theme's search plugin (`search: exclude` front matter), which
would index whole pages, BibTeX and tables included (about 6 KB a paper). Instead this page
kind writes `search/papers.json`, one entry per paper with what readers search by (title,
former titles, authors, ids, summary, classification) and `site.build` appends them to the
plugin's `search/search_index.json`. Elsewhere, tables of papers carry
`data-search-exclude` (markup.table), so a paper is found on its own page, not on every
page that lists it.
"""

from __future__ import annotations

import json

from ...catalog import Entry
from ...catalog.models import Paper
from ...safe.html import search_text
from ..markup import page_url
from .context import PAPERS_DIR, Site

SEARCH_ENTRIES = "search/papers.json"
SUMMARY_LIMIT = 700  # characters of the summary indexed


def search_entry(site: Site, entry: Entry[Paper]) -> dict[str, str]:
    p = entry.model
    ids = [entry.id] + [x for x in (p.ids.arxiv and f"arXiv:{p.ids.arxiv}", p.ids.doi and f"doi:{p.ids.doi}") if x]
    classes = [site.label("role", r) for r in p.roles] + [site.label("intention", p.intention)] * bool(p.intention)
    classes += [site.label("observed", p.observed)] * bool(p.observed)
    classes += [site.label("technique", t) for t in p.technique] + [site.label("target", t) for t in p.targets]
    parts = []
    if p.former_titles:
        parts.append("Previously titled: " + "; ".join(p.former_titles))
    parts += [", ".join(p.authors) + f" ({p.year}" + (f", {p.venue})" if p.venue else ")"), " · ".join(ids),
              " · ".join(classes)]
    text = "".join(f"<p>{search_text(part)}</p>" for part in parts)
    if p.summary:
        text += f"<p>{search_text(p.summary, SUMMARY_LIMIT)}</p>"
    return {"location": page_url(f"{PAPERS_DIR}/{entry.id}.md"), "title": search_text(p.title), "text": text}


def pages(site: Site) -> dict[str, str]:
    entries = [search_entry(site, site.catalog.papers[pid]) for pid in sorted(site.catalog.papers)]
    return {SEARCH_ENTRIES: json.dumps(entries, ensure_ascii=False, separators=(",", ":")) + "\n"}
