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
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

import pyvis  # type: ignore[import-untyped]
from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template
from markupsafe import Markup
from pyvis.network import Network  # type: ignore[import-untyped]

from explorer.network_style import (
    _BASE_SIZE,
    _EDGE,
    _FADED,
    _HEX,
    _KIND_SIZES,
    _LABEL_INSIDE,
    _PATH,
    _TEXT,
    DEFAULT_STYLE,
    KIND_STYLES,
    PROVENANCE_IN_PAGE,
    _label,
    _node_color,
    _own_size,
    _places_meta,
    _text,
    _vis_options,
    legend_items,
    style_for,
)

__all__ = [
    "DEFAULT_STYLE",
    "KIND_STYLES",
    "PROVENANCE_IN_PAGE",
    "legend_items",
    "render_network",
    "style_for",
]

_TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
_TEMPLATE_NAME = "network.html"
_VIS_DIR = Path(pyvis.__file__).resolve().parent / "lib" / "vis-9.1.2"

# Characters that must not appear raw in JSON embedded in an HTML <script> element: "<" and ">"
# (no "</script>", "<!--" or "-->"), "&" (defence in depth) and the JS line separators.
_SCRIPT_ESCAPES = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)



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



@dataclass
class _Emphasis:
    """What a drawing emphasises: highlighted nodes, path edges (both ways round), the selected node;
    `seen` collects the ids drawn."""

    nodes: set[str]
    pairs: set[tuple[str, str]]
    selected: str | None
    seen: set[str] = field(default_factory=set)

    @property
    def on(self) -> bool:
        return bool(self.nodes or self.pairs)


def _emphasis(highlight_nodes: Collection[str], highlight_edges: Collection[tuple[str, str]],
              selected: str | None) -> _Emphasis:
    """Path edges match in either direction and their ends count as highlighted."""
    nodes = {str(n) for n in highlight_nodes}
    pairs: set[tuple[str, str]] = set()
    for pair in highlight_edges:
        a, b = (str(x) for x in pair)
        pairs.update({(a, b), (b, a)})
        nodes.update((a, b))
    return _Emphasis(nodes, pairs, None if selected is None else str(selected))


def _html_nodes(net: Network, nodes: list[dict], em: _Emphasis) -> list[str]:
    """Nodes into pyvis with their look and their text as `meta` (duplicate ids keep the first); returns
    the kinds drawn. `em.seen` collects the ids drawn."""
    seen = em.seen
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
        highlighted = nid in em.nodes
        is_selected = nid == em.selected
        faded = em.on and not highlighted and not is_selected
        size = _own_size(raw.get("size")) or _KIND_SIZES.get(kind, _BASE_SIZE)
        size += 4 if highlighted else 0
        own = raw.get("color")
        colour = own if isinstance(own, str) and _HEX.match(own) else str(style["color"])
        options: dict[str, Any] = {
            "color": _node_color(colour, emphasised=highlighted),
            "borderWidth": 3.5 if highlighted or is_selected else 1.5,
            "meta": {
                "kind": kind,
                "name": name,
                "description": _text(raw.get("description")),
                **_places_meta(raw),
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
    return kinds


def _html_edge_options(raw: dict, index: int, highlighted: bool, faded: bool) -> dict:
    """One edge's vis options and its text as `meta`: on a path it is orange and labelled, off it faint."""
    etype = _text(raw.get("type"))
    options: dict[str, Any] = {
        "id": f"e{index}",
        "label": etype,
        "meta": {
            "type": etype,
            "description": _text(raw.get("description")),
            **_places_meta(raw),
            "highlighted": highlighted,
            "faded": faded,
        },
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
    return options


def _html_edges(net: Network, edges: list[dict], em: _Emphasis) -> tuple[int, int]:
    """Edges between drawn nodes into pyvis, parallel ones curved apart; returns (drawn, skipped)."""
    kept: list[tuple[str, str, dict]] = []
    skipped = 0
    for raw in edges:
        source, target = _text(raw.get("source")), _text(raw.get("target"))
        if source not in em.seen or target not in em.seen:
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
        highlighted = (source, target) in em.pairs
        faded = em.on and not highlighted
        options = _html_edge_options(raw, index, highlighted, faded)
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
        net.add_edge(source, target, **options)
    return len(kept), skipped


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
    em = _emphasis(highlight_nodes, highlight_edges, selected)
    net = Network(height=f"{height}px", width="100%", directed=True, cdn_resources="in_line")
    kinds = _html_nodes(net, nodes, em)
    drawn, skipped = _html_edges(net, edges, em)
    config = {
        "height": height,
        "livePhysics": bool(physics),
        "selected": em.selected if em.selected in em.seen else None,
        "emphasis": em.on,
        "legend": legend_items(kinds),
        "nodeCount": len(em.seen),
        "edgeCount": drawn,
        "skippedEdges": skipped,
    }
    net.options = _vis_options(len(em.seen), drawn, physics, config)

    # Render in memory through the project's template: pyvis's generate_html() renders
    # `templateEnv.get_template(path)` (or `self.template` in notebook mode), so both point at it.
    net.templateEnv = _environment()
    net.template_dir = str(_TEMPLATE_DIR)
    net.path = _TEMPLATE_NAME
    net.template = _template()
    return str(net.generate_html(name="atlas-network.html"))
