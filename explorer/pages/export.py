"""Export: the whole graph or the last drawn view as GraphML, GEXF, node-link JSON or CSV."""
from __future__ import annotations

import streamlit as st

from explorer.pages.common import VIEW_KEY, atlas
from explorer.views import escape_md
from graph import export

ctx = atlas()
store = ctx.store

st.title("Export")
st.caption("Take the graph to Gephi, Cytoscape, a notebook or a spreadsheet. Nested fields (sources, card "
           "sections) are written as JSON text in GraphML, GEXF and CSV.")

view = st.session_state.get(VIEW_KEY)
options = ["whole"] + (["view"] if view else [])
labels = {"whole": "The whole graph",
          "view": f"The current view: {view['label']} ({len(view['node_ids'])} nodes)" if view else ""}
what = st.radio("What to export", options, format_func=lambda o: labels[o], key="export_what",
                help="The current view is the graph last drawn on another page.")
if not view:
    st.caption("Draw a graph on another page (Explore, Paths, …) to export just that view.")


def whole_graph() -> tuple[list[dict], list[dict]]:
    """Every node (with all its fields) and every edge of the store."""
    ids = [n["id"] for n in store.list_nodes()]
    found = store.get_nodes(ids)
    return [found[i] for i in ids if i in found], store.edges_among(ids)


if what == "view" and view:
    found = store.get_nodes(view["node_ids"])
    nodes = [found[i] for i in view["node_ids"] if i in found]
    edges = view["edges"]
    stem = "pattern-atlas-view"
else:
    nodes, edges = whole_graph()
    stem = "pattern-atlas"

st.caption(escape_md(f"{len(nodes)} nodes and {len(edges)} edges."))
cols = st.columns(4)
formats = [
    ("GraphML", "graphml", "application/graphml+xml", export.to_graphml, "Cytoscape, yEd, Gephi"),
    ("GEXF", "gexf", "application/gexf+xml", export.to_gexf, "Gephi"),
    ("Node-link JSON", "json", "application/json", export.to_node_link_json, "networkx, all fields"),
    ("CSV (zip)", "zip", "application/zip", export.to_csv_zip, "nodes.csv + edges.csv"),
]
for col, (name, ext, mime, fn, note) in zip(cols, formats):
    with col:
        with st.container(border=True):
            st.markdown(f"**{name}**")
            st.caption(note)
            st.download_button(f"Download .{ext}", fn(nodes, edges), file_name=f"{stem}.{ext}", mime=mime,
                               key=f"export_{ext}", icon=":material/download:", width="stretch")
with st.expander("The two CSV files separately"):
    c1, c2 = st.columns(2)
    c1.download_button("nodes.csv", export.to_nodes_csv(nodes), file_name=f"{stem}-nodes.csv", mime="text/csv",
                       key="export_nodes_csv")
    c2.download_button("edges.csv", export.to_edges_csv(edges, [n["id"] for n in nodes]),
                       file_name=f"{stem}-edges.csv", mime="text/csv", key="export_edges_csv")
