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


# --- queries (sokkit graph ...) -----------------------------------------------------

class UnknownNode(Exception):
    pass


def _check(graph: nx.MultiDiGraph, node: str) -> None:
    if node not in graph:
        from .catalog.taxonomy import did_you_mean

        guess = did_you_mean(node, sorted(n for n in graph if not str(n).startswith("benchmark:")))
        raise UnknownNode(f"no paper '{node}' in the catalog" + (f"; did you mean '{guess}'?" if guess else ""))


def neighbours(graph: nx.MultiDiGraph, node: str) -> list[tuple[str, str, str]]:
    """(direction, relation type, other node) for every edge touching `node`."""
    _check(graph, node)
    out = [("out", d["type"], t) for _, t, d in graph.out_edges(node, data=True)]
    out += [("in", d["type"], s) for s, _, d in graph.in_edges(node, data=True)]
    return sorted(out)


def lineage(graph: nx.MultiDiGraph, node: str) -> list[tuple[int, str]]:
    """Everything `node` builds on, transitively, with its distance."""
    _check(graph, node)
    builds = nx.DiGraph((s, t) for s, t, d in graph.edges(data=True) if d["type"] == "builds_on")
    if node not in builds:
        return []
    return sorted((dist, other) for other, dist in nx.single_source_shortest_path_length(builds, node).items() if other != node)


def attacked_by(graph: nx.MultiDiGraph, catalog: Catalog, node: str) -> list[tuple[str, str]]:
    """Papers that attack `node` or that its entry cites as evidence, with how they bear on it."""
    _check(graph, node)
    how: dict[str, list[str]] = {}
    for source, _, data in graph.in_edges(node, data=True):
        if data["type"] == "attacks":
            how.setdefault(source, []).append("attacks")
    entry = catalog.papers.get(node)
    for ev in entry.model.evidence if entry is not None else ():
        if ev.paper is not None:  # audit evidence names a reference implementation, not a paper
            how.setdefault(ev.paper, []).append(f"evidence: {ev.indicates}")
    return sorted((paper, ", ".join(sorted(set(kinds)))) for paper, kinds in how.items())


def shortest_path(graph: nx.MultiDiGraph, source: str, target: str) -> list[str]:
    _check(graph, source)
    _check(graph, target)
    try:
        return nx.shortest_path(graph.to_undirected(as_view=True), source, target)
    except nx.NetworkXNoPath:
        return []


def pagerank(graph: nx.DiGraph, damping: float = 0.85, iterations: int = 100, tol: float = 1e-10) -> dict[str, float]:
    """Plain power-iteration PageRank (networkx's own needs SciPy); dangling nodes
    spread their rank evenly."""
    nodes = list(graph)
    if not nodes:
        return {}
    n = len(nodes)
    rank = dict.fromkeys(nodes, 1.0 / n)
    out_degree = {v: graph.out_degree(v) for v in nodes}
    for _ in range(iterations):
        dangling = damping * sum(rank[v] for v in nodes if out_degree[v] == 0) / n
        new = dict.fromkeys(nodes, (1.0 - damping) / n + dangling)
        for v in nodes:
            if out_degree[v]:
                share = damping * rank[v] / out_degree[v]
                for w in graph.successors(v):
                    new[w] += share
        if sum(abs(new[v] - rank[v]) for v in nodes) < tol:
            return new
        rank = new
    return rank


def central(graph: nx.MultiDiGraph, top: int = 10) -> list[tuple[str, float]]:
    """Papers ranked by PageRank over relations: a relation points at the paper it
    builds on, compares with, attacks or evaluates, so rank flows to influential work."""
    simple = nx.DiGraph()
    simple.add_nodes_from(n for n, d in graph.nodes(data=True) if d.get("kind") == "paper")
    simple.add_edges_from((s, t) for s, t in graph.edges() if s in simple and t in simple)
    ranks = pagerank(simple)
    return sorted(ranks.items(), key=lambda kv: (-kv[1], kv[0]))[:top]


