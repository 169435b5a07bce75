"""GraphML of papers, benchmarks and relations (the graph of `sokkit.graph`)."""

from __future__ import annotations

from ..catalog import Catalog
from ..graph import build_graph


def export_graphml(catalog: Catalog) -> str:
    import networkx as nx

    return "\n".join(nx.generate_graphml(build_graph(catalog), prettyprint=True)) + "\n"
