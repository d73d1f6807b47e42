"""What the network canvas draws: vis-network nodes, edges and options built with pyvis, plus the text
the canvas shows (descriptions, sources, edge sentences), as plain JSON-ready data.

pyvis stays the builder (`Network.add_node` / `add_edge` / `options`); the component in
`explorer.network_component` hands the result to vis-network in the browser. Node size follows the
node's degree in the drawing, edges are coloured and dashed by type (with an edge legend), an edge's
label and hover give the statement's words ("combines: feels insecure about the degree of need"),
parallel edges between a pair curve apart, and every node carries its description and provenance.
All text travels as data and is put into the page as text only (never HTML).
"""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from pyvis.edge import Edge  # type: ignore[import-untyped]
from pyvis.network import Network  # type: ignore[import-untyped]

from explorer.network_style import (
    _HEX,
    _LABEL_INSIDE,
    _label,
    _node_color,
    _places_meta,
    _vis_options,
    legend_items,
    style_for,
)
from graph.narrate import edge_sentence
from graph.schema import EDGE_TYPES

__all__ = ["EDGE_STYLES", "build_payload", "edge_label", "edge_legend", "short_verb"]

#: Edge look per type: colour (Okabe-Ito / Tol, colour-blind safe) and dashes (a second cue besides colour).
EDGE_STYLES: dict[str, dict[str, Any]] = {
    "COMBINES_WITH": {"color": "#0072B2", "dashes": False},
    "DISTINGUISHED_FROM": {"color": "#D55E00", "dashes": [8, 5]},
    "MAY_UNDERLIE": {"color": "#AA4499", "dashes": [3, 4]},
    "MENTIONS": {"color": "#8C8C8C", "dashes": [2, 5]},
    "BLOCKS": {"color": "#CC3311", "dashes": False},
    "DEVELOPS": {"color": "#009E73", "dashes": False},
    "TRANSFORMED_BY": {"color": "#117733", "dashes": [8, 5]},
    "HAS_CORE_ISSUE": {"color": "#E69F00", "dashes": False},
    "ORIGINATES_IN": {"color": "#B8860B", "dashes": [8, 5]},
    "ACTIVATED_BY": {"color": "#CC79A7", "dashes": False},
    "HAS_SUBTYPE": {"color": "#56B4E9", "dashes": False},
    "RELATED_CONCEPT": {"color": "#332288", "dashes": [3, 4]},
    "PLAYS_ROLE": {"color": "#882255", "dashes": [3, 4]},
}
_OTHER_EDGE = {"color": "#9AA5B1", "dashes": False}
_PATH = "#E8590C"
#: Short verbs for edge labels on the canvas; the hover tells the whole sentence.
_SHORT = {"COMBINES_WITH": "combines", "DISTINGUISHED_FROM": "differs", "HAS_SUBTYPE": "subtype",
          "DEVELOPS": "develops", "HAS_CORE_ISSUE": "core issue", "ORIGINATES_IN": "origin",
          "ACTIVATED_BY": "activated by", "RELATED_CONCEPT": "concept", "PLAYS_ROLE": "role",
          "CORRESPONDS_TO": "same as", "IN_DIMENSION": "on dimension", "IN_GROUP": "in group"}
_EDGE_LABEL_MAX = 60
#: Above this many edges the canvas draws them plain: no labels on the lines and no dashes (together they
#: took a 500-node, 3,900-edge drawing from ~0.7 s to ~1.5 s in Chromium); hover and the panel still say
#: each statement, and colour still tells the type.
PLAIN_EDGES = 1000


def short_verb(edge_type: str) -> str:
    """The few words an edge label starts with ("combines", "blocks", "may underlie" ...)."""
    return _SHORT.get(edge_type) or EDGE_TYPES.get(edge_type, (edge_type.lower().replace("_", " "),))[0]


def edge_label(edge: Mapping[str, Any]) -> str:
    """An edge's label in the statement's words: "combines: feels insecure about the degree of need"
    (the description clipped to a readable length), or the verb alone when nothing more is stated."""
    verb = short_verb(str(edge.get("type", "")))
    desc = " ".join(str(edge.get("description") or "").split())
    if not desc or edge.get("type") == "DESCRIBES":
        return verb
    desc = desc[0].lower() + desc[1:] if desc[:1].isupper() and not desc[1:2].isupper() else desc
    text = f"{verb}: {desc}"
    return text if len(text) <= _EDGE_LABEL_MAX else text[: _EDGE_LABEL_MAX - 1].rstrip() + "\u2026"


