"""Relationships and paths in query results, in one shape on both stores, and the graph a result returns.

A returned relationship is ``{"type": "BLOCKS", "source": node, "target": node}`` and a returned path
``{"nodes": [node, ...], "relationships": [relationship, ...]}``, where a node is ``{id, kind, name}``
(as `graph.cypher.summarise` writes it). The Neo4j store builds them from the driver's Relationship and
Path; the embedded store from grand-cypher's edge attributes (the Cypher view gives each edge its ends
as `__source__` and `__target__`) and its paths (node ids alternating with the edges between them).
A result draws exactly what it returns: its nodes, its relationships and the steps of its paths
(`returned_subgraph`), never every edge among the returned nodes.
"""
from __future__ import annotations

import re
from typing import Any, Callable, Iterator, Mapping, Sequence, cast

SOURCE, TARGET = "__source__", "__target__"


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


# -- the embedded store: grand-cypher's values in the common shape ---------------------------------
def _is_edge_attrs(value: Any) -> bool:
    return isinstance(value, Mapping) and SOURCE in value and TARGET in value and "type" in value


_REL_PATTERN = re.compile(r"(<?)-\s*\[([^\]]*)\]\s*-(>?)")
_TYPES = re.compile(r":\s*`?([A-Za-z_][A-Za-z0-9_]*)`?((?:\s*\|\s*:?\s*`?[A-Za-z_][A-Za-z0-9_]*`?)*)")


def relationship_patterns(query: str) -> list[tuple[str, frozenset[str]]]:
    """The query's relationship patterns in order, each as (direction '->', '<-' or '-', its types
    (empty: any)): how the embedded store tells which edge a path step matched."""
    out = []
    for back, inner, fore in _REL_PATTERN.findall(query):
        match = _TYPES.search(inner.split("{")[0].split("*")[0])
        types: frozenset[str] = frozenset()
        if match:
            types = frozenset([match.group(1)] + [t.strip(" :`") for t in match.group(2).split("|") if t.strip(" :`")])
        out.append(("<-" if back and not fore else "->" if fore and not back else "-", types))
    return out


def embedded_value(value: Any, node: Callable[[str], dict[str, Any] | None],
                   between: Callable[[str, str], list[tuple[str, str, str]]],
                   patterns: Sequence[tuple[str, frozenset[str]]] = ()) -> Any:
    """A summarised grand-cypher value with its edges and paths in the common shape; `node` gives a
    node's {id, kind, name} by id (None if there is none), `between` the edges (source, type, target)
    joining two nodes in either direction.

    grand-cypher's path is a list of node ids with, between each two, every edge from the first to the
    second (None when the step was walked backwards), not the one matched; a step is therefore taken
    as an edge between its nodes that the query's relationship pattern at the same place allows (when
    the query has as many relationship patterns as the path has steps; `patterns`), the first by
    (walked forwards, type): exact whenever one edge fits."""
    if _is_edge_attrs(value):
        source, target = node(value[SOURCE]), node(value[TARGET])
        if source is not None and target is not None:
            return relationship(value["type"], source, target)
    if isinstance(value, list) and len(value) >= 3 and len(value) % 2 == 1 and all(
            isinstance(v, str) and node(v) is not None for v in value[::2]) and all(
            v is None or isinstance(v, Mapping) and all(_is_edge_attrs(e) for e in v.values()) for v in value[1::2]):
        steps = []
        hops = len(value) // 2
        for i, (here, there) in enumerate(zip(value[::2], value[2::2], strict=False)):
            found = between(here, there)
            if len(patterns) == hops:
                direction, types = patterns[i]
                fits = [e for e in found if (not types or e[1] in types) and (
                    direction == "-" or (e[0] == here) == (direction == "->"))]
                found = fits or found
            if not found:
                break
            steps.append(min(found, key=lambda e: (e[0] != here, e[1])))
        else:
            known = cast(Callable[[str], dict[str, Any]], node)  # every id in value[::2] was found above
            return path([known(v) for v in value[::2]], [relationship(t, known(u), known(v)) for u, t, v in steps])
    if isinstance(value, list):
        return [embedded_value(v, node, between, patterns) for v in value]
    if isinstance(value, Mapping):
        return {k: embedded_value(v, node, between, patterns) for k, v in value.items()}
    return value
