"""The shape of a saved graph: the fields and types the loaders write on nodes, edges, provenance
entries, card sections and their lines, checked on every reload of a saved graph (node-link JSON, see
`graph.embedded`, and the compact snapshot, `graph.snapshot`), so a damaged or hand-edited file is refused
and rebuilt instead of giving tracebacks or wrong answers."""
from __future__ import annotations

from typing import Any

from .schema import EDGE_TYPES, NODE_KINDS

#: The key under which node-link JSON lists edges, everywhere it is written or read (networkx's own
#: default, so `networkx.node_link_graph(data)` reads what `python -m loaders -o FILE` and the Export
#: page write).
EDGES = "edges"

# The types of the fields the loaders write on nodes, edges, provenance entries, card sections and their
# lines; a field not listed may hold any JSON value. A saved graph with anything else is refused (and
# the default store rebuilt). The checks are written out for speed: they run on every reload.
_NONE = type(None)
_OPT_STR: frozenset[type] = frozenset({str, _NONE})
_OPT_INT: frozenset[type] = frozenset({int, _NONE})
_OPT_BOOL: frozenset[type] = frozenset({bool, _NONE})
NODE_FIELDS: dict[str, frozenset[type]] = {
    "id": frozenset({str}), "kind": frozenset({str}), "name": frozenset({str}), "provenance": frozenset({list}),
    "sections": frozenset({list, _NONE}), "codes": frozenset({dict, _NONE}), "synonyms": frozenset({list, _NONE}),
    **{k: _OPT_STR for k in ("status", "authorship", "card", "description", "citation", "kind_note",
                             "catalogue_description", "doc_type", "title", "note", "role")},
}
EDGE_FIELDS: dict[str, frozenset[type]] = {
    "source": frozenset({str}), "target": frozenset({str}), "key": frozenset({str}), "type": frozenset({str}),
    "provenance": frozenset({list}), **{k: _OPT_STR for k in ("description", "section", "side", "as_written", "term")},
}
SECTION_FIELDS: dict[str, frozenset[type]] = {
    "heading": frozenset({str}), "heading_status": frozenset({str}), "items": frozenset({list}),
    "key": _OPT_STR, "file": _OPT_STR, "heading_text": _OPT_STR, "reason": _OPT_STR,
    "heading_line": _OPT_INT, "confidence": frozenset({float, int, _NONE})}


def fields_problem(record: dict, types: dict[str, frozenset[type]]) -> str | None:
    for key, value in record.items():
        allowed = types.get(key)
        if allowed is not None and type(value) not in allowed:
            return f"{key!r} has type {type(value).__name__}"
    return None


def places_problem(places: Any) -> str | None:
    if type(places) is not list:
        return f"'provenance' has type {type(places).__name__}"
    for p in places:
        if type(p) is not dict or type(p.get("file")) is not str or type(p.get("text")) is not str \
                or type(p.get("start_line")) is not int or type(p.get("end_line")) is not int \
                or type(p.get("authorship", "")) is not str:
            return "a place is not {file, start_line, end_line, text}"
    return None


def sections_problem(sections: list) -> str | None:
    for sec in sections:
        if type(sec) is not dict or type(sec.get("heading")) is not str \
                or type(sec.get("heading_status")) is not str or type(sec.get("items")) is not list:
            return "a section is not {heading, heading_status, items}"
        problem = fields_problem(sec, SECTION_FIELDS)
        if problem:
            return f"a section's {problem}"
        for item in sec["items"]:
            if type(item) is not dict or type(item.get("line")) is not int or type(item.get("text")) is not str \
                    or type(item.get("raw")) not in _OPT_STR or type(item.get("subheading")) not in _OPT_BOOL:
                return "a section line is not {line, text}"
    return None


def shape_problem(data: Any) -> str | None:
    """What is wrong with node-link JSON (as `save` and `python -m loaders` write it) for this store:
    None when every node and edge has the fields and types the loaders give them."""
    if type(data) is not dict:
        return f"the file holds {type(data).__name__}, not a graph"
    if data.get("directed") is not True or data.get("multigraph") is not True:
        return "not a directed multigraph"
    if type(data.get("graph", {})) is not dict:
        return "'graph' is not an object"
    nodes, links = data.get("nodes"), data.get(EDGES)
    if type(nodes) is not list or type(links) is not list:
        return f"'nodes' has type {type(nodes).__name__} and '{EDGES}' {type(links).__name__}, not list"
    ids: set[str] = set()
    for node in nodes:
        if type(node) is not dict or type(node.get("id")) is not str or not node["id"]:
            return "a node has no id"
        nid = node["id"]
        if nid in ids:
            return f"node {nid!r} is there twice"
        ids.add(nid)
        problem = fields_problem(node, NODE_FIELDS)
        if problem is None and node.get("kind") not in NODE_KINDS:
            problem = "no kind of the schema's"
        if problem is None and "name" not in node:
            problem = "no name"
        if problem is None and "provenance" in node:
            problem = places_problem(node["provenance"])
        if problem is None and node.get("sections"):
            problem = sections_problem(node["sections"])
        if problem:
            return f"node {nid!r}: {problem}"
    seen: set[tuple[str, str, str]] = set()
    for link in links:
        if type(link) is not dict:
            return "an edge is not an object"
        source, target, key = link.get("source"), link.get("target"), link.get("key")
        if type(source) is not str or type(target) is not str or source not in ids or target not in ids:
            return f"an edge's ends are not nodes ({source!r} -> {target!r})"
        if type(key) is not str or key not in EDGE_TYPES or link.get("type", key) != key:
            return f"edge {source!r} -> {target!r} has no type of the schema's"
        if (source, key, target) in seen:
            return f"edge {source!r} -{key}-> {target!r} is there twice"
        seen.add((source, key, target))
        if type(link.get("description")) not in _OPT_STR or type(link.get("section")) not in _OPT_STR \
                or type(link.get("side")) not in _OPT_STR or type(link.get("as_written")) not in _OPT_STR \
                or type(link.get("term")) not in _OPT_STR:
            problem = fields_problem(link, EDGE_FIELDS)
        else:
            problem = places_problem(link["provenance"]) if "provenance" in link else None
        if problem:
            return f"edge {source!r} -{key}-> {target!r}: {problem}"
    return None
