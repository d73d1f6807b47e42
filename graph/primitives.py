"""What a store answers (`Primitives`) and the small rules every store and query shares: node
summaries, edge keys and order, filter checks, the edge types paths follow, `NotFound`."""
from __future__ import annotations

from typing import Any, Iterable, Protocol, Sequence

from .errors import AtlasError
from .schema import EDGE_TYPES, NODE_KINDS

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


def without_sections(node: dict[str, Any]) -> dict[str, Any]:
    """The node without its card's sections (`get_nodes(ids, sections=False)`): the node itself when it has
    none, else a copy."""
    return node if "sections" not in node else {k: v for k, v in node.items() if k != "sections"}


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


class Primitives(Protocol):
    """What a store must answer; everything else is built on these (`graph.traversal`)."""

    def get_nodes(self, ids: Sequence[str], sections: bool = True) -> dict[str, dict[str, Any]]: ...
    def has_nodes(self, ids: Sequence[str]) -> bool: ...
    def nodes_by_name(self, name: str) -> list[dict[str, Any]]: ...
    def list_nodes(self, kinds: Sequence[str] | None = None, limit: int | None = None) -> list[dict[str, Any]]: ...
    def counts(self) -> tuple[dict[str, int], dict[str, int]]: ...
    def incident_edges(self, ids: Sequence[str], edge_types: Sequence[str] | None = None) -> list[dict[str, Any]]: ...
    def edges_among(self, ids: Sequence[str], edge_types: Sequence[str] | None = None) -> list[dict[str, Any]]: ...
    def neighbour_ids(self, frontier: Sequence[str], edge_types: Sequence[str] | None,
                      kinds: Sequence[str] | None) -> dict[str, set[str]]: ...
    def reach(self, frontier: Sequence[str], edge_types: Sequence[str] | None,
              kinds: Sequence[str] | None) -> set[str]: ...
    def shortest_node_paths(self, a: str, b: str, edge_types: Sequence[str]) -> list[list[str]]: ...
    def simple_node_paths(self, a: str, b: str, max_length: int, edge_types: Sequence[str],
                          cap: int) -> tuple[list[list[str]], bool]: ...
