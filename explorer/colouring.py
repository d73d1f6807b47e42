"""The Explore page's "colour by community" and "size by centrality" (graph/algorithms.py), as node
`color` and `size` fields that `explorer.network_html.render_network` draws instead of the kind's."""
from __future__ import annotations

from typing import Any, Sequence

from graph import algorithms
from graph.store import GraphStore

#: Paul Tol's "muted" qualitative scheme (colour-blind safe), then grey for smaller communities.
PALETTE = ("#CC6677", "#332288", "#DDCC77", "#117733", "#88CCEE", "#882255", "#44AA99", "#999933",
           "#AA4499", "#6699CC")
OTHER = "#BBBBBB"
SIZE_OPTIONS = {"kind (default)": None, "degree centrality": "degree",
                "betweenness centrality": "betweenness", "PageRank": "pagerank"}
SMALLEST, LARGEST = 8.0, 40.0


def community_colours(found: Sequence[dict[str, Any]]) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """(node id -> colour, legend rows (colour, "1. label (size)")) for `algorithms.communities`' answer:
    the largest communities get the palette's colours, the rest share grey."""
    colours: dict[str, str] = {}
    legend: list[tuple[str, str]] = []
    for i, c in enumerate(found):
        colour = PALETTE[i] if i < len(PALETTE) else OTHER
        colours.update((m["id"], colour) for m in c["members"])
        if i < len(PALETTE):
            legend.append((colour, f"{c['index']}. {c['label']} ({c['size']})"))
    if len(found) > len(PALETTE):
        legend.append((OTHER, f"{len(found) - len(PALETTE)} smaller communities"))
    return colours, legend


def centrality_sizes(store: GraphStore, measure: str) -> dict[str, float]:
    """Node id -> marker size from SMALLEST to LARGEST, linear in the node's `measure` score (the
    whole graph's, as `python -m graph centrality` computes it)."""
    rows = algorithms.centrality(store, measure, top=None)
    high = max((r["score"] for r in rows), default=0.0) or 1.0
    return {r["id"]: SMALLEST + (LARGEST - SMALLEST) * r["score"] / high for r in rows}


def decorate(nodes: Sequence[dict[str, Any]], colours: dict[str, str] | None,
             sizes: dict[str, float] | None) -> list[dict[str, Any]]:
    """Copies of `nodes` with `color` and `size` set from the maps (nodes missing from a map keep the
    kind's look: e.g. Source nodes, which the algorithms leave out)."""
    out = []
    for n in nodes:
        n = dict(n)
        if colours and n["id"] in colours:
            n["color"] = colours[n["id"]]
        if sizes and n["id"] in sizes:
            n["size"] = sizes[n["id"]]
        out.append(n)
    return out


def legend_html(rows: Sequence[tuple[str, str]]) -> str:
    """A one-line legend of communities for `st.html` (labels escaped; colours from the palette)."""
    import html  # noqa: PLC0415

    parts = [f'<span style="margin-right:16px;white-space:nowrap"><span aria-hidden="true" '
             f'style="color:{colour};font-size:15px">\u25CF</span> {html.escape(text)}</span>'
             for colour, text in rows if colour in PALETTE or colour == OTHER]
    return ('<div style="display:flex;flex-wrap:wrap;row-gap:4px;font-size:13px;color:#3E4C59">'
            '<span style="margin-right:12px">Communities (shape still shows the kind):</span>'
            + "".join(parts) + "</div>")
