"""Query latencies on a store (embedded or Neo4j, through the same GraphStore calls) and the pyvis page."""
from __future__ import annotations

import random
import statistics
import time
from typing import Any, Callable

from bench.rows import CYPHER_WARM_MS, PYVIS_NODES, WARM_CYPHER, Options, Repeat, Row, at_most, log, percentile


def app_query_args() -> tuple[list[str], list[str]]:
    """The Explore page's default filters: every kind but Source, every edge type but DESCRIBES."""
    from graph.schema import EDGE_TYPES, NODE_KINDS
    return [k for k in NODE_KINDS if k != "Source"], [t for t in EDGE_TYPES if t != "DESCRIBES"]


def query_pairs(store: Any, n_pairs: int, seed: int) -> list[tuple[str, str]]:
    patterns = sorted(n["id"] for n in store.list_nodes(["Pattern"]) if n.get("status") == "card")
    rng = random.Random(seed)
    return [tuple(rng.sample(patterns, 2)) for _ in range(n_pairs)]


def measure_queries(store: Any, label: str, pairs: list[tuple[str, str]], opts: Options, size: str,
                    target_ms: float) -> list[Row]:
    kinds, types = app_query_args()
    present_kinds, present_types = store.counts()
    kinds = [k for k in kinds if k in present_kinds]
    types = [t for t in types if t in present_types]
    ops: dict[str, Callable[[str, str], Any]] = {
        "neighbourhood 2-hop": lambda a, b: store.neighbourhood(a, hops=2, kinds=kinds, edge_types=types, limit=150),
        "shortest path": lambda a, b: store.shortest_path(a, b),
        "simple paths ≤3": lambda a, b: store.simple_paths(a, b, max_length=3, limit=50),
        "compare": lambda a, b: store.compare([a, b]),
    }
    rows = []
    for op, call in ops.items():
        p50s, p95s = [], []
        note = ""
        for a, b in pairs[:10]:  # untimed warm-up: query plans, caches, the embedded adjacency index
            call(a, b)
        t_op = time.perf_counter()
        done = len(pairs)
        for _ in Repeat(opts.runs, opts.budget):
            lat = []
            t_sweep = time.perf_counter()
            for a, b in pairs:
                t = time.perf_counter()
                call(a, b)
                lat.append((time.perf_counter() - t) * 1000)
                if len(lat) >= 10 and time.perf_counter() - t_sweep > opts.budget:
                    break  # slow: fewer pairs rather than a benchmark that never ends
            done = min(done, len(lat))
            p50s.append(percentile(lat, 50))
            p95s.append(percentile(lat, 95))
        took = time.perf_counter() - t_op
        note = (f"{done} pattern pairs (seed {opts.seed}), after a warm-up on 10; sweeps took {took:.1f} s in all"
                + (f" (stopped after {done} of {len(pairs)} pairs: time budget)" if done < len(pairs) else ""))
        target = ""
        check = None
        if op in ("neighbourhood 2-hop", "shortest path"):
            target, check = f"≤ {target_ms:g} ms", at_most(target_ms)
        rows.append(Row(f"{label} {op} p50", size, p50s, "ms", target, check, note))
        rows.append(Row(f"{label} {op} p95", size, p95s, "ms", "", None, ""))
        log(f"{label} {op} at {size}: p50 {statistics.median(p50s):.1f} ms, p95 {statistics.median(p95s):.1f} ms")
    return rows


def pyvis_rows(store: Any, opts: Options, size: str) -> list[Row]:
    from explorer.network_html import render_network

    kinds, types = app_query_args()
    patterns = [n["id"] for n in store.list_nodes(["Pattern"])]
    rows = []
    for k in PYVIS_NODES:
        hood = store.neighbourhood(patterns[len(patterns) // 2], hops=4, kinds=kinds, edge_types=types, limit=k)
        nodes, edges = hood["nodes"], hood["edges"]
        times, sizes = [], []
        for _ in Repeat(opts.runs, opts.budget):
            t = time.perf_counter()
            html = render_network(nodes, edges, height=640, physics=True)
            times.append((time.perf_counter() - t) * 1000)
            sizes.append(len(html.encode()))
        note = (f"{len(nodes):,} nodes, {len(edges):,} edges (a neighbourhood from the {size}-card graph, with "
                f"provenance); HTML {statistics.median(sizes) / 1024:,.0f} KiB")
        if len(nodes) < k:
            note += f"; only {len(nodes)} nodes reachable in this corpus"
        rows.append(Row(f"pyvis page, {k} nodes", "—", times, "ms", "", None, note))
        log(f"pyvis {k}: {statistics.median(times):.0f} ms, {statistics.median(sizes) / 1024:.0f} KiB")
    return rows


def embedded_extra_rows(store: Any, opts: Options, size: str) -> list[Row]:
    """The worst 2-hop neighbourhood the app allows (around the biggest hub) and a warm user Cypher query."""
    rows: list[Row] = []
    # the worst case the app allows: a 2-hop neighbourhood around the highest-degree node
    degree = store.degrees()  # from the columns: no row read, no networkx graph made
    hub = max(degree, key=lambda k: (degree[k], k))
    kinds, types = app_query_args()
    hub_lat = []
    for _ in Repeat(opts.runs, opts.budget):
        t0 = time.perf_counter()
        store.neighbourhood(hub, hops=2, kinds=kinds, edge_types=types, limit=150)
        hub_lat.append((time.perf_counter() - t0) * 1000)
    rows.append(Row("embedded neighbourhood 2-hop from the biggest hub", size, hub_lat, "ms", "", None,
                    f"{hub} ({degree[hub]:,} edges), limit 150"))

    # user Cypher on the embedded store: the first query loads the graph into graphqlite (in the parent),
    # then each query runs in a worker forked from it
    t0 = time.perf_counter()
    store.cypher(WARM_CYPHER)
    rows.append(Row("embedded Cypher, first query (loads the engine)", size, [(time.perf_counter() - t0) * 1000],
                    "ms", "", None, "graphqlite: the graph is loaded into it on the first Cypher query"))
    cypher_lat = []
    for _ in Repeat(opts.runs, opts.budget):
        t0 = time.perf_counter()
        store.cypher(WARM_CYPHER)
        cypher_lat.append((time.perf_counter() - t0) * 1000)
    rows.append(Row("embedded Cypher, warm query", size, cypher_lat, "ms", f"≤ {CYPHER_WARM_MS:.0f} ms",
                    lambda v: v <= CYPHER_WARM_MS, WARM_CYPHER))
    return rows
