"""The commands of `python -m graph`, one function each: `(args, store) -> answer`.

Each returns the JSON answer when `--json` is given; otherwise it prints text (through
`atlas.terminal`, so no control character from a document reaches the terminal) and returns None, or
an exit status."""
from __future__ import annotations

import argparse
import sys
from typing import Any, Callable

from graph import algorithms_cli, export
from graph.atomic import write_atomic
from graph.narrate import edge_sentence, path_sentences, place
from graph.store import GraphStore

from .terminal import print_table, visible, visible_all

Command = Callable[[argparse.Namespace, GraphStore], Any]


def params(pairs: list[str]) -> dict[str, Any]:
    """`--param KEY=VALUE` pairs as a dict (whole numbers as ints)."""
    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ValueError(f"--param takes KEY=VALUE, not {pair!r}")
        out[key] = param_value(key, value)
    return out


def param_value(key: str, value: str) -> Any:
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


def print_path(path: dict[str, Any], index: int | None = None) -> None:
    names = " -> ".join(n["name"] for n in path["nodes"])
    head = f"{index}. " if index is not None else ""
    print(f"{head}{names}  ({path['length']} step{'s' if path['length'] != 1 else ''})")
    for s in path_sentences(path):
        print(f"   - {s['text']}")
        print(f"     [{s['source']}] \"{s['quote']}\"")


def path(args: argparse.Namespace, store: GraphStore) -> Any:
    """`path A B [--all]`: the shortest path, or all simple paths, told as sentences with sources."""
    a, b = store.resolve(args.a), store.resolve(args.b)
    if args.all:
        result = store.simple_paths(a, b, args.max_length, args.types, limit=args.limit)
        if args.json:
            return result
        result = visible_all(result)
        print(f"{result['total']} simple path(s) of at most {args.max_length} steps"
              + (" (more exist; cut)" if result["truncated"] else ""))
        for i, p in enumerate(result["paths"], 1):
            print_path(p, i)
        return None
    found = store.shortest_path(a, b, args.types)
    if args.json:
        return {"path": found, "sentences": path_sentences(found) if found else []}
    if found is None:
        print(f"no path between {visible(a)} and {visible(b)}")
        return 1
    print_path(visible_all(found))
    return None


def neighbours(args: argparse.Namespace, store: GraphStore) -> Any:
    """`neighbours NODE`: the k-hop neighbourhood, nodes by depth and the edges among them."""
    node = store.resolve(args.node)
    result = store.neighbourhood(node, args.hops, args.kinds, args.types, args.limit)
    if args.json:
        return result
    result = visible_all(result)
    print(f"{len(result['nodes'])} node(s) within {args.hops} hop(s) of {visible(node)}"
          + (f" (showing {len(result['nodes'])} of {result['total']})" if result["truncated"] else ""))
    for n in sorted(result["nodes"], key=lambda n: (n["depth"], n["kind"], n["id"])):
        print(f"  [{n['depth']}] {n['kind']:<14} {n['name']}  ({n['id']})")
    names = {n["id"]: n["name"] for n in result["nodes"]}
    print(f"{len(result['edges'])} edge(s):")
    for e in result["edges"]:
        print(f"  - {edge_sentence(e, names)}  [{place(e)}]")
    return None


def compare(args: argparse.Namespace, store: GraphStore) -> Any:
    """`compare A B …`: distinctions, combinations, what all share and what each has alone."""
    result = store.compare([store.resolve(r) for r in args.nodes])
    if args.json:
        return result
    result = visible_all(result)
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


def node(args: argparse.Namespace, store: GraphStore) -> Any:
    """`node NODE`: one node with its attributes, provenance and card sections."""
    found = store.get_node(store.resolve(args.node))
    if args.json:
        return found
    found = visible_all(found)
    print(f"{found['name']} ({found['kind']}, {found['id']})")
    for key, value in sorted(found.items()):
        if key not in ("id", "kind", "name", "provenance", "sections") and value not in (None, "", [], {}):
            print(f"  {key}: {value}")
    for p in found.get("provenance", []):
        print(f"  stated at {p['file']}:{p['start_line']}: \"{p['text']}\"")
    for s in found.get("sections") or []:
        mark = "" if s["heading_status"] == "read" else f"  [heading {s['heading_status']}: {s.get('reason')}]"
        print(f"\n  {s['heading']}{mark}")
        for item in s["items"]:
            print(f"    {item['line']:>4}  {item['text']}")
    return None


def query(args: argparse.Namespace, store: GraphStore) -> Any:
    """`query NAME [--param K=V]` runs a named query; `query --list` lists them."""
    from graph.queries import load_library, run_named  # noqa: PLC0415

    if args.list or not args.name:
        specs = load_library()
        if args.json:
            return [{"name": q.name, "description": q.description,
                     "params": [{"name": p.name, "default": p.default} for p in q.params]} for q in specs]
        for q in specs:
            shown = visible(", ".join(f"{p.name}={p.default}" for p in q.params))
            print(f"{visible(q.name)}{f' ({shown})' if shown else ''}\n    {visible(q.description)}")
        return None
    result = run_named(store, args.name, params(args.param))
    if args.json:
        return result
    print_table(result)
    return None


def cypher(args: argparse.Namespace, store: GraphStore) -> Any:
    """`cypher QUERY`: read-only Cypher with a row limit and a timeout."""
    result = store.cypher(args.query, params(args.param) or None, args.limit, args.timeout)
    if args.json:
        return result
    print_table(result)
    return None


def differential(args: argparse.Namespace, store: GraphStore) -> Any:
    """`differential OBSERVATION …`: study material, the patterns whose card lines match."""
    from graph.differential import find, report_lines  # noqa: PLC0415

    result = find(store, args.observations, top=args.top)
    if args.json:
        return result
    print("\n".join(report_lines(result)))
    return None


def algorithm(args: argparse.Namespace, store: GraphStore) -> Any:
    """`centrality`, `communities`, `similar` (graph.algorithms_cli)."""
    result, lines = algorithms_cli.run(args, store)
    if args.json:
        return result
    print("\n".join(visible(line) for line in lines))
    return None


def stats(args: argparse.Namespace, store: GraphStore) -> Any:
    """`stats`: node and edge counts."""
    nodes, edges = store.counts()
    if args.json:
        return {"nodes": nodes, "edges": edges}
    nodes, edges = visible_all(nodes), visible_all(edges)
    print(f"{sum(nodes.values())} nodes: " + ", ".join(f"{k} {v}" for k, v in nodes.items()))
    print(f"{sum(edges.values())} edges: " + ", ".join(f"{k} {v}" for k, v in edges.items()))
    return None


def export_graph(args: argparse.Namespace, store: GraphStore) -> int | None:
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
        # all or nothing: a temporary file beside FILE, renamed over it once complete
        args.output.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(args.output, data)
    except OSError as exc:
        print(f"error: cannot write {visible(str(args.output))} ({exc.strerror or exc}); "
              "an existing file was left as it was", file=sys.stderr)
        return 1
    print(f"wrote {visible(str(args.output))}: {spec.label}, {len(nodes)} nodes, {len(edges)} edges, "
          f"{len(data):,} bytes", file=sys.stderr)
    return None


COMMANDS: dict[str, Command] = {
    "path": path, "neighbours": neighbours, "neighbors": neighbours, "compare": compare, "node": node,
    "query": query, "cypher": cypher, "differential": differential, "stats": stats, "export": export_graph,
    **{name: algorithm for name in algorithms_cli.COMMANDS},
}
