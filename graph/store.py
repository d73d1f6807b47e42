"""The store interface both stores implement, and the queries built on its primitives.

A store answers a few primitives (node lookup, incident edges, candidate paths); comparison, path
choice and ordering are done here once, so the embedded and Neo4j stores give the same answers.
Ordering rules (relied on by the parity tests): nodes by id, edges by (source, type, target), paths
by (length, node ids); the shortest path is the one whose node-id sequence sorts first.
"""
from __future__ import annotations

import difflib
import heapq
from abc import ABC, abstractmethod
from typing import Any, Iterable, Sequence

from .errors import AtlasError
from .model import GraphData
from .schema import EDGE_TYPES, NODE_KINDS, clean_text, pattern_slug, slug

#: Edge types not followed by paths and comparisons unless asked for: document membership.
STRUCTURAL_EDGES = frozenset({"DESCRIBES"})
MAX_HOPS = 4
MAX_PATH_LENGTH = 6


class NotFound(AtlasError, LookupError):
    """A node reference that matches nothing (with suggestions) or more than one node."""


def edge_key(edge: dict[str, Any]) -> tuple[str, str, str]:
    return (edge["source"], edge["type"], edge["target"])


def summary(node: dict[str, Any]) -> dict[str, Any]:
    """The short form of a node used in lists and paths."""
    out = {"id": node["id"], "kind": node["kind"], "name": node["name"]}
    if node["kind"] == "Pattern" and node.get("status"):
        out["status"] = node["status"]
    return out


def check_filters(kinds: Iterable[str] | None, edge_types: Iterable[str] | None) -> None:
    for kind in kinds or ():
        if kind not in NODE_KINDS:
            raise ValueError(f"unknown node kind {kind!r}; known: {', '.join(NODE_KINDS)}")
    for etype in edge_types or ():
        if etype not in EDGE_TYPES:
            raise ValueError(f"unknown edge type {etype!r}; known: {', '.join(EDGE_TYPES)}")


def path_types(edge_types: Iterable[str] | None) -> list[str]:
    """The edge types a path may follow: the given ones, or every type but the structural ones."""
    if edge_types:
        check_filters(None, edge_types)
        return sorted(set(edge_types))
    return sorted(set(EDGE_TYPES) - STRUCTURAL_EDGES)


