"""The benchmark's rows and table: what is measured (the row names every table has, the targets) and how
a figure is printed (median, min, max, target, met)."""
from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parents[1]
DEFAULT_WORKDIR = REPO / "out" / "bench"
DEFAULT_SIZES = (100, 1000)
BIG_SIZE = 10_000
QUICK_SIZE = 20
PYVIS_NODES = (100, 300, 1000)
DATA_ENV = "PATTERN_ATLAS_DATA"  # the app's data folder, when the app honours it

# Targets (on the 2-core reference machine).
PARSE_CARDS_PER_S = 1000  # issue 17 (was 2,000 in issue 12), with the generalized reader
BUILD_10K_S = 15.0
BUILD_10K_RSS_MIB = 2048
NEO4J_RELS_PER_S = 20_000
NEO4J_RATIO = 10.0
EMBEDDED_P50_MS = 20.0
NEO4J_P50_MS = 50.0
APP_PAGE_S = 1.0
CYPHER_WARM_MS = 100.0  # issue 15: a warm user-Cypher query on the shipped corpus
WARM_CYPHER = "MATCH (p:Pattern)-[:HAS_SUBTYPE]->(s:Subtype) RETURN p.name, count(s)"

# Issue 17 (at 10,000 cards): today's approach ("before": node-link JSON, every card parsed on every
# rebuild) and the new one ("after": the compact snapshot and the parse cache), measured in one run.
SNAPSHOT_MIB = 80.0
COLD_START_S = 3.0
RELOAD_ONE_S = 2.0
FULL_BUILD_S = 15.0
PEAK_MIB = 1536.0
#: (measure, unit, target at 10,000): each is two rows, "<measure>, before" and "<measure>, after".
LOADING_PAIRS = [
    ("saved graph size", "MiB", SNAPSHOT_MIB),
    ("app cold start, warm cache", "s", COLD_START_S),
    ("reload after one card changed", "s", RELOAD_ONE_S),
    ("full build", "s", FULL_BUILD_S),
    ("peak memory", "MiB", PEAK_MIB),
]
LOADING_ROWS = [f"{measure}, {side}" for measure, _, _ in LOADING_PAIRS for side in ("before", "after")]

#: Issue 17's parse rows (`bench.parsing`): load_paths before and after the issue's parse work, and the reader.
PARSE_ROWS = [*(f"load_paths, {cache} cache, {side}" for cache in ("cold", "warm") for side in ("before", "after")),
              "parse_card alone"]

#: The rows every table has, in order: (group, measure). Rows that could not be measured are printed
#: with the reason instead of figures, so the table always has all of them (tests/test_bench.py checks).
QUERY_OPS = ("neighbourhood 2-hop", "shortest path", "simple paths ≤3", "compare")
PER_SIZE_ROWS = [
    "parse throughput",
    "parse peak RSS",
    *PARSE_ROWS,
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
    "embedded Cypher, first query (loads the engine)",
    "embedded Cypher, warm query",
    "app first run (cold: store opened)",
    "app Explore (whole graph, default)",
    "app Explore (centred on a pattern)",
    "app Paths (two patterns)",
    *LOADING_ROWS,
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
        return f"{value:,.1f}" if value < 10 else f"{value:,.0f}"
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


# -- options ------------------------------------------------------------------------------------

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

