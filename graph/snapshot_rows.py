"""The rows of a saved snapshot (`graph.snapshot`), read block by block when a node's or an edge's whole
attributes are asked for, and checked as each block is read.

Rows are orjson lists, a few tens of KiB to a block, each block compressed alone (zlib level 1), so a page
that shows one card reads one block and its places; a provenance entry is a place number into the places'
blocks. A block with anything the loaders do not write (a field of the wrong type, a kind or name or type
that is not the one in the columns, a place number out of range) raises `SnapshotError` naming the block:
the checksum already refuses a damaged file, so that is an edit made to pass it.
"""
from __future__ import annotations

import threading
import zlib
from bisect import bisect_right
from itertools import chain
from typing import Any, Callable

import orjson

from .errors import AtlasError
from .model import gc_paused
from .primitives import without_sections
from .shapes import EDGE_FIELDS, NODE_FIELDS, SECTION_FIELDS, places_problem

PLACE_KEYS = ("file", "start_line", "end_line", "text", "authorship")
FAMILIES = ("nodes", "sections", "edges", "places")
#: Blocks kept decoded, per family (`graph.snapshot_blocks.BLOCK_BYTES`: 8 KiB of rows, sections 32 KiB):
#: at 10,000 cards every node, about two thirds of the edges and all places; 64 cards' sections.
CACHED_BLOCKS = {"nodes": 4096, "sections": 64, "edges": 8192, "places": 16384}
#: A node row's "sections" when its card's sections are kept apart, as row i of the sections family.
SECTIONS_APART = 0
_LIST: frozenset[type] = frozenset({list})
_APART: frozenset[type] = frozenset({int, type(None)})  # a node row's sections: apart (SECTIONS_APART) or none
#: A family's blocks: the first row of each, and where each starts in the blocks (one more: the end).
Table = tuple[list[int], list[int]]


class SnapshotError(AtlasError, ValueError):
    """A snapshot that cannot be used: unreadable, another version, damaged or not what was saved."""


def table_problem(table: Any, rows: int, size: int) -> str | None:
    """What is wrong with a block table for `rows` rows in `size` bytes of blocks (None: nothing)."""
    if type(table) is not list or len(table) != 2 or any(type(t) is not list for t in table):
        return "a block table is not [starts, offsets]"
    starts, offsets = table
    if not set(map(type, starts + offsets)) <= {int} or len(offsets) != len(starts) + 1:
        return "a block table is not numbers"
    ordered = all(a < b for a, b in zip(starts, starts[1:], strict=False))
    if (starts and starts[0] != 0) or (not starts and rows) or not ordered or (starts and starts[-1] >= rows):
        return "the blocks do not hold the rows in order"
    if offsets[0] < 0 or offsets[-1] > size or any(a > b for a, b in zip(offsets, offsets[1:], strict=False)):
        return "a block lies outside the file"
    return None


def _types_problem(values: list[Any], allowed: frozenset[type] | set[type]) -> bool:
    """Whether any value has a type not allowed (type() mapped in C)."""
    return not set(map(type, values)) <= allowed


def _column_problem(records: list[dict[str, Any]], fields: dict[str, frozenset[type]]) -> str | None:
    """The first field of `fields` whose values in `records` have a type it does not allow."""
    for key, allowed in fields.items():
        seen = set(map(type, [r[key] for r in records if key in r]))
        if not seen <= allowed:
            return f"{key!r} has type {next(iter(seen - allowed)).__name__}"
    return None


def _sections_problem(sections: list[Any]) -> str | None:
    """`graph.shapes.sections_problem` over every card section of a block at once, column by column."""
    if _types_problem(sections, {dict}) or _types_problem([s.get("heading") for s in sections], {str}) \
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
    if _types_problem(refs, {list}):
        return "'provenance' is not a list of place numbers"
    flat: list[int] = list(chain.from_iterable(refs))
    if _types_problem(flat, {int}) or (flat and (min(flat) < 0 or max(flat) >= count)):
        return "'provenance' is not a list of place numbers"
    return None


def _places(columns: Any, size: int) -> tuple[list[dict[str, Any]], str | None]:
    """The provenance entries of a block of columns (file, start line, end line, text, authorship, and the
    whole entry where it has other keys), checked column by column."""
    if type(columns) is not list or len(columns) != 6 or any(type(c) is not list or len(c) != size for c in columns):
        return [], f"not 6 columns of {size} places"
    files, firsts, lasts, texts, authors, whole = columns
    plain = [i for i, w in enumerate(whole) if w is None]
    if len(plain) == size:
        if _types_problem(files, {str}) or _types_problem(texts, {str}) or _types_problem(authors, {str}) \
                or _types_problem(firsts, {int}) or _types_problem(lasts, {int}):
            return [], "a place is not {file, start_line, end_line, text}"
        return [{"file": f, "start_line": a, "end_line": b, "text": t, "authorship": w}
                for f, a, b, t, w in zip(files, firsts, lasts, texts, authors, strict=True)], None
    rows = [whole[i] if whole[i] is not None else dict(zip(PLACE_KEYS, (c[i] for c in columns[:5]), strict=True))
            for i in range(size)]
    return rows, places_problem(rows)