class GraphStore(ABC):
    """What a store does. Writes take a whole `GraphData`; reads return plain dicts and lists."""

    name: str = "store"

    # -- writes ----------------------------------------------------------------------------------
    @abstractmethod
    def replace_all(self, data: GraphData) -> None:
        """Replace the whole graph with `data`, atomically: readers see the old or the new graph."""

    @abstractmethod
    def merge(self, data: GraphData) -> None:
        """Add or merge nodes and edges (provenance is unioned)."""

    # -- primitives ------------------------------------------------------------------------------
    @abstractmethod
    def get_nodes(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Full nodes (with provenance and sections) by id; missing ids are left out."""

    @abstractmethod
    def nodes_by_name(self, name: str) -> list[dict[str, Any]]:
        """Summaries of nodes whose name equals `name`, case-insensitively."""

    @abstractmethod
    def list_nodes(self, kinds: Sequence[str] | None = None, limit: int | None = None) -> list[dict[str, Any]]:
        """Summaries of nodes (optionally of some kinds), ordered by id."""

    @abstractmethod
    def counts(self) -> tuple[dict[str, int], dict[str, int]]:
        """Node counts by kind and edge counts by type."""

    @abstractmethod
    def incident_edges(self, ids: Sequence[str], edge_types: Sequence[str] | None = None) -> list[dict[str, Any]]:
        """Every edge with an end in `ids` (of the given types), sorted by (source, type, target)."""

    @abstractmethod
    def edges_among(self, ids: Sequence[str], edge_types: Sequence[str] | None = None) -> list[dict[str, Any]]:
        """Every edge with both ends in `ids` (of the given types), sorted."""

    def degrees(self, kinds: Sequence[str] | None = None, edge_types: Sequence[str] | None = None) -> dict[str, int]:
        """For each node of `kinds`, its number of edges of `edge_types` whose other end is also of `kinds`
        (what a whole-graph view ranks nodes by). Stores may answer it without listing the edges."""
        ids = [n["id"] for n in self.list_nodes(list(kinds) if kinds else None)]
        degree: dict[str, int] = dict.fromkeys(ids, 0)
        for e in self.edges_among(ids, list(edge_types) if edge_types else None):
            degree[e["source"]] += 1
            degree[e["target"]] += 1
        return degree

    @abstractmethod
    def neighbour_ids(self, frontier: Sequence[str], edge_types: Sequence[str] | None,
                      kinds: Sequence[str] | None) -> dict[str, set[str]]:
        """For each frontier id, the ids one edge away (either direction) of the given types and kinds."""

    def reach(self, frontier: Sequence[str], edge_types: Sequence[str] | None,
              kinds: Sequence[str] | None) -> set[str]:
        """The ids one edge away from any frontier id (the union of `neighbour_ids`); stores may answer it
        without the per-node breakdown."""
        return set().union(*self.neighbour_ids(frontier, edge_types, kinds).values())

    def shortest_node_paths(self, a: str, b: str, edge_types: Sequence[str]) -> list[list[str]]:
        """The first shortest path by node ids (undirected), found with `neighbour_ids` level by level:
        distances from b until a is reached, then from a always the smallest id one step closer."""
        if not self.get_nodes([a, b]).keys() >= {a, b}:
            return []
        types = list(edge_types)
        dist = {b: 0}
        frontier = [b]
        adjacency: dict[str, set[str]] = {}
        while frontier and a not in dist:
            found = self.neighbour_ids(frontier, types, None)
            adjacency.update(found)
            nxt = sorted({n for ns in found.values() for n in ns} - dist.keys())
            level = dist[frontier[0]] + 1
            for n in nxt:
                dist[n] = level
            frontier = nxt
        if a not in dist:
            return []
        path = [a]
        while path[-1] != b:
            here = path[-1]
            if here not in adjacency:
                adjacency.update(self.neighbour_ids([here], types, None))
            path.append(min(o for o in adjacency[here] if dist.get(o) == dist[here] - 1))
        return [path]

    @abstractmethod
    def simple_node_paths(self, a: str, b: str, max_length: int, edge_types: Sequence[str],
                          cap: int) -> tuple[list[list[str]], bool]:
        """All simple paths from a to b of at most max_length edges (up to `cap` of them, and a truncated flag)."""

    @abstractmethod
    def cypher_rows(self, query: str, params: dict[str, Any] | None, limit: int,
                    timeout: float) -> tuple[list[str], list[list[Any]], bool]:
        """Run read-only user Cypher: (columns, rows with nodes as {id, kind, name}, truncated)."""

    @abstractmethod
    def run_library_query(self, spec: Any, params: dict[str, Any]) -> tuple[list[str], list[list[Any]], bool]:
        """Run a named library query (`graph.queries.QuerySpec`) with bound parameters."""

    def warm(self) -> None:
        """Build whatever the first query would otherwise build (the embedded traversal index), so that
        a long-lived app pays for it while opening, not on a user's first click."""

    def close(self) -> None:
        """Release resources (the Neo4j driver); the embedded store has none."""

    def __enter__(self) -> "GraphStore":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def cypher(self, query: str, params: dict[str, Any] | None = None, limit: int = 1000,
               timeout: float = 10.0) -> dict[str, Any]:
        """Read-only Cypher with a row limit and a timeout; rows plus the graph they return: the returned
        nodes, relationships and paths, exactly (`graph.results.returned_subgraph`).

        Raises `graph.cypher.CypherError` (ReadOnlyViolation, UnsupportedQuery, QueryTimeout).
        """
        from .results import returned_subgraph  # noqa: PLC0415

        limit = max(1, min(int(limit), 100_000))
        columns, rows, truncated = self.cypher_rows(query, params, limit, timeout)
        return {"columns": columns, "rows": rows, "truncated": truncated,
                "subgraph": returned_subgraph(self, rows)}

    # -- queries built on the primitives --------------------------------------------------------
    def get_node(self, node_id: str) -> dict[str, Any] | None:
        """A node with everything stored on it (provenance, sections, attributes)."""
        return self.get_nodes([node_id]).get(node_id)

    def resolve(self, ref: str) -> str:
        """A node id from an id or a name ('insecure', 'Self-Judging', 'capacity:belonging')."""
        ref = clean_text(ref)
        if not ref:
            raise NotFound("empty node reference")
        candidates = [ref] if ":" in ref else []
        candidates += [f"pattern:{pattern_slug(ref)}"] if pattern_slug(ref) else []
        found = self.get_nodes(candidates)
        for cid in candidates:
            if cid in found:
                return cid
        named = self.nodes_by_name(ref)
        if not named and slug(ref):
            named = [n for n in self.list_nodes() if n["id"].split(":", 1)[1] == slug(ref)]
        if len(named) == 1:
            return named[0]["id"]
        if len(named) > 1:
            raise NotFound(f"'{ref}' names {len(named)} nodes: " + ", ".join(n["id"] for n in named))
        names = {n["name"]: n["id"] for n in self.list_nodes()}
        close = difflib.get_close_matches(ref, list(names), n=3, cutoff=0.6)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise NotFound(f"no node '{ref}'{hint}")

    def neighbourhood(self, node_id: str, hops: int = 1, kinds: Sequence[str] | None = None,
                      edge_types: Sequence[str] | None = None, limit: int | None = None) -> dict[str, Any]:
        """Nodes within `hops` edges of a node (either direction) and the edges among them.

        Only nodes of `kinds` are entered (the centre always is); only `edge_types` are followed.
        With `limit`, the nearest nodes are kept (by hop, then id) and `truncated` is set.
        """
        check_filters(kinds, edge_types)
        hops = max(0, min(int(hops), MAX_HOPS))
        if self.get_node(node_id) is None:
            raise NotFound(f"no node '{node_id}'")
        # hop by hop as sets (a 2-hop neighbourhood through hubs can hold most of a big graph); only the
        # nodes kept are sorted
        levels: list[set[str]] = [{node_id}]
        seen = {node_id}
        for _ in range(hops):
            if not levels[-1]:
                break
            nxt = self.reach(list(levels[-1]), list(edge_types) if edge_types else None,
                             list(kinds) if kinds else None) - seen
            seen |= nxt
            levels.append(nxt)
        total = len(seen)
        room = total if limit is None else max(1, limit)
        depth: dict[str, int] = {}
        for hop, level in enumerate(levels):
            if room <= 0:
                break
            kept = sorted(level) if len(level) <= room else heapq.nsmallest(room, level)
            depth.update((n, hop) for n in kept)
            room -= len(kept)
        ordered = list(depth)
        ids = sorted(ordered)
        nodes = self.get_nodes(ids)
        edges = self.edges_among(ids, list(edge_types) if edge_types else None)
        return {
            "center": node_id,
            "nodes": [_with_depth(nodes[i], depth[i]) for i in ids if i in nodes],
            "edges": edges,
            "total": total,
            "truncated": len(ids) < total,
        }

    def shortest_path(self, a: str, b: str, edge_types: Sequence[str] | None = None) -> dict[str, Any] | None:
        """The shortest path between two nodes (any direction), or None; ties go to the first by ids."""
        types = path_types(edge_types)
        if a == b:
            return self._hydrate([[a]], types)[0]
        paths = self.shortest_node_paths(a, b, types)
        if not paths:
            return None
        return self._hydrate([min(paths)], types)[0]

    def simple_paths(self, a: str, b: str, max_length: int = 3, edge_types: Sequence[str] | None = None,
                     limit: int = 50, cap: int = 5000) -> dict[str, Any]:
        """Simple paths up to `max_length` edges, shortest first, at most `limit` of them."""
        types = path_types(edge_types)
        max_length = max(1, min(int(max_length), MAX_PATH_LENGTH))
        paths, truncated = self.simple_node_paths(a, b, max_length, types, cap)
        paths = sorted({tuple(p) for p in paths}, key=lambda p: (len(p), p))
        total = len(paths)
        chosen = [list(p) for p in paths[:limit]]
        return {"paths": self._hydrate(chosen, types), "total": total,
                "truncated": truncated or total > limit}

    def compare(self, ids: Sequence[str]) -> dict[str, Any]:
        """Two or more patterns side by side: distinctions and combinations between them, and their
        shared and unique neighbours grouped by kind."""
        ids = list(dict.fromkeys(ids))
        if len(ids) < 2:
            raise ValueError("compare needs two or more nodes")
        nodes = self.get_nodes(ids)
        missing = [i for i in ids if i not in nodes]
        if missing:
            raise NotFound(f"no node '{missing[0]}'")
        types = path_types(None)
        edges = self.incident_edges(ids, types)
        between = [e for e in edges if e["source"] in ids and e["target"] in ids]
        neighbours: dict[str, dict[str, list[dict]]] = {i: {} for i in ids}
        for e in edges:
            for end, other in ((e["source"], e["target"]), (e["target"], e["source"])):
                if end in neighbours and other not in ids:
                    neighbours[end].setdefault(other, []).append(e)
        all_other = sorted({o for ns in neighbours.values() for o in ns})
        other_nodes = self.get_nodes(all_other)
        shared_ids = sorted(set.intersection(*(set(ns) for ns in neighbours.values())))

        def by_kind(node_ids: Iterable[str]) -> dict[str, list[dict]]:
            grouped: dict[str, list[dict]] = {}
            for nid in sorted(node_ids):
                node = other_nodes[nid]
                grouped.setdefault(node["kind"], []).append(summary(node))
            return dict(sorted(grouped.items()))

        unique = {}
        for i in ids:
            others = set().union(*(set(neighbours[j]) for j in ids if j != i))
            unique[i] = by_kind(set(neighbours[i]) - others)
        return {
            "patterns": [summary(nodes[i]) for i in ids],
            "distinctions": [e for e in between if e["type"] == "DISTINGUISHED_FROM"],
            "combinations": [e for e in between if e["type"] == "COMBINES_WITH"],
            "other_links": [e for e in between if e["type"] not in ("DISTINGUISHED_FROM", "COMBINES_WITH")],
            "shared": by_kind(shared_ids),
            "unique": unique,
            "edges": {i: sorted((e for es in neighbours[i].values() for e in es), key=edge_key) for i in ids},
        }

    def _hydrate(self, paths: list[list[str]], types: Sequence[str]) -> list[dict[str, Any]]:
        ids = sorted({n for p in paths for n in p})
        nodes = self.get_nodes(ids)
        edges = self.edges_among(ids, types)
        by_pair: dict[frozenset, list[dict]] = {}
        for e in edges:
            by_pair.setdefault(frozenset((e["source"], e["target"])), []).append(e)
        out = []
        for p in paths:
            steps = [{"from": u, "to": v, "edges": by_pair.get(frozenset((u, v)), [])} for u, v in zip(p, p[1:])]
            out.append({"nodes": [summary(nodes[n]) for n in p], "steps": steps, "length": len(p) - 1})
        return out


def _with_depth(node: dict[str, Any], depth: int) -> dict[str, Any]:
    out = dict(node)
    out["depth"] = depth
    return out
