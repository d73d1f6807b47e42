"""Export: the whole graph or the last drawn view as GraphML, GEXF, node-link JSON or CSV."""
from __future__ import annotations

import streamlit as st

from explorer.pages.common import VIEW_KEY, atlas
from explorer.urlbind import view_for
from explorer.views import escape_md
from graph import export

ctx = atlas()
store = ctx.store

st.title("Export")
st.caption("Take the graph to Gephi, Cytoscape, a notebook or a spreadsheet. Nested fields (sources, card "
           "sections) are written as JSON text in GraphML, GEXF and CSV. Control characters XML cannot hold are "
           "shown as � in GraphML and GEXF; a CSV cell that a spreadsheet would run as a formula (=, +, -, @) "
           "starts with '. Node-link JSON keeps every value exactly. The same files: "
           "`python -m graph export graphml|gexf|json|csv -o FILE`.")

view = st.session_state.get(VIEW_KEY)
options = ["whole"] + (["view"] if view else [])
labels = {"whole": "The whole graph",
          "view": f"The current view: {view['label']} ({len(view['node_ids'])} nodes)" if view else ""}
url_view = view_for("export", choices={"export_what": options}, defaults={"export_what": "whole"})
what = st.radio("What to export", options, format_func=lambda o: labels[o], key="export_what",
                help="The current view is the graph last drawn on another page.")
url_view.publish()
if not view:
    st.caption("Draw a graph on another page (Explore, Paths, …) to export just that view.")


if what == "view" and view:
    found = store.get_nodes(view["node_ids"])
    nodes = [found[i] for i in view["node_ids"] if i in found]
    edges = view["edges"]
    stem = "pattern-atlas-view"
else:
    nodes, edges = export.whole_graph(store)  # as `python -m graph export` does: the same bytes
    stem = "pattern-atlas"

st.caption(escape_md(f"{len(nodes)} nodes and {len(edges)} edges."))
cols = st.columns(len(export.FORMATS))
for col, (fmt, spec) in zip(cols, export.FORMATS.items(), strict=False):
    with col:
        with st.container(border=True):
            st.markdown(f"**{spec.label}**")
            st.caption(spec.note)
            st.download_button(f"Download .{spec.ext}", export.render(fmt, nodes, edges),
                               file_name=f"{stem}.{spec.ext}", mime=spec.mime, key=f"export_{spec.ext}",
                               icon=":material/download:", width="stretch")
with st.expander("The two CSV files separately"):
    c1, c2 = st.columns(2)
    c1.download_button("nodes.csv", export.to_nodes_csv(nodes), file_name=f"{stem}-nodes.csv", mime="text/csv",
                       key="export_nodes_csv")
    c2.download_button("edges.csv", export.to_edges_csv(edges, [n["id"] for n in nodes]),
                       file_name=f"{stem}-edges.csv", mime="text/csv", key="export_edges_csv")
