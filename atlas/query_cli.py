"""`python -m graph …`: answer queries from the embedded store built from `data/` (or from Neo4j).

    python -m graph path insecure self-judging [--all --max-length 3] [--types T,…]
    python -m graph neighbours insecure --hops 2 [--kinds Capacity,Condition]
    python -m graph compare insecure needy self-judging
    python -m graph node insecure
    python -m graph query --list | query NAME [--param key=value …]
    python -m graph cypher "MATCH (p:Pattern) RETURN p.name" [--limit N] [--timeout S]
    python -m graph stats
    python -m graph differential "expects to be rejected" "freezes when asked to perform" [--top N]
    python -m graph export {graphml,gexf,json,csv} [-o FILE]
    python -m graph centrality [--measure degree|betweenness|pagerank] [--top 10] [--kinds Pattern]
    python -m graph communities | similar insecure [--top N]

Nodes are given by id (`pattern:insecure`) or name (`insecure`, `"the silent member"`).
Add `--json` for machine-readable output. Text output shows control characters from the documents
(ANSI and OSC escapes, other C0 and C1 controls) escaped, as `\\x1b`; JSON output is exact JSON with
them as `\\u` escapes. `export` writes the same bytes as the app's Export page.
"""
from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path
from typing import Any

from graph import algorithms_cli, export
from graph.errors import AtlasError
from graph.program import run_program
from graph.store import GraphStore

from .query_commands import COMMANDS
from .terminal import TerminalText, json_dumps, visible


def _csv(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def build_parser(prog: str = "python -m graph") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="Nodes are given by id (pattern:insecure) or by name (insecure). Text "
                                            "output shows control characters from the documents escaped (\\x1b); "
                                            "--json prints exact JSON.")
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    parser.add_argument("--data", type=Path, default=None, metavar="DIR",
                        help="corpus folder (default: PATTERN_ATLAS_DATA or the repository's data/)")
    parser.add_argument("--store", choices=["embedded", "neo4j"], default="embedded",
                        help="embedded (default, built from data/) or neo4j (NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD)")
    sub = parser.add_subparsers(dest="command", required=True)
    # --data after the command too (`python -m graph export json --data DIR`); SUPPRESS keeps one given
    # before the command when it is not repeated after it
    data_after = argparse.ArgumentParser(add_help=False)
    data_after.add_argument("--data", type=Path, default=argparse.SUPPRESS, metavar="DIR",
                            help="corpus folder (default: the repository's data/)")

    _add_graph_commands(sub)
    _add_query_commands(sub)
    sub.add_parser("stats", help="node and edge counts")
    algorithms_cli.add_parsers(sub, _csv)  # centrality, communities, similar

    p = sub.add_parser("differential", help="study material, not a diagnostic instrument: the patterns whose "
                                            "card lines match observations, and what tells them apart")
    p.add_argument("observations", nargs="+", help="what is observed, one argument each")
    p.add_argument("--top", type=int, default=5, help="how many ranked patterns to show (default 5)")
    p.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="machine-readable output")

    _add_export_command(sub, data_after)
    return parser


def _add_graph_commands(sub: Any) -> None:
    """path, neighbours, compare, node."""
    p = sub.add_parser("path", help="shortest path (or all simple paths) between two nodes, told as sentences")
    p.add_argument("a")
    p.add_argument("b")
    p.add_argument("--all", action="store_true", help="all simple paths up to --max-length, shortest first")
    p.add_argument("--max-length", type=int, default=3, help="longest path in edges for --all (default 3, max 6)")
    p.add_argument("--limit", type=int, default=20, help="most paths shown with --all (default 20)")
    p.add_argument("--types", type=_csv, default=None, help="only follow these edge types (comma-separated)")

    p = sub.add_parser("neighbours", aliases=["neighbors"], help="the k-hop neighbourhood of a node")
    p.add_argument("node")
    p.add_argument("--hops", type=int, default=1, help="hops (default 1, max 4)")
    p.add_argument("--kinds", type=_csv, default=None, help="only enter nodes of these kinds")
    p.add_argument("--types", type=_csv, default=None, help="only follow these edge types")
    p.add_argument("--limit", type=int, default=None, help="keep at most this many nodes (nearest first)")

    p = sub.add_parser("compare", help="two or more patterns side by side: distinctions, shared and unique")
    p.add_argument("nodes", nargs="+")

    p = sub.add_parser("node", help="one node with its sections and provenance")
    p.add_argument("node")


def _add_query_commands(sub: Any) -> None:
    """query (named queries) and cypher."""
    p = sub.add_parser("query", help="run a named query from the library (data/queries.yaml)")
    p.add_argument("name", nargs="?")
    p.add_argument("--list", action="store_true", help="list the named queries and their parameters")
    p.add_argument("--param", action="append", default=[], metavar="KEY=VALUE", help="a query parameter")

    p = sub.add_parser("cypher", help="run read-only Cypher (writes, LOAD CSV and procedure calls are refused)")
    p.add_argument("query")
    p.add_argument("--param", action="append", default=[], metavar="KEY=VALUE",
                   help="a $parameter (Neo4j store only; the embedded store's Cypher has none)")
    p.add_argument("--limit", type=int, default=1000, help="most rows returned (default 1000)")
    p.add_argument("--timeout", type=float, default=10.0, help="seconds before the query is stopped (default 10)")


def _add_export_command(sub: Any, data_after: argparse.ArgumentParser) -> None:
    """export FORMAT [-o FILE]."""
    p = sub.add_parser("export", parents=[data_after],
                       help="the whole graph as GraphML, GEXF, node-link JSON or CSV (zip), as the app's Export page",
                       description="Write the whole graph as graphml (GraphML), gexf (GEXF), json (node-link JSON) "
                                   "or csv (a zip of nodes.csv and edges.csv): the bytes the app's Export page "
                                   "gives for the whole graph. --json does not apply.")
    p.add_argument("format", choices=list(export.FORMATS), help="graphml, gexf, json or csv")
    p.add_argument("-o", "--output", type=Path, metavar="FILE",
                   help="write FILE all or nothing (a temporary file beside it, renamed over it when complete; "
                        "a failed run leaves an existing FILE as it was); default: standard output, which "
                        "must not be a terminal for csv (a zip)")


def open_store(args: argparse.Namespace) -> GraphStore:
    from .compose import open_store as open_named  # noqa: PLC0415 - the one way stores are opened

    return open_named(args.store, args.data)


def main(argv: list[str] | None = None, prog: str = "python -m graph") -> int:
    args = build_parser(prog).parse_args(argv)
    try:
        store = open_store(args)
    except Exception as exc:  # noqa: BLE001 - a one-line message, not a traceback
        print(f"error: {visible(str(exc))}", file=sys.stderr)
        return 2
    text = not args.json and args.command != "export"
    try:
        # text answers go through TerminalText: no control character from a document reaches the terminal
        with contextlib.redirect_stdout(TerminalText(sys.stdout)) if text else contextlib.nullcontext():
            result = COMMANDS[args.command](args, store)
    except (AtlasError, ValueError) as exc:
        print(f"error: {visible(str(exc))}", file=sys.stderr)
        return 2
    finally:
        store.close()
    if args.json and args.command != "export":
        print(json_dumps(result))
        return 0
    return result if isinstance(result, int) else 0


def cli(argv: list[str] | None = None, prog: str = "python -m graph") -> int:
    """`main` as a program (graph.program.run_program): quiet with 141 on a closed pipe, 130 on Ctrl-C;
    `prog` is the name its usage and help give (`pattern-atlas query` under the console script)."""
    return run_program(lambda args: main(args, prog), argv)
