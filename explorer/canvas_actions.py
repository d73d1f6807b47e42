"""What the pages do with the network canvas's events: expand in place, and drive the app.

`show` is what pages call (through `explorer.pages.common.draw`): it gives every drawn node its
description and provenance (the whole-graph view's node summaries have neither), adds the
neighbourhoods the user expanded by double-clicking, draws the canvas and follows its events:

* "expand": the node's neighbours join this view (kept until the view itself changes), drawn next
  to it without moving the rest;
* "centre": the Explore page centred on the node; "card": its Pattern card; "compare": the Compare
  page with it (and the centre, when that is another pattern); "path": the Paths page from it.
  Pages are switched with `st.switch_page` and the view in the URL's parameters (`explorer.urlstate`),
  so the target page opens on that node and the address can be shared.
"""
from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping, Sequence
from typing import Any

import streamlit as st

from explorer.network_component import ACTIONS, NetworkEvent, network
from graph.store import GraphStore

__all__ = ["EXPAND_LIMIT", "PAGE_FILES", "enrich", "expanded_view", "follow", "show", "target"]

#: Page file and URL parameters per navigating action.
PAGE_FILES = {"centre": "explorer/pages/explore.py", "card": "explorer/pages/pattern_card.py",
              "compare": "explorer/pages/compare.py", "path": "explorer/pages/paths.py"}
#: Most neighbours one expansion adds (a hub has hundreds).
EXPAND_LIMIT = 40
_HIDDEN_KINDS = ("Source",)
_HIDDEN_TYPES = ("DESCRIBES",)


def enrich(store: GraphStore, nodes: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The nodes with their description and provenance from the store where they lack them (a node's own
    `color` and `size` are kept): the canvas shows both on hover and click, in every view."""
    missing = [str(n["id"]) for n in nodes if "provenance" not in n]
    full = store.get_nodes(missing, sections=False) if missing else {}
    out = []
    for n in nodes:
        extra = full.get(str(n["id"]))
        out.append({**extra, **n, "provenance": extra.get("provenance") or []} if extra else dict(n))
    return out


def _signature(nodes: Sequence[Mapping[str, Any]], edges: Sequence[Mapping[str, Any]]) -> str:
    text = "\n".join(sorted(str(n["id"]) for n in nodes)) + "\0" + "\n".join(
        sorted(f"{e.get('source')}|{e.get('type')}|{e.get('target')}" for e in edges))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def expanded_view(store: GraphStore, key: str, nodes: Sequence[Mapping[str, Any]],
                  edges: Sequence[Mapping[str, Any]], kinds: Collection[str] | None = None,
                  types: Collection[str] | None = None) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The view plus the neighbourhoods expanded in it under `key` (forgotten when the view changes)."""
    memo_key = f"atlas_net_expanded:{key}"
    base = _signature(nodes, edges)
    memo = st.session_state.get(memo_key)
    if not isinstance(memo, dict) or memo.get("base") != base:
        memo = {"base": base, "ids": []}
        st.session_state[memo_key] = memo
    if not memo["ids"]:
        return [dict(n) for n in nodes], [dict(e) for e in edges]
    kind_list = list(kinds) if kinds else None
    type_list = list(types) if types else None
    have = {str(n["id"]): dict(n) for n in nodes}
    for node_id in memo["ids"]:
        if node_id not in have:
            continue
        hood = store.neighbourhood(node_id, hops=1, kinds=kind_list, edge_types=type_list, limit=EXPAND_LIMIT + 1)
        for n in hood["nodes"]:
            if kind_list is None and n.get("kind") in _HIDDEN_KINDS:
                continue
            have.setdefault(str(n["id"]), n)
    ids = list(have)
    all_edges = store.edges_among(ids, type_list)
    if type_list is None:
        all_edges = [e for e in all_edges if e.get("type") not in _HIDDEN_TYPES]
    return list(have.values()), all_edges


def _expand(key: str, node: str) -> None:
    memo = st.session_state.get(f"atlas_net_expanded:{key}")
    if isinstance(memo, dict) and node not in memo["ids"]:
        memo["ids"].append(node)
        st.rerun()


def target(event: NetworkEvent, centre: str | None, kinds: Mapping[str, str]) -> tuple[str, dict[str, Any]] | None:
    """(page file, URL parameters) an event leads to, or None (select, expand). `kinds` maps ids to kinds."""
    node = event.node
    if event.action == "centre":
        return PAGE_FILES["centre"], {"centre": node}
    if event.action == "card":
        return PAGE_FILES["card"], {"pattern": node}
    if event.action == "compare":
        pair = [centre, node] if centre and centre != node and kinds.get(centre) == "Pattern" else [node]
        return PAGE_FILES["compare"], {"patterns": pair}
    if event.action == "path":
        return PAGE_FILES["path"], {"from": node}
    return None


def follow(event: NetworkEvent | None, *, key: str, centre: str | None, kinds: Mapping[str, str]) -> None:
    """Act on a canvas event: expand in place, or switch to the page it asks for (with its view in the URL)."""
    if event is None:
        return
    if event.action == "expand":
        _expand(key, event.node)
        return
    if event.action == "select":
        st.session_state[f"atlas_net_selected:{key}"] = event.node
        return
    goal = target(event, centre, kinds)
    if goal is not None:
        st.switch_page(goal[0], query_params=goal[1])


def show(store: GraphStore, nodes: Sequence[Mapping[str, Any]], edges: Sequence[Mapping[str, Any]], *,
         key: str, title: str = "", height: int = 560, layout: str = "force", centre: str | None = None,
         kinds: Collection[str] | None = None, types: Collection[str] | None = None,
         highlight_nodes: Collection[str] = (), highlight_edges: Collection[tuple[str, str]] = (),
         selected: str | None = None, actions: Sequence[str] | None = None) -> tuple[list[dict], list[dict]]:
    """Draw the canvas for a view (with its expansions) and follow what the user does; returns the nodes
    and edges drawn (for the Export page's "current view")."""
    drawn_nodes, drawn_edges = expanded_view(store, key, nodes, edges, kinds, types)
    drawn_nodes = enrich(store, drawn_nodes)
    event = network(drawn_nodes, drawn_edges, key=key, layout=layout, centre=centre, height=height, title=title,
                    highlight_nodes=highlight_nodes, highlight_edges=highlight_edges, selected=selected,
                    actions=tuple(ACTIONS) if actions is None else actions)
    follow(event, key=key, centre=centre, kinds={str(n["id"]): str(n.get("kind")) for n in drawn_nodes})
    return drawn_nodes, drawn_edges
