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
import json
import re
import sys
from pathlib import Path
from typing import Any, TextIO

from graph import algorithms_cli, export
from graph.errors import AtlasError
from graph.narrate import edge_sentence, path_sentences, place
from graph.program import run_program
from graph.store import GraphStore
from loaders.atomic import write_atomic

#: Controls a terminal may act on: C0 (tab and LF too), DEL and C1. ESC starts ANSI colour, cursor and
#: OSC (title, hyperlink, clipboard) sequences; CR and backspace overwrite what was printed.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")
#: The same, less tab and LF: what the program's own output may hold (its lines and columns).
_CONTROLS_BUT_LAYOUT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _csv(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def _escape(match: re.Match[str]) -> str:
    return f"\\x{ord(match.group()):02x}"


def visible(text: str) -> str:
    """`text` with every control character written as an escape (`\\x1b`, `\\x0a`): a card's text can
    neither drive the terminal nor start a line of its own."""
    return _CONTROLS.sub(_escape, text)


def _visible(value: Any) -> Any:
    """A store's answer with every string in it (keys too) passed through `visible`."""
    if isinstance(value, str):
        return visible(value)
    if isinstance(value, dict):
        return {(visible(k) if isinstance(k, str) else k): _visible(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_visible(v) for v in value]
    return value


class _TerminalText:
    """Standard output for text answers: whatever reaches it is written with its control characters
    escaped (tab and LF, the output's own layout, pass), in case a value was printed without `visible`."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(_CONTROLS_BUT_LAYOUT.sub(_escape, text))
        return len(text)

    def flush(self) -> None:
        self._stream.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def json_dumps(value: Any) -> str:
    """`--json` output: exact JSON, with every control character (DEL and C1 too) as a `\\u` escape."""
    return export.json_text(json.dumps(value, ensure_ascii=False, indent=1))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m graph", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="Nodes are given by id (pattern:insecure) or by name (insecure). Text "
                                            "output shows control characters from the documents escaped (\\x1b); "
                                            "--json prints exact JSON.")
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    parser.add_argument("--data", type=Path, default=None, metavar="DIR", help="corpus folder (default: the repository's data/)")
    parser.add_argument("--store", choices=["embedded", "neo4j"], default="embedded",
                        help="embedded (default, built from data/) or neo4j (NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD)")
    sub = parser.add_subparsers(dest="command", required=True)
    # --data after the command too (`python -m graph export json --data DIR`); SUPPRESS keeps one given
    # before the command when it is not repeated after it
    data_after = argparse.ArgumentParser(add_help=False)
    data_after.add_argument("--data", type=Path, default=argparse.SUPPRESS, metavar="DIR",
                            help="corpus folder (default: the repository's data/)")

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

    sub.add_parser("stats", help="node and edge counts")
    algorithms_cli.add_parsers(sub, _csv)  # centrality, communities, similar

    p = sub.add_parser("differential", help="study material, not a diagnostic instrument: the patterns whose "
                                            "card lines match observations, and what tells them apart")
    p.add_argument("observations", nargs="+", help="what is observed, one argument each")
    p.add_argument("--top", type=int, default=5, help="how many ranked patterns to show (default 5)")
    p.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="machine-readable output")

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
    return parser


def _params(pairs: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ValueError(f"--param takes KEY=VALUE, not {pair!r}")
        out[key] = _param_value(key, value)
    return out


def _param_value(key: str, value: str) -> Any:
    """A whole number (ASCII digits, an optional minus) as an int, if it fits in 64 bits (what Neo4j
    stores; else a one-line error); anything else as the text it is."""
    digits = value[1:] if value.startswith("-") else value
    if not (digits.isascii() and digits.isdigit()):
        return value
    if len(digits) > 19 or not -2**63 <= int(value) < 2**63:
        shown = value if len(value) <= 40 else value[:40] + "…"
        raise ValueError(f"--param {key}: {shown} does not fit in a 64-bit integer "
                         f"({-2**63} to {2**63 - 1})")
    return int(value)


def _cell(value: Any) -> str:
    """A result cell as text: a relationship or path as Cypher draws it, other lists and maps as JSON."""
    from graph.results import text  # noqa: PLC0415

    drawn = text(value)
    if drawn is not None:
        return drawn
    if isinstance(value, list) and value and all(text(v) is not None for v in value):
        return ", ".join(text(v) for v in value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else str(value)


def _print_table(result: dict[str, Any]) -> None:
    columns = [visible(str(c)) for c in result["columns"]]
    rows = [[visible(_cell(v)) for v in row] for row in result["rows"]]
    widths = [min(60, max([len(c)] + [len(r[i]) for r in rows])) for i, c in enumerate(columns)]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths)))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join((v if len(v) <= w else v[: w - 1] + "…").ljust(w) for v, w in zip(row, widths)))
    print(f"({len(rows)} row{'s' if len(rows) != 1 else ''}{', more exist: cut at the limit' if result['truncated'] else ''})")


def open_store(args: argparse.Namespace) -> GraphStore:
    from .compose import open_store as open_named  # noqa: PLC0415 - the one way stores are opened

    return open_named(args.store, args.data)


def _print_path(path: dict[str, Any], index: int | None = None) -> None:
    names = " -> ".join(n["name"] for n in path["nodes"])
    head = f"{index}. " if index is not None else ""
    print(f"{head}{names}  ({path['length']} step{'s' if path['length'] != 1 else ''})")
    for s in path_sentences(path):
        print(f"   - {s['text']}")
        print(f"     [{s['source']}] \"{s['quote']}\"")


def run(args: argparse.Namespace, store: GraphStore) -> Any:
    if args.command == "path":
        a, b = store.resolve(args.a), store.resolve(args.b)
        if args.all:
            result = store.simple_paths(a, b, args.max_length, args.types, limit=args.limit)
            if args.json:
                return result
            result = _visible(result)
            print(f"{result['total']} simple path(s) of at most {args.max_length} steps"
                  + (" (more exist; cut)" if result["truncated"] else ""))
            for i, p in enumerate(result["paths"], 1):
                _print_path(p, i)
            return None
        path = store.shortest_path(a, b, args.types)
        if args.json:
            return {"path": path, "sentences": path_sentences(path) if path else []}
        if path is None:
            print(f"no path between {visible(a)} and {visible(b)}")
            return 1
        _print_path(_visible(path))
        return None
    if args.command in ("neighbours", "neighbors"):
        node = store.resolve(args.node)
        result = store.neighbourhood(node, args.hops, args.kinds, args.types, args.limit)
        if args.json:
            return result
        result = _visible(result)
        print(f"{len(result['nodes'])} node(s) within {args.hops} hop(s) of {visible(node)}"
              + (f" (showing {len(result['nodes'])} of {result['total']})" if result["truncated"] else ""))
        for n in sorted(result["nodes"], key=lambda n: (n["depth"], n["kind"], n["id"])):
            print(f"  [{n['depth']}] {n['kind']:<14} {n['name']}  ({n['id']})")
        names = {n["id"]: n["name"] for n in result["nodes"]}
        print(f"{len(result['edges'])} edge(s):")
        for e in result["edges"]:
            print(f"  - {edge_sentence(e, names)}  [{place(e)}]")
        return None
    if args.command == "compare":
        ids = [store.resolve(r) for r in args.nodes]
        result = store.compare(ids)
        if args.json:
            return result
        result = _visible(result)
        names = {p["id"]: p["name"] for p in result["patterns"]}
        print("Comparing " + ", ".join(names.values()))
        print("\nDistinctions:")
        for e in result["distinctions"] or []:
            print(f"  - {edge_sentence(e, names)}\n    [{place(e)}]")
        if not result["distinctions"]:
            print("  (none stated)")
        if result["combinations"]:
            print("\nCombinations:")
            for e in result["combinations"]:
                print(f"  - {edge_sentence(e, names)}  [{place(e)}]")
        print("\nShared by all:")
        for kind, nodes in result["shared"].items():
            print(f"  {kind}: " + ", ".join(n["name"] for n in nodes))
        if not result["shared"]:
            print("  (nothing)")
        for pid, groups in result["unique"].items():
            print(f"\nOnly {names[pid]}:")
            for kind, nodes in groups.items():
                print(f"  {kind}: " + ", ".join(n["name"] for n in nodes))
        return None
    if args.command == "node":
        node = store.get_node(store.resolve(args.node))
        if args.json:
            return node
        node = _visible(node)
        print(f"{node['name']} ({node['kind']}, {node['id']})")
        for key, value in sorted(node.items()):
            if key not in ("id", "kind", "name", "provenance", "sections") and value not in (None, "", [], {}):
                print(f"  {key}: {value}")
        for p in node.get("provenance", []):
            print(f"  stated at {p['file']}:{p['start_line']}: \"{p['text']}\"")
        for s in node.get("sections") or []:
            mark = "" if s["heading_status"] == "read" else f"  [heading {s['heading_status']}: {s.get('reason')}]"
            print(f"\n  {s['heading']}{mark}")
            for item in s["items"]:
                print(f"    {item['line']:>4}  {item['text']}")
        return None
    if args.command == "query":
        from graph.queries import load_library, run_named  # noqa: PLC0415

        if args.list or not args.name:
            specs = load_library()
            if args.json:
                return [{"name": q.name, "description": q.description,
                         "params": [{"name": p.name, "default": p.default} for p in q.params]} for q in specs]
            for q in specs:
                params = visible(", ".join(f"{p.name}={p.default}" for p in q.params))
                print(f"{visible(q.name)}{f' ({params})' if params else ''}\n    {visible(q.description)}")
            return None
        result = run_named(store, args.name, _params(args.param))
        if args.json:
            return result
        _print_table(result)
        return None
    if args.command == "cypher":
        result = store.cypher(args.query, _params(args.param) or None, args.limit, args.timeout)
        if args.json:
            return result
        _print_table(result)
        return None
    if args.command == "differential":
        from graph.differential import find, report_lines  # noqa: PLC0415

        result = find(store, args.observations, top=args.top)
        if args.json:
            return result
        print("\n".join(report_lines(result)))
        return None
    if args.command in algorithms_cli.COMMANDS:
        result, lines = algorithms_cli.run(args, store)
        if args.json:
            return result
        print("\n".join(visible(line) for line in lines))
        return None
    if args.command == "export":
        return _export(args, store)
    nodes, edges = store.counts()
    if args.json:
        return {"nodes": nodes, "edges": edges}
    nodes, edges = _visible(nodes), _visible(edges)
    print(f"{sum(nodes.values())} nodes: " + ", ".join(f"{k} {v}" for k, v in nodes.items()))
    print(f"{sum(edges.values())} edges: " + ", ".join(f"{k} {v}" for k, v in edges.items()))
    return None


def _export(args: argparse.Namespace, store: GraphStore) -> int | None:
    """`export FORMAT [-o FILE]`: the whole graph, the bytes the app's Export page gives."""
    spec = export.FORMATS[args.format]
    nodes, edges = export.whole_graph(store)
    data = export.render(args.format, nodes, edges)
    if args.output is None or str(args.output) == "-":
        out = sys.stdout
        if spec.binary and out.isatty():
            raise ValueError(f"{args.format} is a zip (binary): give -o FILE or redirect standard output")
        out.flush()
        out.buffer.write(data)
        out.buffer.flush()
        return None
    try:
        # all or nothing (loaders.atomic): a temporary file beside FILE, renamed over it once complete
        args.output.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(args.output, data)
    except OSError as exc:
        print(f"error: cannot write {visible(str(args.output))} ({exc.strerror or exc}); "
              "an existing file was left as it was", file=sys.stderr)
        return 1
    print(f"wrote {visible(str(args.output))}: {spec.label}, {len(nodes)} nodes, {len(edges)} edges, "
          f"{len(data):,} bytes", file=sys.stderr)
    return None


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        store = open_store(args)
    except Exception as exc:  # noqa: BLE001 - a one-line message, not a traceback
        print(f"error: {visible(str(exc))}", file=sys.stderr)
        return 2
    text = not args.json and args.command != "export"
    try:
        # text answers go through _TerminalText: no control character from a document reaches the terminal
        with contextlib.redirect_stdout(_TerminalText(sys.stdout)) if text else contextlib.nullcontext():
            result = run(args, store)
    except (AtlasError, ValueError) as exc:
        print(f"error: {visible(str(exc))}", file=sys.stderr)
        return 2
    finally:
        store.close()
    if args.json and args.command != "export":
        print(json_dumps(result))
        return 0
    return result if isinstance(result, int) else 0


def cli(argv: list[str] | None = None) -> int:
    """`main` as a program (graph.program.run_program): quiet with 141 on a closed pipe, 130 on Ctrl-C."""
    return run_program(main, argv)

