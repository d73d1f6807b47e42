"""The compact snapshot of a built graph: what the app opens at start instead of rebuilding or reading
node-link JSON.

Node-link JSON repeats every provenance entry (file, lines, quoted text, authorship) on every node and edge
that cites it; here each distinct entry is stored once, in a table, and nodes and edges refer to it by
number; edges name their ends by node number. The rows are orjson, compressed with zlib at level 1
(chosen by measurement, see the README's performance table: at 1,000 synthetic cards node-link JSON is
40 MiB, these rows 27 MiB, compressed 3.5 MiB; level 6 saves another third for three times the time).

Reading it checks everything node-link reading checks (`graph.shapes`: the format version, a SHA-256 of
the compressed body, then the fields and types of every node, edge, place, section and line, ends that
are nodes, no duplicates), in the same pass that builds the networkx graph and the store's traversal
index, so a damaged, truncated or hand-edited snapshot is refused (`SnapshotError`) and rebuilt by the
caller. Plain data: nothing in the file is executed.
"""
from __future__ import annotations

import hashlib
import re
import zlib
from itertools import chain
from pathlib import Path
from typing import Any

import networkx as nx
import orjson

from .errors import AtlasError
from .model import gc_paused
from .schema import EDGE_TYPES, NODE_KINDS
from .shapes import EDGE_FIELDS, NODE_FIELDS, SECTION_FIELDS, places_problem

MAGIC = b"pattern-atlas snapshot\n"
#: Bump when the layout below changes; a snapshot of another version is rebuilt.
VERSION = 1
_PLACE_KEYS = ("file", "start_line", "end_line", "text", "authorship")
_LIST: frozenset[type] = frozenset({list})

#: For each node, its neighbours (either direction) by (edge type, their kind): the embedded store's
#: traversal index (see `EmbeddedStore._typed`), built while the snapshot is read.
TypedIndex = dict[str, dict[tuple[str, str], set[str]]]


class SnapshotError(AtlasError, ValueError):
    """A snapshot that cannot be used: unreadable, another version, damaged or not what was saved."""


class SnapshotMissing(SnapshotError):
    """There is no snapshot file (not a fault: it is made on first use)."""


class SnapshotStale(SnapshotError):
    """A sound snapshot saved for other sources (its header's key differs): rebuilt, not a fault."""


def encode(graph: nx.MultiDiGraph, meta: dict[str, Any], key: str = "") -> bytes:
    """The snapshot of `graph` with `meta` as its graph attributes (the caller writes it atomically).
    `key` (one line of hex, e.g. the sources' digest) goes in the header, so `read` tells a stale snapshot
    without reading the rest."""
    if not re.fullmatch(r"[0-9a-f]*", key):
        raise ValueError("a snapshot key is hex digits")
    places: dict[tuple, int] = {}
    rows: list[Any] = []

    def refs(attrs: dict[str, Any]) -> dict[str, Any]:
        prov = attrs.get("provenance")
        if type(prov) is not list:
            return attrs
        out = []
        for p in prov:
            key = tuple(p.values()) if tuple(p) == _PLACE_KEYS else (orjson.dumps(p, option=orjson.OPT_SORT_KEYS),)
            index = places.get(key)
            if index is None:
                index = places[key] = len(rows)
                rows.append(list(key) if len(key) == 5 else p)
            out.append(index)
        return {**attrs, "provenance": out}

    with gc_paused():
        number = {nid: i for i, nid in enumerate(graph.nodes)}
        edges = [(number[u], number[v], refs(attrs) if attrs.get("type") == key else {**refs(attrs), "type": key})
                 for u, v, key, attrs in graph.edges(keys=True, data=True)]
        body = {"meta": meta, "places": rows, "node_ids": list(number),
                "node_attrs": [refs(attrs) for attrs in graph.nodes.values()],
                "edge_sources": [e[0] for e in edges], "edge_targets": [e[1] for e in edges],
                "edge_attrs": [e[2] for e in edges]}
        payload = zlib.compress(orjson.dumps(body), 1)
    return b"%s%d\n%s\n%s\n%s" % (MAGIC, VERSION, key.encode(), hashlib.sha256(payload).hexdigest().encode(), payload)


