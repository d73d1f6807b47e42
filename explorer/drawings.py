"""The drawing of one view (a page and its URL state): what the pages draw, and what a story step and the
story's HTML export draw, from one set of functions so they cannot drift apart.

The `*_view` functions build a page's subgraph from what the page has chosen: Explore's neighbourhood (or the
whole graph, capped by degree), a card's one-step neighbourhood, the compared patterns with their shared
neighbours, the combination graph with the pair, the paths between two nodes. `step_drawing` decodes a
story step's parameters against the graph (what it does not hold is left out with a message, as for any
link) and calls them; pages without a drawing (Query, Differential, Sources, Export) give no nodes.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from explorer import urlstate, views
from graph.schema import EDGE_TYPES, NODE_KINDS
from graph.store import STRUCTURAL_EDGES, GraphStore

PAGE_TITLES = {"explore": "Explore", "card": "Pattern card", "compare": "Compare", "combinations": "Combinations",
               "paths": "Paths", "query": "Query", "differential": "Differential", "sources": "Sources",
               "export": "Export"}
#: Most nodes drawn for a view (as the Explore page's default cap, and the card's neighbourhood).
STEP_CAP = 150
#: Paths drawn at once on the Paths page (the others are listed).
PATHS_DRAWN = 25
#: Most patterns on the first page's pattern map (a corpus of thousands of cards shows its best connected).
MAP_CAP = 40


@dataclass
class Drawing:
    """What one view draws: a label, nodes, edges, what to emphasise and how to lay it out; `total` counts
    the nodes there were to draw, `messages` say what was left out."""

    label: str
    nodes: list[dict[str, Any]] = field(default_factory=list)
    edges: list[dict[str, Any]] = field(default_factory=list)
    highlight_nodes: list[str] = field(default_factory=list)
    highlight_edges: list[tuple[str, str]] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    layout: str = "force"
    centre: str | None = None
    total: int = 0


def explore_view(store: GraphStore, centre: str | None, hops: int, kinds: Sequence[str], types: Sequence[str],
                 cap: int) -> Drawing:
    """A node's neighbourhood, or the whole graph's `cap` best-connected nodes and the edges among them."""
    if centre:
        hood = store.neighbourhood(centre, hops=hops, kinds=list(kinds), edge_types=list(types), limit=cap)
        name = _names(store, [centre]).get(centre, centre)
        return Drawing(f"{hops}-hop neighbourhood of {name}", hood["nodes"], hood["edges"], centre=centre,
                       total=hood["total"])
    listed = store.list_nodes(list(kinds))
    # rank by degree first, then fetch only the drawn nodes' edges (not every edge of the graph)
    nodes = views.cap_by_degree(listed, store.degrees(list(kinds), list(types)), cap)
    return Drawing("whole graph", nodes, store.edges_among([n["id"] for n in nodes], list(types)), total=len(listed))


def card_view(store: GraphStore, pid: str, name: str) -> Drawing:
    """A pattern's one-step neighbourhood (without sources), laid out in rings around it."""
    hood = store.neighbourhood(pid, hops=1, limit=STEP_CAP)
    nodes = [n for n in hood["nodes"] if n["kind"] != "Source"]
    edges = [e for e in hood["edges"] if e["type"] != "DESCRIBES"]
    return Drawing(f"1-hop neighbourhood of {name}", nodes, edges, layout="radial", centre=pid, total=len(nodes))


def compare_view(store: GraphStore, cmp: Mapping[str, Any], chosen: Sequence[str], names: Mapping[str, str]) -> Drawing:
    """The compared patterns, their shared neighbours (highlighted) and up to 8 neighbours unique to each."""
    draw_ids, shared = views.compare_subgraph(cmp, per_pattern=8)
    found = store.get_nodes(draw_ids, sections=False)
    return Drawing("comparison of " + ", ".join(names.get(p, p) for p in chosen),
                   [found[i] for i in draw_ids if i in found],
                   [e for e in store.edges_among(draw_ids) if e["type"] != "DESCRIBES"], list(chosen) + shared)


