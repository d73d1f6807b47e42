"""Neo4j rows: the batched load beside the naive one on the same data, in the same run, and the queries."""
from __future__ import annotations

import statistics
import time
from typing import Any

from bench.queries import measure_queries
from bench.rows import NEO4J_P50_MS, NEO4J_RATIO, NEO4J_RELS_PER_S, PER_SIZE_ROWS, Options, Repeat, Row, at_least, log


def subset(data: Any, rels: int) -> Any:
    """The first `rels` relationships of a graph and their end nodes (a GraphData)."""
    from graph.model import GraphData

    out = GraphData()
    for key in list(data.edges)[:rels]:
        s, _, d = key
        out.nodes.setdefault(s, data.nodes[s])
        out.nodes.setdefault(d, data.nodes[d])
        out.edges[key] = data.edges[key]
    return out


def neo4j_rows(n: int, data: Any, pairs: list[tuple[str, str]], opts: Options, neo: Any) -> list[Row]:
    size = str(n)
    rows: list[Row] = []
    n_rels = len(data.edges)
    target_rate = f"≥ {NEO4J_RELS_PER_S:,}"
    # untimed warm-up: constraints and indexes exist once per database, and a fresh server plans and
    # JIT-compiles each statement on first use
    t = time.perf_counter()
    neo.ensure_schema()
    neo.clear()
    neo.replace_all(subset(data, min(1000, n_rels)))
    neo.clear()
    neo.write_naive(subset(data, min(50, n_rels)))
    log(f"neo4j warm-up at {size}: {time.perf_counter() - t:.1f} s")
    naive_rates, same_ratio, sub = _naive_beside_batched(data, opts, neo, size)
    sub_rels = len(sub.edges)
    # batched on the full graph; the last load stays for the query latencies
    rates, full_s, full_ratio = [], [], []
    failed = None
    for i in Repeat(opts.runs, opts.budget):
        neo.clear()
        t = time.perf_counter()
        try:
            neo.replace_all(data)
        except Exception as exc:  # noqa: BLE001 - e.g. the server's transaction memory limit
            failed = f"the full load failed after {time.perf_counter() - t:.0f} s: {type(exc).__name__}: " + \
                     str(getattr(exc, "message", None) or exc).splitlines()[0][:220] + _server_note(neo)
            log(f"neo4j replace_all at {size}: {failed}")
            break
        took = time.perf_counter() - t
        full_s.append(took)
        rates.append(n_rels / took)
        full_ratio.append(rates[-1] / naive_rates[min(i, len(naive_rates) - 1)])
        log(f"neo4j replace_all {n_rels} rels at {size}: {took:.1f} s")
    if failed:
        rows.append(Row("neo4j load, batched replace_all", size, unit="rels/s", target=target_rate, skipped=failed))
    else:
        rows.append(Row("neo4j load, batched replace_all", size, rates, "rels/s", target_rate,
                        at_least(NEO4J_RELS_PER_S), f"{n_rels:,} rels + {len(data.nodes):,} nodes staged in batched "
                        "transactions, swapped in by one; "
                        f"median {statistics.median(full_s):.1f} s per load{_server_note(neo)}"))
    naive_rate = statistics.median(naive_rates)
    extrapolated = n_rels / naive_rate
    note = (f"on the first {sub_rels:,} of {n_rels:,} rels (+ {len(sub.nodes):,} nodes), one statement and "
            f"transaction per row; the full load would take ≈ {extrapolated:,.0f} s (extrapolated per relationship)"
            if sub_rels < n_rels else "on the full graph, one statement and transaction per row")
    rows.append(Row("neo4j load, naive write_naive", size, naive_rates, "rels/s", "", None, note))
    rows.append(Row("neo4j batched ÷ naive (same subset)", size, same_ratio, "×", f"≥ {NEO4J_RATIO:g}×",
                    at_least(NEO4J_RATIO), f"both paths on the same {sub_rels:,} rels, in the same run"))
    if failed:
        rows.append(Row("neo4j batched (full) ÷ naive", size, unit="×", skipped="no full load (see the batched row)"))
        return rows  # the query rows are reported as skipped: there is no graph to query
    rows.append(Row("neo4j batched (full) ÷ naive", size, full_ratio, "×", f"≥ {NEO4J_RATIO:g}×", at_least(NEO4J_RATIO),
                    "batched rels/s on the full graph ÷ naive rels/s on the subset, same run"))
    rows += measure_queries(neo, "neo4j", pairs, opts, size, NEO4J_P50_MS)
    return rows


