"""`sokkit graph`: queries of the graph of papers and relations (sokkit.graph)."""

from __future__ import annotations

import argparse

from .base import EXIT_OK, EXIT_PROBLEMS, UsageError, catalog_arg, load_clean


def cmd_graph(args: argparse.Namespace) -> int:
    import json

    from .. import graph as g

    catalog = load_clean(args.catalog)
    if catalog is None:
        return EXIT_PROBLEMS
    network = g.build_graph(catalog)
    title = lambda node: network.nodes[node].get("title", node)  # noqa: E731
    try:
        if args.query == "neighbours":
            rows = [{"direction": d, "type": t, "id": n, "title": title(n)} for d, t, n in g.neighbours(network, args.id)]
            lines = [f"{'->' if r['direction'] == 'out' else '<-'} {r['type']:<15} {r['id']}  {r['title']}" for r in rows]
        elif args.query == "lineage":
            rows = [{"distance": d, "id": n, "title": title(n)} for d, n in g.lineage(network, args.id)]
            lines = [f"{'  ' * (r['distance'] - 1)}builds on {r['id']}  {r['title']}" for r in rows]
        elif args.query == "attacked-by":
            rows = [{"id": n, "how": how, "title": title(n)} for n, how in g.attacked_by(network, catalog, args.id)]
            lines = [f"{r['id']} ({r['how']})  {r['title']}" for r in rows]
        elif args.query == "path":
            rows = [{"id": n, "title": title(n)} for n in g.shortest_path(network, args.source, args.target)]
            lines = [f"{i}. {r['id']}  {r['title']}" for i, r in enumerate(rows)] or ["no path"]
        else:
            rows = [{"id": n, "pagerank": round(score, 5), "title": title(n)} for n, score in g.central(network, args.top)]
            lines = [f"{r['pagerank']:.4f}  {r['id']}  {r['title']}" for r in rows]
    except g.UnknownNode as exc:
        raise UsageError(str(exc)) from None
    if args.format == "json":
        print(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        print("\n".join(lines) if lines else "(none)")
    return EXIT_OK


def register(sub) -> None:
    p = sub.add_parser("graph", help="query the graph of papers and relations",
                       description="Neighbours, lineage (what a method builds on, transitively), what attacked "
                                   "a method, shortest paths, and the most central papers.")
    queries = p.add_subparsers(dest="query", metavar="QUERY", required=True)
    q = queries.add_parser("neighbours", help="every relation into and out of a paper")
    q.add_argument("id", help="paper id")
    q = queries.add_parser("lineage", help="what a paper builds on, transitively")
    q.add_argument("id", help="paper id")
    q = queries.add_parser("attacked-by", help="papers that attack a method or are its evidence")
    q.add_argument("id", help="paper id")
    q = queries.add_parser("path", help="the shortest chain of relations between two papers")
    q.add_argument("source", help="paper id")
    q.add_argument("target", help="paper id")
    q = queries.add_parser("central", help="papers ranked by PageRank over relations")
    q.add_argument("--top", type=int, default=10, help="how many to show (default: 10)")
    for q in queries.choices.values():
        catalog_arg(q)
        q.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    p.set_defaults(func=cmd_graph)
