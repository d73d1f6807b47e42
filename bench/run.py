"""The benchmark: one script, one Markdown table.

    python -m bench.run [--sizes 100,1000] [--big] [--quick] [--no-neo4j] [--runs K] [--workdir DIR]

For each corpus size (synthetic cards from `bench.generate`, written under `--workdir`, default
`out/bench/`, git-ignored) it measures:

  - parse throughput (cards/s of `loaders.corpus.load_paths`) and the peak memory (ru_maxrss) of a fresh
    subprocess per run, and the embedded build (load_paths + EmbeddedStore.replace_all), save and reload;
  - Neo4j load throughput (relationships/s) of the batched `replace_all` and of the naive `write_naive`
    (one statement and transaction per row), on the same data in the same run (the naive path on a subset
    of the relationships, extrapolated per relationship), when NEO4J_URI is set;
  - 2-hop neighbourhood (with the Explore page's limit and filters), shortest path, simple paths (max
    length 3, limit 50) and compare latency, p50 and p95 over random pattern pairs from a fixed seed, on
    the embedded store and on Neo4j;
  - the Explore and Paths pages under `streamlit.testing.v1.AppTest` (a subprocess per size);
and once, the pyvis page (`render_network`) for 100, 300 and 1,000 drawn nodes.

Every figure is the median of several runs with the min and max (`--runs`, default 3; a measurement
stops repeating once it has used its time budget, and the table says how many runs it got); ratios are
taken within one run. Targets are printed beside the figures with met/missed. Machine noise is large on
small machines: compare ratios, not absolute figures, across machines.

Neo4j: the benchmark deletes and rewrites the graph in the database NEO4J_URI names. It refuses a
database that already holds nodes unless `--neo4j-overwrite` is given (so it never wipes a real graph by
accident); use a throwaway server (`eval "$(scripts/neo4j.sh start)"`).
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import re
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

REPO = Path(__file__).resolve().parents[1]
DEFAULT_WORKDIR = REPO / "out" / "bench"
DEFAULT_SIZES = (100, 1000)
BIG_SIZE = 10_000
QUICK_SIZE = 20
PYVIS_NODES = (100, 300, 1000)
DATA_ENV = "PATTERN_ATLAS_DATA"  # the app's data folder, when the app honours it

# Targets (on the 2-core reference machine).
PARSE_CARDS_PER_S = 2000
BUILD_10K_S = 15.0
BUILD_10K_RSS_MIB = 2048
NEO4J_RELS_PER_S = 20_000
NEO4J_RATIO = 10.0
EMBEDDED_P50_MS = 20.0
NEO4J_P50_MS = 50.0
APP_PAGE_S = 1.0
CYPHER_WARM_MS = 100.0  # issue 15: a warm user-Cypher query on the shipped corpus
WARM_CYPHER = "MATCH (p:Pattern)-[:HAS_SUBTYPE]->(s:Subtype) RETURN p.name, count(s)"

#: The rows every table has, in order: (group, measure). Rows that could not be measured are printed
#: with the reason instead of figures, so the table always has all of them (tests/test_bench.py checks).
QUERY_OPS = ("neighbourhood 2-hop", "shortest path", "simple paths ≤3", "compare")
PER_SIZE_ROWS = [
    "parse throughput",
    "parse peak RSS",
    "embedded build (load_paths + replace_all)",
    "embedded build peak RSS",
    "embedded save (node-link JSON)",
    "embedded reload (EmbeddedStore.load)",
    "neo4j load, batched replace_all",
    "neo4j load, naive write_naive",
    "neo4j batched ÷ naive (same subset)",
    "neo4j batched (full) ÷ naive",
    *[f"embedded {op} {q}" for op in QUERY_OPS for q in ("p50", "p95")],
    *[f"neo4j {op} {q}" for op in QUERY_OPS for q in ("p50", "p95")],
    "embedded neighbourhood 2-hop from the biggest hub",
    "embedded Cypher, warm query",
    "app first run (cold: store opened)",
    "app Explore (whole graph, default)",
    "app Explore (centred on a pattern)",
    "app Paths (two patterns)",
]
PYVIS_ROWS = [f"pyvis page, {n} nodes" for n in PYVIS_NODES]


# -- results -----------------------------------------------------------------------------------------

@dataclass
class Row:
    measure: str
    size: str
    values: list[float] = field(default_factory=list)
    unit: str = ""
    target: str = ""
    check: Callable[[float], bool] | None = None
    note: str = ""
    skipped: str | None = None
    higher_is_better: bool = False

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    def verdict(self) -> str:
        if self.skipped is not None or not self.values or self.check is None:
            return ""
        return "met" if self.check(self.median) else "**missed**"


def fmt(value: float, unit: str) -> str:
    if unit in ("cards/s", "rels/s"):
        return f"{value:,.0f}"
    if unit == "MiB":
        return f"{value:,.0f}"
    if unit == "×":
        return f"{value:,.1f}"
    if unit == "ms":
        return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"
    if unit == "s":
        return f"{value:,.3f}" if value < 1 else f"{value:,.2f}"
    return f"{value:,.3g}"


def table(rows: list[Row]) -> str:
    out = ["| Measure | Cards | Median | Min | Max | Unit | Runs | Target | Met | Note |",
           "| --- | ---: | ---: | ---: | ---: | --- | ---: | --- | --- | --- |"]
    for r in rows:
        note = r.note.replace("|", "/")
        if r.skipped is not None or not r.values:
            reason = (r.skipped or "not measured").replace("|", "/")
            out.append(f"| {r.measure} | {r.size} | — | — | — | {r.unit} | 0 | {r.target} | skipped | {reason} |")
            continue
        out.append(f"| {r.measure} | {r.size} | {fmt(r.median, r.unit)} | {fmt(min(r.values), r.unit)} | "
                   f"{fmt(max(r.values), r.unit)} | {r.unit} | {len(r.values)} | {r.target} | {r.verdict()} | {note} |")
    return "\n".join(out)


def at_least(x: float) -> Callable[[float], bool]:
    return lambda v: v >= x


def at_most(x: float) -> Callable[[float], bool]:
    return lambda v: v <= x


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, int(round(q / 100 * len(ordered) + 0.5)) - 1))
    return ordered[k]


class Repeat:
    """Run a measurement up to `runs` times, stopping early once `budget` seconds have been spent."""

    def __init__(self, runs: int, budget: float) -> None:
        self.runs, self.budget = runs, budget

    def __iter__(self):
        start = time.perf_counter()
        for i in range(self.runs):
            if i and time.perf_counter() - start > self.budget:
                return
            yield i


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


# -- child processes -----------------------------------------------------------------------------------

def _rss_mib() -> float:
    """Peak resident memory of this process so far (MiB): VmHWM, which starts afresh at exec (ru_maxrss
    would carry the forking parent's size over), else ru_maxrss."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def child_build(corpus: Path) -> dict[str, Any]:
    """In a fresh process: load_paths, replace_all, save (as the app's cache), reload. Prints JSON."""
    from graph.embedded import EmbeddedStore
    from loaders.corpus import load_paths, sources_digest

    rss_start = _rss_mib()
    gc.collect()
    t0, c0 = time.perf_counter(), time.process_time()
    result = load_paths([corpus])
    t1, c1 = time.perf_counter(), time.process_time()
    rss_parse = _rss_mib()
    store = EmbeddedStore()
    store.replace_all(result.graph)
    t2, c2 = time.perf_counter(), time.process_time()
    rss_build = _rss_mib()
    report = result.report.to_dict()
    digest = sources_digest([corpus])
    cache = corpus / "graph.json"  # where atlas.compose.open_embedded keeps it: the app finds it fresh
    t3 = time.perf_counter()
    store.save(cache, {"sources_digest": digest, "report": report})
    t4 = time.perf_counter()
    del store, result
    gc.collect()
    t5 = time.perf_counter()
    again = EmbeddedStore.load(cache)
    t6 = time.perf_counter()
    kinds, types = again.counts()
    return {"parse_s": t1 - t0, "build_s": t2 - t0, "replace_s": t2 - t1, "parse_cpu_s": c1 - c0, "build_cpu_s": c2 - c0, "save_s": t4 - t3, "load_s": t6 - t5,
            "rss_start_mib": rss_start, "rss_parse_mib": rss_parse, "rss_build_mib": rss_build,
            "file_mib": cache.stat().st_size / 2**20, "nodes": sum(kinds.values()), "edges": sum(types.values()),
            "warnings": len(report["warnings"])}


def _sidebar_counts(at: Any) -> tuple[int, int] | None:
    for el in at.sidebar.caption:
        m = re.search(r"([\d,]+) nodes · ([\d,]+) edges", el.value)
        if m:
            return int(m.group(1).replace(",", "")), int(m.group(2).replace(",", ""))
    return None


def _errors(at: Any) -> list[str]:
    return [str(getattr(e, "message", e))[:200] for e in at.exception]


def child_app(corpus: Path, runs: int, seed: int) -> dict[str, Any]:
    """In a fresh process: the app under AppTest, pointed at the corpus (env var, or the session's
    'atlas_custom' store when the app does not honour the env var). Prints JSON."""
    from streamlit.testing.v1 import AppTest

    expected = json.loads((corpus / "expected.json").read_text())
    os.environ[DATA_ENV] = str(corpus)
    out: dict[str, Any] = {"errors": []}
    app = str(REPO / "app.py")
    t0 = time.perf_counter()
    at = AppTest.from_file(app, default_timeout=1800)
    at.run()
    cold = time.perf_counter() - t0
    counts = _sidebar_counts(at)
    out["errors"] += _errors(at)
    if counts is not None and counts[0] == expected["nodes"]:
        out["method"] = f"env {DATA_ENV}"
        out["cold_s"] = cold
    else:
        # The app does not read the env var (yet): hand it the store the way an uploaded corpus is handed
        # over (`atlas_custom` in the session), loaded from the cache the build child wrote.
        from graph.embedded import EmbeddedStore

        t0 = time.perf_counter()
        store = EmbeddedStore.load(corpus / "graph.json")
        report = dict(store.graph.graph.get("report") or {})
        at = AppTest.from_file(app, default_timeout=1800)
        at.session_state["atlas_custom"] = {"store": store, "report": report, "label": f"synthetic {corpus.name}"}
        at.run()
        out["cold_s"] = time.perf_counter() - t0
        counts = _sidebar_counts(at)
        out["method"] = "session atlas_custom (the app ignores " + DATA_ENV + ")"
        out["errors"] += _errors(at)
    out["shown_nodes"] = counts[0] if counts else None
    rng = random.Random(seed)
    pats = [f"pattern:synth-{i:0{max(4, len(str(expected['cards'] - 1)))}d}" for i in range(expected["cards"])]
    pairs = [tuple(rng.sample(pats, 2)) for _ in range(runs)]

    def timed(action: Callable[[], Any]) -> float:
        t = time.perf_counter()
        action()
        took = time.perf_counter() - t
        out["errors"] += _errors(at)
        return took

    # Explore, default view (whole graph, capped drawing): rerun as a user's interaction would.
    out["explore_whole"] = [timed(at.run) for _ in range(runs)]
    out["explore_centre"] = []
    for a, _ in pairs:
        at.selectbox(key="explore_centre").set_value(a)
        out["explore_centre"].append(timed(at.run))
    at.switch_page("explorer/pages/paths.py")
    at.run()
    out["errors"] += _errors(at)
    out["paths"] = []
    for a, b in pairs:
        at.selectbox(key="paths_from").set_value(a)
        at.selectbox(key="paths_to").set_value(b)
        out["paths"].append(timed(at.run))
    out["errors"] = sorted(set(out["errors"]))
    return out


def run_child(kind: str, corpus: Path, *extra: str, timeout: float = 3600) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "bench.run", "--child", kind, "--corpus", str(corpus), *extra]
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout)
    lines = [l for l in proc.stdout.splitlines() if l.startswith("{")]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
        raise RuntimeError(f"{kind} child failed (exit {proc.returncode}): " + " / ".join(tail))
    return json.loads(lines[-1])


