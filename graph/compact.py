"""The embedded store's graph as columns (issue 17): what queries need at start (node ids, kinds, names and
pattern status; edge ends and types) as lists and numpy arrays, and each node's and edge's whole attributes
(provenance, sections, descriptions) fetched by number only when asked for, through `Rows`.

After a build the rows are the loaders' dicts, in memory (`ListRows`); opened from the saved snapshot they are
read block by block when a page asks (`graph.snapshot_rows`). Opening a 10,000-card graph so makes a few
columns instead of millions of dicts. The networkx graph (`to_networkx`) is made only for what needs the graph
whole: Cypher, the Python named queries, saving as node-link JSON.
"""
from __future__ import annotations

import threading
from typing import Any, Iterable, Protocol, Sequence

import networkx as nx
import numpy as np

from .model import GraphData, gc_paused
from .primitives import summary, without_sections
from .schema import EDGE_TYPES, NODE_KINDS

TYPES: tuple[str, ...] = tuple(EDGE_TYPES)
KINDS: tuple[str, ...] = tuple(NODE_KINDS)
TYPE_CODE = {t: i for i, t in enumerate(TYPES)}
KIND_CODE = {k: i for i, k in enumerate(KINDS)}
#: For each node, its neighbours (either direction) by (edge type, their kind).
Typed = dict[tuple[str, str], set[str]]


class Rows(Protocol):
    """A node's or an edge's whole attributes by number, as the networkx graph holds them."""

    def node(self, i: int, sections: bool = True) -> dict[str, Any]: ...
    def edge(self, j: int) -> dict[str, Any]: ...
    def all_rows(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]: ...


class ListRows:
    """Rows held in memory: the loaders' dicts after a build, or a networkx graph's."""

    def __init__(self, nodes: list[dict[str, Any]], edges: list[dict[str, Any]]) -> None:
        self._nodes, self._edges = nodes, edges

    def node(self, i: int, sections: bool = True) -> dict[str, Any]:
        return self._nodes[i] if sections else without_sections(self._nodes[i])

    def edge(self, j: int) -> dict[str, Any]:
        return self._edges[j]

    def all_rows(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        return self._nodes, self._edges


def _csr(ends: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """For each node number, where its edges (by `ends`) start in the returned edge order."""
    order = np.argsort(ends, kind="stable").astype(np.int32)
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(ends, minlength=n), out=ptr[1:])
    return ptr, order


def _edges_at(csr: tuple[np.ndarray, np.ndarray], numbers: np.ndarray | list[int]) -> np.ndarray:
    """The edge numbers `csr` (`_csr`'s) lists for node `numbers`, node by node."""
    ptr, order = csr
    parts = [order[ptr[i]:ptr[i + 1]] for i in (numbers.tolist() if isinstance(numbers, np.ndarray) else numbers)]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int32)


