"""Compare: two or three patterns side by side: distinctions, combinations, shared and unique links."""
from __future__ import annotations

import streamlit as st

from explorer import drawings, views
from explorer.pages.common import atlas, badge, disclaimer, draw, names_of, pattern_nodes, show_told
from explorer.urlbind import view_for
from explorer.views import escape_md

ctx = atlas()
store = ctx.store
patterns = pattern_nodes(store)
ids = [p["id"] for p in patterns]
names = {p["id"]: p["name"] for p in patterns}

st.title("Compare patterns")
st.caption("How two or three patterns are told apart, how they combine, and what they share. "
           "Every sentence comes with the card line it was taken from.")
default = [i for i in ("pattern:insecure", "pattern:needy", "pattern:self-judging") if i in ids] or ids[:2]
view = view_for("compare", choices={"compare_patterns": ids}, defaults={"compare_patterns": default})
chosen = st.multiselect("Patterns to compare (two or three)", ids, default=default, max_selections=3,
                        key="compare_patterns", format_func=lambda i: names.get(i, i))
view.publish()
if len(chosen) < 2:
    st.info("Pick two or three patterns.")
    st.stop()

cmp = store.compare(chosen)
neighbours = {x for es in cmp["edges"].values() for e in es for x in (e["source"], e["target"])}
all_names = {**names, **names_of(store, [*chosen, *sorted(neighbours)])}
disclaimer()

badges = st.columns(len(chosen))
for col, pid in zip(badges, chosen, strict=False):
    with col:
        st.markdown(f"**{escape_md(all_names[pid])}**")
        badge(store.get_node(pid) or {"kind": "Pattern"})


def by_side(title: str, edges: list[dict], empty: str) -> None:
    """Edges told as sentences in one column per pattern: each pattern's own card's statements."""
    st.subheader(title, anchor=False)
    cols = st.columns(len(chosen), gap="medium")
    for col, pid in zip(cols, chosen, strict=False):
        with col:
            st.markdown(f"**From {escape_md(all_names[pid])}'s card**")
            show_told([views.told(e, all_names) for e in views.between(edges, pid)], empty=empty)


by_side("Distinctions", cmp["distinctions"], "No distinction stated on this card.")
by_side("Combinations", cmp["combinations"], "No combination stated on this card.")
if cmp["other_links"]:
    st.subheader("Other links between them", anchor=False)
    show_told([views.told(e, all_names) for e in cmp["other_links"]])

st.subheader("Shared and unique", anchor=False)
rows = views.compare_columns(cmp, all_names)
if not rows:
    st.caption("No linked capacities, origins, conditions or other nodes.")
else:
    tabs = st.tabs([f"{views.kind_plural(r['kind'])}" for r in rows])
    for tab, row in zip(tabs, rows, strict=False):
        with tab:
            heads = ["Shared by all"] + (["Shared by some"] if len(chosen) > 2 else []) + \
                    [f"Only {all_names[p]}" for p in chosen]
            cols = st.columns(len(heads))
            lists: list[list[str]] = [row["shared"]] + \
                ([[f"{n} ({', '.join(w)})" for n, w in row["some"]]] if len(chosen) > 2 else []) + \
                [row["unique"][p] for p in chosen]
            for col, head, items in zip(cols, heads, lists, strict=False):
                with col:
                    st.markdown(f"**{escape_md(head)}**")
                    st.markdown("\n".join(f"- {escape_md(i)}" for i in items) if items else "—")

st.subheader("Graph of the compared patterns", anchor=False)
compared = drawings.compare_view(store, cmp, chosen, all_names)  # as a story step draws it
st.caption("The compared patterns and their shared neighbours are highlighted; up to 8 neighbours unique to "
           "each are drawn faded.")
draw(compared.nodes, compared.edges, label=compared.label, height=560, highlight_nodes=compared.highlight_nodes,
     key="compare_net")
