"""Queries built on a store's primitives, written once for both stores: name resolution, the
neighbourhood, path choice (shortest, simple) and comparison. Plain functions over anything that
answers `graph.primitives.Primitives`, so the embedded and Neo4j stores give the same answers.

Ordering rules (relied on by the parity tests): nodes by id, edges by (source, type, target), paths
by (length, node ids); the shortest path is the one whose node-id sequence sorts first.
"""
from __future__ import annotations

import difflib
import heapq
from typing import Any, Callable, Iterable, Sequence

from .primitives import MAX_HOPS, MAX_PATH_LENGTH, NotFound, Primitives, check_filters, edge_key, path_types, summary
from .schema import clean_text, pattern_slug, slug

Neighbours = Callable[[list[str]], dict[str, set[str]]]


def first_shortest_path(neighbours: Neighbours, a: str, b: str) -> list[str] | None:
    """The first shortest path by node ids (undirected) from a to b, given `neighbours(frontier)` (the
    ids one step from each frontier id): distances from b level by level until a is reached, then
    from a always the smallest id one step closer. None when b cannot be reached."""
    dist = {b: 0}
    frontier = [b]
    adjacency: dict[str, set[str]] = {}
    while frontier and a not in dist:
        found = neighbours(frontier)
        adjacency.update(found)
        nxt = list({n for ns in found.values() for n in ns} - dist.keys())  # distances need no order
        level = dist[frontier[0]] + 1
        for n in nxt:
            dist[n] = level
        frontier = nxt
    if a not in dist:
        return None
    path = [a]
    while path[-1] != b:
        here = path[-1]
        if here not in adjacency:
            adjacency.update(neighbours([here]))
        path.append(min(o for o in adjacency[here] if dist.get(o) == dist[here] - 1))
    return path


def resolve(store: Primitives, ref: str) -> str:
    """A node id from an id or a name ('insecure', 'Self-Judging', 'capacity:belonging')."""
    ref = clean_text(ref)
    if not ref:
        raise NotFound("empty node reference")
    candidates = [ref] if ":" in ref else []
    candidates += [f"pattern:{pattern_slug(ref)}"] if pattern_slug(ref) else []
    found = store.get_nodes(candidates)
    for cid in candidates:
        if cid in found:
            return cid
    named = store.nodes_by_name(ref)
    if not named and slug(ref):
        named = [n for n in store.list_nodes() if n["id"].split(":", 1)[1] == slug(ref)]
    if len(named) == 1:
        return named[0]["id"]
    if len(named) > 1:
        raise NotFound(f"'{ref}' names {len(named)} nodes: " + ", ".join(n["id"] for n in named))
    names = {n["name"]: n["id"] for n in store.list_nodes()}
    close = difflib.get_close_matches(ref, list(names), n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    raise NotFound(f"no node '{ref}'{hint}")


def neighbourhood(store: Primitives, node_id: str, hops: int = 1, kinds: Sequence[str] | None = None,
                  edge_types: Sequence[str] | None = None, limit: int | None = None) -> dict[str, Any]:
    """Nodes within `hops` edges of a node (either direction) and the edges among them.

    Only nodes of `kinds` are entered (the centre always is); only `edge_types` are followed.
    With `limit`, the nearest nodes are kept (by hop, then id) and `truncated` is set.
    """
    check_filters(kinds, edge_types)
    hops = max(0, min(int(hops), MAX_HOPS))
    if not store.has_nodes([node_id]):
        raise NotFound(f"no node '{node_id}'")
    # hop by hop as sets (a 2-hop neighbourhood through hubs can hold most of a big graph); only the
    # nodes kept are sorted
    levels: list[set[str]] = [{node_id}]
    seen = {node_id}
    for _ in range(hops):
        if not levels[-1]:
            break
        nxt = store.reach(list(levels[-1]), list(edge_types) if edge_types else None,
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
    nodes = store.get_nodes(ids, sections=False)
    edges = store.edges_among(ids, list(edge_types) if edge_types else None)
    return {
        "center": node_id,
        "nodes": [_with_depth(nodes[i], depth[i]) for i in ids if i in nodes],
        "edges": edges,
        "total": total,
        "truncated": len(ids) < total,
    }


def shortest_path(store: Primitives, a: str, b: str, edge_types: Sequence[str] | None = None) -> dict[str, Any] | None:
    """The shortest path between two nodes (any direction), or None; ties go to the first by ids."""
    types = path_types(edge_types)
    if a == b:
        return hydrate(store, [[a]], types)[0]
    paths = store.shortest_node_paths(a, b, types)
    if not paths:
        return None
    return hydrate(store, [min(paths)], types)[0]


def simple_paths(store: Primitives, a: str, b: str, max_length: int = 3, edge_types: Sequence[str] | None = None,
                 limit: int = 50, cap: int = 5000) -> dict[str, Any]:
    """Simple paths up to `max_length` edges, shortest first, at most `limit` of them."""
    types = path_types(edge_types)
    max_length = max(1, min(int(max_length), MAX_PATH_LENGTH))
    found, truncated = store.simple_node_paths(a, b, max_length, types, cap)
    paths = sorted({tuple(p) for p in found}, key=lambda p: (len(p), p))
    total = len(paths)
    chosen = [list(p) for p in paths[:limit]]
    return {"paths": hydrate(store, chosen, types), "total": total,
            "truncated": truncated or total > limit}


def compare(store: Primitives, ids: Sequence[str]) -> dict[str, Any]:
    """Two or more patterns side by side: distinctions and combinations between them, and their
    shared and unique neighbours grouped by kind."""
    ids = list(dict.fromkeys(ids))
    if len(ids) < 2:
        raise ValueError("compare needs two or more nodes")
    nodes = store.get_nodes(ids, sections=False)
    missing = [i for i in ids if i not in nodes]
    if missing:
        raise NotFound(f"no node '{missing[0]}'")
    types = path_types(None)
    edges = store.incident_edges(ids, types)
    between = [e for e in edges if e["source"] in ids and e["target"] in ids]
    neighbours: dict[str, dict[str, list[dict]]] = {i: {} for i in ids}
    for e in edges:
        for end, other in ((e["source"], e["target"]), (e["target"], e["source"])):
            if end in neighbours and other not in ids:
                neighbours[end].setdefault(other, []).append(e)
    all_other = sorted({o for ns in neighbours.values() for o in ns})
    other_nodes = store.get_nodes(all_other, sections=False)
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


def hydrate(store: Primitives, paths: list[list[str]], types: Sequence[str]) -> list[dict[str, Any]]:
    ids = sorted({n for p in paths for n in p})
    nodes = store.get_nodes(ids, sections=False)
    edges = store.edges_among(ids, types)
    by_pair: dict[frozenset, list[dict]] = {}
    for e in edges:
        by_pair.setdefault(frozenset((e["source"], e["target"])), []).append(e)
    out = []
    for p in paths:
        steps = [{"from": u, "to": v, "edges": by_pair.get(frozenset((u, v)), [])}
                 for u, v in zip(p, p[1:], strict=False)]
        out.append({"nodes": [summary(nodes[n]) for n in p], "steps": steps, "length": len(p) - 1})
    return out


def _with_depth(node: dict[str, Any], depth: int) -> dict[str, Any]:
    out = dict(node)
    out["depth"] = depth
    return out
