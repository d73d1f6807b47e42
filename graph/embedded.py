"""The embedded store: the graph in memory as columns (`graph.compact`), a networkx MultiDiGraph when
something needs it whole; saved as the compact snapshot (`graph.snapshot`) or as node-link JSON.

No server needed; this is the default store. Edge keys are edge types, so there is one edge per
(source, type, target). Traversals treat edges as undirected and filter by type and kind.
"""
from __future__ import annotations

import hashlib
import re
import threading
from pathlib import Path
from typing import Any, Sequence, cast

import networkx as nx
import numpy as np
import orjson

from .atomic import write_atomic
from .compact import CompactGraph
from .model import GraphData, gc_paused
from .shapes import EDGES, shape_problem
from .store import GraphStore, edge_key

#: 2: the saved graph carries `content_sha256` (see `_seal`) and is checked field by field on load.
FORMAT_VERSION = 2
CHECKSUM_KEY = "content_sha256"
_UNSEALED = b"0" * 64
_CHECKSUM_FIELD = re.compile(rb'"content_sha256":"([0-9a-f]{64})"')


def _digest(raw: bytes, start: int, end: int) -> str:
    """SHA-256 of `raw` with raw[start:end] (the checksum's hex digits) read as zeros, without a copy."""
    view = memoryview(raw)
    digest = hashlib.sha256(view[:start])
    digest.update(_UNSEALED)
    digest.update(view[end:])
    return digest.hexdigest()


def _seal(encoded: bytes) -> bytes:
    """The saved bytes with their checksum filled in: SHA-256 of the file as written with the 64 hex
    digits of its own `content_sha256` as zeros (the field is the first of the graph attributes)."""
    start = encoded.index(b'"content_sha256":"' + _UNSEALED + b'"') + len(b'"content_sha256":"')
    return encoded[:start] + _digest(encoded, start, start + 64).encode() + encoded[start + 64:]


def _seal_problem(raw: bytes, stated: Any) -> str | None:
    """Why `raw` does not match the checksum it states (None: it does)."""
    if type(stated) is not str:
        return "no content checksum"
    match = _CHECKSUM_FIELD.search(raw)
    if match is None or match.group(1).decode() != stated or _digest(raw, *match.span(1)) != stated:
        return "content checksum does not match: changed since it was saved"
    return None



