"""Issue 17's parse rows: `loaders.corpus.load_paths` in cards/s at each size with a cold and a warm parse
cache, the loaders as they were before the issue's parse work ("before": commit `BASELINE`, taken out of
git into a temporary folder) beside today's ("after"), and `parse_card` alone; each a fresh process.

A cold run starts without the parse cache file (every card parsed, the cache written); the warm run after
it finds every card there. Cards per second are counted on wall time, as a user waits; each row's note
gives the CPU time of the process and of its worker processes, its peak memory and the load average,
since wall time on a shared machine includes other jobs.
"""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from bench.rows import PARSE_CARDS_PER_S, PARSE_ROWS, REPO, Options, Repeat, Row, at_least, log

#: The code before issue 17's parse work (resolving, parallel parsing, assembly, the cache's rows).
BASELINE = "9d6fd63"

#: The measurement, run with `python -c` in the code's folder (either side's code imports it alike).
CHILD = r"""
import json, os, resource, sys, time
from pathlib import Path
corpus, cache_file, mode = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
def peak():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0
if mode == "card":
    from graph.schema import pattern_slug
    from loaders.card import parse_card
    from loaders.catalogue import read_catalogue
    from loaders.text import read_document
    from loaders.vocabulary import load_vocabulary
    vocab = load_vocabulary()
    names = read_catalogue(corpus / "pattern-names.yaml")
    known = set(vocab.known_patterns)
    if names is not None:
        known |= {pattern_slug(n) for row in names.data["pattern_names"] for n in row["names"]}
    docs = [read_document(f) for f in sorted((corpus / "cards").glob("*.txt"))]
    names_known = frozenset(known)  # once, as load_paths makes it (not once per card: 10,000 names)
    t, c = time.perf_counter(), time.process_time()
    for doc in docs:
        parse_card(doc, vocab, names_known)
    out = {"s": time.perf_counter() - t, "cpu_s": time.process_time() - c, "cards": len(docs)}
else:
    from loaders.corpus import load_paths
    from loaders.parsecache import ParseCache
    if mode == "cold" and cache_file.exists():
        cache_file.unlink()
    t, c = time.perf_counter(), time.process_time()
    result = load_paths([corpus], ParseCache(cache_file))
    out = {"s": time.perf_counter() - t, "cpu_s": time.process_time() - c,
           "cards": result.report.node_counts.get("Pattern", 0), "edges": len(result.graph.edges)}
used = resource.getrusage(resource.RUSAGE_CHILDREN)
out.update(children_cpu_s=used.ru_utime + used.ru_stime, peak_mib=peak(), load=os.getloadavg()[0])
print(json.dumps(out))
"""


def baseline_tree(folder: Path) -> Path | None:
    """The code and data of `BASELINE` written under `folder` (from git), or None when git or the commit
    is not there (an installed package, a shallow clone)."""
    try:
        tar = subprocess.run(["git", "archive", BASELINE, "loaders", "graph", "data", "pyproject.toml"], cwd=REPO,
                             capture_output=True, timeout=120, check=True).stdout
        safe: dict[str, Any] = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}  # Python >= 3.11.4
        with tarfile.open(fileobj=io.BytesIO(tar)) as archive:
            archive.extractall(folder, **safe)
    except (OSError, subprocess.SubprocessError, tarfile.TarError) as exc:
        log(f"the parse rows' baseline {BASELINE} is not available ({exc}); its rows are skipped")
        return None
    return folder


def _child(code: Path, corpus: Path, cache_file: Path, mode: str) -> dict[str, Any]:
    """One measurement in a fresh process running `code`'s loaders."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    proc = subprocess.run([sys.executable, "-c", CHILD, str(corpus), str(cache_file), mode], cwd=code, env=env,
                          capture_output=True, text=True, timeout=3600)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        raise RuntimeError(f"parse child failed (exit {proc.returncode}): " + " / ".join(tail))
    return json.loads(lines[-1])


def _row(measure: str, n: int, runs: list[dict[str, Any]], side: str) -> Row:
    """A cards/s row from runs of one measurement, with CPU, memory and load in its note."""
    target = f"≥ {PARSE_CARDS_PER_S:,}" if side != "before" else ""
    last = runs[-1]
    note = (f"CPU {last['cpu_s']:.2f} s" + (f" + workers {last['children_cpu_s']:.2f} s"
                                            if last["children_cpu_s"] > 0.01 else "")
            + f"; peak {last['peak_mib']:,.0f} MiB; load average {last['load']:.1f}")
    if side == "before":
        note += f"; the loaders at {BASELINE}"
    elif side == "card":
        note += "; the reader alone on documents already read (no assembly, no cache)"
    return Row(measure, str(n), [r["cards"] / r["s"] for r in runs], "cards/s", target,
               at_least(PARSE_CARDS_PER_S) if side != "before" else None, note, higher_is_better=True)


def parse_rows(corpus: Path, n: int, opts: Options) -> list[Row]:
    """The parse rows for one corpus, in `PARSE_ROWS` order."""
    got: dict[str, list[dict[str, Any]]] = {m: [] for m in PARSE_ROWS}
    failed: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="parse-rows-") as tmp:
        codes = {"before": baseline_tree(Path(tmp) / "baseline"), "after": REPO}
        for _ in Repeat(opts.runs, opts.budget):
            for side, code in codes.items():
                for cache in ("cold", "warm"):
                    measure = f"load_paths, {cache} cache, {side}"
                    if code is None or measure in failed:
                        continue
                    try:
                        got[measure].append(_child(code, corpus, Path(tmp) / f"{side}.parsed", cache))
                    except (RuntimeError, subprocess.SubprocessError) as exc:
                        failed[measure] = str(exc)[:200]
            try:
                got["parse_card alone"].append(_child(REPO, corpus, Path(tmp) / "unused", "card"))
            except (RuntimeError, subprocess.SubprocessError) as exc:
                failed["parse_card alone"] = str(exc)[:200]
    rows = []
    for measure in PARSE_ROWS:
        side = "card" if measure == "parse_card alone" else measure.rsplit(", ", 1)[1]
        if got[measure]:
            rows.append(_row(measure, n, got[measure], side))
        else:
            reason = failed.get(measure) or f"the baseline {BASELINE} is not available (git archive)"
            rows.append(Row(measure, str(n), unit="cards/s", skipped=reason))
        log(f"{measure} at {n}: " + (f"{rows[-1].median:,.0f} cards/s" if rows[-1].values else "skipped"))
    return rows
