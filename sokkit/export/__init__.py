"""Exports of the catalog for other tools, one module per format.

The public surface is `FORMATS`, `export(catalog, fmt)` and `bibtex_entry` (one paper's
BibTeX, which the site shows on paper pages): the site and the command line use these,
never a format's module. A new format is a module here and a line in `EXPORTERS`.
"""

from __future__ import annotations

from collections.abc import Callable

from ..catalog import Catalog
from .bibtex import bibtex_entry, export_bibtex
from .csl import export_csl_json
from .graphml import export_graphml
from .records import export_json
from .spreadsheet import export_csv

EXPORTERS: dict[str, Callable[[Catalog], str]] = {
    "json": export_json,
    "bibtex": export_bibtex,
    "csl-json": export_csl_json,
    "csv": export_csv,
    "graphml": export_graphml,
}
FORMATS = tuple(EXPORTERS)


def export(catalog: Catalog, fmt: str) -> str:
    """The whole catalog in one of FORMATS."""
    return EXPORTERS[fmt](catalog)


__all__ = ["EXPORTERS", "FORMATS", "bibtex_entry", "export", "export_json"]