# --- the site's graph view ---------------------------------------------------------------

LABELLED = 30  # nodes of the site's graph whose label shows at every zoom, by PageRank


def short_label(title: str, limit: int = 34) -> str:
    """A node label: the part of a title before its colon (often the method's name), cut to `limit`."""
    head = title.split(":", 1)[0].strip() if ":" in title[: limit + 1] else title
    return head if len(head) <= limit else head[: limit - 1].rstrip() + "…"


def view_data(catalog: Catalog, url_of) -> dict:
    """Nodes with fixed positions (x by year, y by main technique family or role) and
    edges, for the vendored cytoscape.js to draw without running a layout. Each node
    carries its in-catalog degree (its size), its PageRank over every edge (`rank`) and
    whether it is among the `LABELLED` highest ranked (`top`: its label always shows)."""
    from collections import defaultdict

    graph = build_graph(catalog)
    ranks = pagerank(nx.DiGraph(graph))
    top = {n for n, _ in sorted(ranks.items(), key=lambda kv: (-kv[1], str(kv[0])))[:LABELLED]}
    families = list(catalog.taxonomy.ids("technique")) if catalog.taxonomy else []
    roles = list(catalog.taxonomy.ids("role")) if catalog.taxonomy else []
    bands = {f"technique:{f}": i for i, f in enumerate(families)}
    bands.update({f"role:{r}": len(families) + i for i, r in enumerate(roles)})
    years = sorted({e.model.year for e in catalog.papers.values()}) or [2024]
    per_row, gap = 14, 50  # wide year columns: the graph page is landscape

    def band_of(p) -> int:
        key = f"technique:{p.technique[0]}" if p.technique else f"role:{p.roles[0]}" if p.roles else ""
        return bands.get(key, len(bands))

    cells: dict[tuple[int, int], list[str]] = defaultdict(list)
    for pid, entry in sorted(catalog.papers.items()):
        cells[(years.index(entry.model.year), band_of(entry.model))].append(pid)
    # each band is as tall as its fullest (year, band) cell, so nothing overlaps
    rows_in_band: dict[int, int] = defaultdict(lambda: 1)
    for (_, band), members in cells.items():
        rows_in_band[band] = max(rows_in_band[band], -(-len(members) // per_row))
    band_top, y = {}, 0.0
    for band in sorted({b for _, b in cells}):
        band_top[band] = y
        y += rows_in_band[band] * gap + gap
    nodes = []
    for (year_index, band), members in sorted(cells.items()):
        for k, pid in enumerate(members):
            p = catalog.papers[pid].model
            nodes.append({
                "id": pid, "label": short_label(p.title), "title": p.title, "year": p.year, "kind": "paper",
                "intention": p.intention or "", "colour": p.intention or "none",
                "family": p.technique[0] if p.technique else "", "families": list(p.technique),
                "degree": graph.degree(pid), "url": url_of(f"papers/{pid}.md"),
                "rank": round(ranks[pid], 6), "top": pid in top,
                "x": year_index * (per_row + 2) * gap + (k % per_row) * gap, "y": band_top[band] + (k // per_row) * gap,
            })
    for bid, entry in sorted(catalog.benchmarks.items()):
        node = f"benchmark:{bid}"
        nodes.append({
            "id": node, "label": entry.model.name, "title": entry.model.full_name or entry.model.name,
            "kind": "benchmark", "colour": "benchmark", "families": [], "degree": graph.degree(node),
            "rank": round(ranks[node], 6), "top": node in top,
            "url": url_of(f"benchmarks/{bid}.md"), "year": "", "intention": "", "family": "",
            "x": len(years) * (per_row + 2) * gap + gap, "y": sorted(catalog.benchmarks).index(bid) * 2 * gap,
        })
    edges = [{"source": s, "target": t, "type": d["type"]} for s, t, d in graph.edges(data=True)]
    return {"nodes": nodes, "edges": edges}
