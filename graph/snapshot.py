"""The compact snapshot of a built graph: what the app opens at start instead of rebuilding or reading
node-link JSON, without reading every node and edge (issue 17).

Layout, after a header (magic, version, the sources' key, a SHA-256 of the body):
- the columns every query needs at start, zlib-compressed: the graph attributes (sources digest, load
  report), node ids, kinds, names and pattern status, and the block tables; then the edge ends and types as
  little-endian int32, int32 and int8 arrays (read straight into numpy);
- the rows: each node's and edge's whole attributes and each provenance entry, orjson, in blocks of about
  8 KiB (a card's sections: 32 KiB) compressed one by one (`graph.snapshot_rows`), read when a page asks
  for a node or an edge. Each distinct provenance entry is stored once; nodes and edges cite it by number.

Opening checks the header, the checksum and every column (ids unique, kinds and types of the schema, ends
that are nodes, no edge twice), so a damaged or truncated file is refused (`SnapshotError`) and rebuilt by
the caller; a block's rows are checked when it is read. Plain data: nothing in the file is executed.
"""
from __future__ import annotations

import hashlib
import re
import zlib
from pathlib import Path
from typing import Any, cast

import numpy as np
import orjson

from .compact import KINDS, TYPES, CompactGraph
from .model import gc_paused
from .snapshot_blocks import BLOCK_BYTES, Blocks, place_blocks
from .snapshot_rows import (
    FAMILIES,
    SECTIONS_APART,
    SnapshotError,
    SnapshotRows,
    table_problem,
)

__all__ = ["SnapshotError", "SnapshotMissing", "SnapshotStale", "encode", "read", "decode"]
MAGIC = b"pattern-atlas snapshot\n"
#: Bump when the layout changes; a snapshot of another version is rebuilt. 1: one orjson body; 2: columns
#: and row blocks; 3: card sections in their own blocks.
VERSION = 3


class SnapshotMissing(SnapshotError):
    """There is no snapshot file (not a fault: it is made on first use)."""


class SnapshotStale(SnapshotError):
    """A sound snapshot saved for other sources (its header's key differs): rebuilt, not a fault."""


def encode(compact: CompactGraph, meta: dict[str, Any], key: str = "") -> bytes:
    """The snapshot of `compact` with `meta` as its graph attributes (the caller writes it atomically).
    `key` (one line of hex, e.g. the sources' digest) goes in the header, so `read` tells a stale snapshot
    without reading the rest."""
    if not re.fullmatch(r"[0-9a-f]*", key):
        raise ValueError("a snapshot key is hex digits")
    places: dict[tuple, int] = {}
    # a place's number by the id of its dict (a statement's dict is shared by the node and the edge it makes,
    # a snapshot's by everything citing it), the dict held so its id is not reused while encoding
    seen: dict[int, tuple[int, dict[str, Any]]] = {}
    dumps = orjson.dumps

    def number(p: dict[str, Any]) -> int:
        known = seen.get(id(p))
        if known is not None:
            return known[0]
        try:  # the loaders' places: these five keys (an entry with others is stored whole)
            k: tuple = (p["file"], p["start_line"], p["end_line"], p["text"], p["authorship"]) if len(p) == 5 else ()
        except KeyError:
            k = ()
        k = k or (dumps(p, option=orjson.OPT_SORT_KEYS),)
        found = places.get(k)
        if found is None:
            found = places[k] = len(places)
        seen[id(p)] = (found, p)
        return found

    def row(attrs: dict[str, Any], extra: dict[str, Any] | None = None) -> bytes:
        prov = attrs.get("provenance")
        out = {**attrs, **extra} if extra else attrs
        if type(prov) is not list:
            return dumps(out)
        return dumps({**out, "provenance": [number(p) for p in prov]})

    with gc_paused():
        rows = compact.rows
        nodes, sections = Blocks(BLOCK_BYTES["nodes"]), Blocks(BLOCK_BYTES["sections"])
        for i in range(compact.number_of_nodes()):
            attrs = rows.node(i)
            cards = attrs.get("sections")
            if type(cards) is list:  # apart: most pages need a node without its card's every line
                sections.add(dumps(cards))
                attrs = {**attrs, "sections": SECTIONS_APART}
            else:
                sections.add(b"null")
            nodes.add(row(attrs))
        edges = Blocks(BLOCK_BYTES["edges"])
        for attrs, t in zip(map(rows.edge, range(compact.number_of_edges())), compact.etype.tolist(), strict=True):
            edges.add(row(attrs) if attrs.get("type") == TYPES[t] else row(attrs, {"type": TYPES[t]}))
        blocks: list[bytes] = []
        tables = {family: family_blocks.table(blocks) for family, family_blocks in
                  (("nodes", nodes), ("sections", sections), ("edges", edges), ("places", place_blocks(places)))}
        core = zlib.compress(orjson.dumps({
            "meta": meta, "ids": compact.ids, "kinds": compact.kind_code.tolist(), "names": compact.names,
            "status": compact.status, "places": len(places), "blocks": tables}), 1)
        ends = zlib.compress(compact.src.astype("<i4").tobytes() + compact.dst.astype("<i4").tobytes()
                             + compact.etype.astype("<i1").tobytes(), 1)
        body = b"%d %d\n%s%s%s" % (len(core), len(ends), core, ends, b"".join(blocks))
    return b"%s%d\n%s\n%s\n%s" % (MAGIC, VERSION, key.encode(), hashlib.sha256(body).hexdigest().encode(), body)