def combination_view(patterns: Sequence[dict[str, Any]], combos: Sequence[dict[str, Any]], a: str, b: str) -> Drawing:
    """The patterns that combine with any other, every combination, and the pair `a`, `b` highlighted."""
    linked = {x for e in combos for x in (e["source"], e["target"])}
    pair = views.pair_edges(combos, a, b)
    return Drawing("combination graph", [p for p in patterns if p["id"] in linked], list(combos), [a, b],
                   [(e["source"], e["target"]) for e in pair])


def paths_view(store: GraphStore, paths: Sequence[Mapping[str, Any]], chosen: Mapping[str, Any],
               types: Sequence[str]) -> Drawing:
    """The first PATHS_DRAWN paths' nodes and the edges among them along `types`, `chosen` highlighted,
    laid out in layers from its start."""
    hl_nodes, hl_edges = views.path_highlight(chosen)
    draw_ids = views.paths_node_ids(paths[:PATHS_DRAWN])
    found = store.get_nodes(draw_ids, sections=False)
    ends = chosen["nodes"]
    return Drawing(f"paths from {ends[0]['name']} to {ends[-1]['name']}", [found[i] for i in draw_ids if i in found],
                   store.edges_among(draw_ids, list(types)), hl_nodes, hl_edges, layout="hierarchical",
                   centre=ends[0]["id"], total=len(paths))


def step_values(store: GraphStore, page: str, params: Mapping[str, list[str]]) -> tuple[dict[str, Any], list[str]]:
    """The view's values by widget key, checked against the graph, and the messages for what was left out."""
    ids = {n["id"] for n in store.list_nodes()}
    kinds, types = store.counts()
    choices: dict[str, Any] = {key: ids for key in ("explore_centre", "card_pattern", "compare_patterns", "combo_a",
                                                    "combo_b", "paths_from", "paths_to")}
    choices.update({"explore_kinds": set(kinds), "explore_types": set(types), "paths_types": set(types)})
    return urlstate.decode(urlstate.fields(page), params, choices)


def step_drawing(store: GraphStore, page: str, params: Mapping[str, list[str]]) -> Drawing:
    """The drawing of one story step (see the module docstring)."""
    values, messages = step_values(store, page, params)
    build = _BUILDERS.get(page)
    drawing = build(store, values) if build else Drawing(f"{PAGE_TITLES.get(page, page)} (no drawing)")
    drawing.messages = messages + drawing.messages
    return drawing


def _grown(ranked: list[str], store: GraphStore, cap: int) -> set[str]:
    """Up to `cap` of the `ranked` ids: from each in turn not yet kept, its combinations a hop at a time
    (best ranked first), until `cap` are kept."""
    if len(ranked) <= cap:
        return set(ranked)
    order = {pid: i for i, pid in enumerate(ranked)}
    kept: set[str] = set()
    for seed in ranked:
        if len(kept) >= cap:
            break
        if seed in kept:
            continue
        kept.add(seed)
        frontier = [seed]
        while frontier and len(kept) < cap:
            reached = store.reach(frontier, ["COMBINES_WITH"], ["Pattern"]) - kept
            frontier = sorted((r for r in reached if r in order), key=order.__getitem__)[:cap - len(kept)]
            kept.update(frontier)
    return kept


def _names(store: GraphStore, ids: list[str]) -> dict[str, str]:
    return {i: n["name"] for i, n in store.get_nodes(ids, sections=False).items()}


def _explore(store: GraphStore, v: dict[str, Any]) -> Drawing:
    kind_counts, type_counts = store.counts()
    kinds = v.get("explore_kinds") or [k for k in NODE_KINDS if k in kind_counts and k != "Source"]
    types = v.get("explore_types") or [t for t in EDGE_TYPES if t in type_counts and t != "DESCRIBES"]
    drawing = explore_view(store, v.get("explore_centre"), v.get("explore_hops") or 1, kinds, types,
                           v.get("explore_cap") or STEP_CAP)
    drawing.layout = v.get("explore_layout") or "force"
    return drawing


