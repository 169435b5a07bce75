"""The stable JSON record of a paper: fields are only ever added, never renamed or removed."""

from __future__ import annotations

import json
from typing import Any

from ..catalog import Catalog, Entry
from ..catalog.models import Paper


def paper_url(paper: Paper) -> str | None:
    if "paper" in paper.links:
        return paper.links["paper"]
    if paper.ids.arxiv:
        return f"https://arxiv.org/abs/{paper.ids.arxiv}"
    if paper.ids.doi:
        return f"https://doi.org/{paper.ids.doi}"
    return None


def paper_record(entry: Entry[Paper]) -> dict[str, Any]:
    paper = entry.model
    return {
        "id": entry.id,
        "title": paper.title,
        "authors": list(paper.authors),
        "year": paper.year,
        "venue": paper.venue,
        "arxiv": paper.ids.arxiv,
        "doi": paper.ids.doi,
        "url": paper_url(paper),
        "roles": list(paper.roles),
        "intention": paper.intention,
        "technique": list(paper.technique),
        "methods": [m.model_dump(exclude_none=True) for m in paper.methods],
        "observed": paper.observed,
        "evidence": [e.model_dump(exclude_none=True) for e in paper.evidence],
        "targets": list(paper.targets),
        "setting": list(paper.setting),
        "benchmarks": list(paper.benchmarks),
        "relations": [{"type": r.type, "target": r.target} for r in paper.relations],
        "claims": [c.model_dump(exclude_none=True) for c in paper.claims],
        "links": dict(paper.links),
        "review": paper.review.status,
    }


def export_json(catalog: Catalog) -> str:
    records = [paper_record(catalog.papers[key]) for key in sorted(catalog.papers)]
    return json.dumps(records, indent=2, ensure_ascii=False) + "\n"


def sorted_papers(catalog: Catalog) -> list[Entry[Paper]]:
    return [catalog.papers[key] for key in sorted(catalog.papers)]
