"""How the network drawings look and what they carry: node styles per kind, the legend, the text of
nodes and edges (provenance places, clipped labels), node colours and vis-network's options.

Shared by the offline HTML page (`explorer.network_html`, used by the story export) and the canvas
component's data (`explorer.network_payload`), so both draw a kind and a place the same way.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["DEFAULT_STYLE", "KIND_STYLES", "PROVENANCE_IN_PAGE", "legend_items", "style_for"]

#: Node look per kind. Colours come from the Okabe-Ito and Paul Tol palettes (readable with the
#: common colour-vision deficiencies); kinds that share a shape differ strongly in lightness, and
#: shapes vary so the kind can be told apart without colour. Box and ellipse draw the label inside,
#: so their fills are light.
KIND_STYLES: dict[str, dict] = {
    "Pattern": {"color": "#0072B2", "shape": "dot"},
    "Subtype": {"color": "#56B4E9", "shape": "dot"},
    "Capacity": {"color": "#009E73", "shape": "triangle"},
    "CoreIssue": {"color": "#D55E00", "shape": "diamond"},
    "Origin": {"color": "#E69F00", "shape": "triangleDown"},
    "Condition": {"color": "#CC79A7", "shape": "square"},
    "Concept": {"color": "#332288", "shape": "hexagon"},
    "Role": {"color": "#AA4499", "shape": "star"},
    "Mechanism": {"color": "#44AA99", "shape": "square"},
    "Strategy": {"color": "#117733", "shape": "star"},
    "Example": {"color": "#F3E9A6", "shape": "ellipse"},
    "Source": {"color": "#DDDDDD", "shape": "box"},
    "DimensionGroup": {"color": "#999933", "shape": "hexagon"},
    "Dimension": {"color": "#88CCEE", "shape": "diamond"},
    "Wound": {"color": "#882255", "shape": "triangleDown"},
}

#: The look of a node whose kind is not in `KIND_STYLES`.
DEFAULT_STYLE: dict = {"color": "#8C8C8C", "shape": "dot"}

#: Marker size per kind (shapes that draw the label outside); other kinds use `_BASE_SIZE`.
_KIND_SIZES = {"Pattern": 22, "Subtype": 15, "DimensionGroup": 18}
_BASE_SIZE = 13
_LABEL_INSIDE = {"box", "ellipse", "circle", "database", "text"}

_FONT_STACK = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
_TEXT = "#1F2933"
_EDGE = "#9AA5B1"
_EDGE_HOVER = "#52606D"
_PATH = "#E8590C"
_FADED = "#D9DEE3"

#: Above this many nodes vis's Kamada-Kawai "improved layout" costs seconds, so it is switched off,
#: the live simulation stops after the initial layout, and edges hide while dragging or zooming.
_BIG_GRAPH = 150
_HUGE_GRAPH = 400
_LABEL_MAX = 48


_HEX = re.compile(r"#[0-9A-Fa-f]{6}\Z")


def _own_size(value: Any) -> float | None:
    """A node's own marker size, if it is a number (kept within 4-80), else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        return None
    return float(min(80, max(4, value)))


def style_for(kind: str) -> dict:
    """The `{"color", "shape"}` style of a node kind, `DEFAULT_STYLE` for an unknown kind (a copy)."""
    return dict(KIND_STYLES.get(kind, DEFAULT_STYLE))


