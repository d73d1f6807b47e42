"""The in-memory graph model the loaders produce and the stores persist.

`GraphData` holds nodes by id and edges by (source, type, target); adding the same thing twice merges
it, keeping every place it was stated (provenance). It converts to and from a networkx MultiDiGraph
whose edge keys are the edge types.
"""
from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Iterable

import networkx as nx

from .schema import EDGE_TYPES, NODE_KINDS, display_name, lookalike, name_key, node_id, pattern_display

#: Pattern status, strongest first: a card beats a catalogue entry beats a bare reference.
PATTERN_STATUS_RANK = {"card": 0, "catalogue": 1, "unresolved": 2}


@contextmanager
def gc_paused():
    """Pause the cyclic garbage collector while a graph is built, read or written in bulk. A graph is
    millions of long-lived dicts and lists; with the collector on, every full collection during the
    build walks all of them again (most of a 10,000-card load's time). Nothing is frozen afterwards: a
    networkx graph holds reference cycles (its cached views point back at it), so a frozen graph
    replaced by a reload would never be freed. On the way out, what the build made is moved to the
    oldest generation without walking it (`gc.freeze` then `gc.unfreeze`: two list splices); enabled
    again, the collector's first young collection would otherwise walk every object made while it was
    paused (about 2 s at 10,000 cards). They stay collectable, by the next full collection."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.freeze()
            gc.unfreeze()
            gc.enable()


@dataclass(frozen=True)
class Provenance:
    """Where a node or edge was stated: repo-relative file, 1-based lines, the quoted text."""

    file: str
    start_line: int
    end_line: int
    text: str
    authorship: str = "unspecified"

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "start_line": self.start_line,
            "end_line": self.end_line,
            "text": self.text,
            "authorship": self.authorship,
        }


def _prov_key(p: dict) -> tuple:
    return (p["file"], p["start_line"], p["end_line"], p["text"])


def _merge_provenance(target: list[dict], new: Iterable[dict], seen: set | None = None) -> None:
    """Append the places of `new` not yet in `target` (the dicts themselves: a statement's place is shared
    by the node and the edge it makes, and never changed). `seen`: the keys of `target`, kept up to date."""
    if seen is None:
        seen = {_prov_key(p) for p in target}
    for p in new:
        key = _prov_key(p)
        if key not in seen:
            seen.add(key)
            target.append(p)


def _merge_attrs(target: dict[str, Any], attrs: dict[str, Any], replace: bool = False) -> None:
    """First non-empty value wins, except pattern status, where the strongest wins. With `replace`
    (a stronger statement of the same edge, see `GraphData.add_edge`) its non-empty values win."""
    for key, value in attrs.items():
        if value is None or value == "" or value == [] or value == {}:
            continue
        if key == "status" and key in target:
            if PATTERN_STATUS_RANK.get(value, 9) < PATTERN_STATUS_RANK.get(target[key], 9):
                target[key] = value
            continue
        if key == "sections" and target.get("sections"):
            target["sections"] = list(target["sections"]) + list(value)
            continue
        if replace:
            target[key] = value
            continue
        target.setdefault(key, value)
        if target[key] in (None, "", [], {}):
            target[key] = value


@dataclass
class GraphData:
    """Nodes and edges with merged provenance; the loaders' output and the stores' input."""

    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    edges: dict[tuple[str, str, str], dict[str, Any]] = field(default_factory=dict)
    # provenance keys per node id / edge key, so merging into a hub is not quadratic in its places
    _seen: dict[Any, set] = field(default_factory=dict, init=False, repr=False, compare=False)
    # the rank of the statement each edge shows, where it is not 0 (see add_edge); build state only
    _rank: dict[Any, int] = field(default_factory=dict, init=False, repr=False, compare=False)
    # where each node's name was first written (build state), and the merges of two names, as written,
    # that differ in more than case, punctuation and spacing but make one id ('Café' and 'Cafe'):
    # (id, kind, the node's name, where it was written, the other name, where that was written)
    _named_at: dict[str, dict | None] = field(default_factory=dict, init=False, repr=False, compare=False)
    collisions: list[tuple[str, str, str, dict | None, str, dict | None]] = field(
        default_factory=list, init=False, repr=False, compare=False)
    # names, as written, that could pass for another (see schema.lookalike): (kind, name, where, why)
    lookalikes: list[tuple[str, str, dict | None, str]] = field(default_factory=list, init=False, repr=False,
                                                              compare=False)

    def _prov_seen(self, key: Any, provenance: list[dict]) -> set:
        seen = self._seen.get(key)
        if seen is None or len(seen) != len(provenance):  # new, or the list was changed from outside
            seen = {_prov_key(p) for p in provenance}
            self._seen[key] = seen
        return seen

    def add_node(
        self,
        kind: str,
        name: str,
        provenance: Iterable[Provenance | dict] = (),
        *,
        id: str | None = None,
        **attrs: Any,
    ) -> str:
        """Add or merge a node; returns its id. The name is normalised; ids come from `node_id`."""
        nid = id or node_id(kind, name)
        if kind == "Pattern":
            shown = pattern_display(name)
        elif kind == "Source":
            shown = name  # a file path: shown as written
        else:
            shown = display_name(name)
        prov = [p.to_dict() if isinstance(p, Provenance) else p for p in provenance]  # shared, never changed
        if not name.isascii() and kind != "Source" and lookalike(name):
            self.lookalikes.append((kind, name, prov[0] if prov else None, lookalike(name)))
        node = self.nodes.get(nid)
        if node is None:
            node = {"id": nid, "kind": kind, "name": shown, "provenance": []}
            self.nodes[nid] = node
            self._named_at[nid] = prov[0] if prov else None
        elif node["kind"] != kind:
            raise ValueError(f"node {nid} is a {node['kind']}, not a {kind}")
        elif shown != node["name"] and name_key(shown) != name_key(node["name"]) and _own_id(kind, name) == nid:
            # the name's own id, not a synonym's or a given one: two names the id rules made one
            self.collisions.append((nid, kind, node["name"], self._named_at.get(nid), shown,
                                    prov[0] if prov else None))
        _merge_provenance(node["provenance"], prov, self._prov_seen(nid, node["provenance"]))
        _merge_attrs(node, attrs)
        return nid

    def add_edge(
        self,
        source: str,
        type: str,
        target: str,
        provenance: Iterable[Provenance | dict] = (),
        *,
        rank: int = 0,
        **attrs: Any,
    ) -> tuple[str, str, str]:
        """Add or merge an edge (one per source, type and target); both ends must exist.

        Every statement of an edge keeps its places in the provenance; its attributes come from the
        strongest statement, the one with the lowest `rank` (the first of equals), filled in from the
        others, first non-empty value first. A statement stronger than the one shown so far replaces
        the values it gives and its places move to the front of the provenance, so the description,
        its section and the first place cited stay one statement. (A card's "Needy: feels insecure
        about ..." combination line outranks "Sometimes combined with needy pattern" elsewhere on it.)
        An edge is overtaken at most once per rank, so merging stays linear in the places.
        """
        if type not in EDGE_TYPES:
            raise ValueError(f"unknown edge type {type!r}")
        for end in (source, target):
            if end not in self.nodes:
                raise KeyError(f"edge {source} -{type}-> {target}: no node {end}")
        key = (source, type, target)
        prov = [p.to_dict() if isinstance(p, Provenance) else p for p in provenance]  # shared, never changed
        edge = self.edges.get(key)
        stronger = False
        if edge is None:
            edge = {"provenance": []}
            self.edges[key] = edge
            if rank:
                self._rank[key] = rank
        elif rank < self._rank.get(key, 0):
            stronger = True
            if rank:
                self._rank[key] = rank
            else:
                del self._rank[key]
        places = edge["provenance"]
        _merge_provenance(places, prov, self._prov_seen(key, places))
        _merge_attrs(edge, attrs, replace=stronger)
        if stronger and prov:
            first = {_prov_key(p) for p in prov}
            edge["provenance"] = [p for p in places if _prov_key(p) in first] + \
                [p for p in places if _prov_key(p) not in first]
        return key

    def settle(self) -> None:
        """Drop the build state kept to make merging fast (each node's and edge's set of provenance
        keys, where each name was first written): a tenth of a built graph's memory, rebuilt on demand
        if more is added later. Call it when the graph is complete."""
        self._seen = {}
        self._named_at = {}

    def merge(self, other: "GraphData") -> None:
        """Merge another graph into this one (nodes first, then edges)."""
        for nid, node in other.nodes.items():
            attrs = {k: v for k, v in node.items() if k not in ("id", "kind", "name", "provenance")}
            if nid in self.nodes:
                self.add_node(node["kind"], node["name"], node["provenance"], id=nid, **attrs)
            else:
                self.nodes[nid] = {"id": nid, "kind": node["kind"], "name": node["name"], "provenance": []}
                self.add_node(node["kind"], node["name"], node["provenance"], id=nid, **attrs)
        for (s, t, d), edge in other.edges.items():
            attrs = {k: v for k, v in edge.items() if k != "provenance"}
            self.add_edge(s, t, d, edge["provenance"], rank=other._rank.get((s, t, d), 0), **attrs)

    def counts(self) -> tuple[dict[str, int], dict[str, int]]:
        """Node counts by kind and edge counts by type, sorted by name."""
        kinds: dict[str, int] = {}
        types: dict[str, int] = {}
        for node in self.nodes.values():
            kinds[node["kind"]] = kinds.get(node["kind"], 0) + 1
        for _, t, _ in self.edges:
            types[t] = types.get(t, 0) + 1
        return dict(sorted(kinds.items())), dict(sorted(types.items()))

    def to_networkx(self) -> nx.MultiDiGraph:
        """A MultiDiGraph with node attributes and one keyed edge per (source, type, target)."""
        g: nx.MultiDiGraph[str] = nx.MultiDiGraph()
        for nid, node in self.nodes.items():
            g.add_node(nid, **node)
        for (s, t, d), edge in self.edges.items():
            g.add_edge(s, d, key=t, type=t, **edge)
        return g

    @classmethod
    def from_networkx(cls, g: nx.MultiDiGraph) -> "GraphData":
        data = cls()
        for nid, attrs in g.nodes(data=True):
            data.nodes[nid] = dict(attrs)
        for s, d, key, attrs in g.edges(keys=True, data=True):
            edge = {k: v for k, v in attrs.items() if k != "type"}
            data.edges[(s, key, d)] = edge
        return data


def _own_id(kind: str, name: str) -> str | None:
    try:
        return node_id(kind, name)
    except ValueError:
        return None


def check_kinds(data: GraphData) -> None:
    """Raise if any node kind or edge type is outside the schema (a guard for the stores)."""
    for node in data.nodes.values():
        if node["kind"] not in NODE_KINDS:
            raise ValueError(f"node {node['id']} has unknown kind {node['kind']!r}")
    for _, t, _ in data.edges:
        if t not in EDGE_TYPES:
            raise ValueError(f"unknown edge type {t!r}")