def edge_legend(types: Collection[str], plain: bool = False) -> list[dict[str, Any]]:
    """Legend rows {"type", "label", "color", "dashes"} for the edge types drawn, in the schema's order
    (`plain`: drawn without dashes)."""
    order = [t for t in EDGE_TYPES if t in types] + sorted(set(types) - EDGE_TYPES.keys())
    rows = [{"type": t, "label": short_verb(t), **EDGE_STYLES.get(t, _OTHER_EDGE)} for t in order]
    return [{**r, "dashes": False} for r in rows] if plain else rows


def _node_size(raw: Mapping[str, Any], degree: int) -> float:
    """A node's own size (Explore's "size by centrality") or one that grows with its degree here."""
    own = raw.get("size")
    if isinstance(own, (int, float)) and not isinstance(own, bool) and own == own:
        return float(min(80, max(4, own)))
    return round(10 + 5 * math.sqrt(min(degree, 100)), 1)


def _add_nodes(net: Network, nodes: Sequence[Mapping[str, Any]], positions: Mapping[str, tuple[float, float]],
               degree: Counter[str], marked: set[str]) -> list[str]:
    """Nodes into pyvis with position, look and their text as `meta`; returns the kinds drawn."""
    kinds = []
    for raw in nodes:
        nid = str(raw.get("id") or "")
        if not nid or nid in net.node_ids:
            continue
        kind, name = str(raw.get("kind") or ""), str(raw.get("name") or nid)
        style = style_for(kind)
        kinds.append(kind)
        own = raw.get("color")
        colour = own if isinstance(own, str) and _HEX.match(own) else str(style["color"])
        x, y = positions.get(nid, (0.0, 0.0))
        options: dict[str, Any] = {
            "x": x, "y": y, "color": _node_color(colour, emphasised=nid in marked),
            "borderWidth": 3.5 if nid in marked else 1.5,
            "meta": {"kind": kind, "name": name, "description": str(raw.get("description") or
                                                                    raw.get("catalogue_description") or ""),
                     **_places_meta(raw), "degree": degree[nid],
                     "highlighted": nid in marked},
        }
        if marked and nid not in marked:  # a path or a comparison is shown: the rest steps back
            options["opacity"] = 0.35
        if style["shape"] in _LABEL_INSIDE:
            options["font"] = {"color": "#1F2933", "strokeWidth": 0}
            options["margin"] = 7
        else:  # hubs' names stay readable when a big drawing is zoomed out to fit
            options["font"] = {"size": round(14 + 2 * math.sqrt(min(degree[nid], 64)))}
            options["size"] = _node_size(raw, degree[nid]) + (4 if nid in marked else 0)
        net.add_node(nid, label=_label(name), shape=style["shape"], **options)
    return kinds