# -- the benchmark ------------------------------------------------------------------------------------

@dataclass
class Options:
    sizes: list[int]
    runs: int
    pairs: int
    seed: int
    workdir: Path
    neo4j: bool
    neo4j_overwrite: bool
    naive_rels: int
    budget: float
    app: bool


def ensure_corpus(n: int, opts: Options) -> tuple[Path, dict]:
    from bench.generate import generate

    corpus = opts.workdir / f"corpus-{n}"
    exp_file = corpus / "expected.json"
    if exp_file.exists():
        expected = json.loads(exp_file.read_text())
        if expected.get("cards") == n and expected.get("seed") == opts.seed:
            return corpus, expected
    log(f"generating {n} cards into {corpus}")
    return corpus, generate(n, corpus, seed=opts.seed)


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
    # naive and batched on the same subset, in the same run
    sub = subset(data, min(opts.naive_rels, n_rels))
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
                        at_least(NEO4J_RELS_PER_S), f"{n_rels:,} rels + {len(data.nodes):,} nodes staged in batched transactions, swapped in by one; "
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
    try:
        heap = neo._read("CALL dbms.queryJmx('java.lang:type=Memory') YIELD attributes "
                         "RETURN attributes.HeapMemoryUsage.value.properties.max AS max")[0]["max"]
        cache = neo._read("SHOW SETTINGS YIELD name, value WHERE name = 'server.memory.pagecache.size' "
                          "RETURN value")[0]["value"]
        return f"; server heap {heap / 2**30:.1f} GiB, page cache {cache}"
    except Exception:  # noqa: BLE001 - informational only
        return ""


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


