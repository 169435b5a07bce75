"""Exports of the catalog for other tools. The JSON record is a stable interface:
fields are only ever added, never renamed or removed."""

from __future__ import annotations

import csv
import unicodedata
import io
import json
from typing import Any

from .bibtex import bibtex_entry
from .catalog import Catalog, Entry
from .models import Paper
from .names import split_name


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


def _sorted(catalog: Catalog) -> list[Entry[Paper]]:
    return [catalog.papers[key] for key in sorted(catalog.papers)]


def export_bibtex(catalog: Catalog) -> str:
    return "\n\n".join(bibtex_entry(e.model, e.id) for e in _sorted(catalog)) + "\n"


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
    return json.dumps([csl_item(e) for e in _sorted(catalog)], indent=2, ensure_ascii=False) + "\n"


CSV_COLUMNS = ("id", "title", "authors", "year", "venue", "arxiv", "doi", "url", "roles", "intention",
               "technique", "observed", "targets", "setting", "benchmarks", "review")


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value)
    text = str(value)
    # A spreadsheet would run a cell starting with one of these as a formula, also after
    # leading whitespace or in a full-width form (＝), which some spreadsheets fold.
    first = unicodedata.normalize("NFKC", text).lstrip()[:1]
    return "'" + text if first in ("=", "+", "-", "@") or text[:1].isspace() else text


def export_csv(catalog: Catalog) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for entry in _sorted(catalog):
        record = paper_record(entry)
        writer.writerow([_csv_cell(record[col]) for col in CSV_COLUMNS])
    return out.getvalue()


def export_graphml(catalog: Catalog) -> str:
    import networkx as nx

    from .graph import build_graph

    return "\n".join(nx.generate_graphml(build_graph(catalog), prettyprint=True)) + "\n"


EXPORTERS = {
    "json": export_json,
    "bibtex": export_bibtex,
    "csl-json": export_csl_json,
    "csv": export_csv,
    "graphml": export_graphml,
}
