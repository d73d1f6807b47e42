"""Reading the graph from Neo4j: the store's primitives, the neighbourhood in one statement, simple
paths, and a client-side cache of full nodes keyed by revision (hub nodes carry megabytes of
provenance; a neighbourhood that reaches them again at the same revision does not fetch them again)."""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Mapping, Sequence

from ..primitives import without_sections
from ..schema import NODE_KINDS, kind_of
from ..store import MAX_HOPS, NotFound, check_filters, edge_key, summary
from . import statements as cy
from .connection import Connected
from .encoding import decode_props, edge_record

#: Property text (characters) of full nodes kept in each store's client-side cache (least recently
#: used first out).
NODE_CACHE_CHARS = 32_000_000
#: Only nodes with at least this much property text are cached (the rest are cheap to fetch).
NODE_CACHE_MIN_CHARS = 16_384


def _summaries(records: Sequence[Any]) -> list[dict[str, Any]]:
    return [summary({k: v for k, v in r.data().items() if v is not None}) for r in records]


class Reads(Connected):
    """The read side of the Neo4j store."""

    _cache: OrderedDict[str, tuple[str, dict[str, Any], int]]  # id -> (revision, node, size)
    _cache_chars: int
    _cache_lock: threading.Lock

    def get_nodes(self, ids: Sequence[str], sections: bool = True) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for rec in self._read(cy.NODES_BY_ID, ids=list(dict.fromkeys(ids))):
            node = decode_props(rec["p"])
            out[node["id"]] = node if sections else without_sections(node)
        return out

    def nodes_by_name(self, name: str) -> list[dict[str, Any]]:
        return _summaries(self._read(cy.NODES_BY_NAME, name=name.lower()))

    def list_nodes(self, kinds: Sequence[str] | None = None, limit: int | None = None) -> list[dict[str, Any]]:
        return _summaries(self._read(cy.list_nodes(limit is not None), kinds=list(kinds or NODE_KINDS), limit=limit))

    def counts(self) -> tuple[dict[str, int], dict[str, int]]:
        """Counts of the current graph only (not of a load's staged nodes or a retired graph)."""
        nodes = {r["name"]: r["c"] for r in self._read(cy.count_nodes()) if r["c"]}
        edges = {r["name"]: r["c"] for r in self._read(cy.count_edges()) if r["c"]}
        return dict(sorted(nodes.items())), dict(sorted(edges.items()))

    def incident_edges(self, ids: Sequence[str], edge_types: Sequence[str] | None = None) -> list[dict[str, Any]]:
        seen: dict[tuple[str, str, str], dict[str, Any]] = {}
        for rec in self._read(cy.INCIDENT_EDGES, ids=list(dict.fromkeys(ids)),
                              types=list(edge_types) if edge_types else None):
            edge = edge_record(rec["s"], rec["type"], rec["t"], rec["p"])
            seen[edge_key(edge)] = edge
        return sorted(seen.values(), key=edge_key)

    def edges_among(self, ids: Sequence[str], edge_types: Sequence[str] | None = None) -> list[dict[str, Any]]:
        records = self._read(cy.EDGES_AMONG, ids=list(dict.fromkeys(ids)), all=list(ids),
                             types=list(edge_types) if edge_types else None)
        return sorted((edge_record(r["s"], r["type"], r["t"], r["p"]) for r in records), key=edge_key)

    def neighbour_ids(self, frontier: Sequence[str], edge_types: Sequence[str] | None,
                      kinds: Sequence[str] | None) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {f: set() for f in frontier}
        for rec in self._read(cy.NEIGHBOUR_IDS, ids=list(dict.fromkeys(frontier)),
                              types=list(edge_types) if edge_types else None, kinds=list(kinds) if kinds else None):
            out[rec["a"]] = set(rec["bs"])
        return out

    def neighbourhood(self, node_id: str, hops: int = 1, kinds: Sequence[str] | None = None,
                      edge_types: Sequence[str] | None = None, limit: int | None = None) -> dict[str, Any]:
        """`GraphStore.neighbourhood` with the traversal in one statement (`statements.neighbourhood`),
        then the full nodes from the node cache (by revision) or one more statement for those not cached."""
        check_filters(kinds, edge_types)
        hops = max(0, min(int(hops), MAX_HOPS))
        query = cy.neighbourhood(hops, sorted(set(kinds)) if kinds else None,
                                 sorted(set(edge_types)) if edge_types else None, limit is not None)
        records = self._read(query, id=node_id, limit=max(1, int(limit)) if limit is not None else None)
        if not records:
            raise NotFound(f"no node '{node_id}'")
        rec = records[0]
        depth: dict[str, int] = {}
        revs: dict[str, str | None] = {}
        position = 0
        for level, size in enumerate(rec["sizes"]):
            for nid, rev in rec["kept"][position:position + size]:
                depth[nid] = level
                revs[nid] = rev
            position += size
        full = self._nodes_at(revs)  # without their card's sections, as `traversal.neighbourhood` gives them
        nodes = [{**without_sections(full[nid]), "depth": depth[nid]}
                 for nid in sorted(depth) if nid in full]
        edges = sorted((edge_record(e["s"], e["type"], e["t"], e["p"]) for e in rec["edges"]), key=edge_key)
        return {"center": node_id, "nodes": nodes, "edges": edges, "total": rec["total"],
                "truncated": len(depth) < rec["total"]}

    def simple_node_paths(self, a: str, b: str, max_length: int, edge_types: Sequence[str],
                          cap: int) -> tuple[list[list[str]], bool]:
        """Simple paths a → b by length, then id order, up to `cap` (and whether more exist)."""
        if a == b or not self.get_nodes([a, b]).keys() >= {a, b}:
            return [], False
        found: list[list[str]] = []
        for length in range(1, max_length + 1):
            remaining = cap - len(found)
            records = self._read(cy.simple_paths(kind_of(a), kind_of(b), length), a=a, b=b,
                                 types=list(edge_types), n=remaining + 1)
            paths = [list(r["ids"]) for r in records]
            if len(paths) > remaining:
                return found + paths[:remaining], True
            found.extend(paths)
        return found, False

    # -- the node cache ----------------------------------------------------------------------------
    def _nodes_at(self, revs: Mapping[str, str | None]) -> dict[str, dict[str, Any]]:
        """Full nodes by id, each at the revision given (from a statement that listed them): from the
        cache when it holds that revision, else fetched (and cached). A node that changed or went
        since is returned as it is now, or left out. The dicts are the cache's: callers copy them."""
        out: dict[str, dict[str, Any]] = {}
        missing = []
        with self._cache_lock:
            for nid, rev in revs.items():
                hit = self._cache.get(nid)
                if rev is not None and hit is not None and hit[0] == rev:
                    self._cache.move_to_end(nid)
                    out[nid] = hit[1]
                else:
                    missing.append(nid)
        if missing:
            for rec in self._read(cy.NODES_BY_ID, ids=missing):
                raw = rec["p"]
                node = decode_props(raw)
                out[node["id"]] = node
                self._cache_put(node["id"], raw.get(cy.LOAD_PROP), node,
                                sum(len(v) for v in raw.values() if isinstance(v, str)))
        return out

    def _cache_put(self, nid: str, rev: str | None, node: dict[str, Any], size: int) -> None:
        if rev is None or not NODE_CACHE_MIN_CHARS <= size <= NODE_CACHE_CHARS // 4:
            return
        with self._cache_lock:
            old = self._cache.pop(nid, None)
            if old is not None:
                self._cache_chars -= old[2]
            self._cache[nid] = (rev, node, size)
            self._cache_chars += size
            while self._cache_chars > NODE_CACHE_CHARS and self._cache:
                self._cache_chars -= self._cache.popitem(last=False)[1][2]