def run_size(n: int, opts: Options, neo: Any | None, neo_reason: str) -> tuple[list[Row], Any]:
    from graph.embedded import EmbeddedStore
    from graph.model import GraphData

    size = str(n)
    corpus, expected = ensure_corpus(n, opts)
    log(f"{n} cards: {expected['nodes']:,} nodes, {expected['edges']:,} edges expected")
    rows: list[Row] = []

    # parse / build / save / reload, a fresh subprocess per run
    builds = []
    for _ in Repeat(opts.runs, opts.budget):
        builds.append(run_child("build", corpus))
        b = builds[-1]
        log(f"build {n}: parse {b['parse_s']:.2f} s, build {b['build_s']:.2f} s, rss {b['rss_build_mib']:.0f} MiB")
    b0 = builds[0]
    counts_ok = b0["nodes"] == expected["nodes"] and b0["edges"] == expected["edges"]
    counts = (f"{b0['nodes']:,} nodes, {b0['edges']:,} edges"
              + ("" if counts_ok else f" (generator expected {expected['nodes']:,} / {expected['edges']:,}!)"))
    is_big = n >= BIG_SIZE
    rows.append(Row("parse throughput", size, [n / b["parse_s"] for b in builds], "cards/s",
                    f"≥ {PARSE_CARDS_PER_S:,}", at_least(PARSE_CARDS_PER_S),
                    f"load_paths of {n:,} cards + {expected['articles']} article(s) + aliases; {counts}; "
                    f"CPU time {statistics.median(b['parse_cpu_s'] for b in builds):.2f} s "
                    f"(wall figures include other load on the machine)"))
    rows.append(Row("parse peak RSS", size, [b["rss_parse_mib"] for b in builds], "MiB", "", None,
                    f"peak RSS (VmHWM) of a fresh process after load_paths (interpreter and imports: "
                    f"{b0['rss_start_mib']:.0f} MiB)"))
    rows.append(Row("embedded build (load_paths + replace_all)", size, [b["build_s"] for b in builds], "s",
                    f"≤ {BUILD_10K_S:g} s at 10,000" if is_big else "", at_most(BUILD_10K_S) if is_big else None,
                    f"replace_all alone: median {statistics.median(b['replace_s'] for b in builds):.2f} s; "
                    f"CPU time {statistics.median(b['build_cpu_s'] for b in builds):.2f} s"))
    rows.append(Row("embedded build peak RSS", size, [b["rss_build_mib"] for b in builds], "MiB",
                    f"≤ {BUILD_10K_RSS_MIB:,} MiB at 10,000" if is_big else "",
                    at_most(BUILD_10K_RSS_MIB) if is_big else None, "peak RSS (VmHWM) after replace_all"))
    rows.append(Row("embedded save (node-link JSON)", size, [b["save_s"] for b in builds], "s", "", None,
                    f"EmbeddedStore.save with the load report, as the app's cache; file {b0['file_mib']:.1f} MiB"))
    rows.append(Row("embedded reload (EmbeddedStore.load)", size, [b["load_s"] for b in builds], "s", "", None,
                    "read back in the same fresh process"))

    # the stores, loaded once
    t = time.perf_counter()
    store = EmbeddedStore.load(corpus / "graph.json")
    data = GraphData.from_networkx(store.graph)
    pairs = query_pairs(store, opts.pairs, opts.seed)
    t = time.perf_counter()
    store.neighbourhood(pairs[0][0], hops=1)  # the first query builds the traversal index: not a latency
    warm = time.perf_counter() - t

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
    rows += [r for r in neo_rows if "load" in r.measure or "÷" in r.measure]

    emb = measure_queries(store, "embedded", pairs, opts, size, EMBEDDED_P50_MS)
    emb[0].note += f"; the first query of a fresh store builds its traversal index: {warm * 1000:.0f} ms"
    rows += emb
    rows += [r for r in neo_rows if r.measure.startswith("neo4j") and r.measure.endswith(("p50", "p95"))]

    # the worst case the app allows: a 2-hop neighbourhood around the highest-degree node
    degree = dict(store.graph.degree())
    hub = max(degree, key=lambda k: (degree[k], k))
    kinds, types = app_query_args()
    hub_lat = []
    for _ in Repeat(opts.runs, opts.budget):
        t0 = time.perf_counter()
        store.neighbourhood(hub, hops=2, kinds=kinds, edge_types=types, limit=150)
        hub_lat.append((time.perf_counter() - t0) * 1000)
    rows.append(Row("embedded neighbourhood 2-hop from the biggest hub", size, hub_lat, "ms", "", None,
                    f"{hub} ({degree[hub]:,} edges), limit 150"))

    # user Cypher on the embedded store: a worker forked per query with grand-cypher already imported
    cypher_lat = []
    store.cypher(WARM_CYPHER)  # warm: the first query also builds the Cypher view of the graph
    for _ in Repeat(opts.runs, opts.budget):
        t0 = time.perf_counter()
        store.cypher(WARM_CYPHER)
        cypher_lat.append((time.perf_counter() - t0) * 1000)
    rows.append(Row("embedded Cypher, warm query", size, cypher_lat, "ms", f"≤ {CYPHER_WARM_MS:.0f} ms",
                    lambda v: v <= CYPHER_WARM_MS, WARM_CYPHER))

    # the app pages
    app_names = ["app first run (cold: store opened)", "app Explore (whole graph, default)",
                 "app Explore (centred on a pattern)", "app Paths (two patterns)"]
    if opts.app:
        try:
            res = run_child("app", corpus, "--runs", str(opts.runs), "--seed", str(opts.seed))
            note = f"via {res['method']}"
            if res["errors"]:
                note += "; page errors: " + "; ".join(res["errors"])[:300]
            target, check = f"≤ {APP_PAGE_S:g} s", at_most(APP_PAGE_S)
            rows.append(Row(app_names[0], size, [res["cold_s"]], "s", "", None,
                            note + f"; graph shown: {res.get('shown_nodes')} nodes"))
            rows.append(Row(app_names[1], size, res["explore_whole"], "s", target, check,
                            "script rerun with the default filters and the 150-node drawing cap"))
            rows.append(Row(app_names[2], size, res["explore_centre"], "s", target, check,
                            "a new centre chosen in the picker (1 hop, the default)"))
            rows.append(Row(app_names[3], size, res["paths"], "s", target, check,
                            "new From and To chosen: shortest path + simple paths ≤2 (the page's default)"))
            log(f"app at {n}: cold {res['cold_s']:.1f} s, explore {statistics.median(res['explore_whole']):.2f} s, "
                f"centred {statistics.median(res['explore_centre']):.2f} s, paths {statistics.median(res['paths']):.2f} s")
        except Exception as exc:  # noqa: BLE001
            log(f"app failed at {n}: {exc}")
            rows += [Row(m, size, unit="s", skipped=f"failed: {str(exc)[:200]}") for m in app_names]
    else:
        rows += [Row(m, size, unit="s", skipped="--no-app") for m in app_names]
    rows.sort(key=lambda r: PER_SIZE_ROWS.index(r.measure))
    return rows, store


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