def _curve(pair_total: int, k: int, forward: bool) -> dict[str, Any] | None:
    """The bend of the k-th of `pair_total` edges between one pair: alternate sides, wider each time."""
    if pair_total < 2:
        return None
    clockwise = (k % 2 == 0) == forward
    return {"enabled": True, "type": "curvedCW" if clockwise else "curvedCCW", "roundness": 0.2 + 0.18 * (k // 2)}


def _edge_options(raw: Mapping[str, Any], index: int, names: Mapping[str, str], on_path: bool,
                  plain: bool = False) -> dict[str, Any]:
    etype = str(raw.get("type") or "")
    style = EDGE_STYLES.get(etype, _OTHER_EDGE) if not plain else {**EDGE_STYLES.get(etype, _OTHER_EDGE),
                                                                     "dashes": False}
    colour = _PATH if on_path else style["color"]
    sentence = edge_sentence({**dict(raw), "type": etype, "source": str(raw.get("source")),
                              "target": str(raw.get("target"))}, dict(names))
    return {
        "id": f"e{index}", "label": edge_label(raw), "dashes": style["dashes"], "width": 4 if on_path else 1.6,
        "color": {"color": colour, "hover": colour, "highlight": colour, "inherit": False, "opacity": 0.85},
        "font": {"color": "#8A3406", "size": 12} if on_path else {},
        "meta": {"type": etype, "verb": short_verb(etype), "sentence": sentence,
                 "description": str(raw.get("description") or ""), **_places_meta(raw), "highlighted": on_path},
    }


def _add_edges(net: Network, edges: Sequence[Mapping[str, Any]], names: Mapping[str, str],
               path_pairs: set[tuple[str, str]]) -> tuple[list[str], int]:
    """Edges among drawn nodes into pyvis (parallel ones curved apart); returns (types drawn, skipped)."""
    drawn = set(net.node_ids)
    kept = [e for e in edges if str(e.get("source")) in drawn and str(e.get("target")) in drawn]
    pair_total = Counter(tuple(sorted((str(e["source"]), str(e["target"])))) for e in kept)
    pair_seen: Counter[tuple[str, ...]] = Counter()
    types = []
    for index, raw in enumerate(kept):
        source, target = str(raw["source"]), str(raw["target"])
        pair = tuple(sorted((source, target)))
        on_path = (source, target) in path_pairs
        options = _edge_options(raw, index, names, on_path, len(kept) > PLAIN_EDGES)
        if path_pairs and not on_path:  # off the path: faint, its label only when zoomed far in
            options["color"]["opacity"] = 0.25
            options["scaling"] = {"label": {"drawThreshold": 40}}
        if len(kept) > PLAIN_EDGES and not on_path:
            del options["label"]
        bend = _curve(pair_total[pair] if source != target else 1, pair_seen[pair], source <= target)
        pair_seen[pair] += 1
        if bend:
            options["smooth"] = bend
        types.append(str(raw.get("type") or ""))
        # pyvis's Edge, appended as Network.add_edge does, without its check that both ends exist (a scan
        # of every node per edge: 0.3 s for 4,000 edges): `kept` holds only edges between drawn nodes.
        net.edges.append(Edge(source, target, True, **options).options)
    return types, len(edges) - len(kept)


def build_payload(nodes: Sequence[Mapping[str, Any]], edges: Sequence[Mapping[str, Any]],
                  positions: Mapping[str, tuple[float, float]], *, title: str = "",
                  highlight_nodes: Collection[str] = (), highlight_edges: Collection[tuple[str, str]] = (),
                  actions: Sequence[str] = ()) -> dict[str, Any]:
    """{"nodes", "edges", "options", "config"} for the canvas: vis-network data built by pyvis, laid out at
    `positions` (physics off: the drawing is still and settles at once), with every text as data."""
    path_pairs = {(str(a), str(b)) for a, b in highlight_edges}
    path_pairs |= {(b, a) for a, b in path_pairs}
    marked = {str(n) for n in highlight_nodes} | {x for pair in path_pairs for x in pair}
    ids = {str(n.get("id")) for n in nodes}
    degree: Counter[str] = Counter()
    for e in edges:
        if str(e.get("source")) in ids and str(e.get("target")) in ids:
            degree[str(e["source"])] += 1
            degree[str(e["target"])] += 1
    net = Network(directed=True, cdn_resources="in_line")
    kinds = _add_nodes(net, nodes, positions, degree, marked)
    names = {str(n["id"]): str(n["label"]) for n in net.nodes}
    names.update({str(n.get("id")): str(n.get("name") or n.get("id")) for n in nodes})
    types, skipped = _add_edges(net, edges, names, path_pairs)
    options = _vis_options(len(net.nodes), len(net.edges), False, {})
    options.pop("atlas", None)
    options["physics"] = {"enabled": False}
    options["layout"] = {"improvedLayout": False}
    options["interaction"].update({"hideEdgesOnDrag": False, "hideEdgesOnZoom": False})
    options["edges"]["smooth"] = False if len(net.edges) > 600 else {"enabled": True, "type": "continuous",
                                                                       "roundness": 0.2}
    config = {"title": title, "legend": legend_items(kinds),
              "edgeLegend": edge_legend(set(types), len(types) > PLAIN_EDGES), "actions": list(actions),
              "nodeCount": len(net.nodes), "edgeCount": len(net.edges),
              "skippedEdges": skipped, "emphasis": bool(marked)}
    return {"nodes": net.nodes, "edges": net.edges, "options": options, "config": config}
