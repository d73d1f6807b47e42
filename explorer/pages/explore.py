"""Explore: the whole graph or a node's neighbourhood, filtered, with the chosen node's details."""
from __future__ import annotations

import streamlit as st

from explorer import colouring, drawings, views
from explorer.network_layout import LAYOUTS
from explorer.pages.common import atlas, badge, disclaimer, draw, names_of, pick_node, show_provenance, show_told
from explorer.urlbind import view_for
from explorer.views import escape_md
from graph import algorithms
from graph.schema import EDGE_TYPES, NODE_KINDS

ctx = atlas()
store = ctx.store
kind_counts, type_counts = store.counts()
everything = store.list_nodes()
available_kinds = [k for k in NODE_KINDS if k in kind_counts]
available_types = [t for t in EDGE_TYPES if t in type_counts]
default_kinds = [k for k in available_kinds if k != "Source"]
default_types = [t for t in available_types if t != "DESCRIBES"]
view = view_for("explore", choices={"explore_centre": {n["id"] for n in everything}, "explore_kinds": available_kinds,
                                    "explore_types": available_types, "explore_size": list(colouring.SIZE_OPTIONS),
                                    "explore_layout": list(LAYOUTS)},
                defaults={"explore_hops": 1, "explore_kinds": default_kinds, "explore_types": default_types,
                          "explore_cap": 150, "explore_layout": next(iter(LAYOUTS)), "explore_community": False,
                          "explore_size": next(iter(colouring.SIZE_OPTIONS))})

st.title("Explore")
st.caption("The whole graph, or the neighbourhood of one node. In the drawing: click a node for its sources, "
           "double-click to add its neighbours, right-click to centre on it, open its card, compare it or find "
           "paths from it; type in the search box to find a node.")

top = st.columns([3, 1, 1], vertical_alignment="bottom")
with top[0]:
    centre = pick_node("Centre on a node", everything, None, key="explore_centre", allow_none="(whole graph)",
                       help="Type to search by name.")
with top[1]:
    hops = st.slider("Hops", 1, 4, 1, key="explore_hops", disabled=centre is None,
                     help="How many edges away from the centre to go.")
with top[2]:
    layout = st.selectbox("Layout", list(LAYOUTS), format_func=LAYOUTS.__getitem__, key="explore_layout",
                          help="Force: related nodes pulled together. Hierarchical: layers by distance from the "
                               "centre. Radial: rings around the centre. Positions stay put across reruns.")

with st.expander("Filters: node kinds, edge types, how many nodes to draw", expanded=False):
    f1, f2 = st.columns(2)
    with f1:
        kinds = st.multiselect("Node kinds", available_kinds, default=default_kinds, key="explore_kinds",
                               format_func=views.kind_plural)
    with f2:
        types = st.multiselect("Edge types", available_types, default=default_types, key="explore_types")
    cap = st.slider("Most nodes to draw", 10, 1000, 150, step=10, key="explore_cap",
                    help="Large drawings get slow and cluttered; narrow down instead.")

with st.expander("Colour by community, size by centrality", expanded=False):
    c1, c2 = st.columns(2)
    with c1:
        by_community = st.toggle("Colour by community", value=False, key="explore_community",
                                 help="Louvain communities (seed 42) of the whole graph: every kind but Source, "
                                      "every edge type but DESCRIBES, as `python -m graph communities`.")
    with c2:
        size_by = st.selectbox("Size by", list(colouring.SIZE_OPTIONS), key="explore_size",
                               help="Marker size from the node's centrality in the whole graph, as "
                                    "`python -m graph centrality`.")

view.publish()
if not kinds or not types:
    st.info("Choose at least one node kind and one edge type.")
    st.stop()

drawing = drawings.explore_view(store, centre, hops, kinds, types, cap)  # as a story step draws it
nodes, edges, total, label = drawing.nodes, drawing.edges, drawing.total, drawing.label

st.caption(escape_md(views.showing_caption(len(nodes), total)))
measure = colouring.SIZE_OPTIONS[size_by]
colours, community_rows = (colouring.community_colours(algorithms.communities(store))
                           if by_community else (None, []))
if colours or measure:
    nodes = colouring.decorate(nodes, colours, colouring.centrality_sizes(store, measure) if measure else None)


def centre_details(node_id: str) -> None:
    """The centre's card summary, every connection told as a sentence and where it is stated, below the
    canvas (the canvas's own panel shows whichever node is clicked)."""
    node = store.get_node(node_id) or {}
    st.subheader(escape_md(node.get("name", node_id)), anchor=False)
    st.caption(escape_md(node.get("kind", "")))
    if node.get("kind") == "Pattern":
        badge(node)
        disclaimer()
    if node.get("description") or node.get("catalogue_description"):
        st.markdown(escape_md(node.get("description") or node.get("catalogue_description")))
    incident = store.incident_edges([node_id])
    names = names_of(store, [x for e in incident for x in (e["source"], e["target"])])
    told = views.node_edge_sentences(incident, names)
    said, stated = st.columns([3, 2], gap="medium")
    with said:
        st.markdown(f"**Connections ({len(told)})**")
        show_told(told, empty="No connections.")
    with stated:
        st.markdown("**Stated at**")
        show_provenance(node)


draw(nodes, edges, label=label, height=640, key="explore_net", layout=layout, centre=centre, kinds=kinds,
     types=types)
if by_community:
    st.html(colouring.legend_html(community_rows))
if centre:
    centre_details(centre)
