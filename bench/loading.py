"""Issue 17's rows: the app's saved graph, cold start, reload and full build, today's approach ("before")
beside the new one ("after") in the same run, each step in a fresh process.

Before: the graph saved as node-link JSON (`graph.json`, `EmbeddedStore.save`), every card parsed again on
any change (`legacy_open`, the opening code as it was). After: `atlas.compose.open_embedded`, the compact
snapshot (`graph.snapshot`) and the per-document parse cache (`graph.parsed`).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.rows import DATA_ENV, LOADING_PAIRS, REPO, Row, at_most, log

LEGACY_NAME = "graph.json"
#: The line a changed card gains for the reload rows (a mention: a new edge to an existing node).
CHANGE = "Sometimes combined with needy pattern."


def legacy_open(data_dir: Path) -> tuple[Any, dict[str, Any]]:
    """The embedded store as the opening code gave it before issue 17: node-link JSON checked and read
    whole when its digest matches, else every document parsed again and the JSON written again."""
    from atlas.compose import report_problem
    from graph.embedded import EmbeddedStore
    from loaders.corpus import load_paths, sources_digest

    cache = data_dir / LEGACY_NAME
    digest = sources_digest([data_dir])
    if cache.exists():
        try:
            store = EmbeddedStore.load(cache, sealed=True)
            meta = store.graph.graph
            if meta.get("sources_digest") == digest and report_problem(meta.get("report"), store) is None:
                return store, dict(meta["report"])
        except ValueError:
            pass
    result = load_paths([data_dir])
    store = EmbeddedStore()
    store.replace_all(result.graph)
    report = result.report.to_dict()
    store.meta.update({"sources_digest": digest, "report": report})
    store.save(cache, {"sources_digest": digest, "report": report})
    return store, report


def _peak_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def child_open(corpus: Path, approach: str, fresh: bool) -> dict[str, Any]:
    """In a fresh process: open the corpus's store the `approach` way ("before" or "after"), after
    removing its saved graph and caches when `fresh` (a full build). Prints JSON."""
    from atlas.compose import CACHE_NAME, PARSED_SUFFIX, open_embedded

    saved = corpus / (LEGACY_NAME if approach == "before" else CACHE_NAME)
    if fresh:
        for path in (saved, saved.with_suffix(PARSED_SUFFIX)):
            path.unlink(missing_ok=True)
    t0, c0 = time.perf_counter(), time.process_time()
    store, _ = legacy_open(corpus) if approach == "before" else open_embedded(corpus)
    took, cpu = time.perf_counter() - t0, time.process_time() - c0
    parsed = saved.with_suffix(PARSED_SUFFIX)
    return {"s": took, "cpu_s": cpu, "peak_mib": _peak_mib(), "file_mib": saved.stat().st_size / 2**20,
            "parsed_mib": parsed.stat().st_size / 2**20 if parsed.exists() else 0.0,
            "edges": store.compact.number_of_edges()}


def child_cold_start(corpus: Path, approach: str, spawned: float) -> dict[str, Any]:
    """In a fresh process started at `spawned` (the parent's time.time()): the app's first page under
    AppTest with the corpus's saved graph warm. Prints JSON with the time from `spawned` to rendered."""
    os.environ[DATA_ENV] = str(corpus)
    from streamlit.testing.v1 import AppTest

    import explorer.pages.common as common

    opening = legacy_open if approach == "before" else common.open_embedded
    opened: list[float] = []

    def timed_open(data_dir: Path) -> tuple[Any, dict[str, Any]]:
        got = opening(data_dir)
        opened.append(time.time())
        return got

    setattr(common, "open_embedded", timed_open)  # noqa: B010 - the page module's own reference
    from atlas.compose import CACHE_NAME

    saved = corpus / (LEGACY_NAME if approach == "before" else CACHE_NAME)
    stamp = saved.stat().st_mtime_ns
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=1800)
    at.run()
    done = time.time()
    errors = [str(getattr(e, "message", e))[:200] for e in at.exception]
    if saved.stat().st_mtime_ns != stamp:  # the reader's code changed under the run: not a warm start
        errors.append("the saved graph was rebuilt (stale): not a warm start")
    return {"s": done - spawned, "opened_s": opened[0] - spawned if opened else None, "errors": errors,
            "peak_mib": _peak_mib()}


def _child(kind: str, corpus: Path, *extra: str) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "bench.run", "--child", kind, "--corpus", str(corpus), *extra]
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=3600)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
        raise RuntimeError(f"{kind} child failed (exit {proc.returncode}): " + " / ".join(tail))
    return json.loads(lines[-1])


