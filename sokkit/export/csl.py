"""CSL-JSON (Citation Style Language input data, schema v1.0): for Zotero, pandoc and citeproc."""

from __future__ import annotations

import json
from typing import Any

from ..catalog import Catalog, Entry
from ..catalog.models import Paper
from ..catalog.names import split_name
from .records import paper_url, sorted_papers


def csl_item(entry: Entry[Paper]) -> dict[str, Any]:
    """One CSL-JSON item (Citation Style Language input data, schema v1.0)."""
    paper = entry.model
    item: dict[str, Any] = {
        "id": entry.id,
        "type": "paper-conference" if paper.venue else "article",
        "title": paper.title,
        "author": [split_name(a) for a in paper.authors],
        "issued": {"date-parts": [[paper.year]]},
    }
    if paper.venue:
        item["container-title"] = paper.venue
    elif paper.ids.arxiv:
        item["publisher"] = "arXiv"
        item["number"] = paper.ids.arxiv
    if paper.ids.doi:
        item["DOI"] = paper.ids.doi
    url = paper_url(paper)
    if url:
        item["URL"] = url
    return item


def export_csl_json(catalog: Catalog) -> str:
    return json.dumps([csl_item(e) for e in sorted_papers(catalog)], indent=2, ensure_ascii=False) + "\n"