def read(path: Path, key: str | None = None) -> CompactGraph:
    """The graph a snapshot file holds (its meta as the graph attributes), its rows read when asked for.
    SnapshotError naming the file and the problem if it cannot be used: SnapshotMissing when there is
    none, SnapshotStale when `key` is given and the snapshot was saved with another."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SnapshotMissing(f"{path}: no snapshot") from None
    except OSError as exc:
        raise SnapshotError(f"{path}: not a readable snapshot ({exc.strerror or exc})") from None
    try:
        return decode(raw, key, f"{path}: ")
    except SnapshotError as exc:
        if str(exc).startswith(f"{path}: "):
            raise
        raise type(exc)(f"{path}: {exc}") from None


def decode(raw: bytes, key: str | None = None, label: str = "") -> CompactGraph:
    """The graph of snapshot bytes; SnapshotError if they are not a whole snapshot (SnapshotStale if `key`
    is given and is not the one it was saved with). `label` starts the messages of errors found later,
    when a block is read."""
    if not raw.startswith(MAGIC):
        raise SnapshotError("not a snapshot")
    # the header's lines, then the body as a view (no copy of tens of MiB)
    version, saved_key, stated, sizes, start = _header(raw)
    if version != b"%d" % VERSION:
        raise SnapshotError(f"snapshot version {version[:20].decode(errors='replace')!r}, not {VERSION}")
    if key is not None and saved_key != key.encode():
        raise SnapshotStale("saved for other sources")
    body = memoryview(raw)[start:]
    if hashlib.sha256(body).hexdigest().encode() != stated:
        raise SnapshotError("content checksum does not match: changed since it was saved")
    rest = body[len(sizes) + 1:]
    try:
        core_size, ends_size = (int(s) for s in sizes.split(b" ", 1))
        with gc_paused():
            core = orjson.loads(zlib.decompress(rest[:core_size]))
        ends = zlib.decompress(rest[core_size:core_size + ends_size])
    except (ValueError, zlib.error) as exc:  # orjson.JSONDecodeError is a ValueError
        raise SnapshotError(f"not readable ({exc})") from None
    ids, kinds, names, status = _node_columns(core)
    src, dst, etype = _edge_columns(ends, len(ids))
    blocks = rest[core_size + ends_size:]
    tables, places = _tables(core, {"nodes": len(ids), "sections": len(ids), "edges": len(etype)}, len(blocks))
    columns = {"kinds": kinds, "names": names, "types": [TYPES[t] for t in etype.tolist()]}
    rows = SnapshotRows(blocks, tables, columns, places, label)
    return CompactGraph(ids, kinds, names, status, (src, dst, etype), rows, core["meta"])


def _header(raw: bytes) -> tuple[bytes, bytes, bytes, bytes, int]:
    """The version, key, checksum and body sizes lines after the magic, and where the body starts (the
    sizes line is its first); empty lines where the file ends early."""
    lines: list[bytes] = []
    at = len(MAGIC)
    for _ in range(4):
        end = raw.find(b"\n", at)
        if end < 0:
            padded = lines + [b""] * (4 - len(lines))
            return padded[0], padded[1], padded[2], padded[3], len(raw)
        lines.append(raw[at:end])
        at = end + 1
    return lines[0], lines[1], lines[2], lines[3], at - len(lines[3]) - 1


def _node_columns(core: Any) -> tuple[list[str], list[str], list[str], list[str | None]]:
    """The node ids, kinds, names and status of the columns, checked."""
    if type(core) is not dict or type(core.get("meta")) is not dict:
        raise SnapshotError("not a snapshot's columns")
    columns = [core.get(k) for k in ("ids", "kinds", "names", "status")]
    if any(type(c) is not list for c in columns) or len({len(cast(list, c)) for c in columns}) != 1:
        raise SnapshotError("the node columns are not lists of one length")
    ids, codes, names, status = cast(list[list[Any]], columns)
    if not set(map(type, ids)) <= {str} or not all(ids) or len(set(ids)) != len(ids):
        raise SnapshotError("a node id is not a string, or is there twice")
    if not set(map(type, names)) <= {str} or not set(map(type, status)) <= {str, type(None)}:
        raise SnapshotError("a node's name or status is not a string")
    if not set(map(type, codes)) <= {int} or (codes and (min(codes) < 0 or max(codes) >= len(KINDS))):
        raise SnapshotError("a node has no kind of the schema's")
    return ids, [KINDS[c] for c in codes], names, status


def _edge_columns(ends: bytes, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The edge sources, targets and type codes, checked: ends that are nodes, types of the schema's, no
    edge twice."""
    m, extra = divmod(len(ends), 9)
    if extra:
        raise SnapshotError("the edge columns are not of one length")
    src = np.frombuffer(ends, dtype="<i4", count=m).astype(np.int32)
    dst = np.frombuffer(ends, dtype="<i4", count=m, offset=4 * m).astype(np.int32)
    etype = np.frombuffer(ends, dtype="<i1", count=m, offset=8 * m).astype(np.int8)
    if m and (min(src.min(), dst.min()) < 0 or max(src.max(), dst.max()) >= n):
        raise SnapshotError("an edge's ends are not nodes")
    if m and (etype.min() < 0 or etype.max() >= len(TYPES)):
        raise SnapshotError("an edge has no type of the schema's")
    keys = np.sort((src.astype(np.int64) * len(TYPES) + etype) * max(n, 1) + dst)
    if m > 1 and not (keys[1:] != keys[:-1]).all():
        raise SnapshotError("an edge is there twice")
    return src, dst, etype


def _tables(core: dict[str, Any], rows: dict[str, int], size: int) -> tuple[dict[str, Any], int]:
    """The block tables of the three row families, checked against the row counts and the blocks' size."""
    tables, places = core.get("blocks"), core.get("places")
    if type(tables) is not dict or set(tables) != set(FAMILIES) or type(places) is not int or places < 0:
        raise SnapshotError("the block tables are not those of nodes, sections, edges and places")
    for family in FAMILIES:
        problem = table_problem(tables[family], rows.get(family, places), size)
        if problem:
            raise SnapshotError(f"{family}: {problem}")
    return {f: (tables[f][0], tables[f][1]) for f in FAMILIES}, places
