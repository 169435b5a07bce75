"""Checks across entries: links to ids that exist, and one entry per paper."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .entries import Catalog, Entry
from .identity import IDENTITY_KEYS
from .models import Paper
from .problems import Problem, field_path
from .taxonomy import did_you_mean
from .yamlsafe import Loc

# A check that parts above the catalog add (the claims' audit specs): the catalog in, problems out.
Check = Callable[[Catalog], list[Problem]]

def _check_ref(
    problems: list[Problem], entry: Entry[Any], loc: Loc, value: str | None, known: set[str], what: str
) -> None:
    if value is None or value in known:
        return
    problems.append(
        Problem(entry.path, entry.line(*loc), field_path(loc), f"no {what} with id '{value}' in the catalog",
                (), did_you_mean(value, sorted(known)))
    )


def cross_checks(catalog: Catalog) -> list[Problem]:
    problems: list[Problem] = []
    paper_ids = catalog.known.get("papers", set())
    bench_ids = catalog.known.get("benchmarks", set())
    metric_ids = catalog.known.get("metrics", set())
    for entry in catalog.papers.values():
        paper = entry.model
        for i, rel in enumerate(paper.relations):
            _check_ref(problems, entry, ("relations", i, "target"), rel.target, paper_ids, "paper")
        for i, ev in enumerate(paper.evidence):
            _check_ref(problems, entry, ("evidence", i, "paper"), ev.paper, paper_ids, "paper")
        for i, bench in enumerate(paper.benchmarks):
            _check_ref(problems, entry, ("benchmarks", i), bench, bench_ids, "benchmark")
    for entry in catalog.benchmarks.values():
        _check_ref(problems, entry, ("introduced_by",), entry.model.introduced_by, paper_ids, "paper")
        for i, metric in enumerate(entry.model.metrics):
            _check_ref(problems, entry, ("metrics", i), metric, metric_ids, "metric")
    for entry in catalog.metrics.values():
        _check_ref(problems, entry, ("introduced_by",), entry.model.introduced_by, paper_ids, "paper")
        for i, bench in enumerate(entry.model.benchmarks):
            _check_ref(problems, entry, ("benchmarks", i), bench, bench_ids, "benchmark")
    problems.extend(duplicate_papers(catalog))
    return problems


def duplicate_papers(catalog: Catalog) -> list[Problem]:
    """Two files describing one paper: same arXiv id, DOI or normalised (current or former) title."""
    problems = []
    for label, keys in IDENTITY_KEYS:
        owner: dict[str, tuple[Entry[Paper], Loc]] = {}
        for entry in sorted(catalog.papers.values(), key=lambda e: e.id):
            for loc, value in keys(entry.model):
                if value not in owner:
                    owner[value] = (entry, loc)
                    continue
                other, other_loc = owner[value]
                if other is entry:
                    continue  # a former title that differs from the current one only in case or punctuation
                problems.append(
                    Problem(entry.path, entry.line(*loc), field_path(loc),
                            f"same {label} as {other.path}:{other.line(*other_loc)}; one paper gets one entry")
                )
    return problems
