"""The `centrality`, `communities` and `similar` commands of `python -m graph` (graph/algorithms.py).

    python -m graph centrality [--measure degree|betweenness|pagerank] [--top 10] [--kinds Pattern]
    python -m graph communities [--top N]
    python -m graph similar PATTERN [--top N]
"""
from __future__ import annotations

import argparse
from typing import Any, Callable

from . import algorithms
from .store import GraphStore

COMMANDS = ("centrality", "communities", "similar")


def add_parsers(sub: Any, csv: Callable[[str], list[str]]) -> None:
    """Add the three commands to `python -m graph`'s subparsers."""
    types_help = "only count these edge types (comma-separated; default: all but DESCRIBES)"
    p = sub.add_parser("centrality", help="the most central nodes: degree, betweenness or PageRank")
    p.add_argument("--measure", choices=list(algorithms.MEASURES), default="degree", help="default: degree")
    p.add_argument("--top", type=int, default=10, help="how many nodes to show (default 10)")
    p.add_argument("--kinds", type=csv, default=None,
                   help="rank only nodes of these kinds (the measure is still computed on the whole graph)")
    p.add_argument("--types", type=csv, default=None, help=types_help)

    p = sub.add_parser("communities", help="Louvain communities (seed 42) of the undirected graph")
    p.add_argument("--top", type=int, default=None, help="show only the N largest communities")
    p.add_argument("--types", type=csv, default=None, help=types_help)

    p = sub.add_parser("similar", help="the patterns sharing most neighbours with a pattern (Jaccard)")
    p.add_argument("pattern")
    p.add_argument("--top", type=int, default=10, help="how many patterns to show (default 10)")
    p.add_argument("--types", type=csv, default=None, help=types_help)


def run(args: argparse.Namespace, store: GraphStore) -> tuple[Any, list[str]]:
    """(the JSON answer, its text lines) of one of the commands."""
    top = max(1, args.top) if args.top is not None else None
    if args.command == "centrality":
        rows = algorithms.centrality(store, args.measure, top, args.kinds, args.types)
        lines = [f"{args.measure} centrality, top {len(rows)}"
                 + (f" of kinds {', '.join(args.kinds)}" if args.kinds else "")]
        lines += [f"{r['rank']:>3}. {r['score']:.4f}  {r['name']} ({r['kind']}, {r['id']})" for r in rows]
        return rows, lines
    if args.command == "communities":
        found = algorithms.communities(store, args.types)
        shown = found[:top] if top else found
        lines = [f"{len(found)} communities (Louvain, seed {algorithms.SEED})"
                 + (f", the {len(shown)} largest shown" if len(shown) < len(found) else "")]
        for c in shown:
            lines.append(f"{c['index']:>3}. {c['label']} ({c['size']} nodes)")
            lines.append("     " + ", ".join(m["name"] for m in c["members"]))
        return shown, lines
    pattern = store.resolve(args.pattern)
    rows = algorithms.similar(store, pattern, top, args.types)
    lines = [f"patterns most like {pattern} by shared neighbours (Jaccard)"]
    for r in rows:
        lines.append(f"{r['rank']:>3}. {r['score']:.3f}  {r['name']} ({r['id']}), {len(r['shared'])} shared: "
                     + ", ".join(s["name"] for s in r["shared"]))
    if not rows:
        lines.append("  (no pattern shares a neighbour)")
    return rows, lines
