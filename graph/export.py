"""Exporting nodes and edges for other tools: GraphML and GEXF (Gephi, Cytoscape), node-link JSON, CSV.

Pure functions from the store's plain node and edge dicts to file bytes. GraphML and GEXF hold only
scalar attributes, so lists and dicts (provenance, sections, codes, …) travel as JSON strings, and an
attribute whose values mix types is written as text throughout. Only graph content is written: no
store settings, paths outside the data, or credentials.
"""
from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import networkx as nx

__all__ = ["to_graphml", "to_gexf", "to_node_link_json", "to_nodes_csv", "to_edges_csv", "to_csv_zip",
           "flatten"]

_NODE_FIRST = ("id", "kind", "name", "status", "authorship")
_EDGE_FIRST = ("source", "target", "type", "description", "section")


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def flatten(value: Any) -> Any:
    """A value GraphML/GEXF/CSV can hold: str, int, float and bool as they are, None as None,
    anything else (lists, dicts, provenance, sections) as a JSON string."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    return _json(value)


def _uniform(records: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Records whose attributes have one type each: a key with mixed types becomes text everywhere
    (GraphML declares one type per key); None values are dropped (no attribute)."""
    kinds: dict[str, set[type]] = {}
    for rec in records:
        for k, v in rec.items():
            if v is not None:
                kinds.setdefault(k, set()).add(bool if isinstance(v, bool) else type(v))
    mixed = {k for k, t in kinds.items() if len(t) > 1}
    return [{k: (str(v) if k in mixed else v) for k, v in rec.items() if v is not None} for rec in records]


def _nodes(nodes: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for n in nodes:
        nid = str(n["id"])
        if nid not in seen:
            seen[nid] = {str(k): v for k, v in n.items()}
    return list(seen.values())


def _edges(edges: Iterable[Mapping[str, Any]], ids: set[str]) -> list[dict[str, Any]]:
    out: dict[tuple[str, str, str], dict[str, Any]] = {}
    for e in edges:
        key = (str(e["source"]), str(e.get("type", "")), str(e["target"]))
        if key[0] in ids and key[2] in ids and key not in out:
            out[key] = {str(k): v for k, v in e.items()}
    return [out[k] for k in sorted(out)]


def _flat_graph(nodes: Iterable[Mapping[str, Any]], edges: Iterable[Mapping[str, Any]], *,
                gexf: bool = False) -> nx.MultiDiGraph:
    """A MultiDiGraph with only scalar attributes; edge keys e0, e1, … (unique, as GraphML wants)."""
    node_list = _nodes(nodes)
    ids = {n["id"] for n in node_list}
    edge_list = _edges(edges, ids)
    node_attrs = _uniform([{k: flatten(v) for k, v in n.items() if k != "id"} for n in node_list])
    edge_attrs = _uniform([{k: flatten(v) for k, v in e.items() if k not in ("source", "target")} for e in edge_list])
    graph = nx.MultiDiGraph(name="Pattern Atlas")
    for n, attrs in zip(node_list, node_attrs):
        if gexf:
            # GEXF keeps the label on the element; "start", "end" and "pid" are reserved there.
            attrs = {("attr_" + k if k in ("label", "start", "end", "pid") else k): v for k, v in attrs.items()}
            attrs["label"] = str(n.get("name") or n["id"])
        graph.add_node(n["id"], **attrs)
    for i, (e, attrs) in enumerate(zip(edge_list, edge_attrs)):
        if gexf:
            # GEXF's edge "type" means directed/undirected: the relation goes in "edge_type" and the label.
            attrs = {("attr_" + k if k in ("label", "start", "end", "weight", "id", "key") else k): v
                     for k, v in attrs.items()}
            relation = attrs.pop("type", "")
            attrs["edge_type"] = relation
            attrs["label"] = relation
        graph.add_edge(str(e["source"]), str(e["target"]), key=f"e{i}", **attrs)
    return graph


def to_graphml(nodes: Iterable[Mapping[str, Any]], edges: Iterable[Mapping[str, Any]]) -> bytes:
    """GraphML (UTF-8) of the nodes and the edges among them; nested values as JSON strings."""
    buf = io.BytesIO()
    nx.write_graphml(_flat_graph(nodes, edges), buf, encoding="utf-8", prettyprint=True)
    return buf.getvalue()


def to_gexf(nodes: Iterable[Mapping[str, Any]], edges: Iterable[Mapping[str, Any]]) -> bytes:
    """GEXF 1.2 (UTF-8) for Gephi: node labels are names, edge labels and `edge_type` the relation."""
    buf = io.BytesIO()
    nx.write_gexf(_flat_graph(nodes, edges, gexf=True), buf, encoding="utf-8", prettyprint=True)
    return buf.getvalue()


def to_node_link_json(nodes: Iterable[Mapping[str, Any]], edges: Iterable[Mapping[str, Any]]) -> bytes:
    """networkx node-link JSON (`edges` key) with every attribute as stored (lists and dicts kept)."""
    node_list = _nodes(nodes)
    ids = {n["id"] for n in node_list}
    graph = nx.MultiDiGraph(name="Pattern Atlas")
    for n in node_list:
        graph.add_node(n["id"], **{k: v for k, v in n.items() if k != "id"})
    for e in _edges(edges, ids):
        graph.add_edge(e["source"], e["target"], key=e.get("type", ""),
                       **{k: v for k, v in e.items() if k not in ("source", "target")})
    data = nx.node_link_data(graph, edges="edges")
    return json.dumps(data, ensure_ascii=False, indent=1, default=str).encode("utf-8")


def _csv(records: list[dict[str, Any]], first: Sequence[str]) -> bytes:
    columns = [c for c in first if any(c in r for r in records)]
    columns += sorted({k for r in records for k in r} - set(columns))
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for r in records:
        writer.writerow({k: ("" if r.get(k) is None else flatten(r.get(k))) for k in columns})
    return buf.getvalue().encode("utf-8")


def to_nodes_csv(nodes: Iterable[Mapping[str, Any]]) -> bytes:
    """nodes.csv: id, kind, name, status, authorship, then other attributes (nested ones as JSON)."""
    return _csv(_nodes(nodes), _NODE_FIRST)


def to_edges_csv(edges: Iterable[Mapping[str, Any]], node_ids: Iterable[str] | None = None) -> bytes:
    """edges.csv: source, target, type, description, section, then the rest (provenance as JSON)."""
    edge_list = list(edges)
    ids = set(node_ids) if node_ids is not None else {str(x) for e in edge_list for x in (e["source"], e["target"])}
    return _csv(_edges(edge_list, ids), _EDGE_FIRST)


def to_csv_zip(nodes: Iterable[Mapping[str, Any]], edges: Iterable[Mapping[str, Any]]) -> bytes:
    """A zip with nodes.csv and edges.csv (the edges among the given nodes)."""
    node_list = _nodes(nodes)
    ids = {n["id"] for n in node_list}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("nodes.csv", to_nodes_csv(node_list))
        zf.writestr("edges.csv", to_edges_csv(edges, ids))
    return buf.getvalue()
