"""The papers table (filterable, sortable; shared by every page that lists papers) and the papers index."""

from __future__ import annotations

from ...catalog import Entry
from ...catalog.models import Paper
from ...safe.html import esc_html
from ..markup import Column, anchor, href, table
from .context import PAPER_AXES, PAPERS_DIR, Site

COMPARE_PAGE = "compare/index.md"  # the side-by-side view of picked papers (pages/compare.py)


def paper_table(site: Site, here: str, entries: list[Entry[Paper]], family: str | None = None) -> str:
    labels = lambda axis, values: [site.label(axis, v) for v in values]  # noqa: E731
    columns = [
        Column("Paper", lambda e: anchor(here, f"{PAPERS_DIR}/{e.id}.md", e.model.title), sort=lambda e: e.model.title),
        Column("Year", lambda e: str(e.model.year), values=lambda e: [str(e.model.year)],
               sort=lambda e: str(e.model.year), numeric=True),
        Column("Intention", lambda e: esc_html(site.label("intention", e.model.intention)),
               values=lambda e: labels("intention", PAPER_AXES["intention"](e.model)), sort=lambda e: e.model.intention or ""),
        Column("Observed", lambda e: esc_html(site.label("observed", e.model.observed)),
               values=lambda e: labels("observed", PAPER_AXES["observed"](e.model)), sort=lambda e: e.model.observed or ""),
        Column("Roles", lambda e: esc_html(", ".join(labels("role", e.model.roles))),
               values=lambda e: labels("role", e.model.roles)),
        Column("Technique", lambda e: esc_html(", ".join(labels("technique", e.model.technique))),
               values=lambda e: labels("technique", e.model.technique)),
        Column("Targets", lambda e: esc_html(", ".join(labels("target", e.model.targets))),
               values=lambda e: labels("target", e.model.targets)),
        Column("Venue", lambda e: esc_html(e.model.venue or "preprint"),
               values=lambda e: [e.model.venue or "preprint"], sort=lambda e: e.model.venue or ""),
    ]
    if family is not None:
        columns.insert(4, Column(
            "Methods", lambda e: esc_html("; ".join(
                f"{m.name} ({site.label('level', m.level)})" for m in e.model.methods if m.family == family) or "—"),
        ))
        columns.append(Column("Benchmarks", lambda e: ", ".join(site.benchmark_link(here, b) for b in e.model.benchmarks) or "—",
                              values=lambda e: [site.catalog.benchmarks[b].model.name for b in e.model.benchmarks
                                                if b in site.catalog.benchmarks]))
        columns.append(Column("Claims", lambda e: esc_html(", ".join(sorted({site.label("claim_kind", c.kind) for c in e.model.claims})) or "—"),
                              values=lambda e: sorted({site.label("claim_kind", c.kind) for c in e.model.claims})))
    rows = sorted(entries, key=lambda e: (-e.model.year, e.id))
    return table(rows, columns, row_id=lambda e: e.id, compare_url=href(here, COMPARE_PAGE))


def papers_index(site: Site) -> str:
    here = f"{PAPERS_DIR}/index.md"
    return "\n".join([
        "# Papers", "",
        f"{len(site.catalog.papers)} papers. Filter and sort below; every paper is also in the "
        f"[downloads](../downloads.md).", "",
        paper_table(site, here, list(site.catalog.papers.values())),
    ])


def pages(site: Site) -> dict[str, str]:
    return {f"{PAPERS_DIR}/index.md": papers_index(site)}
