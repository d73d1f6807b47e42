"""`python -m graph …`: answer queries from the embedded store built from `data/` (or from Neo4j).

    python -m graph path insecure self-judging [--all --max-length 3] [--types T,…]
    python -m graph neighbours insecure --hops 2 [--kinds Capacity,Condition]
    python -m graph compare insecure needy self-judging
    python -m graph node insecure
    python -m graph query --list | query NAME [--param key=value …]
    python -m graph cypher "MATCH (p:Pattern) RETURN p.name" [--limit N] [--timeout S]
    python -m graph stats
    python -m graph differential "expects to be rejected" "freezes when asked to perform" [--top N]

Nodes are given by id (`pattern:insecure`) or name (`insecure`, `"the silent member"`).
Add `--json` for machine-readable output.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from .cypher import CypherError
from .narrate import edge_sentence, path_sentences, place
from .store import GraphStore, NotFound


def _csv(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m graph", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="Nodes are given by id (pattern:insecure) or by name (insecure).")
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    parser.add_argument("--data", type=Path, default=None, help="corpus folder (default: the repository's data/)")
    parser.add_argument("--store", choices=["embedded", "neo4j"], default="embedded",
                        help="embedded (default, built from data/) or neo4j (NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD)")
    sub = parser.add_subparsers(dest="command", required=True)

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

    p = sub.add_parser("differential", help="study material, not a diagnostic instrument: the patterns whose "
                                            "card lines match observations, and what tells them apart")
    p.add_argument("observations", nargs="+", help="what is observed, one argument each")
    p.add_argument("--top", type=int, default=5, help="how many ranked patterns to show (default 5)")
    p.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="machine-readable output")
    return parser


def _params(pairs: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ValueError(f"--param takes KEY=VALUE, not {pair!r}")
        out[key] = int(value) if value.lstrip("-").isdigit() else value
    return out


def _print_table(result: dict[str, Any]) -> None:
    columns = result["columns"]
    rows = [[json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else ("" if v is None else str(v))
             for v in row] for row in result["rows"]]
    widths = [min(60, max([len(c)] + [len(r[i]) for r in rows])) for i, c in enumerate(columns)]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths)))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join((v if len(v) <= w else v[: w - 1] + "…").ljust(w) for v, w in zip(row, widths)))
    print(f"({len(rows)} row{'s' if len(rows) != 1 else ''}{', more exist: cut at the limit' if result['truncated'] else ''})")


def open_store(args: argparse.Namespace) -> GraphStore:
    if args.store == "neo4j":
        from .neo4j_store import Neo4jStore  # noqa: PLC0415 - needs a server

        return Neo4jStore.from_env()
    from .default import open_embedded  # noqa: PLC0415

    kwargs = {"data_dir": args.data} if args.data else {}
    return open_embedded(**kwargs)[0]


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
            print(f"{result['total']} simple path(s) of at most {args.max_length} steps"
                  + (" (more exist; cut)" if result["truncated"] else ""))
            for i, p in enumerate(result["paths"], 1):
                _print_path(p, i)
            return None
        path = store.shortest_path(a, b, args.types)
        if args.json:
            return {"path": path, "sentences": path_sentences(path) if path else []}
        if path is None:
            print(f"no path between {a} and {b}")
            return 1
        _print_path(path)
        return None
    if args.command in ("neighbours", "neighbors"):
        node = store.resolve(args.node)
        result = store.neighbourhood(node, args.hops, args.kinds, args.types, args.limit)
        if args.json:
            return result
        print(f"{len(result['nodes'])} node(s) within {args.hops} hop(s) of {node}"
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
        from .queries import load_library, run_named  # noqa: PLC0415

        if args.list or not args.name:
            specs = load_library()
            if args.json:
                return [{"name": q.name, "description": q.description,
                         "params": [{"name": p.name, "default": p.default} for p in q.params]} for q in specs]
            for q in specs:
                params = ", ".join(f"{p.name}={p.default}" for p in q.params)
                print(f"{q.name}{f' ({params})' if params else ''}\n    {q.description}")
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
        from .differential import find, report_lines  # noqa: PLC0415

        result = find(store, args.observations, top=args.top)
        if args.json:
            return result
        print("\n".join(report_lines(result)))
        return None
    nodes, edges = store.counts()
    if args.json:
        return {"nodes": nodes, "edges": edges}
    print(f"{sum(nodes.values())} nodes: " + ", ".join(f"{k} {v}" for k, v in nodes.items()))
    print(f"{sum(edges.values())} edges: " + ", ".join(f"{k} {v}" for k, v in edges.items()))
    return None


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        store = open_store(args)
    except Exception as exc:  # noqa: BLE001 - a one-line message, not a traceback
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        result = run(args, store)
    except (NotFound, ValueError, CypherError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        store.close()
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=1))
        return 0
    return result if isinstance(result, int) else 0


if __name__ == "__main__":
    sys.exit(main())