def _card(store: GraphStore, v: dict[str, Any]) -> Drawing:
    pid = v.get("card_pattern") or "pattern:insecure"
    if not store.has_nodes([pid]):
        return Drawing("no pattern", messages=[f"No node {pid} in this graph."])
    return card_view(store, pid, _names(store, [pid]).get(pid, pid))


def _compare(store: GraphStore, v: dict[str, Any]) -> Drawing:
    chosen = (v.get("compare_patterns") or ["pattern:insecure", "pattern:needy", "pattern:self-judging"])[:3]
    if len(chosen) < 2:
        return Drawing("comparison", messages=["A comparison needs two or three patterns."])
    return compare_view(store, store.compare(chosen), chosen, _names(store, chosen))


def _combinations(store: GraphStore, v: dict[str, Any]) -> Drawing:
    patterns = store.list_nodes(["Pattern"])
    combos = store.edges_among([p["id"] for p in patterns], ["COMBINES_WITH"])
    return combination_view(patterns, combos, v.get("combo_a") or "pattern:insecure",
                            v.get("combo_b") or "pattern:needy")


def _paths(store: GraphStore, v: dict[str, Any]) -> Drawing:
    a, b = v.get("paths_from") or "pattern:insecure", v.get("paths_to") or "pattern:self-judging"
    _, type_counts = store.counts()
    types = v.get("paths_types") or [t for t in EDGE_TYPES if t in type_counts and t not in STRUCTURAL_EDGES]
    shortest = store.shortest_path(a, b, types) if a != b else None
    if shortest is None:
        return Drawing("no path", messages=["No path connects these two nodes along the chosen edge types."])
    simple = store.simple_paths(a, b, max_length=v.get("paths_len") or 2, edge_types=types, limit=PATHS_DRAWN)
    return paths_view(store, [shortest, *simple["paths"]], shortest, types)


_BUILDERS: dict[str, Callable[[GraphStore, dict[str, Any]], Drawing]] = {
    "explore": _explore, "card": _card, "compare": _compare, "combinations": _combinations, "paths": _paths}


def pattern_map(store: GraphStore, patterns: Sequence[dict[str, Any]], cap: int = MAP_CAP) -> Drawing:
    """The first page's map: the patterns with a card and the patterns they combine with, joined by the
    cards' combinations, at most `cap` of them, so a large corpus opens on a readable map, not every
    pattern. Past the cap it grows from the best ranked pattern (patterns with a card first, then by how
    many combinations they take part in, then by name) through its combinations, a hop at a time, then
    from the next best not yet drawn: a connected map, not the top 40 scattered without their links.
    Ranked by the store's degrees; only the drawn patterns' combinations are fetched (70,000 at 10,000
    cards)."""
    carded = {p["id"] for p in patterns if p.get("status") == "card"}
    degree = {i: d for i, d in store.degrees(["Pattern"], ["COMBINES_WITH"]).items() if d}
    linked = [p for p in patterns if p["id"] in carded or p["id"] in degree]
    ranked = sorted(linked, key=lambda p: (p["id"] not in carded, -degree.get(p["id"], 0), p["name"], p["id"]))
    kept = _grown([p["id"] for p in ranked], store, max(1, cap))
    drawing = Drawing("pattern map", nodes=[p for p in linked if p["id"] in kept],
                      edges=store.edges_among(sorted(kept), ["COMBINES_WITH"]),
                      highlight_nodes=sorted(kept & carded), total=len(linked))
    if len(linked) > len(kept):
        drawing.messages.append(f"Showing {len(kept)} of {len(linked):,} patterns: the best connected and the "
                                "patterns they combine with; find any pattern on the Pattern card or Explore page.")
    return drawing