class EmbeddedStore(GraphStore):
    """GraphStore over a graph in columns (`graph.compact`): ids, kinds, names and edge ends at hand, each
    node's and edge's whole attributes fetched when asked for, the networkx graph made when something needs
    it whole (`graph`)."""

    name = "embedded"

    def __init__(self, graph: nx.MultiDiGraph | CompactGraph | None = None) -> None:
        """From a networkx graph (kept as `graph`) or columns (`graph.snapshot.read` gives them)."""
        if not isinstance(graph, CompactGraph):
            graph = CompactGraph.from_networkx(graph if graph is not None else nx.MultiDiGraph())
        self._compact = graph
        self._memo: dict[Any, Any] = {}  # answers that depend only on the graph (pages ask on every rerun)
        self._by_name: dict[str, list[int]] | None = None
        self._engine: tuple[nx.MultiDiGraph, Any] | None = None  # (the graph it holds, the Cypher engine)
        self._engine_lock = threading.Lock()

    @property
    def graph(self) -> nx.MultiDiGraph:
        """The whole graph as networkx (made on first use when the store was opened from a snapshot: at
        10,000 cards that reads every row, seconds; queries do not need it)."""
        return self._compact.to_networkx()

    @property
    def compact(self) -> CompactGraph:
        """The graph's columns (what the snapshot saves)."""
        return self._compact

    @property
    def meta(self) -> dict[str, Any]:
        """The graph's attributes (the saved graph's sources digest and load report): `graph.graph`."""
        return self._compact.meta

    # -- writes ----------------------------------------------------------------------------------
    def replace_all(self, data: GraphData) -> None:
        compact = CompactGraph.from_data(data, self._compact.meta)
        self._compact = compact  # one assignment: readers see the old or the new graph
        self._invalidate()

    def merge(self, data: GraphData) -> None:
        current = GraphData.from_networkx(self.graph)
        current.merge(data)
        self.replace_all(current)

    def _invalidate(self) -> None:
        self._memo = {}
        self._by_name = None
        self._engine = None

    def warm(self) -> None:
        """The name index (the rest is made when the store is)."""
        self._names()

    def _neighbour_set(self, node: str, types: set[str] | None, kinds: set[str] | None = None) -> set[str]:
        """Neighbours along the given edge types, of the given kinds (None: all). Do not modify the result."""
        i = self._compact.index.get(node)
        if i is None:
            return set()
        sets = [ns for (t, k), ns in self._compact.typed(i).items()
                if (types is None or t in types) and (kinds is None or k in kinds)]
        if len(sets) == 1:
            return sets[0]
        return set().union(*sets)

    def _names(self) -> dict[str, list[int]]:
        if self._by_name is None:
            index: dict[str, list[int]] = {}
            for i, name in enumerate(self._compact.names):
                index.setdefault(name.lower(), []).append(i)
            self._by_name = index
        return self._by_name

    # -- primitives ------------------------------------------------------------------------------
    def get_nodes(self, ids: Sequence[str], sections: bool = True) -> dict[str, dict[str, Any]]:
        index, compact = self._compact.index, self._compact
        return {i: compact.node(index[i], sections) for i in ids if i in index}

    def has_nodes(self, ids: Sequence[str]) -> bool:
        index = self._compact.index
        return all(i in index for i in ids)

    def nodes_by_name(self, name: str) -> list[dict[str, Any]]:
        compact = self._compact
        found = sorted(self._names().get(name.lower(), []), key=compact.ids.__getitem__)
        return [compact.summary(i) for i in found]

    def list_nodes(self, kinds: Sequence[str] | None = None, limit: int | None = None) -> list[dict[str, Any]]:
        key = ("list_nodes", tuple(sorted(set(kinds))) if kinds else None)
        if key not in self._memo:
            compact = self._compact
            wanted = compact.kind_mask(set(kinds) if kinds else None).tolist()
            order = sorted((i for i, w in enumerate(wanted) if w), key=compact.ids.__getitem__)
            self._memo[key] = [compact.summary(i) for i in order]
        out = self._memo[key]
        return [dict(n) for n in (out[:limit] if limit is not None else out)]

    def degrees(self, kinds: Sequence[str] | None = None, edge_types: Sequence[str] | None = None) -> dict[str, int]:
        key = ("degrees", tuple(sorted(set(kinds))) if kinds else None,
               tuple(sorted(set(edge_types))) if edge_types else None)
        if key not in self._memo:
            self._memo[key] = self._compact.degrees(kinds or None, edge_types or None)
        return dict(self._memo[key])

    def counts(self) -> tuple[dict[str, int], dict[str, int]]:
        if "counts" not in self._memo:
            self._memo["counts"] = self._compact.counts()
        kinds, types = self._memo["counts"]
        return dict(kinds), dict(types)

    def incident_edges(self, ids: Sequence[str], edge_types: Sequence[str] | None = None) -> list[dict[str, Any]]:
        compact = self._compact
        edges = compact.incident(compact.numbers(ids))
        edges = edges[compact.type_mask(edge_types or None)[compact.etype[edges]]]
        return sorted((compact.edge(j) for j in edges.tolist()), key=edge_key)

    def edges_among(self, ids: Sequence[str], edge_types: Sequence[str] | None = None) -> list[dict[str, Any]]:
        compact = self._compact
        numbers = compact.numbers(ids)
        inside = np.zeros(compact.number_of_nodes(), dtype=bool)
        inside[numbers] = True
        edges = compact.outgoing(numbers)
        edges = edges[inside[compact.dst[edges]] & compact.type_mask(edge_types or None)[compact.etype[edges]]]
        return sorted((compact.edge(j) for j in edges.tolist()), key=edge_key)

    def neighbour_ids(self, frontier: Sequence[str], edge_types: Sequence[str] | None,
                      kinds: Sequence[str] | None) -> dict[str, set[str]]:
        types = set(edge_types) if edge_types else None
        wanted = set(kinds) if kinds else None
        return {f: set(self._neighbour_set(f, types, wanted)) for f in frontier}

    def reach(self, frontier: Sequence[str], edge_types: Sequence[str] | None,
              kinds: Sequence[str] | None) -> set[str]:
        types = set(edge_types) if edge_types else None
        wanted = set(kinds) if kinds else None
        return set().union(*(self._neighbour_set(f, types, wanted) for f in frontier))

    def simple_node_paths(self, a: str, b: str, max_length: int, edge_types: Sequence[str],
                          cap: int) -> tuple[list[list[str]], bool]:
        if a == b or not self.has_nodes([a, b]):
            return [], False
        types = set(edge_types)
        # distances to b (up to max_length - 1 steps): a partial path only goes on through a node from
        # which b is still reachable in the steps left, so hubs are not walked through for nothing
        to_b = {b: 0}
        frontier = [b]
        for level in range(1, max_length):
            nxt = []
            for node in frontier:
                for o in self._neighbour_set(node, types):
                    if o not in to_b:
                        to_b[o] = level
                        nxt.append(o)
            frontier = nxt
        found: list[list[str]] = []
        budget = cap * 200  # partial paths expanded before the search is cut (and flagged truncated)
        # iterative deepening keeps the shortest paths when the cap cuts the search
        for depth in range(1, max_length + 1):
            stack = [(a, [a])]
            while stack:
                budget -= 1
                if budget < 0:
                    return found, True
                node, path = stack.pop()
                if len(path) - 1 == depth:
                    if node == b:
                        found.append(path)
                        if len(found) >= cap:
                            return found, True
                    continue
                if node == b:
                    continue
                left = depth - len(path)  # steps left after the next one
                steps = [o for o in self._neighbour_set(node, types) if to_b.get(o, max_length) <= left]
                for o in sorted(steps, reverse=True):
                    if o not in path:
                        stack.append((o, path + [o]))
        return found, False

    def cypher_engine(self) -> Any:
        """The graph loaded into the Cypher engine (graph.embedded_cypher): built on the first Cypher query,
        never before (the engine's import and load cost nothing until then), and kept while the graph is
        the same object (`replace_all` swaps it)."""
        from .embedded_cypher import CypherEngine  # noqa: PLC0415 - loaded on the first Cypher query only

        graph = self.graph
        with self._engine_lock:
            if self._engine is None or self._engine[0] is not graph:
                self._engine = (graph, CypherEngine(graph))
            return self._engine[1]

    def cypher_rows(self, query: str, params: dict[str, Any] | None, limit: int,
                    timeout: float) -> tuple[list[str], list[list[Any]], bool]:
        from .embedded_cypher import run_cypher  # noqa: PLC0415

        return run_cypher(self.cypher_engine(), query, params, limit, timeout)

    def run_library_query(self, spec: Any, params: dict[str, Any]) -> tuple[list[str], list[list[Any]], bool]:
        from .queries import REGISTRY  # noqa: PLC0415 - queries imports the store module's neighbours

        if spec.embedded == "cypher":
            return self.cypher_rows(spec.cypher, params, 100_000, 30.0)
        columns, rows = REGISTRY[spec.embedded](self.graph, params)
        return columns, rows, False

    # -- persistence -----------------------------------------------------------------------------
    def save(self, path: Path, meta: dict[str, Any] | None = None) -> None:
        """Write node-link JSON atomically (temp file + rename), with `meta` in the graph attributes and
        the format version and content checksum that `load` checks."""
        data = nx.node_link_data(self.graph, edges=EDGES)
        attrs = {k: v for k, v in {**data.get("graph", {}), **(meta or {})}.items() if k != CHECKSUM_KEY}
        data["graph"] = {CHECKSUM_KEY: _UNSEALED.decode(), **attrs, "format_version": FORMAT_VERSION}
        path.parent.mkdir(parents=True, exist_ok=True)
        # orjson encodes straight to UTF-8 bytes, several times faster than the json module
        with gc_paused():
            encoded = _seal(orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS))
        write_atomic(path, encoded)

    @classmethod
    def load(cls, path: Path, *, sealed: bool = False) -> "EmbeddedStore":
        """Read node-link JSON written by `save` (or by `python -m loaders`). ValueError if unusable: not
        JSON, another format version, a checksum that does not match, or any node or edge without the
        fields and types the loaders give (see `shape_problem`). With `sealed`, the file must be one
        `save` wrote: this format version, with its checksum."""
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise ValueError(f"{path}: not a readable graph file ({exc})") from None
        with gc_paused():  # one pause for the whole read: each resumption may start a full collection
            try:
                data = orjson.loads(raw)  # orjson.JSONDecodeError is a ValueError
            except ValueError as exc:
                raise ValueError(f"{path}: not a readable graph file ({exc})") from None
            meta = data.get("graph") if type(data) is dict else None
            meta = meta if type(meta) is dict else {}
            version = meta.get("format_version")
            if (sealed or version is not None) and version != FORMAT_VERSION:
                raise ValueError(f"{path}: format version {version!r}, not {FORMAT_VERSION}")
            problem = _seal_problem(raw, meta.get(CHECKSUM_KEY)) if sealed or CHECKSUM_KEY in meta else None
            problem = problem or shape_problem(data)
            if problem:
                raise ValueError(f"{path}: {problem}")
            try:
                graph = nx.node_link_graph(data, directed=True, multigraph=True, edges=EDGES)
            except (ValueError, KeyError, TypeError) as exc:
                raise ValueError(f"{path}: not a readable graph file ({exc})") from None
        return cls(cast(nx.MultiDiGraph, graph))  # node_link_graph(multigraph=True, directed=True) gives one
