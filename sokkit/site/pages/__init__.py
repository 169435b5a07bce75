"""Render a catalog to site pages: plain Python, no MkDocs internals.

`render_pages` returns {path relative to the docs folder: text}; the site builder writes
them next to the hand-written docs and lets MkDocs turn them into HTML. One module per
page kind, each with `pages(site) -> {path: text}`; `context.Site` holds what they share.
Every contributed string goes through `sokkit.safe.html` on its way in: `md_text` in
Markdown, `esc_html` in raw HTML; links between pages are built from validated ids.
"""

from __future__ import annotations

from ...catalog import Catalog
from . import benchmarks, claims, compare, downloads, feed, graph, guide, home, paper, papers, search, taxonomy, timeline
from .context import PAPERS_DIR, Site
from .feed import FEED_FILE
from .search import SEARCH_ENTRIES

NAV = [
    {"Home": "index.md"},
    {"Taxonomy": "taxonomy/index.md"},
    {"Papers": f"{PAPERS_DIR}/index.md"},
    {"Compare": "compare/index.md"},
    {"Benchmarks": "benchmarks/index.md"},
    {"Metrics": "metrics/index.md"},
    {"Graph": "graph.md"},
    {"Timeline": "timeline.md"},
    {"Checkable claims": "claims.md"},
    {"Intention audit": "audit.md"},
    {"Which method for which need": "guide.md"},
    {"Downloads": "downloads.md"},
]
# Generated per-item pages stay out of the navigation (see docs/architecture.md).
NOT_IN_NAV = ["/papers/*.md", "/taxonomy/*/*.md", "/compare/*.md", "/benchmarks/*.md", "/metrics/*.md"]

# Every page kind, in the order its pages are written.
PAGE_KINDS = (home, taxonomy, papers, graph, timeline, downloads, claims, guide, compare, benchmarks, paper, feed, search)


def render_pages(catalog: Catalog, added: dict[str, str] | None = None) -> dict[str, str]:
    """Every generated page and data file, keyed by path relative to the docs folder.
    `added` maps paper ids to the date they entered the catalog (sokkit.site.history); with
    it, the home page lists the latest additions and `feed.xml` is an Atom feed of them."""
    site = Site(catalog, added)
    rendered: dict[str, str] = {}
    for kind in PAGE_KINDS:
        rendered.update(kind.pages(site))
    return rendered


__all__ = ["render_pages", "NAV", "NOT_IN_NAV", "PAPERS_DIR", "FEED_FILE", "SEARCH_ENTRIES", "PAGE_KINDS"]
