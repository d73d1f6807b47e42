"""Paths: how one node leads to another, told as sentences with the source behind each step."""
from __future__ import annotations

import streamlit as st

from explorer import drawings, views
from explorer.pages.common import atlas, draw, pick_node, show_told
from explorer.urlbind import view_for
from explorer.views import escape_md
from graph.schema import EDGE_TYPES
from graph.store import STRUCTURAL_EDGES

ctx = atlas()
store = ctx.store
everything = store.list_nodes()
ids = {n["id"] for n in everything}
_, type_counts = store.counts()
available = [t for t in EDGE_TYPES if t in type_counts]
start, end = views.path_ends(everything)
view = view_for("paths", choices={"paths_from": ids, "paths_to": ids, "paths_types": available},
                defaults={"paths_from": start, "paths_to": end, "paths_len": 2,
                          "paths_types": [t for t in available if t not in STRUCTURAL_EDGES]})

st.title("Paths")
st.caption("From any node to any other: the shortest path and every simple path up to a length, each step "
           "told as a sentence with the card or article line behind it.")

c1, c2 = st.columns(2)
with c1:
    a = pick_node("From", everything, start, key="paths_from")
with c2:
    b = pick_node("To", everything, end, key="paths_to")
c3, c4 = st.columns([3, 1], vertical_alignment="top")
with c4:
    max_len = st.slider("Longest path (steps)", 1, 6, 2, key="paths_len")
with c3:
    with st.expander("Edge types to follow", expanded=False):
        types = st.multiselect("Follow edge types", available,
                               default=[t for t in available if t not in STRUCTURAL_EDGES], key="paths_types",
                               help="Paths may go along these edges, in either direction.")
view.publish()
if not a or not b:
    st.info("Choose both ends.")
    st.stop()
if a == b:
    st.info("Choose two different nodes.")
    st.stop()
if not types:
    st.info("Choose at least one edge type to follow.")
    st.stop()

shortest = store.shortest_path(a, b, types)
simple = store.simple_paths(a, b, max_length=max_len, edge_types=types, limit=50)
if shortest is None:
    st.warning("No path connects these two nodes along the chosen edge types. Add edge types, or pick "
               "other ends.")
    st.stop()

shortest_ids = [n["id"] for n in shortest["nodes"]]
paths = [shortest] + [p for p in simple["paths"] if [n["id"] for n in p["nodes"]] != shortest_ids]
labels = [f"Shortest: {views.path_label(shortest)}"] + [views.path_label(p) for p in paths[1:]]
choice = st.selectbox("Path to draw and tell", range(len(paths)), format_func=lambda i: labels[i], key="paths_choice",
                      help="The shortest path first, then every other simple path, shortest first.")
choice = choice if choice is not None and choice < len(paths) else 0
chosen = paths[choice]

drawn = drawings.paths_view(store, paths, chosen, types)  # as a story step draws it
draw(drawn.nodes, drawn.edges, label=drawn.label, height=520, highlight_nodes=drawn.highlight_nodes,
     highlight_edges=drawn.highlight_edges, key="paths_net", layout=drawn.layout, centre=drawn.centre)
more = len(paths) - drawings.PATHS_DRAWN
st.caption("The chosen path is highlighted; the other paths are drawn faded"
           + (f" (the first {drawings.PATHS_DRAWN} paths; {more} more are listed below)." if more > 0 else "."))
st.subheader(escape_md(views.path_label(chosen)), anchor=False)
show_told(views.path_steps(chosen))

st.subheader(f"All paths up to {max_len} step{'s' if max_len != 1 else ''}", anchor=False)
note = f"{simple['total']} simple path{'s' if simple['total'] != 1 else ''} of at most {max_len} steps"
if simple["truncated"]:
    note += f"; the first {len(simple['paths'])} are listed (narrow the edge types or shorten the length)"
if shortest["length"] > max_len:
    note += f"; the shortest path has {shortest['length']} steps, longer than the limit"
st.caption(escape_md(note + "."))
for path in simple["paths"]:
    with st.expander(escape_md(views.path_label(path)), expanded=False):
        show_told(views.path_steps(path))
