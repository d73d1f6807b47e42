"""Start: the first page. It teaches before it asks anything: the map of the cards' patterns and how they
combine, the stories to step through, and where each kind of reader goes next."""
from __future__ import annotations

import streamlit as st

from explorer import drawings
from explorer.pages.common import atlas, disclaimer, draw, pattern_nodes
from explorer.stories import STORIES, load_stories
from explorer.views import escape_md

ctx = atlas()
store = ctx.store
patterns = pattern_nodes(store)

st.title("Pattern Atlas")
st.markdown("Psychotherapy **pattern cards** (Insecure, Needy, Self-Judging, Victim …) and the concepts they point "
            "to, as a graph: which patterns combine, how they are told apart, what they block and where they "
            "come from, each with the card line it was read from.")
disclaimer()

map_col, side_col = st.columns([3, 2], gap="large")
with map_col:
    st.subheader("The pattern map", anchor=False)
    shown = drawings.pattern_map(store, patterns)
    carded = sum(1 for p in patterns if p.get("status") == "card")
    st.caption(f"The {carded:,} patterns with a card and the patterns they combine with: an arrow means a card "
               "says its pattern combines with the other (click it for the card's words). The patterns with a "
               "card are highlighted.")
    for message in shown.messages:
        st.caption(escape_md(message))
    draw(shown.nodes, shown.edges, label=shown.label, height=520, highlight_nodes=shown.highlight_nodes,
         key="start_net")

with side_col:
    st.subheader("Stories", anchor=False)
    stories, errors = load_stories(STORIES)
    st.caption("Guided sequences of views with captions, written for this project as authored summaries.")
    for error in errors:
        st.error(escape_md(f"A story file could not be read: {error}"))
    for story in stories:
        with st.container(border=True):
            st.markdown(f"**{escape_md(story.title)}** · {len(story.steps)} steps")
            if story.summary:
                st.caption(escape_md(story.summary))
            st.page_link("explorer/pages/story.py", label="Step through this story", icon=":material/slideshow:",
                         query_params={"story": story.id})
    st.subheader("Where to go next", anchor=False)
    st.page_link("explorer/pages/pattern_card.py", label="Educators: read a card, line by line",
                 icon=":material/article:")
    st.page_link("explorer/pages/compare.py", label="Clinicians: how patterns are told apart",
                 icon=":material/compare_arrows:")
    st.page_link("explorer/pages/explore.py", label="Everyone: explore the whole graph", icon=":material/hub:")
    st.page_link("explorer/pages/query.py", label="Researchers: named questions and Cypher",
                 icon=":material/manage_search:")
