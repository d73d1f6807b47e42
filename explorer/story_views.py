"""The drawing of one view (a page and its URL state) without Streamlit: what a story step shows and
what the story's HTML export draws.

`step_drawing` decodes the step's parameters against the graph (what it does not hold is left out with a
message, as for any link) and builds the subgraph the page draws for that view: Explore's neighbourhood
(or the whole graph, capped by degree), a card's one-step neighbourhood, the compared patterns with
their shared neighbours, the combination graph with the pair, a path between two nodes. Pages without
a drawing (Query, Differential, Sources, Export) give a drawing with no nodes.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from explorer import urlstate, views
from graph.schema import EDGE_TYPES, NODE_KINDS
from graph.store import STRUCTURAL_EDGES, GraphStore

PAGE_TITLES = {"explore": "Explore", "card": "Pattern card", "compare": "Compare", "combinations": "Combinations",
               "paths": "Paths", "query": "Query", "differential": "Differential", "sources": "Sources",
               "export": "Export"}
#: Most nodes drawn for a step (as the Explore page's default cap).
STEP_CAP = 150


@dataclass
class Drawing:
    """What one view draws: a label, nodes, edges and what to emphasise; `messages` say what was left out."""

    label: str
    nodes: list[dict[str, Any]] = field(default_factory=list)
    edges: list[dict[str, Any]] = field(default_factory=list)
    highlight_nodes: list[str] = field(default_factory=list)
    highlight_edges: list[tuple[str, str]] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)


def step_values(store: GraphStore, page: str, params: Mapping[str, list[str]]) -> tuple[dict[str, Any], list[str]]:
    """The view's values by widget key, checked against the graph, and the messages for what was left out."""
    ids = {n["id"] for n in store.list_nodes()}
    kinds, types = store.counts()
    choices = {key: ids for key in ("explore_centre", "card_pattern", "compare_patterns", "combo_a", "combo_b",
                                    "paths_from", "paths_to")}
    choices.update({"explore_kinds": set(kinds), "explore_types": set(types), "paths_types": set(types)})
    return urlstate.decode(urlstate.fields(page), params, choices)


def step_drawing(store: GraphStore, page: str, params: Mapping[str, list[str]]) -> Drawing:
    """The drawing of one view (see the module docstring)."""
    values, messages = step_values(store, page, params)
    build = _BUILDERS.get(page)
    drawing = build(store, values) if build else Drawing(f"{PAGE_TITLES.get(page, page)} (no drawing)")
    drawing.messages = messages + drawing.messages
    return drawing


def _names(store: GraphStore, ids: list[str]) -> dict[str, str]:
    return {i: n["name"] for i, n in store.get_nodes(ids).items()}


def _explore(store: GraphStore, v: dict[str, Any]) -> Drawing:
    kind_counts, type_counts = store.counts()
    kinds = v.get("explore_kinds") or [k for k in NODE_KINDS if k in kind_counts and k != "Source"]
    types = v.get("explore_types") or [t for t in EDGE_TYPES if t in type_counts and t != "DESCRIBES"]
    cap = v.get("explore_cap") or STEP_CAP
    centre = v.get("explore_centre")
    if centre:
        hops = v.get("explore_hops") or 1
        hood = store.neighbourhood(centre, hops=hops, kinds=kinds, edge_types=types, limit=cap)
        name = _names(store, [centre]).get(centre, centre)
        return Drawing(f"{hops}-hop neighbourhood of {name}", hood["nodes"], hood["edges"], [centre])
    nodes = views.cap_by_degree(store.list_nodes(kinds), store.degrees(kinds, types), cap)
    return Drawing("whole graph", nodes, store.edges_among([n["id"] for n in nodes], types))


def _card(store: GraphStore, v: dict[str, Any]) -> Drawing:
    pid = v.get("card_pattern") or "pattern:insecure"
    if store.get_node(pid) is None:
        return Drawing("no pattern", messages=[f"No node {pid} in this graph."])
    hood = store.neighbourhood(pid, hops=1, limit=STEP_CAP)
    nodes = [n for n in hood["nodes"] if n["kind"] != "Source"]
    edges = [e for e in hood["edges"] if e["type"] != "DESCRIBES"]
    return Drawing(f"1-hop neighbourhood of {_names(store, [pid]).get(pid, pid)}", nodes, edges, [pid])


def _compare(store: GraphStore, v: dict[str, Any]) -> Drawing:
    chosen = (v.get("compare_patterns") or ["pattern:insecure", "pattern:needy", "pattern:self-judging"])[:3]
    if len(chosen) < 2:
        return Drawing("comparison", messages=["A comparison needs two or three patterns."])
    cmp = store.compare(chosen)
    draw_ids, shared = views.compare_subgraph(cmp, per_pattern=8)
    found = store.get_nodes(draw_ids)
    names = _names(store, chosen)
    return Drawing("comparison of " + ", ".join(names.get(p, p) for p in chosen),
                   [found[i] for i in draw_ids if i in found],
                   [e for e in store.edges_among(draw_ids) if e["type"] != "DESCRIBES"], list(chosen) + shared)


def _combinations(store: GraphStore, v: dict[str, Any]) -> Drawing:
    patterns = store.list_nodes(["Pattern"])
    combos = store.edges_among([p["id"] for p in patterns], ["COMBINES_WITH"])
    linked = {x for e in combos for x in (e["source"], e["target"])}
    a, b = v.get("combo_a") or "pattern:insecure", v.get("combo_b") or "pattern:needy"
    pair = views.pair_edges(combos, a, b)
    return Drawing("combination graph", [p for p in patterns if p["id"] in linked], combos, [a, b],
                   [(e["source"], e["target"]) for e in pair])


def _paths(store: GraphStore, v: dict[str, Any]) -> Drawing:
    a, b = v.get("paths_from") or "pattern:insecure", v.get("paths_to") or "pattern:self-judging"
    _, type_counts = store.counts()
    types = v.get("paths_types") or [t for t in EDGE_TYPES if t in type_counts and t not in STRUCTURAL_EDGES]
    shortest = store.shortest_path(a, b, types) if a != b else None
    if shortest is None:
        return Drawing("no path", messages=["No path connects these two nodes along the chosen edge types."])
    simple = store.simple_paths(a, b, max_length=v.get("paths_len") or 2, edge_types=types, limit=25)
    draw_ids = views.paths_node_ids([shortest, *simple["paths"]])
    found = store.get_nodes(draw_ids)
    hl_nodes, hl_edges = views.path_highlight(shortest)
    ends = shortest["nodes"]
    return Drawing(f"paths from {ends[0]['name']} to {ends[-1]['name']}", [found[i] for i in draw_ids if i in found],
                   store.edges_among(draw_ids, types), hl_nodes, hl_edges)


_BUILDERS: dict[str, Callable[[GraphStore, dict[str, Any]], Drawing]] = {
    "explore": _explore, "card": _card, "compare": _compare, "combinations": _combinations, "paths": _paths}
