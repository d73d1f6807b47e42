"""The benchmark: one command, one Markdown table.

    python -m bench.run [--sizes 100,1000] [--big] [--quick] [--no-neo4j] [--runs K] [--workdir DIR]

For each corpus size (synthetic cards from `bench.generate`, written under `--workdir`, default
`out/bench/`, git-ignored) it measures:

  - parse throughput (cards/s of `loaders.corpus.load_paths`) and the peak memory (ru_maxrss) of a fresh
    subprocess per run, and the embedded build (load_paths + EmbeddedStore.replace_all), save and reload
    (`bench.children`);
  - issue 17's parse rows (`bench.parsing`): load_paths in cards/s with a cold and a warm parse cache, the
    loaders before the issue's parse work (a commit taken out of git) beside today's, and parse_card alone;
  - issue 17's rows, today's approach beside the new one in the same run (`bench.loading`): the saved
    graph's size (node-link JSON / the compact snapshot), the app's cold start with it warm, a reload
    after one card changed (every card parsed / the parse cache), a full build and its peak memory;
  - Neo4j load throughput (relationships/s) of the batched `replace_all` and of the naive `write_naive`
    (one statement and transaction per row), on the same data in the same run (the naive path on a subset
    of the relationships, extrapolated per relationship), when NEO4J_URI is set (`bench.neo4j_rows`);
  - 2-hop neighbourhood (with the Explore page's limit and filters), shortest path, simple paths (max
    length 3, limit 50) and compare latency, p50 and p95 over random pattern pairs from a fixed seed, on
    the embedded store and on Neo4j (`bench.queries`);
  - the Explore and Paths pages under `streamlit.testing.v1.AppTest` (a subprocess per size);
and once, the pyvis page (`render_network`) for 100, 300 and 1,000 drawn nodes, and in Chromium the network
canvas's click to the next view's settled drawing for 25, 150 and 500 nodes beside the old page's
(`bench.browser`). The rows and targets are in `bench.rows`.

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
import json
import re
import time
from pathlib import Path
from typing import Any

from atlas.compose import open_embedded
from bench.browser import canvas_rows
from bench.children import app_rows, build_rows, child_app, child_build
from bench.loading import before_after, child_cold_start, child_open, loading_rows
from bench.neo4j_rows import neo4j_section, open_neo4j
from bench.parsing import parse_rows
from bench.queries import embedded_extra_rows, measure_queries, pyvis_rows, query_pairs
from bench.rows import (
    BIG_SIZE,
    DEFAULT_SIZES,
    DEFAULT_WORKDIR,
    EMBEDDED_P50_MS,
    PER_SIZE_ROWS,
    QUICK_SIZE,
    Options,
    Row,
    environment,
    log,
    table,
)


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


def run_size(n: int, opts: Options, neo: Any | None, neo_reason: str) -> tuple[list[Row], Any]:
    """Every row for one corpus size, in PER_SIZE_ROWS order; the embedded store, for the pyvis rows."""
    from graph.model import GraphData

    size = str(n)
    corpus, expected = ensure_corpus(n, opts)
    log(f"{n} cards: {expected['nodes']:,} nodes, {expected['edges']:,} edges expected")
    rows = build_rows(n, corpus, expected, opts)
    rows += parse_rows(corpus, n, opts)
    # the app's own opening (before the app rows, which open the corpus through it)
    rows += loading_rows(corpus, n, opts.app)

    store, _ = open_embedded(corpus)  # as the app opens it: from the snapshot, rows read when asked for
    data = GraphData.from_networkx(store.graph)  # for the Neo4j load (the networkx graph made once, here)
    store = open_embedded(corpus)[0]  # a fresh one again: no rows read yet
    pairs = query_pairs(store, opts.pairs, opts.seed)
    t = time.perf_counter()
    store.neighbourhood(pairs[0][0], hops=1)  # the first query reads the rows it needs: not a latency
    warm = time.perf_counter() - t

    neo_rows = neo4j_section(n, data, pairs, opts, neo, neo_reason)
    rows += [r for r in neo_rows if "load" in r.measure or "÷" in r.measure]
    emb = measure_queries(store, "embedded", pairs, opts, size, EMBEDDED_P50_MS)
    emb[0].note += f"; the store opened from its snapshot; its first query read its rows: {warm * 1000:.0f} ms"
    rows += emb
    rows += [r for r in neo_rows if r.measure.startswith("neo4j") and r.measure.endswith(("p50", "p95"))]
    rows += embedded_extra_rows(store, opts, size)
    rows += app_rows(n, corpus, opts)
    rows.sort(key=lambda r: PER_SIZE_ROWS.index(r.measure))
    return rows, store


def build_parser() -> argparse.ArgumentParser:
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
    parser.add_argument("--loading-only", action="store_true",
                        help="only issue 17's rows (saved graph, cold start, reload, full build, memory; before/after)")
    # internal: the measurement subprocesses
    parser.add_argument("--child", choices=["build", "app", "open", "cold-start"], help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--approach", choices=["before", "after"], help=argparse.SUPPRESS)
    parser.add_argument("--fresh", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--spawned", type=float, help=argparse.SUPPRESS)
    return parser


def run_as_child(args: argparse.Namespace) -> dict[str, Any]:
    """One measurement in this fresh process (see `bench.children`, `bench.loading`)."""
    if args.child == "build":
        return child_build(args.corpus)
    if args.child == "app":
        return child_app(args.corpus, args.runs or 3, args.seed)
    if args.child == "open":
        return child_open(args.corpus, args.approach, args.fresh)
    return child_cold_start(args.corpus, args.approach, args.spawned)


def options(args: argparse.Namespace) -> Options:
    """The run's options from the command line (--quick: one small corpus, one run, five pairs)."""
    if args.quick:
        sizes = [QUICK_SIZE]
    elif args.sizes:
        sizes = [int(s.replace("_", "").replace(",", "")) for s in re.split(r"[,\s]+", args.sizes.strip()) if s]
    else:
        sizes = list(DEFAULT_SIZES)
    if args.big and BIG_SIZE not in sizes:
        sizes.append(BIG_SIZE)
    return Options(
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


def loading_only(opts: Options) -> int:
    """Issue 17's rows alone, for each size, and the before/after table."""
    started = time.perf_counter()
    rows: list[Row] = []
    for n in opts.sizes:
        corpus, _ = ensure_corpus(n, opts)
        rows += parse_rows(corpus, n, opts) + loading_rows(corpus, n, opts.app)
    print(f"# Pattern Atlas benchmark: loading rows only\n\n{environment()}; sizes "
          f"{', '.join(f'{s:,}' for s in opts.sizes)} cards; took {(time.perf_counter() - started) / 60:.1f} min.\n")
    print(table(rows))
    print("\n## Issue 17: today's approach and the new one, same run (medians)\n")
    print(before_after(rows))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.child:
        print(json.dumps(run_as_child(args)))
        return 0
    opts = options(args)
    if args.loading_only:
        return loading_only(opts)
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
        rows += canvas_rows(store, opts.runs, str(opts.sizes[-1]))
    finally:
        if neo is not None:
            neo.close()
    elapsed = time.perf_counter() - started
    print(f"# Pattern Atlas benchmark\n\n{environment()}; sizes {', '.join(f'{s:,}' for s in opts.sizes)} cards; "
          f"up to {opts.runs} runs per figure (median, min, max); {opts.pairs} query pairs; seed {opts.seed}; "
          f"took {elapsed / 60:.1f} min.\n")
    print(table(rows))
    print("\n## Issue 17: today's approach and the new one, same run (medians)\n")
    print(before_after(rows))
    missed = [f"{r.measure} ({r.size})" for r in rows if r.verdict() == "**missed**"]
    met = [r for r in rows if r.verdict() == "met"]
    print(f"\nTargets: {len(met)} met, {len(missed)} missed" + (": " + "; ".join(missed) if missed else "."))
    if args.json:
        args.json.write_text(json.dumps([{**{k: v for k, v in r.__dict__.items() if k != "check"},
                                          "verdict": r.verdict()} for r in rows], indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())