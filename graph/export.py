"""Exporting nodes and edges for other tools: GraphML and GEXF (Gephi, Cytoscape), node-link JSON, CSV.

Pure functions from the store's plain node and edge dicts to file bytes. GraphML and GEXF hold only
scalar attributes, so lists and dicts (provenance, sections, codes, …) travel as JSON strings, and an
attribute whose values mix types is written as text throughout. Only graph content is written: no
store settings, paths outside the data, or credentials.

Hostile text stays data. Characters XML 1.0 cannot hold (C0 controls but tab, LF and CR, lone
surrogates, U+FFFE, U+FFFF) and the ones it discourages (DEL, C1 controls) become U+FFFD in GraphML
and GEXF names, ids and text, so every file parses (nested values, written as JSON, keep them as
`\\u` escapes). A CSV cell that begins with `=`,
`+`, `-`, `@`, a tab or a CR gets a leading `'` (OWASP's advice against formula injection). Node-link
JSON keeps every value exactly, with DEL, C1 controls, lone surrogates, U+FFFE and U+FFFF as `\\u`
escapes.

`FORMATS`, `whole_graph` and `render` are what the app's Export page and `python -m graph export`
share, so both write the same bytes.
"""
from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import networkx as nx

from .shapes import EDGES

if TYPE_CHECKING:
    from .store import GraphStore

__all__ = ["to_graphml", "to_gexf", "to_node_link_json", "to_nodes_csv", "to_edges_csv", "to_csv_zip",
           "flatten", "xml_text", "csv_cell", "json_text", "FORMATS", "ExportFormat", "whole_graph", "render"]

_NODE_FIRST = ("id", "kind", "name", "status", "authorship")
_EDGE_FIRST = ("source", "target", "type", "description", "section")