def read(path: Path, key: str | None = None) -> tuple[nx.MultiDiGraph, TypedIndex]:
    """The graph a snapshot file holds (its meta as the graph attributes) and its traversal index.
    SnapshotError naming the file and the problem if it cannot be used: SnapshotMissing when there is
    none, SnapshotStale when `key` is given and the snapshot was saved with another."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SnapshotMissing(f"{path}: no snapshot") from None
    except OSError as exc:
        raise SnapshotError(f"{path}: not a readable snapshot ({exc.strerror or exc})") from None
    try:
        return decode(raw, key)
    except SnapshotError as exc:
        raise type(exc)(f"{path}: {exc}") from None


def decode(raw: bytes, key: str | None = None) -> tuple[nx.MultiDiGraph, TypedIndex]:
    """The graph and traversal index of snapshot bytes; SnapshotError if they are not a whole snapshot
    (SnapshotStale if `key` is given and is not the one it was saved with)."""
    if not raw.startswith(MAGIC):
        raise SnapshotError("not a snapshot")
    version, saved_key, stated, body = (raw[len(MAGIC):].split(b"\n", 3) + [b"", b"", b""])[:4]
    if version != b"%d" % VERSION:
        raise SnapshotError(f"snapshot version {version[:20].decode(errors='replace')!r}, not {VERSION}")
    if key is not None and saved_key != key.encode():
        raise SnapshotStale("saved for other sources")
    if hashlib.sha256(body).hexdigest().encode() != stated:
        raise SnapshotError("content checksum does not match: changed since it was saved")
    with gc_paused():
        try:
            data = orjson.loads(zlib.decompress(body))
        except (zlib.error, orjson.JSONDecodeError) as exc:
            raise SnapshotError(f"not readable ({exc})") from None
        if type(data) is not dict or type(data.get("meta")) is not dict:
            raise SnapshotError("not a snapshot's rows")
        places = _places(data.get("places"))
        graph: nx.MultiDiGraph = nx.MultiDiGraph()
        graph.graph.update(data["meta"])
        ids, kinds = _nodes(graph, data.get("node_ids"), data.get("node_attrs"), places)
        typed = _edges(graph, [data.get(k) for k in ("edge_sources", "edge_targets", "edge_attrs")], places, ids,
                       kinds)
    return graph, typed


def _places(rows: Any) -> list[dict[str, Any]]:
    """The provenance entries, as dicts, checked."""
    if type(rows) is not list:
        raise SnapshotError("'places' is not a list")
    out = [dict(zip(_PLACE_KEYS, row, strict=True)) if type(row) is list and len(row) == 5 else row for row in rows]
    if not set(map(type, out)) <= {dict} or places_problem(out):
        raise SnapshotError("a place is not {file, start_line, end_line, text}")
    return out


def _column_problem(records: list[dict[str, Any]], fields: dict[str, frozenset[type]]) -> str | None:
    """The first field of `fields` whose values in `records` have a type it does not allow (one pass per
    field over the column, type() mapped in C: the per-record checks of node-link reading cost more than
    the rest of a reload)."""
    for key, allowed in fields.items():
        seen = set(map(type, [r[key] for r in records if key in r]))
        if not seen <= allowed:
            return f"{key!r} has type {next(iter(seen - allowed)).__name__}"
    return None


def _types_problem(values: list[Any], allowed: frozenset[type] | set[type]) -> bool:
    """Whether any value has a type not allowed (type() mapped in C)."""
    return not set(map(type, values)) <= allowed


def _sections_problem(sections: list[Any]) -> str | None:
    """`graph.shapes.sections_problem` over every card section at once, column by column."""
    if _types_problem(sections, {dict}):
        return "a section is not {heading, heading_status, items}"
    if _types_problem([s.get("heading") for s in sections], {str}) \
            or _types_problem([s.get("heading_status") for s in sections], {str}) \
            or _types_problem([s.get("items") for s in sections], {list}):
        return "a section is not {heading, heading_status, items}"
    problem = _column_problem(sections, SECTION_FIELDS)
    if problem:
        return f"a section's {problem}"
    items = list(chain.from_iterable(s["items"] for s in sections))
    if _types_problem(items, {dict}) or _types_problem([i.get("line") for i in items], {int}) \
            or _types_problem([i.get("text") for i in items], {str}) \
            or _types_problem([i.get("raw") for i in items], {str, type(None)}) \
            or _types_problem([i.get("subheading") for i in items], {bool, type(None)}):
        return "a section line is not {line, text}"
    return None


def _refs_problem(records: list[dict[str, Any]], count: int) -> str | None:
    """Whether every 'provenance' in `records` is a list of place numbers below `count`."""
    refs = [r["provenance"] for r in records if "provenance" in r]
    if not set(map(type, refs)) <= {list}:
        return "'provenance' is not a list of place numbers"
    flat = list(chain.from_iterable(refs))
    if not set(map(type, flat)) <= {int} or (flat and (min(flat) < 0 or max(flat) >= count)):
        return "'provenance' is not a list of place numbers"
    return None


def _nodes(graph: nx.MultiDiGraph, ids: Any, rows: Any, places: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """Add the nodes straight into the graph's dicts (as networkx's add_node would), checked; their ids
    and kinds by number."""
    if type(ids) is not list or type(rows) is not list or len(ids) != len(rows):
        raise SnapshotError("the node columns are not lists of one length")
    if not set(map(type, ids)) <= {str} or not all(ids) or not set(map(type, rows)) <= {dict}:
        raise SnapshotError("a node is not an id and its attributes")
    if len(set(ids)) != len(ids):
        raise SnapshotError("a node is there twice")
    problem = _refs_problem(rows, len(places)) or _column_problem(rows, {**NODE_FIELDS, "provenance": _LIST})
    if problem is None and not {r.get("kind") for r in rows} <= set(NODE_KINDS):
        problem = "a node has no kind of the schema's"
    if problem is None and not all("name" in r for r in rows):
        problem = "a node has no name"
    if problem is None:
        problem = _sections_problem([sec for r in rows if r.get("sections") for sec in r["sections"]])
    if problem:
        raise SnapshotError(f"nodes: {problem}")
    inner: Any = graph  # networkx's own dicts, filled as its add_node fills them
    node, succ, pred = inner._node, inner._succ, inner._pred
    for nid, attrs in zip(ids, rows, strict=True):
        if "provenance" in attrs:
            attrs["provenance"] = [places[i] for i in attrs["provenance"]]
        node[nid] = attrs
        succ[nid] = {}
        pred[nid] = {}
    return ids, [r["kind"] for r in rows]


def _edges(graph: nx.MultiDiGraph, columns: list[Any], places: list[dict[str, Any]], ids: list[str],
           kinds: list[str]) -> TypedIndex:
    """Add the edges straight into the graph's adjacency (one key dict shared by successor and
    predecessor, as networkx's add_edge does), checked, and build the traversal index on the way."""
    sources, targets, rows = columns
    if any(type(c) is not list for c in columns) or not len(sources) == len(targets) == len(rows):
        raise SnapshotError("the edge columns are not lists of one length")
    ends = sources + targets
    if not set(map(type, ends)) <= {int} or not set(map(type, rows)) <= {dict} \
            or (ends and (min(ends) < 0 or max(ends) >= len(ids))):
        raise SnapshotError("an edge's ends are not nodes")
    problem = _refs_problem(rows, len(places)) or _column_problem(rows, {**EDGE_FIELDS, "provenance": _LIST})
    types = [r.get("type") for r in rows]
    if problem is None and not set(types) <= set(EDGE_TYPES):
        problem = "an edge has no type of the schema's"
    if problem is None and len(set(zip(sources, types, targets, strict=True))) != len(rows):
        problem = "an edge is there twice"
    if problem:
        raise SnapshotError(f"edges: {problem}")
    inner: Any = graph
    succ, pred = inner._succ, inner._pred
    typed: TypedIndex = {nid: {} for nid in ids}
    for a, b, attrs in zip(sources, targets, rows, strict=True):
        u, v, key = ids[a], ids[b], attrs["type"]
        if "provenance" in attrs:
            attrs["provenance"] = [places[i] for i in attrs["provenance"]]
        keyed = succ[u].get(v)
        if keyed is None:
            keyed = succ[u][v] = pred[v][u] = {}
        keyed[key] = attrs
        typed[u].setdefault((key, kinds[b]), set()).add(v)
        typed[v].setdefault((key, kinds[a]), set()).add(u)
    return typed
