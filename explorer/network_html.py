"""A self-contained, offline, XSS-safe interactive network page built with pyvis.

`render_network` turns graph nodes and edges into one HTML string that the Streamlit app embeds with
`st.iframe(html, height=...)`. The page is built with pyvis's `Network` and rendered in memory with
`generate_html()` through the project's own Jinja template (`explorer/templates/network.html`), so:

* it works offline: vis-network's JavaScript and CSS are inlined from pyvis's packaged copy, and the
  page loads nothing from the network (no CDN, no Bootstrap, no web fonts);
* it is safe with hostile text: all card text travels as JSON inside `<script type="application/json">`
  blocks with `<`, `>`, `&`, U+2028 and U+2029 escaped, and the page's script puts it into the DOM
  only through `textContent` (tooltips are DOM elements, never vis's HTML-string titles);
* it writes nothing: `show()`/`write_html()` (which copy a `lib/` folder into the working directory)
  are never called.
"""
from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

import pyvis
from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template
from markupsafe import Markup
from pyvis.network import Network

__all__ = [
    "DEFAULT_STYLE",
    "KIND_STYLES",
    "legend_items",
    "render_network",
    "style_for",
]

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

_TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
_TEMPLATE_NAME = "network.html"
_VIS_DIR = Path(pyvis.__file__).resolve().parent / "lib" / "vis-9.1.2"

# Characters that must not appear raw in JSON embedded in an HTML <script> element: "<" and ">"
# (no "</script>", "<!--" or "-->"), "&" (defence in depth) and the JS line separators.
_SCRIPT_ESCAPES = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


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


# --------------------------------------------------------------------------------------------
# Template and inlined assets
# --------------------------------------------------------------------------------------------


class _VisAssets(NamedTuple):
    js: Markup
    css: Markup


@lru_cache(maxsize=1)
def _vis_assets() -> _VisAssets:
    """vis-network's JS and CSS from pyvis's packaged copy, read once, safe to inline."""
    js = (_VIS_DIR / "vis-network.min.js").read_text(encoding="utf-8")
    css = (_VIS_DIR / "vis-network.css").read_text(encoding="utf-8")
    # Neither file contains these today; make sure a future copy cannot end its element early.
    js = js.replace("</script", "<\\/script").replace("</SCRIPT", "<\\/SCRIPT")
    css = css.replace("</style", "<\\/style").replace("</STYLE", "<\\/STYLE")
    return _VisAssets(Markup(js), Markup(css))


