"""`python -m loaders PATH... [-o FILE] [--neo4j]`: load documents, write node-link JSON.

The graph goes to FILE or standard output, the load report to standard error. Exit 0 on success,
2 with a one-line message naming file and line for input that cannot be used, 1 when an output or
the Neo4j load fails. The files are written only when the whole run succeeds (see `graph.atomic`):
a failed or interrupted run leaves every existing output file as it was.
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
from contextlib import ExitStack
from pathlib import Path

import networkx as nx

from graph.atomic import replacing
from graph.errors import AtlasError
from graph.model import GraphData
from graph.program import run_program
from graph.shapes import EDGES
from loaders.corpus import load_paths


def build_parser(prog: str = "python -m loaders") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Load pattern cards, articles and catalogues (files or folders) into one graph and "
                    "write it as networkx node-link JSON. The load report (counts, inferred sections, "
                    "alias links, warnings with file:line) goes to standard error.",
    )
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="a document, catalogue or folder")
    parser.add_argument("-o", "--output", type=Path, metavar="FILE", help="write the JSON here (default: stdout)")
    parser.add_argument("--neo4j", action="store_true",
                        help="also load the graph into the Neo4j database configured by NEO4J_URI, NEO4J_USER, "
                             "NEO4J_PASSWORD and NEO4J_DATABASE (replacing the previous graph only when complete)")
    parser.add_argument("--report-json", type=Path, metavar="FILE", help="also write the load report as JSON")
    return parser


class _Failed(Exception):
    """The run failed after the load (message already printed): its exit code. Staged files are dropped."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def main(argv: list[str] | None = None, prog: str = "python -m loaders") -> int:
    args = build_parser(prog).parse_args(argv)
    try:
        result = load_paths(args.paths)
    except AtlasError as exc:  # LoadError: FILE:LINE: message
        print(f"error: {exc}", file=sys.stderr)
        return 2
    graph = result.graph.to_networkx()
    data = nx.node_link_data(graph, edges=EDGES)
    text = json.dumps(data, ensure_ascii=False, indent=1)
    try:
        # Each file is written beside itself and renamed over the old one when this block ends without
        # an exception; a failure anywhere in it (Neo4j, a full disk, Ctrl-C) leaves every file as it was.
        with ExitStack() as outputs:
            if args.output:
                _stage(outputs, args.output, text + "\n")
            if args.report_json:
                _stage(outputs, args.report_json, json.dumps(result.report.to_dict(), indent=1, ensure_ascii=False))
            if not args.output:
                sys.stdout.write(text + "\n")
                sys.stdout.flush()
            print(result.report.format_text(), file=sys.stderr)
            if args.neo4j:
                _load_neo4j(result.graph)
    except _Failed as failed:
        return failed.code
    except BrokenPipeError:
        raise  # the reader went away: handled quietly below
    except OSError as exc:  # standard output, or renaming a finished file into place
        print(f"error: cannot write {exc.filename or 'the standard output'} ({exc.strerror or exc})", file=sys.stderr)
        return 1
    return 0


def _stage(outputs: ExitStack, path: Path, text: str) -> None:
    """Write `text` to a temporary file beside `path`, renamed over it when `outputs` closes cleanly."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = outputs.enter_context(replacing(path, devices_in_place=True))
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        print(f"error: cannot write {path} ({exc.strerror or exc}); no output file was changed", file=sys.stderr)
        raise _Failed(1) from None


def _load_neo4j(graph: GraphData) -> None:
    """Replace the graph in the configured Neo4j database; _Failed (message printed) if that fails."""
    from graph.neo4j_store import Neo4jConfigError  # noqa: PLC0415 - optional server

    from .compose import open_neo4j  # noqa: PLC0415
    from .settings import read_settings  # noqa: PLC0415

    logging.getLogger("neo4j").setLevel(logging.CRITICAL)  # the one-line error below says what failed
    try:
        with open_neo4j(read_settings().neo4j, retry_seconds=10.0) as store:
            store.replace_all(graph)
            nodes, edges = store.counts()
    except Neo4jConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise _Failed(2) from None
    except AtlasError as exc:  # e.g. the server stopped during the load (Neo4jUnavailable), LoadConflict
        print(f"error: the Neo4j load failed and was rolled back; the previous graph is unchanged "
              f"({type(exc).__name__}: {str(exc).splitlines()[0][:300]})", file=sys.stderr)
        raise _Failed(1) from None
    print(f"neo4j: loaded {sum(nodes.values())} nodes and {sum(edges.values())} relationships", file=sys.stderr)


def run(argv: list[str] | None = None, prog: str = "python -m loaders") -> int:
    """`main` as a program (graph.program.run_program): quiet with 141 on a closed pipe, 130 on Ctrl-C;
    `prog` is the name its usage and help give (`pattern-atlas load` under the console script)."""
    return run_program(lambda args: main(args, prog), argv)

