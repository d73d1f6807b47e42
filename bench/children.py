"""The benchmark's measurements that run in a fresh process each (`python -m bench.run --child KIND`): the
build of today's approach (parse, build, node-link save and reload) and the app's pages under AppTest."""
from __future__ import annotations

import gc
import json
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

from bench.rows import (
    APP_PAGE_S,
    BIG_SIZE,
    BUILD_10K_RSS_MIB,
    BUILD_10K_S,
    DATA_ENV,
    PARSE_CARDS_PER_S,
    REPO,
    Options,
    Repeat,
    Row,
    at_least,
    at_most,
    log,
)

# -- -----------------------------------------------------------------------------------

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
    return {"parse_s": t1 - t0, "build_s": t2 - t0, "replace_s": t2 - t1, "parse_cpu_s": c1 - c0,
            "build_cpu_s": c2 - c0, "save_s": t4 - t3, "load_s": t6 - t5,
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
    """In a fresh process: the app under AppTest, pointed at the corpus by its settings' env var (the
    corpus's snapshot made beforehand, so the first run opens it). Prints JSON."""
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
    out["method"] = f"env {DATA_ENV}"
    out["cold_s"] = cold
    if counts is None or counts[0] != expected["nodes"]:
        out["errors"].append(f"the app shows {counts} nodes and edges, not the corpus's {expected['nodes']} nodes")
    at.switch_page("explorer/pages/explore.py")  # the first page is Start
    at.run()
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
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
        raise RuntimeError(f"{kind} child failed (exit {proc.returncode}): " + " / ".join(tail))
    return json.loads(lines[-1])


def build_rows(n: int, corpus: Path, expected: dict[str, Any], opts: Options) -> list[Row]:
    """Parse, build, node-link save and reload (today's build), a fresh subprocess per run."""
    size = str(n)
    rows: list[Row] = []
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
    return rows


def app_rows(n: int, corpus: Path, opts: Options) -> list[Row]:
    """The Explore and Paths pages under AppTest, in a fresh process."""
    size = str(n)
    rows: list[Row] = []
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
                f"centred {statistics.median(res['explore_centre']):.2f} s, "
                f"paths {statistics.median(res['paths']):.2f} s")
        except Exception as exc:  # noqa: BLE001
            log(f"app failed at {n}: {exc}")
            rows += [Row(m, size, unit="s", skipped=f"failed: {str(exc)[:200]}") for m in app_names]
    else:
        rows += [Row(m, size, unit="s", skipped="--no-app") for m in app_names]
    return rows