#: What XML 1.0 cannot hold (its Char production): C0 controls but tab, LF and CR; lone surrogates;
#: U+FFFE and U+FFFF; any one of them makes the whole file unreadable to every XML parser. And what
#: it allows but asks authors to avoid (section 2.2), which a terminal showing the file may act on:
#: DEL and the C1 controls.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
#: Where a spreadsheet starts a formula (OWASP, "CSV Injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: What JSON may carry raw but a terminal, a UTF-8 encoder or XML should not get: DEL, C1 controls,
#: lone surrogates, U+FFFE and U+FFFF (JSON escapes C0 controls itself).
_JSON_RAW = re.compile("[\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def xml_text(text: str) -> str:
    """`text` with every character XML 1.0 cannot hold (or discourages: DEL, C1) as U+FFFD: visible, and
    the file parses."""
    return _XML_ILLEGAL.sub(REPLACEMENT, text)


def csv_cell(value: Any) -> Any:
    """A CSV cell: text that a spreadsheet would run as a formula gets a leading `'`; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def json_text(text: str) -> str:
    """JSON text (from `json.dumps(..., ensure_ascii=False)`) with DEL, C1 controls, lone surrogates,
    U+FFFE and U+FFFF written as `\\uXXXX` escapes: the same JSON value, safe to print, to encode as
    UTF-8 and to put in XML."""
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _json(value: Any) -> str:
    return json_text(json.dumps(value, ensure_ascii=False, sort_keys=True, default=str))


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
    node_attrs = _uniform([_xml_attrs(n, ("id",)) for n in node_list])
    edge_attrs = _uniform([_xml_attrs(e, ("source", "target")) for e in edge_list])
    graph: nx.MultiDiGraph[str] = nx.MultiDiGraph(name="Pattern Atlas")
    for n, attrs in zip(node_list, node_attrs, strict=True):
        if gexf:
            # GEXF keeps the label on the element; "start", "end" and "pid" are reserved there.
            attrs = {("attr_" + k if k in ("label", "start", "end", "pid") else k): v for k, v in attrs.items()}
            attrs["label"] = xml_text(str(n.get("name") or n["id"]))
        graph.add_node(xml_text(n["id"]), **attrs)
    for i, (e, attrs) in enumerate(zip(edge_list, edge_attrs, strict=True)):
        if gexf:
            # GEXF's edge "type" means directed/undirected: the relation goes in "edge_type" and the label.
            attrs = {("attr_" + k if k in ("label", "start", "end", "weight", "id", "key") else k): v
                     for k, v in attrs.items()}
            relation = attrs.pop("type", "")
            attrs["edge_type"] = relation
            attrs["label"] = relation
        graph.add_edge(xml_text(str(e["source"])), xml_text(str(e["target"])), key=f"e{i}", **attrs)
    return graph


def _xml_attrs(record: Mapping[str, Any], skip: tuple[str, ...]) -> dict[str, Any]:
    """A node's or edge's attributes as GraphML/GEXF can hold them: scalars, names and text XML-legal."""
    out = {}
    for k, v in record.items():
        if k not in skip:
            v = flatten(v)
            out[xml_text(k)] = xml_text(v) if isinstance(v, str) else v
    return out


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
    graph: nx.MultiDiGraph[str] = nx.MultiDiGraph(name="Pattern Atlas")
    for n in node_list:
        graph.add_node(n["id"], **{k: v for k, v in n.items() if k != "id"})
    for e in _edges(edges, ids):
        graph.add_edge(e["source"], e["target"], key=e.get("type", ""),
                       **{k: v for k, v in e.items() if k not in ("source", "target")})
    data = nx.node_link_data(graph, edges=EDGES)
    return json_text(json.dumps(data, ensure_ascii=False, indent=1, default=str)).encode("utf-8")


def _csv(records: list[dict[str, Any]], first: Sequence[str]) -> bytes:
    columns = [c for c in first if any(c in r for r in records)]
    columns += sorted({k for r in records for k in r} - set(columns))
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")  # RFC 4180; a cell holding CR or LF is quoted
    writer.writerow([csv_cell(c) for c in columns])
    for r in records:
        writer.writerow([("" if r.get(k) is None else csv_cell(flatten(r.get(k)))) for k in columns])
    return _SURROGATE.sub(REPLACEMENT, buf.getvalue()).encode("utf-8")  # UTF-8 cannot hold a lone one


def to_nodes_csv(nodes: Iterable[Mapping[str, Any]]) -> bytes:
    """nodes.csv: id, kind, name, status, authorship, then other attributes (nested ones as JSON)."""
    return _csv(_nodes(nodes), _NODE_FIRST)


def to_edges_csv(edges: Iterable[Mapping[str, Any]], node_ids: Iterable[str] | None = None) -> bytes:
    """edges.csv: source, target, type, description, section, then the rest (provenance as JSON)."""
    edge_list = list(edges)
    ids = set(node_ids) if node_ids is not None else {str(x) for e in edge_list for x in (e["source"], e["target"])}
    return _csv(_edges(edge_list, ids), _EDGE_FIRST)


def to_csv_zip(nodes: Iterable[Mapping[str, Any]], edges: Iterable[Mapping[str, Any]]) -> bytes:
    """A zip with nodes.csv and edges.csv (the edges among the given nodes); the entries' date is fixed
    (1980-01-01), so the same graph always gives the same bytes."""
    node_list = _nodes(nodes)
    ids = {n["id"] for n in node_list}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in (("nodes.csv", to_nodes_csv(node_list)), ("edges.csv", to_edges_csv(edges, ids))):
            # a fixed date (zip's earliest), as reproducible builds do: the same graph, the same bytes
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type, info.external_attr = zipfile.ZIP_DEFLATED, 0o600 << 16
            zf.writestr(info, data)
    return buf.getvalue()


@dataclass(frozen=True)
class ExportFormat:
    """One export format: what the Export page and `python -m graph export` call it and write."""

    label: str
    ext: str
    mime: str
    function: str  # the name of the function in this module that writes it (looked up when called)
    note: str
    binary: bool = False  # not text: a terminal gets it only through a file or a pipe


#: The formats by their `python -m graph export` name, in the Export page's order.
FORMATS: dict[str, ExportFormat] = {
    "graphml": ExportFormat("GraphML", "graphml", "application/graphml+xml", "to_graphml", "Cytoscape, yEd, Gephi"),
    "gexf": ExportFormat("GEXF", "gexf", "application/gexf+xml", "to_gexf", "Gephi"),
    "json": ExportFormat("Node-link JSON", "json", "application/json", "to_node_link_json", "networkx, all fields"),
    "csv": ExportFormat("CSV (zip)", "zip", "application/zip", "to_csv_zip", "nodes.csv + edges.csv", binary=True),
}


def whole_graph(store: "GraphStore") -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every node of the store (with all its fields), ordered by id, and every edge among them."""
    ids = [n["id"] for n in store.list_nodes()]
    found = store.get_nodes(ids)
    return [found[i] for i in ids if i in found], store.edges_among(ids)


def render(fmt: str, nodes: Iterable[Mapping[str, Any]], edges: Iterable[Mapping[str, Any]]) -> bytes:
    """The bytes of `nodes` and `edges` in the format named `fmt` (a key of `FORMATS`)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; known: {', '.join(FORMATS)}")
    return globals()[FORMATS[fmt].function](nodes, edges)