def legend_items(kinds: Iterable[str]) -> list[dict]:
    """Legend rows `{"kind", "color", "shape"}` for the given kinds, each once.

    Known kinds come in `KIND_STYLES` order (so the legend is stable whatever order, set or
    generator the caller passes), then unknown kinds alphabetically with the default style.
    """
    wanted = {str(k) for k in kinds if k is not None and str(k) != ""}
    ordered = [k for k in KIND_STYLES if k in wanted] + sorted(wanted - KIND_STYLES.keys())
    return [{"kind": k, **style_for(k)} for k in ordered]


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _line(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number


def _field(item: Any, key: str) -> Any:
    if isinstance(item, Mapping):
        return item.get(key)
    return getattr(item, key, None)


#: Places of provenance written into the page per node or edge. A hub of a big corpus is stated in
#: thousands of places; all of them in every tooltip made a 100-node page of 10,000 cards weigh 8 MB.
#: The page says how many there are; the app's node details list them all.
PROVENANCE_IN_PAGE = 12


def _provenance(places: Any) -> list[dict]:
    """Provenance as `[{"file", "start_line", "end_line", "text"}]` (dicts or objects accepted), the
    first `PROVENANCE_IN_PAGE` places."""
    if not places or isinstance(places, (str, bytes)):
        return []
    out = []
    for place in list(places)[:PROVENANCE_IN_PAGE]:
        out.append(
            {
                "file": _text(_field(place, "file")),
                "start_line": _line(_field(place, "start_line")),
                "end_line": _line(_field(place, "end_line")),
                "text": _text(_field(place, "text")),
            }
        )
    return out


def _count(places: Any) -> int:
    return 0 if not places or isinstance(places, (str, bytes)) else len(places)


def _places_meta(item: Mapping[str, Any]) -> dict[str, Any]:
    """What a drawn node or edge carries of its provenance: the first `PROVENANCE_IN_PAGE` places and
    how many there are."""
    places = item.get("provenance")
    return {"provenance": _provenance(places), "provenance_total": _count(places)}


def _label(name: str) -> str:
    name = " ".join(name.split())
    return name if len(name) <= _LABEL_MAX else name[: _LABEL_MAX - 1].rstrip() + "\u2026"


def _shade(hex_color: str, factor: float) -> str:
    """Darken (factor < 1) or lighten (factor > 1, towards white) a #rrggbb colour."""
    value = hex_color.lstrip("#")
    r, g, b = (int(value[i : i + 2], 16) for i in (0, 2, 4))
    if factor <= 1:
        r, g, b = (round(c * factor) for c in (r, g, b))
    else:
        t = min(factor - 1, 1)
        r, g, b = (round(c + (255 - c) * t) for c in (r, g, b))
    return f"#{r:02X}{g:02X}{b:02X}"


def _node_color(color: str, *, emphasised: bool) -> dict:
    border = _shade(color, 0.62)
    return {
        "background": color,
        "border": _PATH if emphasised else border,
        "highlight": {"background": _shade(color, 1.25), "border": "#111111"},
        "hover": {"background": _shade(color, 1.15), "border": "#111111"},
    }



def _vis_options(n_nodes: int, n_edges: int, physics: bool, config: dict) -> dict:
    """vis-network options sized for the graph; the page's own settings ride along as `atlas`."""
    big = n_nodes > _BIG_GRAPH
    huge = n_nodes > _HUGE_GRAPH
    return {
        "autoResize": True,
        "nodes": {
            "borderWidth": 1.5,
            "borderWidthSelected": 3,
            "font": {
                "face": _FONT_STACK,
                "size": 16,
                "color": _TEXT,
                "strokeWidth": 3,
                "strokeColor": "#FFFFFF",
            },
            "widthConstraint": {"maximum": 200},
        },
        "edges": {
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
            "color": {"color": _EDGE, "hover": _EDGE_HOVER, "highlight": "#1F2933", "inherit": False},
            "width": 1.2,
            "hoverWidth": 0.8,
            "selectionWidth": 1.5,
            "font": {
                "face": _FONT_STACK,
                "size": 10,
                "color": "#6B7785",
                "strokeWidth": 3,
                "strokeColor": "#FFFFFF",
                "align": "horizontal",
            },
            # Edge labels appear once zoomed in far enough to read them (hidden below ~7 px on
            # screen), so an overview stays clean; hovering an edge always shows its type.
            "scaling": {"label": {"drawThreshold": 8}},
            "smooth": False if n_edges > 600 else {"enabled": True, "type": "continuous", "roundness": 0.25},
        },
        "physics": _physics_options(n_nodes, physics),
        "layout": {"improvedLayout": not big, "randomSeed": 42},
        "interaction": {
            "hover": True,
            "tooltipDelay": 120,
            "hideEdgesOnDrag": big,
            "hideEdgesOnZoom": huge,
            "navigationButtons": False,
            "keyboard": {"enabled": False},
            "multiselect": False,
            "selectConnectedEdges": True,
        },
        "atlas": config,
    }



def _physics_options(n_nodes: int, physics: bool) -> dict:
    """The force simulation's settings: weaker and shorter for big graphs (it always runs once to lay out)."""
    big = n_nodes > _BIG_GRAPH
    huge = n_nodes > _HUGE_GRAPH
    iterations = 400 if not big else (150 if not huge else 60)
    return {
        "enabled": bool(physics),
        "solver": "forceAtlas2Based",
        "forceAtlas2Based": {
            "gravitationalConstant": -90 if not big else -50,
            "centralGravity": 0.015,
            "springLength": 100 if not big else 80,
            "springConstant": 0.05,
            "damping": 0.5,
            "avoidOverlap": 0.6 if not big else 0.1,
        },
        "maxVelocity": 60,
        "minVelocity": 0.8,
        "timestep": 0.45,
        "stabilization": {"enabled": True, "iterations": iterations, "updateInterval": 20, "fit": True},
    }
