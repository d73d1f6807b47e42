"""The store interface both stores implement: a Protocol of primitives (`Primitives`), and the
`GraphStore` base class that the embedded and Neo4j stores derive from.

A store answers a few primitives (node lookup, incident edges, neighbour ids, candidate paths);
resolution, neighbourhoods, path choice and comparison are plain functions over the primitives in
`graph.traversal`, written once; `GraphStore` offers them as methods for callers' convenience.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Sequence

from . import traversal
from .model import GraphData
from .primitives import (
    MAX_HOPS,
    MAX_PATH_LENGTH,
    STRUCTURAL_EDGES,
    NotFound,
    Primitives,
    check_filters,
    edge_key,
    path_types,
    summary,
)

# the shared rules, importable from here as before the split
__all__ = ["MAX_HOPS", "MAX_PATH_LENGTH", "STRUCTURAL_EDGES", "GraphStore", "NotFound", "Primitives", "check_filters",
           "edge_key", "path_types", "summary"]


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
    def get_nodes(self, ids: Sequence[str], sections: bool = True) -> dict[str, dict[str, Any]]:
        """Full nodes (with provenance, and their card's sections unless `sections` is false: views of
        many nodes do not show every line of every card) by id; missing ids are left out."""

    def has_nodes(self, ids: Sequence[str]) -> bool:
        """Whether every id in `ids` is a node (stores may answer without reading the nodes)."""
        return self.get_nodes(ids).keys() >= set(ids)

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
        """The first shortest path by node ids (undirected), as `traversal.first_shortest_path` finds it
        with `neighbour_ids` level by level ([] when there is none)."""
        if not self.has_nodes([a, b]):
            return []
        types = list(edge_types)
        found = traversal.first_shortest_path(lambda frontier: self.neighbour_ids(frontier, types, None), a, b)
        return [found] if found else []

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
        """Build whatever the first query would otherwise build (the embedded store's name index), so that
        a long-lived app pays for it while opening, not on a user's first click. Nothing by default."""
        return None

    def close(self) -> None:
        """Release resources (the Neo4j driver); the embedded store has none."""
        return None

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

    # -- queries built on the primitives (graph.traversal), as methods -------------------------------
    def get_node(self, node_id: str) -> dict[str, Any] | None:
        """A node with everything stored on it (provenance, sections, attributes)."""
        return self.get_nodes([node_id]).get(node_id)

    def resolve(self, ref: str) -> str:
        """`traversal.resolve`: a node id from an id or a name."""
        return traversal.resolve(self, ref)

    def neighbourhood(self, node_id: str, hops: int = 1, kinds: Sequence[str] | None = None,
                      edge_types: Sequence[str] | None = None, limit: int | None = None) -> dict[str, Any]:
        """`traversal.neighbourhood` (a store may answer it in fewer round trips, with the same result)."""
        return traversal.neighbourhood(self, node_id, hops, kinds, edge_types, limit)

    def shortest_path(self, a: str, b: str, edge_types: Sequence[str] | None = None) -> dict[str, Any] | None:
        """`traversal.shortest_path`: the shortest path between two nodes, or None."""
        return traversal.shortest_path(self, a, b, edge_types)

    def simple_paths(self, a: str, b: str, max_length: int = 3, edge_types: Sequence[str] | None = None,
                     limit: int = 50, cap: int = 5000) -> dict[str, Any]:
        """`traversal.simple_paths`: simple paths, shortest first, at most `limit`."""
        return traversal.simple_paths(self, a, b, max_length, edge_types, limit, cap)

    def compare(self, ids: Sequence[str]) -> dict[str, Any]:
        """`traversal.compare`: two or more patterns side by side."""
        return traversal.compare(self, ids)