def _script_json(value: Any) -> Markup:
    """JSON for the body of a <script> element: cannot close the element or break the JS."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=str)
    return Markup(text.translate(_SCRIPT_ESCAPES))


def _script_json_text(text: str) -> Markup:
    """Already-serialised JSON (pyvis's `options` string), escaped like `_script_json`."""
    json.loads(text)  # fail loudly rather than embed something that is not JSON
    return Markup(text.translate(_SCRIPT_ESCAPES))


@lru_cache(maxsize=1)
def _environment() -> Environment:
    """The Jinja environment holding the project's template (autoescaping, strict variables)."""
    env = Environment(
        loader=FileSystemLoader(str(_TEMPLATE_DIR)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["script_json"] = _script_json
    env.filters["script_json_text"] = _script_json_text
    env.globals["vis_assets"] = _vis_assets
    return env


def _template() -> Template:
    return _environment().get_template(_TEMPLATE_NAME)


# --------------------------------------------------------------------------------------------
# Data normalisation
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------------


def _vis_options(n_nodes: int, n_edges: int, physics: bool, config: dict) -> dict:
    """vis-network options sized for the graph; the page's own settings ride along as `atlas`."""
    big = n_nodes > _BIG_GRAPH
    huge = n_nodes > _HUGE_GRAPH
    iterations = 400 if not big else (150 if not huge else 60)
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
        "physics": {
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
        },
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


def render_network(
    nodes: list[dict],
    edges: list[dict],
    *,
    height: int = 620,
    physics: bool = True,
    highlight_nodes: Collection[str] = (),
    highlight_edges: Collection[tuple[str, str]] = (),
    selected: str | None = None,
) -> str:
    """Render nodes and edges as one self-contained, offline HTML page (a string).

    nodes: dicts with `id`, `kind`, `name`, optional `description` and `provenance`
        (`[{"file", "start_line", "end_line", "text"}]`). Duplicate ids keep the first. An optional
        `color` (`#rrggbb`) replaces the kind's colour and `size` (a number, 4-80) the kind's marker
        size (the Explore page's "colour by community" and "size by centrality"); the shape stays.
    edges: dicts with `source`, `target`, `type`, optional `description` and `provenance`.
        Edges whose ends are not among `nodes` are skipped (the app caps the nodes it draws).
    height: total page height in CSS pixels (toolbar + canvas; the details panel sits beside the
        canvas), so the page fits `st.iframe(html, height=height)` exactly.
    physics: keep the force simulation running after the initial layout (it always runs once to
        lay the graph out); the page has a toggle button either way.
    highlight_nodes, highlight_edges: a path to emphasise; edges match in either direction and
        their ends count as highlighted. Everything else is faded.
    selected: a node id to select, focus and show in the details panel.

    Why: the app shows untrusted card text, runs offline and embeds the page in an iframe that
    shares its origin, so the page must not load anything, must not interpret text as HTML and
    must not touch the disk.
    """
    height = max(240, int(height))
    hl_nodes = {str(n) for n in highlight_nodes}
    hl_pairs: set[tuple[str, str]] = set()
    for pair in highlight_edges:
        a, b = (str(x) for x in pair)
        hl_pairs.add((a, b))
        hl_pairs.add((b, a))
        hl_nodes.update((a, b))
    emphasis = bool(hl_nodes or hl_pairs)
    selected_id = None if selected is None else str(selected)

    # Nodes ------------------------------------------------------------------------------------
    net = Network(height=f"{height}px", width="100%", directed=True, cdn_resources="in_line")
    seen: set[str] = set()
    kinds: list[str] = []
    for raw in nodes:
        nid = _text(raw.get("id"))
        if not nid or nid in seen:
            continue
        seen.add(nid)
        kind = _text(raw.get("kind"))
        name = _text(raw.get("name")) or nid
        style = style_for(kind)
        kinds.append(kind)
        highlighted = nid in hl_nodes
        is_selected = nid == selected_id
        faded = emphasis and not highlighted and not is_selected
        size = _own_size(raw.get("size")) or _KIND_SIZES.get(kind, _BASE_SIZE)
        size += 4 if highlighted else 0
        colour = raw.get("color") if isinstance(raw.get("color"), str) and _HEX.match(raw["color"]) else style["color"]
        options: dict[str, Any] = {
            "color": _node_color(colour, emphasised=highlighted),
            "borderWidth": 3.5 if highlighted or is_selected else 1.5,
            "meta": {
                "kind": kind,
                "name": name,
                "description": _text(raw.get("description")),
                "provenance": _provenance(raw.get("provenance")),
                "provenance_total": _count(raw.get("provenance")),
                "highlighted": highlighted,
                "selected": is_selected,
                "faded": faded,
            },
        }
        if style["shape"] in _LABEL_INSIDE:
            options["font"] = {"color": _TEXT, "strokeWidth": 0}
            options["margin"] = 7
        else:
            options["size"] = size
        if faded:
            options["opacity"] = 0.22
            options["font"] = {**options.get("font", {}), "color": "#B8C0C8"}
        net.add_node(nid, label=_label(name), shape=style["shape"], **options)

    # Edges ------------------------------------------------------------------------------------
    kept: list[tuple[str, str, dict]] = []
    skipped = 0
    for raw in edges:
        source, target = _text(raw.get("source")), _text(raw.get("target"))
        if source not in seen or target not in seen:
            skipped += 1
            continue
        kept.append((source, target, raw))

    # Parallel edges between the same two nodes get distinct curves so their labels do not overlap.
    pair_count: dict[tuple[str, str], int] = {}
    for source, target, _ in kept:
        key = (source, target) if source <= target else (target, source)
        pair_count[key] = pair_count.get(key, 0) + 1
    pair_seen: dict[tuple[str, str], int] = {}

    for index, (source, target, raw) in enumerate(kept):
        etype = _text(raw.get("type"))
        highlighted = (source, target) in hl_pairs
        faded = emphasis and not highlighted
        options = {
            "id": f"e{index}",
            "label": etype,
            "meta": {
                "type": etype,
                "description": _text(raw.get("description")),
                "provenance": _provenance(raw.get("provenance")),
                "provenance_total": _count(raw.get("provenance")),
                "highlighted": highlighted,
                "faded": faded,
            },
        }
        key = (source, target) if source <= target else (target, source)
        if pair_count[key] > 1 and source != target:
            k = pair_seen.get(key, 0)
            pair_seen[key] = k + 1
            side_cw = (k % 2 == 0) == (source <= target)
            options["smooth"] = {
                "enabled": True,
                "type": "curvedCW" if side_cw else "curvedCCW",
                "roundness": 0.18 + 0.16 * (k // 2),
            }
        if highlighted:
            options["color"] = {"color": _PATH, "hover": _PATH, "highlight": _PATH, "inherit": False}
            options["width"] = 4
            options["font"] = {"color": "#8A3406", "size": 11}
            options["scaling"] = {"label": {"drawThreshold": 0}}  # path labels stay readable
        elif faded:
            options["color"] = {"color": _FADED, "hover": _EDGE, "highlight": _EDGE, "inherit": False}
            options["font"] = {"color": "#AEB7C0"}
            options["scaling"] = {"label": {"drawThreshold": 40}}  # off the path: label only when zoomed far in
        net.add_edge(source, target, **options)

    config = {
        "height": height,
        "livePhysics": bool(physics),
        "selected": selected_id if selected_id in seen else None,
        "emphasis": emphasis,
        "legend": legend_items(kinds),
        "nodeCount": len(seen),
        "edgeCount": len(kept),
        "skippedEdges": skipped,
    }
    net.options = _vis_options(len(seen), len(kept), physics, config)

    # Render in memory through the project's template: pyvis's generate_html() renders
    # `templateEnv.get_template(path)` (or `self.template` in notebook mode), so both point at it.
    net.templateEnv = _environment()
    net.template_dir = str(_TEMPLATE_DIR)
    net.path = _TEMPLATE_NAME
    net.template = _template()
    return net.generate_html(name="atlas-network.html")

