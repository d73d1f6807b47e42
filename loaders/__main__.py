"""`python -m loaders PATH... [-o FILE] [--neo4j]`: load documents, write node-link JSON.

The graph goes to FILE or standard output, the load report to standard error. Exit 0 on success,
2 with a one-line message naming file and line for input that cannot be used.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import networkx as nx

from .corpus import load_paths
from .errors import LoadError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m loaders",
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


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        result = load_paths(args.paths)
    except LoadError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    graph = result.graph.to_networkx()
    data = nx.node_link_data(graph, edges="links")
    text = json.dumps(data, ensure_ascii=False, indent=1)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text + "\n", encoding="utf-8")
    else:
        sys.stdout.write(text + "\n")
    if args.report_json:
        args.report_json.write_text(json.dumps(result.report.to_dict(), indent=1, ensure_ascii=False), encoding="utf-8")
    print(result.report.format_text(), file=sys.stderr)
    if args.neo4j:
        from neo4j.exceptions import DriverError, Neo4jError  # noqa: PLC0415

        from graph.neo4j_store import Neo4jConfigError, Neo4jStore  # noqa: PLC0415 - optional server

        import logging  # noqa: PLC0415

        logging.getLogger("neo4j").setLevel(logging.CRITICAL)  # the one-line error below says what failed
        try:
            with Neo4jStore.from_env(retry_seconds=10.0) as store:
                store.replace_all(result.graph)
                nodes, edges = store.counts()
        except Neo4jConfigError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        except (Neo4jError, DriverError) as exc:  # e.g. the server stopped during the load
            reason = getattr(exc, "message", None) or str(exc) or type(exc).__name__
            print(f"error: the Neo4j load failed and was rolled back; the previous graph is unchanged "
                  f"({type(exc).__name__}: {reason.splitlines()[0][:200]})", file=sys.stderr)
            return 1
        print(f"neo4j: loaded {sum(nodes.values())} nodes and {sum(edges.values())} relationships", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