def _server_note(neo: Any) -> str:
    """The server's heap and page cache, when it says (a 10,000-card load needs a few GiB of heap)."""
    memory = neo.server_memory()
    if not memory.get("heap_max"):
        return ""
    return f"; server heap {memory['heap_max'] / 2**30:.1f} GiB, page cache {memory.get('pagecache')}"


def open_neo4j(opts: Options) -> tuple[Any | None, str]:
    if not opts.neo4j:
        return None, "--no-neo4j"
    from atlas import open_neo4j as connect
    from atlas import read_settings

    settings = read_settings().neo4j
    if settings is None:
        return None, "NEO4J_URI is not set (eval \"$(scripts/neo4j.sh start)\")"
    try:
        neo = connect(settings)
    except Exception as exc:  # noqa: BLE001 - say why and go on without Neo4j
        return None, f"cannot open Neo4j: {exc}"
    kinds, _ = neo.counts()
    if sum(kinds.values()) and not opts.neo4j_overwrite:
        neo.close()
        return None, (f"the database holds {sum(kinds.values()):,} nodes; pass --neo4j-overwrite to let the "
                      "benchmark replace them")
    return neo, ""


def _naive_beside_batched(data: Any, opts: Options, neo: Any, size: str) -> tuple[list[float], list[float], Any]:
    """Naive and batched loads of the same subset, in the same run: naive rels/s and naive ÷ batched."""
    sub = subset(data, min(opts.naive_rels, len(data.edges)))
    sub_rels = len(sub.edges)
    naive_rates, same_ratio = [], []
    for _ in Repeat(opts.runs, opts.budget):
        neo.clear()
        t = time.perf_counter()
        neo.replace_all(sub)
        batched = time.perf_counter() - t
        neo.clear()
        t = time.perf_counter()
        neo.write_naive(sub)
        naive = time.perf_counter() - t
        naive_rates.append(sub_rels / naive)
        same_ratio.append(naive / batched)
        log(f"neo4j naive {sub_rels} rels at {size}: {naive:.1f} s (batched {batched:.2f} s)")
    return naive_rates, same_ratio, sub


def neo4j_section(n: int, data: Any, pairs: list[tuple[str, str]], opts: Options, neo: Any | None,
                  neo_reason: str) -> list[Row]:
    """Every Neo4j row for this size: measured, or skipped with the reason."""
    size = str(n)
    neo_rows: list[Row] = []
    if neo is not None:
        try:
            neo_rows = neo4j_rows(n, data, pairs, opts, neo)
        except Exception as exc:  # noqa: BLE001 - report and go on with the rest
            log(f"neo4j failed at {n}: {type(exc).__name__}: {exc}")
            neo_reason = f"failed: {type(exc).__name__}: {str(exc)[:160]}"
            neo_rows = []
    wanted_neo = [m for m in PER_SIZE_ROWS if m.startswith("neo4j")]
    have = {r.measure for r in neo_rows}
    for m in wanted_neo:
        if m not in have:
            unit = "rels/s" if "load" in m else ("×" if "÷" in m else "ms")
            reason = neo_reason or ("the full load failed (see the batched row)" if neo_rows else "not measured")
            neo_rows.append(Row(m, size, unit=unit, skipped=reason))
    neo_rows.sort(key=lambda r: PER_SIZE_ROWS.index(r.measure))
    return neo_rows
