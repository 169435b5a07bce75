"""The catalog as a networkx graph: papers and benchmarks as nodes, relations as edges."""

from __future__ import annotations

import networkx as nx

from .catalog import Catalog


def build_graph(catalog: Catalog) -> nx.MultiDiGraph:
    """Paper nodes carry their classification; `relation` edges come from entries'
    `relations`, `uses_benchmark` edges from their `benchmarks`, and `introduces`
    edges link a paper to the benchmarks it introduced."""
    graph = nx.MultiDiGraph()
    for pid, entry in sorted(catalog.papers.items()):
        p = entry.model
        graph.add_node(
            pid, kind="paper", title=p.title, year=p.year, intention=p.intention or "",
            observed=p.observed or "", roles=",".join(p.roles), technique=",".join(p.technique),
            review=p.review.status,
        )
    for bid, entry in sorted(catalog.benchmarks.items()):
        graph.add_node(f"benchmark:{bid}", kind="benchmark", title=entry.model.name)
        if entry.model.introduced_by in catalog.papers:
            graph.add_edge(entry.model.introduced_by, f"benchmark:{bid}", type="introduces")
    for pid, entry in sorted(catalog.papers.items()):
        for rel in entry.model.relations:
            if rel.target in catalog.papers:
                graph.add_edge(pid, rel.target, type=rel.type, note=rel.note or "")
        for bid in entry.model.benchmarks:
            if bid in catalog.benchmarks:
                graph.add_edge(pid, f"benchmark:{bid}", type="uses_benchmark")
    return graph