class SnapshotRows:
    """`graph.compact.Rows` over a snapshot's blocks (`blocks`: the bytes after its columns)."""

    def __init__(self, blocks: memoryview, tables: dict[str, Table], columns: dict[str, list[str]], places: int,
                 label: str) -> None:
        """`columns`: the node kinds and names and the edge types by number, which the rows must repeat;
        `places`: how many provenance entries there are; `label`: how errors name the file."""
        self._blocks, self._tables, self._columns, self._label = blocks, tables, columns, label
        self._cache: dict[str, dict[int, list[Any]]] = {f: {} for f in FAMILIES}
        self._lock = threading.Lock()
        self._rows = {"nodes": len(columns["kinds"]), "sections": len(columns["kinds"]), "edges": len(columns["types"]),
                      "places": places}

    def node(self, i: int, sections: bool = True) -> dict[str, Any]:
        row = self._row("nodes", i)
        if not sections:
            return without_sections(row)
        if type(row.get("sections")) is not int:
            return row
        cards = self._row("sections", i)
        if type(cards) is not list:
            raise SnapshotError(f"{self._label}sections of node {i}: not a list")
        return {**row, "sections": cards}

    def edge(self, j: int) -> dict[str, Any]:
        return self._row("edges", j)

    def all_rows(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Every node's and edge's row, in order (each block read once, not kept in the cache)."""
        with gc_paused():
            places = list(chain.from_iterable(self._read("places", k, None) for k in range(self._count("places"))))
            every = places.__getitem__

            def cited(numbers: list[int]) -> list[dict[str, Any]]:
                return list(map(every, numbers))

            nodes = list(chain.from_iterable(self._read("nodes", k, cited) for k in range(self._count("nodes"))))
            cards = list(chain.from_iterable(self._read("sections", k, None) for k in range(self._count("sections"))))
            for i, row in enumerate(nodes):
                if type(row.get("sections")) is int:
                    if type(cards[i]) is not list:
                        raise SnapshotError(f"{self._label}sections of node {i}: not a list")
                    row["sections"] = cards[i]
            edges = list(chain.from_iterable(self._read("edges", k, cited) for k in range(self._count("edges"))))
        return nodes, edges

    def _count(self, family: str) -> int:
        return len(self._tables[family][0])

    def _row(self, family: str, row: int) -> Any:
        starts = self._tables[family][0]
        k = bisect_right(starts, row) - 1
        block = self._cache[family].get(k)
        if block is None:
            block = self._keep(family, k)
        return block[row - starts[k]]

    def _keep(self, family: str, k: int) -> list[Any]:
        """Block `k` read and kept (the block kept longest is let go past `CACHED_BLOCKS`). The app's pages
        share one store across sessions' threads: the cache changes under a lock, blocks are read outside it."""
        block = self._read(family, k, self._places if family in ("nodes", "edges") else None)
        with self._lock:
            cache = self._cache[family]
            cache[k] = block
            while len(cache) > CACHED_BLOCKS[family]:
                del cache[next(iter(cache))]
        return block

    def _places(self, numbers: list[int]) -> list[dict[str, Any]]:
        """The provenance entries of place `numbers` (a hub cites thousands: one lookup each, no more)."""
        starts, cache = self._tables["places"][0], self._cache["places"]
        out = []
        for number in numbers:
            k = bisect_right(starts, number) - 1
            block = cache.get(k)
            if block is None:
                block = self._keep("places", k)
            out.append(block[number - starts[k]])
        return out

    def _read(self, family: str, k: int, places: Callable[[list[int]], list[dict[str, Any]]] | None) -> list[Any]:
        """Block `k` of `family`, checked, provenance numbers replaced by the entries `places(numbers)` gives."""
        starts, offsets = self._tables[family]
        size = (starts[k + 1] if k + 1 < len(starts) else self._rows[family]) - starts[k]
        try:
            rows = orjson.loads(zlib.decompress(self._blocks[offsets[k]:offsets[k + 1]]))
        except (zlib.error, orjson.JSONDecodeError) as exc:
            raise SnapshotError(f"{self._label}{family} block {k}: not readable ({exc})") from None
        if family == "places":
            rows, problem = _places(rows, size)
        elif type(rows) is not list or len(rows) != size:
            problem = f"not {size} rows"
        elif family == "sections":
            problem = "a card's sections are not a list" if _types_problem(rows, {list, type(None)}) \
                else _sections_problem([s for r in rows if r for s in r])
        else:
            problem = self._rows_problem(family, rows, starts[k])
        if problem:
            raise SnapshotError(f"{self._label}{family} block {k}: {problem}")
        if places is not None:
            for r in rows:
                if "provenance" in r:
                    r["provenance"] = places(r["provenance"])
        return rows

    def _rows_problem(self, family: str, rows: list[Any], first: int) -> str | None:
        """What is wrong with the node or edge rows of a block starting at row `first` (None: nothing)."""
        if _types_problem(rows, {dict}):
            return "a row is not a mapping"
        problem = _refs_problem(rows, self._rows["places"])
        if family == "nodes":
            problem = problem or _column_problem(rows, {**NODE_FIELDS, "provenance": _LIST, "sections": _APART})
            kinds, names = (self._columns[c][first:first + len(rows)] for c in ("kinds", "names"))
            if problem is None and ([r.get("kind") for r in rows] != kinds or [r.get("name") for r in rows] != names):
                problem = "a node's kind or name is not the one in the columns"
            return problem
        problem = problem or _column_problem(rows, {**EDGE_FIELDS, "provenance": _LIST})
        if problem is None and [r.get("type") for r in rows] != self._columns["types"][first:first + len(rows)]:
            problem = "an edge's type is not the one in the columns"
        return problem
