"""The loaded catalog: `Catalog` and its `Entry` records, and how paths are shown."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from .models import Benchmark, Exclusion, Metric, Paper
from .taxonomy import Taxonomy
from .yamlsafe import YamlDocument

M = TypeVar("M", bound=BaseModel)


class CatalogNotFound(Exception):
    """The catalog folder itself is missing: a usage error, not a data problem."""


@dataclass
class Entry(Generic[M]):
    kind: str
    id: str
    path: str
    model: M
    doc: YamlDocument

    def line(self, *loc: Any) -> int:
        return self.doc.line_of(tuple(loc))


@dataclass
class Catalog:
    root: Path
    taxonomy: Taxonomy | None
    papers: dict[str, Entry[Paper]] = field(default_factory=dict)
    benchmarks: dict[str, Entry[Benchmark]] = field(default_factory=dict)
    metrics: dict[str, Entry[Metric]] = field(default_factory=dict)
    # Ids of every file found, including those that failed validation, so that
    # one broken entry does not also make every link to it an error.
    known: dict[str, set[str]] = field(default_factory=dict)
    exclusions: list[Exclusion] = field(default_factory=list)
    # catalog/use-cases.yaml as an Entry of `usecases.UseCases`; None when absent or invalid.
    use_cases: Entry[Any] | None = None

    def entries(self, kind: str) -> dict[str, Entry[Any]]:
        return getattr(self, kind)


def display_path(path: Path) -> str:
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return str(path)
    return rel if not rel.startswith("..") else str(path)


# Cyrillic and Greek letters that look like Latin ones (after casefolding), so that two
# titles differing only by such a homoglyph are caught as duplicates. A small map, not
