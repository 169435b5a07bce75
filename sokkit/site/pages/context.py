"""What every page kind shares: one catalog's labels, links and results (`Site`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from ...catalog import Catalog
from ...catalog.models import Paper
from ...catalog.results import load_results
from ...safe.html import esc_html
from ..markup import anchor

PAPERS_DIR = "papers"
# Axes with a page per value, and how to read a paper's values on each.
PAPER_AXES: dict[str, Callable[[Paper], list[str]]] = {
    "intention": lambda p: [p.intention] if p.intention else [],
    "observed": lambda p: [p.observed] if p.observed else [],
    "technique": lambda p: list(p.technique),
    "level": lambda p: sorted({m.level for m in p.methods}),
    "role": lambda p: list(p.roles),
    "target": lambda p: list(p.targets),
    "setting": lambda p: list(p.setting),
    "review": lambda p: [p.review.status],
}


class Site:
    """One catalog as the pages see it: the label and link helpers in one place."""

    def __init__(self, catalog: Catalog, added: dict[str, str] | None = None):
        self.catalog = catalog
        self.taxonomy = catalog.taxonomy
        # paper id -> when it entered the catalog (sokkit.site.history)
        self.added = {pid: when for pid, when in (added or {}).items() if pid in catalog.papers}
        self.audit, claim_results = load_results(catalog)
        self.claim_results = {(r["paper"], r["claim"]): r for r in (claim_results or {}).get("claims", [])}
        self.claim_meta = claim_results or {}
        self.incoming: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for source_id in sorted(catalog.papers):
            for rel in catalog.papers[source_id].model.relations:
                self.incoming[rel.target].append((rel.type, source_id))

    def label(self, axis: str, value: str | None) -> str:
        if value is None:
            return "—"
        return self.taxonomy.label(axis, value) if self.taxonomy else value

    def value_page(self, axis: str, value: str) -> str:
        return f"taxonomy/{axis}/{value}.md"

    def value_link(self, here: str, axis: str, value: str | None) -> str:
        if value is None:
            return "—"
        if self.taxonomy and self.taxonomy.has(axis, value) and axis in PAPER_AXES:
            return anchor(here, self.value_page(axis, value), self.label(axis, value))
        return esc_html(self.label(axis, value))

    def value_links(self, here: str, axis: str, values: list[str]) -> str:
        return ", ".join(self.value_link(here, axis, v) for v in values) or "—"

    def paper_link(self, here: str, paper_id: str) -> str:
        entry = self.catalog.papers.get(paper_id)
        if entry is None:
            return esc_html(paper_id)
        return anchor(here, f"{PAPERS_DIR}/{paper_id}.md", entry.model.title)

    def benchmark_link(self, here: str, bench_id: str) -> str:
        entry = self.catalog.benchmarks.get(bench_id)
        return anchor(here, f"benchmarks/{bench_id}.md", entry.model.name) if entry else esc_html(bench_id)

    def latest_added(self, n: int) -> list[tuple[str, str]]:
        return sorted(self.added.items(), key=lambda kv: (kv[1], kv[0]), reverse=True)[:n]
