"""The embedded store: a networkx MultiDiGraph in memory, saved as node-link JSON.

No server needed; this is the default store. Edge keys are edge types, so there is one edge per
(source, type, target). Traversals treat edges as undirected and filter by type and kind.
"""
from __future__ import annotations

import json
import os
import tempfile
from collections import deque
from pathlib import Path
from typing import Any, Sequence

import networkx as nx

from .cypher import cypher_view, run_embedded
from .model import GraphData
from .store import GraphStore, edge_key, summary

FORMAT_VERSION = 1


def _edge_dict(u: str, v: str, key: str, attrs: dict[str, Any]) -> dict[str, Any]:
    out = {"source": u, "target": v, "type": key}
    out.update({k: val for k, val in attrs.items() if k not in ("type", "key")})
    return out


class EmbeddedStore(GraphStore):
    """GraphStore over a networkx MultiDiGraph."""

    name = "embedded"

    def __init__(self, graph: nx.MultiDiGraph | None = None) -> None:
        self.graph = graph if graph is not None else nx.MultiDiGraph()
        self._adj: dict[str, list[tuple[str, str]]] | None = None
        self._by_name: dict[str, list[str]] | None = None
        self._view: nx.MultiDiGraph | None = None

    # -- writes ----------------------------------------------------------------------------------
    def replace_all(self, data: GraphData) -> None:
        graph = data.to_networkx()
        graph.graph.update(self.graph.graph)
        self.graph = graph  # one assignment: readers see the old or the new graph
        self._invalidate()

    def merge(self, data: GraphData) -> None:
        current = GraphData.from_networkx(self.graph)
        current.merge(data)
        self.replace_all(current)

    def _invalidate(self) -> None:
        self._adj = None
        self._by_name = None
        self._view = None

    def _adjacency(self) -> dict[str, list[tuple[str, str]]]:
        if self._adj is None:
            adj: dict[str, list[tuple[str, str]]] = {n: [] for n in self.graph.nodes}
            for u, v, key in self.graph.edges(keys=True):
                adj[u].append((v, key))
                if u != v:
                    adj[v].append((u, key))
            for n in adj:
                adj[n].sort()
            self._adj = adj
        return self._adj

    # -- primitives ------------------------------------------------------------------------------
    def get_nodes(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        nodes = self.graph.nodes
        return {i: {**nodes[i], "id": i} for i in ids if i in nodes}

    def nodes_by_name(self, name: str) -> list[dict[str, Any]]:
        if self._by_name is None:
            index: dict[str, list[str]] = {}
            for nid, attrs in self.graph.nodes(data=True):
                index.setdefault(str(attrs.get("name", "")).lower(), []).append(nid)
            self._by_name = index
        return [summary({**self.graph.nodes[i], "id": i}) for i in sorted(self._by_name.get(name.lower(), []))]

    def list_nodes(self, kinds: Sequence[str] | None = None, limit: int | None = None) -> list[dict[str, Any]]:
        wanted = set(kinds) if kinds else None
        out = [summary({**a, "id": n}) for n, a in sorted(self.graph.nodes(data=True))
               if wanted is None or a["kind"] in wanted]
        return out[:limit] if limit is not None else out

    def counts(self) -> tuple[dict[str, int], dict[str, int]]:
        kinds: dict[str, int] = {}
        types: dict[str, int] = {}
        for _, attrs in self.graph.nodes(data=True):
            kinds[attrs["kind"]] = kinds.get(attrs["kind"], 0) + 1
        for _, _, key in self.graph.edges(keys=True):
            types[key] = types.get(key, 0) + 1
        return dict(sorted(kinds.items())), dict(sorted(types.items()))

    def incident_edges(self, ids: Sequence[str], edge_types: Sequence[str] | None = None) -> list[dict[str, Any]]:
        wanted = set(edge_types) if edge_types else None
        seen: dict[tuple[str, str, str], dict[str, Any]] = {}
        for i in ids:
            if i not in self.graph:
                continue
            for u, v, key, attrs in self.graph.out_edges(i, keys=True, data=True):
                if wanted is None or key in wanted:
                    seen[(u, key, v)] = _edge_dict(u, v, key, attrs)
            for u, v, key, attrs in self.graph.in_edges(i, keys=True, data=True):
                if wanted is None or key in wanted:
                    seen[(u, key, v)] = _edge_dict(u, v, key, attrs)
        return sorted(seen.values(), key=edge_key)

    def edges_among(self, ids: Sequence[str], edge_types: Sequence[str] | None = None) -> list[dict[str, Any]]:
        inside = set(ids)
        wanted = set(edge_types) if edge_types else None
        out = []
        for u in sorted(inside):
            if u not in self.graph:
                continue
            for _, v, key, attrs in self.graph.out_edges(u, keys=True, data=True):
                if v in inside and (wanted is None or key in wanted):
                    out.append(_edge_dict(u, v, key, attrs))
        return sorted(out, key=edge_key)

    def neighbour_ids(self, frontier: Sequence[str], edge_types: Sequence[str] | None,
                      kinds: Sequence[str] | None) -> dict[str, set[str]]:
        adj = self._adjacency()
        types = set(edge_types) if edge_types else None
        wanted = set(kinds) if kinds else None
        nodes = self.graph.nodes
        out: dict[str, set[str]] = {}
        for f in frontier:
            out[f] = {o for o, t in adj.get(f, ()) if (types is None or t in types)
                      and (wanted is None or nodes[o]["kind"] in wanted)}
        return out

    def _neighbours(self, node: str, types: set[str]) -> list[str]:
        return sorted({o for o, t in self._adjacency().get(node, ()) if t in types})

    def shortest_node_paths(self, a: str, b: str, edge_types: Sequence[str]) -> list[list[str]]:
        """The first shortest path by node ids: BFS distances from b, then the smallest step from a."""
        if a not in self.graph or b not in self.graph:
            return []
        types = set(edge_types)
        dist = {b: 0}
        queue = deque([b])
        while queue and a not in dist:
            level = len(queue)
            for _ in range(level):
                node = queue.popleft()
                for o in self._neighbours(node, types):
                    if o not in dist:
                        dist[o] = dist[node] + 1
                        queue.append(o)
        if a not in dist:
            return []
        path = [a]
        while path[-1] != b:
            here = path[-1]
            path.append(min(o for o in self._neighbours(here, types) if dist.get(o) == dist[here] - 1))
        return [path]

    def simple_node_paths(self, a: str, b: str, max_length: int, edge_types: Sequence[str],
                          cap: int) -> tuple[list[list[str]], bool]:
        if a not in self.graph or b not in self.graph or a == b:
            return [], False
        types = set(edge_types)
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
                for o in reversed(self._neighbours(node, types)):
                    if o not in path:
                        stack.append((o, path + [o]))
        return found, False

    def _cypher_view(self) -> nx.MultiDiGraph:
        if self._view is None:
            self._view = cypher_view(self.graph)
        return self._view

    def cypher_rows(self, query: str, params: dict[str, Any] | None, limit: int,
                    timeout: float) -> tuple[list[str], list[list[Any]], bool]:
        return run_embedded(self._cypher_view(), query, params, limit, timeout)

    def run_library_query(self, spec: Any, params: dict[str, Any]) -> tuple[list[str], list[list[Any]], bool]:
        from .queries import REGISTRY  # noqa: PLC0415 - queries imports the store module's neighbours

        if spec.embedded == "cypher":
            return run_embedded(self._cypher_view(), spec.cypher, None, limit=100_000, timeout=30.0)
        columns, rows = REGISTRY[spec.embedded](self.graph, params)
        return columns, rows, False

    # -- persistence -----------------------------------------------------------------------------
    def save(self, path: Path, meta: dict[str, Any] | None = None) -> None:
        """Write node-link JSON atomically (temp file + rename), with `meta` in the graph attributes."""
        data = nx.node_link_data(self.graph, edges="links")
        data["graph"] = {**data.get("graph", {}), **(meta or {}), "format_version": FORMAT_VERSION}
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(data, fh, ensure_ascii=False)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: Path) -> "EmbeddedStore":
        """Read node-link JSON written by `save` (or by `python -m loaders`). ValueError if unusable."""
        try:
            with open(path, encoding="utf-8") as fh:
                data = json.load(fh)
            graph = nx.node_link_graph(data, directed=True, multigraph=True, edges="links")
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}: not a readable graph file ({exc})") from None
        for nid, attrs in graph.nodes(data=True):
            if "kind" not in attrs or "name" not in attrs:
                raise ValueError(f"{path}: node {nid!r} has no kind or name")
        return cls(graph)
