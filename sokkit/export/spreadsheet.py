"""CSV, one row per paper, with cells a spreadsheet cannot run as formulas."""

from __future__ import annotations

import csv
import io
import unicodedata
from typing import Any

from ..catalog import Catalog
from .records import paper_record, sorted_papers

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
    for entry in sorted_papers(catalog):
        record = paper_record(entry)
        writer.writerow([_csv_cell(record[col]) for col in CSV_COLUMNS])
    return out.getvalue()