def environment() -> str:
    import networkx
    import streamlit

    try:
        import neo4j
        neo = neo4j.__version__
    except Exception:  # noqa: BLE001
        neo = "?"
    try:  # the driver's packstream in Rust (neo4j-rust-ext), else pure Python
        import neo4j._rust  # noqa: F401
        neo += " with its Rust extension"
    except ImportError:
        neo += " (pure Python: neo4j-rust-ext is not installed)"
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True,
                             timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO,
                               capture_output=True, text=True, timeout=10).stdout.strip()
        code = f"code at {rev}{' + uncommitted changes' if dirty else ''}; " if rev else ""
    except (OSError, subprocess.SubprocessError):
        code = ""
    return (f"{code}Python {platform.python_version()}, {os.cpu_count()} CPUs, {platform.machine()}, "
            f"networkx {networkx.__version__}, streamlit {streamlit.__version__}, neo4j driver {neo}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=None, help="comma-separated card counts (default 100,1000)")
    parser.add_argument("--big", action="store_true", help="also 10,000 cards")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_SIZE} cards, 1 run, 5 pairs: seconds")
    parser.add_argument("--no-neo4j", action="store_true", help="skip Neo4j even when NEO4J_URI is set")
    parser.add_argument("--neo4j-overwrite", action="store_true",
                        help="let the benchmark replace a non-empty Neo4j graph")
    parser.add_argument("--no-app", action="store_true", help="skip the Streamlit AppTest pages")
    parser.add_argument("--runs", type=int, default=None, help="runs per figure (default 3; 1 with --quick)")
    parser.add_argument("--pairs", type=int, default=None, help="query pairs per sweep (default 50)")
    parser.add_argument("--naive-rels", type=int, default=2000,
                        help="relationships written by the naive Neo4j path (a subset; default 2000)")
    parser.add_argument("--budget", type=float, default=None,
                        help="seconds after which a measurement stops repeating (default 90)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR, help="where corpora are generated")
    parser.add_argument("--json", type=Path, default=None, help="also write the rows as JSON")
    # internal: the measurement subprocesses
    parser.add_argument("--child", choices=["build", "app"], help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child == "build":
        print(json.dumps(child_build(args.corpus)))
        return 0
    if args.child == "app":
        print(json.dumps(child_app(args.corpus, args.runs or 3, args.seed)))
        return 0

    if args.quick:
        sizes = [QUICK_SIZE]
    elif args.sizes:
        sizes = [int(s.replace("_", "").replace(",", "")) for s in re.split(r"[,\s]+", args.sizes.strip()) if s]
    else:
        sizes = list(DEFAULT_SIZES)
    if args.big and BIG_SIZE not in sizes:
        sizes.append(BIG_SIZE)
    opts = Options(
        sizes=sorted(set(sizes)),
        runs=args.runs or (1 if args.quick else 3),
        pairs=args.pairs or (5 if args.quick else 50),
        seed=args.seed,
        workdir=args.workdir.resolve(),
        neo4j=not args.no_neo4j,
        neo4j_overwrite=args.neo4j_overwrite,
        naive_rels=min(args.naive_rels, 200) if args.quick else args.naive_rels,
        budget=args.budget if args.budget is not None else (30.0 if args.quick else 90.0),
        app=not args.no_app,
    )
    started = time.perf_counter()
    neo, neo_reason = open_neo4j(opts)
    if neo is None:
        log(f"Neo4j rows skipped: {neo_reason}")
    rows: list[Row] = []
    store = None
    try:
        for n in opts.sizes:
            size_rows, store = run_size(n, opts, neo, neo_reason)
            rows += size_rows
        rows += pyvis_rows(store, opts, str(opts.sizes[-1]))
    finally:
        if neo is not None:
            neo.close()
    elapsed = time.perf_counter() - started
    print(f"# Pattern Atlas benchmark\n\n{environment()}; sizes {', '.join(f'{s:,}' for s in opts.sizes)} cards; "
          f"up to {opts.runs} runs per figure (median, min, max); {opts.pairs} query pairs; seed {opts.seed}; "
          f"took {elapsed / 60:.1f} min.\n")
    print(table(rows))
    missed = [f"{r.measure} ({r.size})" for r in rows if r.verdict() == "**missed**"]
    met = [r for r in rows if r.verdict() == "met"]
    print(f"\nTargets: {len(met)} met, {len(missed)} missed" + (": " + "; ".join(missed) if missed else "."))
    if args.json:
        args.json.write_text(json.dumps([{**{k: v for k, v in r.__dict__.items() if k != "check"},
                                          "verdict": r.verdict()} for r in rows], indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
