"""The network canvas as a two-way Streamlit component: vis-network draws, Python hears what the user did.

    event = network(nodes, edges, key="explore_net", layout="force", centre=centre_id)
    if event and event.action == "expand": ...

`network` draws nodes and edges (the store's dicts: `id`, `kind`, `name`, optional `description`,
`provenance`, `color`, `size`; edges `source`, `target`, `type`, optional `description`, `provenance`)
in a custom component (`streamlit.components.v1.declare_component`, a static page in
`explorer/network_frontend/` plus vis-network's JS and CSS from pyvis's packaged copy: offline, no
build step). In the canvas:

* click a node: its details (description, the places in the sources that state it, its connections)
  show beside the drawing at any width; the click is also sent to Python ("select");
* double-click a node: "expand" (the caller adds its neighbourhood; see `explorer.canvas_actions`);
* right-click a node, or the buttons in its details: "centre", "card", "compare", "path", "expand";
* typing in the search box highlights matching nodes and dims the rest; clicking a legend entry hides
  or shows a kind; Fullscreen (larger labels), PNG and SVG export of the drawing.

Positions are computed in Python once per view (`explorer.network_layout`, seeded) and kept across
reruns and expansions: nodes already drawn under the same `key`, layout and centre stay where they
were, and new nodes are placed next to the node they hang from. Physics is off, so the drawing is
still and settles as soon as it is drawn.

Every action comes back once, as a `NetworkEvent`; reruns that are not caused by the canvas get None.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from collections.abc import Collection, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

import pyvis  # type: ignore[import-untyped]
import streamlit as st
from streamlit.components.v1 import declare_component

from explorer.network_layout import LAYOUTS, Positions, extend, layout_positions
from explorer.network_payload import build_payload

__all__ = ["ACTIONS", "LAYOUTS", "NetworkEvent", "component_dir", "network", "positions_for"]

#: What a node's context menu offers, in order: action -> words shown.
ACTIONS: dict[str, str] = {"centre": "Centre here", "expand": "Expand neighbours", "card": "Open card",
                           "compare": "Compare with\u2026", "path": "Path from here"}

_FRONTEND = Path(__file__).resolve().parent / "network_frontend"
_VIS = Path(pyvis.__file__).resolve().parent / "lib" / "vis-9.1.2"
_VIS_FILES = ("vis-network.min.js", "vis-network.css")


class NetworkEvent(NamedTuple):
    """What the user did in the canvas: `action` is "select", "expand" or one of `ACTIONS`, `node` the id."""

    action: str
    node: str


def component_dir() -> Path:
    """The folder the component is served from: the project's page and script with vis-network's JS and
    CSS beside them (the component server serves one folder and refuses links out of it). Built under the
    temporary folder, named by a digest of what it holds, so it is never stale, and built again if a
    temporary-file cleaner removed it while the app ran."""
    target, sources = _target()
    if not (target / "index.html").is_file():
        staging = Path(tempfile.mkdtemp(prefix="pattern-atlas-network-"))
        for path in sources:
            shutil.copyfile(path, staging / path.name)
        try:
            staging.rename(target)
        except OSError:  # another process built it first: theirs is the same
            shutil.rmtree(staging, ignore_errors=True)
    return target


@lru_cache(maxsize=1)
def _target() -> tuple[Path, tuple[Path, ...]]:
    """(the folder's path, the files it holds), the path named by a digest of their bytes."""
    sources = tuple(p for p in sorted(_FRONTEND.iterdir()) if p.is_file()) + tuple(_VIS / f for f in _VIS_FILES)
    digest = hashlib.sha256()
    for path in sources:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return Path(tempfile.gettempdir()) / f"pattern-atlas-network-{digest.hexdigest()[:16]}", sources


@lru_cache(maxsize=1)
def _component() -> Any:
    return declare_component("atlas_network", path=str(component_dir()))


def _pairs(edges: Sequence[Mapping[str, Any]]) -> list[tuple[str, str]]:
    return [(str(e.get("source")), str(e.get("target"))) for e in edges]


def positions_for(nodes: Sequence[Mapping[str, Any]], edges: Sequence[Mapping[str, Any]], *, key: str,
                  layout: str = "force", centre: str | None = None) -> Positions:
    """Positions kept per canvas `key`: when the layout and centre are unchanged and at least half the
    nodes were drawn before, those keep their places and the others are placed beside their neighbours
    (an expansion); otherwise the view is laid out afresh (deterministic, cached)."""
    ids = [str(n.get("id")) for n in nodes]
    memo_key = f"atlas_net_positions:{key}"
    memo = st.session_state.get(memo_key)
    pairs = _pairs(edges)
    same_view = isinstance(memo, dict) and memo.get("layout") == layout and memo.get("centre") == centre
    known = {i: tuple(p) for i, p in (memo or {}).get("positions", {}).items()} if same_view else {}
    if known and sum(i in known for i in ids) * 2 >= len(ids):
        positions = extend(known, ids, pairs)
    else:
        positions = layout_positions(ids, pairs, layout, centre)
    st.session_state[memo_key] = {"layout": layout, "centre": centre, "positions": positions}
    return positions


def _digest(payload: Mapping[str, Any]) -> str:
    text = json.dumps(payload, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def network(nodes: Sequence[Mapping[str, Any]], edges: Sequence[Mapping[str, Any]], *, key: str,
            layout: str = "force", centre: str | None = None,
            positions: Mapping[str, tuple[float, float]] | None = None, height: int = 620, title: str = "",
            highlight_nodes: Collection[str] = (), highlight_edges: Collection[tuple[str, str]] = (),
            selected: str | None = None,
            actions: Sequence[str] = tuple(ACTIONS)) -> NetworkEvent | None:
    """Draw the network canvas and return what the user just did in it (once), or None.

    key: names this canvas (its widget and its remembered positions); one per view, e.g. "explore_net".
    layout: "force", "hierarchical" or "radial" (around `centre`); positions: given positions win.
    height: the canvas height in CSS pixels (toolbar included; the details panel sits beside it).
    highlight_nodes, highlight_edges: a path to emphasise (edges match either way round).
    selected: a node to select and show in the details panel when the drawing appears.
    actions: which of `ACTIONS` the node menu offers (e.g. leave out "card" where there are no cards).
    """
    if positions is None:
        positions = positions_for(nodes, edges, key=key, layout=layout, centre=centre)
    payload = build_payload(nodes, edges, positions, title=title, highlight_nodes=highlight_nodes,
                            highlight_edges=highlight_edges, actions=[a for a in actions if a in ACTIONS])
    payload["config"]["actionLabels"] = ACTIONS
    payload["config"]["selected"] = str(selected) if selected is not None else None
    payload["config"]["centre"] = str(centre) if centre is not None else None
    payload["version"] = _digest(payload)
    component_dir()  # the served folder is there (rebuilt if something removed it)
    value = _component()(graph=payload, height=int(height), key=key, default=None)
    return _fresh_event(key, value)


def _fresh_event(key: str, value: Any) -> NetworkEvent | None:
    """The component's value as an event the first time it is seen (each carries a sequence number)."""
    if not isinstance(value, Mapping) or not value.get("seq"):
        return None
    seen_key = f"atlas_net_seen:{key}"
    if st.session_state.get(seen_key) == value["seq"]:
        return None
    st.session_state[seen_key] = value["seq"]
    action, node = str(value.get("action") or ""), str(value.get("node") or "")
    if action not in ACTIONS and action != "select" or not node:
        return None
    return NetworkEvent(action, node)
