"""Explore Pattern Atlas from Python: open the embedded store, run a named query, a centrality and a
path, and print the results.

    .venv/bin/python examples/explore.py
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere in the checkout

from atlas import open_store  # noqa: E402
from graph import algorithms  # noqa: E402
from graph.queries import run_named  # noqa: E402


def main() -> None:
    with open_store() as store:
        nodes, edges = store.counts()
        print(f"graph: {sum(nodes.values())} nodes, {sum(edges.values())} edges")

        result = run_named(store, "capacities-blocked-by-several", {"min_patterns": 3})
        print("capacities blocked by 3 or more patterns:")
        for row in result["rows"]:
            print("  " + ", ".join(str(v) for v in row))

        print("top 5 patterns by PageRank:")
        for r in algorithms.centrality(store, "pagerank", top=5, kinds=["Pattern"]):
            print(f"  {r['rank']}. {r['name']} {r['score']:.4f}")

        path = store.shortest_path("pattern:insecure", "pattern:victim")
        print("path: " + " -> ".join(n["name"] for n in path["nodes"]))

        g = algorithms.projection(store)
        print(f"networkx projection: {g.number_of_nodes()} nodes, {g.number_of_edges()} edges")


if __name__ == "__main__":
    main()