class CompactGraph:
    """Columns of a graph and its rows. Node i is `ids[i]`; edge j runs from node `src[j]` to node `dst[j]`
    with type `TYPES[etype[j]]`. Plain data: nothing here changes after it is made."""

    def __init__(self, ids: list[str], kinds: list[str], names: list[str], status: list[str | None],
                 ends: tuple[np.ndarray, np.ndarray, np.ndarray], rows: Rows, meta: dict[str, Any],
                 graph: nx.MultiDiGraph | None = None) -> None:
        self.ids, self.kinds, self.names, self.status = ids, kinds, names, status
        self.src, self.dst, self.etype = ends
        self.rows, self.meta = rows, meta
        self.index = {nid: i for i, nid in enumerate(ids)}
        self.kind_code = np.fromiter((KIND_CODE[k] for k in kinds), dtype=np.int8, count=len(kinds))
        self._out = _csr(self.src, len(ids))
        self._in = _csr(self.dst, len(ids))
        self._typed: dict[int, Typed] = {}
        self._graph = graph
        self._lock = threading.Lock()

    # -- making one --------------------------------------------------------------------------------
    @classmethod
    def from_data(cls, data: GraphData, meta: dict[str, Any] | None = None) -> "CompactGraph":
        """The columns of the loaders' graph (rows as `GraphData.to_networkx` would give them, in its order)."""
        with gc_paused():
            ids = list(data.nodes)
            nodes = [dict(n) for n in data.nodes.values()]
            index = {nid: i for i, nid in enumerate(ids)}
            m = len(data.edges)
            src = np.fromiter((index[s] for s, _, _ in data.edges), dtype=np.int32, count=m)
            dst = np.fromiter((index[d] for _, _, d in data.edges), dtype=np.int32, count=m)
            etype = np.fromiter((TYPE_CODE[t] for _, t, _ in data.edges), dtype=np.int8, count=m)
            edges = [{"type": t, **e} for (_, t, _), e in data.edges.items()]
        return cls(ids, [n["kind"] for n in nodes], [n["name"] for n in nodes], [n.get("status") for n in nodes],
                   (src, dst, etype), ListRows(nodes, edges), dict(meta or {}))

    @classmethod
    def from_networkx(cls, graph: nx.MultiDiGraph) -> "CompactGraph":
        """The columns of a networkx graph (kept: `to_networkx` gives it back)."""
        ids = list(graph.nodes)
        nodes = [graph.nodes[n] for n in ids]
        index = {nid: i for i, nid in enumerate(ids)}
        triples = list(graph.edges(keys=True, data=True))
        m = len(triples)
        src = np.fromiter((index[u] for u, _, _, _ in triples), dtype=np.int32, count=m)
        dst = np.fromiter((index[v] for _, v, _, _ in triples), dtype=np.int32, count=m)
        etype = np.fromiter((TYPE_CODE[k] for _, _, k, _ in triples), dtype=np.int8, count=m)
        return cls(ids, [n["kind"] for n in nodes], [n["name"] for n in nodes], [n.get("status") for n in nodes],
                   (src, dst, etype), ListRows(nodes, [a for *_, a in triples]), graph.graph, graph)

    def to_networkx(self) -> nx.MultiDiGraph:
        """The whole graph as a networkx MultiDiGraph (made once, from every row; its graph attributes are
        `meta` itself). Edges go in in edge order, so the graph is the one `GraphData.to_networkx` makes."""
        with self._lock:  # pages in several sessions' threads may ask at once: made once
            if self._graph is None:
                self._graph = self._networkx()
            return self._graph

    def _networkx(self) -> nx.MultiDiGraph:
        """The networkx graph of every row (the rows, read whole, then replace the block reader)."""
        with gc_paused():
            nodes, edges = self.rows.all_rows()
            self.rows = ListRows(nodes, edges)
            graph: nx.MultiDiGraph = nx.MultiDiGraph()
            graph.graph = self.meta
            inner: Any = graph  # networkx's own dicts, filled as add_node and add_edge fill them
            node, succ, pred = inner._node, inner._succ, inner._pred
            for nid, attrs in zip(self.ids, nodes, strict=True):
                node[nid], succ[nid], pred[nid] = attrs, {}, {}
            ids = self.ids
            for a, b, t, attrs in zip(self.src.tolist(), self.dst.tolist(), self.etype.tolist(), edges, strict=True):
                u, v = ids[a], ids[b]
                keyed = succ[u].get(v)
                if keyed is None:
                    keyed = succ[u][v] = pred[v][u] = {}
                keyed[TYPES[t]] = attrs
        return graph

    # -- reading -----------------------------------------------------------------------------------
    def number_of_nodes(self) -> int:
        return len(self.ids)

    def number_of_edges(self) -> int:
        return len(self.src)

    def node(self, i: int, sections: bool = True) -> dict[str, Any]:
        """Node `i` whole, with its id (without its card's sections unless `sections`)."""
        return {**self.rows.node(i, sections), "id": self.ids[i]}

    def edge(self, j: int) -> dict[str, Any]:
        """Edge `j` whole: source, target and type, then its other attributes."""
        out = {"source": self.ids[self.src[j]], "target": self.ids[self.dst[j]], "type": TYPES[self.etype[j]]}
        out.update({k: v for k, v in self.rows.edge(int(j)).items() if k not in ("type", "key")})
        return out

    def summary(self, i: int) -> dict[str, Any]:
        """What `graph.primitives.summary` gives for node `i`, from the columns."""
        return summary({"id": self.ids[i], "kind": self.kinds[i], "name": self.names[i], "status": self.status[i]})

    def incident(self, numbers: np.ndarray) -> np.ndarray:
        """The numbers of the edges with an end among node `numbers` (each once, in edge order)."""
        return np.unique(np.concatenate([_edges_at(self._out, numbers), _edges_at(self._in, numbers)]))

    def outgoing(self, numbers: np.ndarray) -> np.ndarray:
        """The numbers of the edges that start at one of node `numbers`."""
        return _edges_at(self._out, numbers)

    def numbers(self, ids: Iterable[str]) -> np.ndarray:
        """The node numbers of those `ids` that are nodes."""
        index = self.index
        return np.array(sorted({index[i] for i in ids if i in index}), dtype=np.int64)

    def type_mask(self, edge_types: Iterable[str] | None) -> np.ndarray:
        """Per type code, whether it is among `edge_types` (all when None)."""
        if edge_types is None:
            return np.ones(len(TYPES), dtype=bool)
        return np.isin(np.arange(len(TYPES)), [TYPE_CODE[t] for t in edge_types if t in TYPE_CODE])

    def kind_mask(self, kinds: Iterable[str] | None) -> np.ndarray:
        """Per node, whether its kind is among `kinds` (all when None)."""
        if kinds is None:
            return np.ones(len(self.ids), dtype=bool)
        return np.isin(self.kind_code, [KIND_CODE[k] for k in kinds if k in KIND_CODE])

    def typed(self, i: int) -> Typed:
        """Node `i`'s neighbours by (edge type, their kind), made when first asked and kept."""
        found = self._typed.get(i)
        if found is None:
            found = {}
            ids, kinds = self.ids, self.kinds
            for csr, ends in ((self._out, self.dst), (self._in, self.src)):
                edges = _edges_at(csr, [i])
                for other, t in zip(ends[edges].tolist(), self.etype[edges].tolist(), strict=True):
                    found.setdefault((TYPES[t], kinds[other]), set()).add(ids[other])
            self._typed[i] = found
        return found

    def degrees(self, kinds: Sequence[str] | None, edge_types: Sequence[str] | None) -> dict[str, int]:
        """For each node of `kinds`, its edges of `edge_types` whose other end is also of `kinds`."""
        wanted = self.kind_mask(kinds)
        keep = self.type_mask(edge_types)[self.etype] & wanted[self.src] & wanted[self.dst]
        n = len(self.ids)
        degree = np.bincount(self.src[keep], minlength=n) + np.bincount(self.dst[keep], minlength=n)
        ids = self.ids
        return {ids[i]: d for i, d in zip(np.flatnonzero(wanted).tolist(), degree[wanted].tolist(), strict=True)}

    def counts(self) -> tuple[dict[str, int], dict[str, int]]:
        """Node counts by kind and edge counts by type, sorted by name (kinds and types with none left out)."""
        by_kind = np.bincount(self.kind_code, minlength=len(KINDS)).tolist()
        by_type = np.bincount(self.etype, minlength=len(TYPES)).tolist()
        return (dict(sorted((KINDS[i], c) for i, c in enumerate(by_kind) if c)),
                dict(sorted((TYPES[i], c) for i, c in enumerate(by_type) if c)))
