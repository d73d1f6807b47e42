"""Combinations: which patterns combine with which (a matrix), what each combination means, the graph."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from explorer import drawings, result_views, views
from explorer.pages.common import atlas, disclaimer, draw, pattern_nodes, show_told
from explorer.urlbind import view_for
from explorer.views import escape_md

ctx = atlas()
store = ctx.store
patterns = pattern_nodes(store)
names = {p["id"]: p["name"] for p in patterns}
combos = store.edges_among(list(names), ["COMBINES_WITH"])

st.title("Combinations")
st.caption("Each card lists the patterns it combines with and what the combination looks like. Rows are the "
           "card that states the combination, columns the pattern it combines with. Select a cell, or "
           "choose the pair below, to read both cards' descriptions.")
if not combos:
    st.info("No combinations are loaded.")
    st.stop()

rows, cols, cells = views.combination_matrix(patterns, combos)
row_labels = [names[r] for r in rows]
col_labels = result_views.short_labels([names[c] for c in cols])
if len(set(col_labels)) < len(col_labels):
    col_labels = cols  # two patterns with the same name: fall back to ids
frame = pd.DataFrame(cells, index=row_labels, columns=col_labels)

a0 = "pattern:insecure" if "pattern:insecure" in rows else rows[0]
b0 = "pattern:needy" if "pattern:needy" in cols else cols[0]
all_ids = [p["id"] for p in patterns]
view = view_for("combinations", choices={"combo_a": all_ids, "combo_b": all_ids},
                defaults={"combo_a": a0, "combo_b": b0})
# The matrix starts on the pair shown (from a link, or this session), not always on the first pair.
start = (st.session_state.get("combo_a") if st.session_state.get("combo_a") in rows else a0,
         st.session_state.get("combo_b") if st.session_state.get("combo_b") in cols else b0)
st.session_state.setdefault("combo_last_cell", start)
first_cell = [rows.index(start[0]), col_labels[cols.index(start[1])]]
event = st.dataframe(frame, key="combo_matrix", on_select="rerun", selection_mode="single-cell",
                     selection_default={"selection": {"cells": [first_cell]}},
                     width="content", height=38 + 35 * len(rows),
                     column_config={label: st.column_config.TextColumn(label, help=names[c], width=18 + 7 * len(label))
                                    for label, c in zip(col_labels, cols, strict=False)})

# A newly selected cell sets the two pickers (they also work on their own).
picked = list(getattr(event, "selection", {}).get("cells", []) or []) if event is not None else []
if picked:
    r_idx, c_name = picked[0]
    cell = (rows[int(r_idx)], cols[col_labels.index(c_name)]) if c_name in col_labels else None
    if cell and st.session_state.get("combo_last_cell") != cell:
        st.session_state["combo_last_cell"] = cell
        st.session_state["combo_a"], st.session_state["combo_b"] = cell

for key, first in (("combo_a", a0), ("combo_b", b0)):
    if st.session_state.get(key) not in all_ids:
        st.session_state[key] = first
pa, pb = st.columns(2)
with pa:
    a = st.selectbox("Pattern (row)", all_ids, key="combo_a",
                     format_func=lambda i: names.get(i, i))
with pb:
    b = st.selectbox("Combines with (column)", all_ids, key="combo_b",
                     format_func=lambda i: names.get(i, i))
view.publish()

st.subheader(f"{escape_md(names[a])} and {escape_md(names[b])}", anchor=False)
disclaimer()
pair = views.pair_edges(combos, a, b)
left, right = st.columns(2, gap="medium")
with left:
    st.markdown(f"**On {escape_md(names[a])}'s card**")
    show_told([views.told(e, names) for e in pair if e["source"] == a],
              empty=f"{names[a]}'s card states no combination with {names[b]}.")
with right:
    st.markdown(f"**On {escape_md(names[b])}'s card**")
    show_told([views.told(e, names) for e in pair if e["source"] == b],
              empty=f"{names[b]}'s card states no combination with {names[a]}.")

st.subheader("Combination graph", anchor=False)
graph = drawings.combination_view(patterns, combos, a, b)  # as a story step draws it
draw(graph.nodes, graph.edges, label=graph.label, height=560, highlight_nodes=graph.highlight_nodes,
     highlight_edges=graph.highlight_edges, key="combo_net", kinds=["Pattern"], types=["COMBINES_WITH"])