def _change_one_card(corpus: Path) -> tuple[Path, str]:
    """Add a line to one card (the middle one); returns it and its text before."""
    cards = sorted((corpus / "cards").glob("*.txt"))
    card = cards[len(cards) // 2]
    text = card.read_text(encoding="utf-8")
    lines = text.split("\n")
    card.write_text("\n".join([*lines[:3], CHANGE, *lines[3:]]), encoding="utf-8")
    return card, text


def measure(corpus: Path, app: bool) -> dict[str, dict[str, Any]]:
    """Each figure before and after: {measure: {"before": [...], "after": [...], "note": ...}}."""
    out: dict[str, dict[str, Any]] = {m: {"before": [], "after": [], "note": [], "before note": [], "after note": []}
                                      for m, _, _ in LOADING_PAIRS}
    reader = _reader_digest()
    for side in ("before", "after"):
        full = _child("open", corpus, "--approach", side, "--fresh")
        out["full build"][side].append(full["s"])
        out["peak memory"][side].append(full["peak_mib"])
        out["saved graph size"][side].append(full["file_mib"])
        out["full build"][f"{side} note"].append(f"CPU {full['cpu_s']:.1f} s")
        if full["parsed_mib"]:
            out["saved graph size"][f"{side} note"].append(f"the parse cache beside it: {full['parsed_mib']:.1f} MiB")
        log(f"loading {side}: full build {full['s']:.1f} s, peak {full['peak_mib']:.0f} MiB, "
            f"file {full['file_mib']:.1f} MiB")
    for side in ("before", "after"):
        if app:
            cold = _child("cold-start", corpus, "--approach", side, "--spawned", repr(time.time()))
            out["app cold start, warm cache"][side].append(cold["s"])
            if cold.get("opened_s") is not None:
                out["app cold start, warm cache"][f"{side} note"].append(
                    f"the store was open {cold['opened_s']:.1f} s after process start; the rest is the first page")
            out["peak memory"][f"{side} note"].append(f"the app at its first page: {cold['peak_mib']:.0f} MiB")
            if cold["errors"]:
                out["app cold start, warm cache"][f"{side} note"].append("; ".join(cold["errors"])[:200])
        card, text = _change_one_card(corpus)
        try:
            reload = _child("open", corpus, "--approach", side)
        finally:
            card.write_text(text, encoding="utf-8")
        out["reload after one card changed"][side].append(reload["s"])
        out["reload after one card changed"][f"{side} note"].append(f"CPU {reload['cpu_s']:.1f} s")
        _child("open", corpus, "--approach", side)  # the saved graph of the unchanged corpus again
    if _reader_digest() != reader:
        for figures in out.values():
            figures["note"].append("the reader's code changed during the run (an edit elsewhere): figures after it "
                                   "include rebuilds")
    return out


def _reader_digest() -> str:
    from loaders.parsecache import reader_digest

    return reader_digest()


def loading_rows(corpus: Path, n: int, app: bool) -> list[Row]:
    """The before and after rows (targets on the after rows, at 10,000 cards)."""
    size, big = str(n), n >= 10_000
    try:
        got = measure(corpus, app)
    except Exception as exc:  # noqa: BLE001 - report and go on
        log(f"loading rows failed at {n}: {exc}")
        return [Row(f"{m}, {side}", size, unit=unit, skipped=f"failed: {str(exc)[:200]}")
                for m, unit, _ in LOADING_PAIRS for side in ("before", "after")]
    rows = []
    for measure_name, unit, target in LOADING_PAIRS:
        figures = got[measure_name]
        for side in ("before", "after"):
            note = "; ".join(figures[f"{side} note"] + figures["note"])
            if not figures[side]:
                rows.append(Row(f"{measure_name}, {side}", size, unit=unit, skipped="--no-app"))
                continue
            what = "today's approach (node-link JSON, every card parsed)" if side == "before" else \
                "the snapshot and the parse cache"
            rows.append(Row(f"{measure_name}, {side}", size, figures[side], unit,
                            f"≤ {target:,g} {unit} at 10,000" if side == "after" and big else "",
                            at_most(target) if side == "after" and big else None, f"{what}; {note}".rstrip("; ")))
    return rows


def before_after(rows: list[Row]) -> str:
    """The issue 17 rows side by side: one line per measure and size, before and after."""
    out = ["| Measure | Cards | Before | After | After ÷ before | Target | Met |",
           "| --- | ---: | ---: | ---: | ---: | --- | --- |"]
    by = {(r.measure, r.size): r for r in rows}
    for measure_name, unit, _ in LOADING_PAIRS:
        for size in sorted({r.size for r in rows if r.measure.startswith(measure_name)}, key=int):
            b, a = by.get((f"{measure_name}, before", size)), by.get((f"{measure_name}, after", size))
            if not (a and b and a.values and b.values):
                continue
            out.append(f"| {measure_name} | {int(size):,} | {b.median:,.2f} {unit} | {a.median:,.2f} {unit} | "
                       f"{a.median / b.median:.2f} | {a.target} | {a.verdict()} |")
    return "\n".join(out)
