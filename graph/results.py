"""Relationships and paths in query results, in one shape on both stores, and the graph a result returns.

A returned relationship is ``{"type": "BLOCKS", "source": node, "target": node}`` and a returned path
``{"nodes": [node, ...], "relationships": [relationship, ...]}``, where a node is ``{id, kind, name}``
(as `graph.cypher.summarise` writes it). The Neo4j store builds them from the driver's Relationship and
Path; the embedded store from graphqlite's nodes, relationships and paths (`graph.embedded_cypher`).
A result draws exactly what it returns: its nodes, its relationships and the steps of its paths
(`returned_subgraph`), never every edge among the returned nodes.
"""
from __future__ import annotations

from typing import Any, Iterator, Mapping, Sequence


def is_node(value: Any) -> bool:
    return isinstance(value, Mapping) and "id" in value and "kind" in value


def relationship(rtype: str, source: dict[str, Any], target: dict[str, Any]) -> dict[str, Any]:
    return {"type": rtype, "source": source, "target": target}


def path(nodes: list[dict[str, Any]], relationships: list[dict[str, Any]]) -> dict[str, Any]:
    return {"nodes": nodes, "relationships": relationships}


def is_relationship(value: Any) -> bool:
    return (isinstance(value, Mapping) and set(value) == {"type", "source", "target"}
            and isinstance(value["type"], str) and is_node(value["source"]) and is_node(value["target"]))


def is_path(value: Any) -> bool:
    return (isinstance(value, Mapping) and set(value) == {"nodes", "relationships"}
            and isinstance(value["nodes"], list) and isinstance(value["relationships"], list)
            and all(is_node(n) for n in value["nodes"]) and all(is_relationship(r) for r in value["relationships"]))


def _label(node: Mapping[str, Any]) -> str:
    return f"({node.get('name') or node.get('id')})"


def relationship_text(rel: Mapping[str, Any], start: Mapping[str, Any] | None = None) -> str:
    """`(Insecure)-[:BLOCKS]->(Belonging)`; from `start`'s side when given (a path step walked backwards
    reads `(Belonging)<-[:BLOCKS]-(Insecure)`)."""
    if start is not None and start.get("id") == rel["target"]["id"] and start.get("id") != rel["source"]["id"]:
        return f"{_label(rel['target'])}<-[:{rel['type']}]-{_label(rel['source'])}"
    return f"{_label(rel['source'])}-[:{rel['type']}]->{_label(rel['target'])}"


def path_text(value: Mapping[str, Any]) -> str:
    """A path as Cypher draws it: `(Insecure)-[:BLOCKS]->(Belonging)<-[:DEVELOPS]-(Needy)`."""
    nodes, rels = value["nodes"], value["relationships"]
    if not nodes:
        return "()"
    out = _label(nodes[0])
    for here, rel in zip(nodes, rels, strict=False):  # one node more than relationships
        step = relationship_text(rel, here)
        out += step[len(_label(here)):]
    return out


def text(value: Any) -> str | None:
    """A relationship or path as readable text; None for anything else."""
    if is_relationship(value):
        return relationship_text(value)
    if is_path(value):
        return path_text(value)
    return None


def _walk(value: Any) -> Iterator[Any]:
    yield value
    if isinstance(value, Mapping):
        for v in value.values():
            yield from _walk(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _walk(v)


def returned(rows: Sequence[Sequence[Any]]) -> tuple[list[str], list[tuple[str, str, str]]]:
    """The node ids (nodes, relationship ends, path nodes) and relationships (source, type, target) a
    result returns, each sorted."""
    ids: set[str] = set()
    rels: set[tuple[str, str, str]] = set()
    for row in rows:
        for v in _walk(list(row)):
            if is_node(v):
                ids.add(v["id"])
            elif is_relationship(v):
                rels.add((v["source"]["id"], v["type"], v["target"]["id"]))
    return sorted(ids), sorted(rels)


def returned_subgraph(store: Any, rows: Sequence[Sequence[Any]]) -> dict[str, list[dict[str, Any]]]:
    """The graph a result draws: its returned nodes (whole, from the store) and exactly its returned
    relationships and path steps (the store's edges, with their provenance)."""
    ids, rels = returned(rows)
    nodes = store.get_nodes(ids)
    wanted = set(rels)
    edges = [e for e in store.edges_among(ids) if (e["source"], e["type"], e["target"]) in wanted] if wanted else []
    return {"nodes": [nodes[i] for i in ids if i in nodes], "edges": edges}
