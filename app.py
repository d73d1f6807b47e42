"""Pattern Atlas: explore psychotherapy pattern cards as a graph (Streamlit entry point).

Run with `streamlit run app.py` (see scripts/run.sh). This file only sets the page up, picks the store
(embedded from data/ by default; Neo4j when configured and chosen in the sidebar) and hands over to the
pages in `explorer/pages/`, whose logic lives in `explorer/views.py` and `graph/`.
"""
from __future__ import annotations

import streamlit as st

from explorer.pages.common import neo4j_failed, setup_store
from explorer.urlbind import copy_link

PAGES = "explorer/pages"

st.set_page_config(page_title="Pattern Atlas", page_icon="🧭", layout="wide",
                   initial_sidebar_state="expanded")

navigation = st.navigation({
    "Start": [
        st.Page(f"{PAGES}/start.py", title="Start", icon=":material/home:", url_path="start", default=True),
        st.Page(f"{PAGES}/story.py", title="Stories", icon=":material/slideshow:", url_path="story"),
    ],
    "Explore": [
        st.Page(f"{PAGES}/explore.py", title="Explore", icon=":material/hub:", url_path="explore"),
        st.Page(f"{PAGES}/pattern_card.py", title="Pattern card", icon=":material/article:", url_path="card"),
        st.Page(f"{PAGES}/compare.py", title="Compare", icon=":material/compare_arrows:", url_path="compare"),
        st.Page(f"{PAGES}/differential.py", title="Differential", icon=":material/school:", url_path="differential"),
        st.Page(f"{PAGES}/combinations.py", title="Combinations", icon=":material/grid_on:",
                url_path="combinations"),
        st.Page(f"{PAGES}/paths.py", title="Paths", icon=":material/route:", url_path="paths"),
    ],
    "Research": [
        st.Page(f"{PAGES}/query.py", title="Query", icon=":material/manage_search:", url_path="query"),
        st.Page(f"{PAGES}/export.py", title="Export", icon=":material/download:", url_path="export"),
        st.Page(f"{PAGES}/sources.py", title="Sources", icon=":material/description:", url_path="sources"),
    ],
})

# A little less empty space above each page's title (Streamlit's default is sized for landing pages).
st.html("<style>.stMainBlockContainer { padding-top: 2.5rem; }</style>")

with st.sidebar:
    st.markdown("### Pattern Atlas")
    st.caption("Pattern cards and the concepts they point to, as a graph. Study material, not clinical guidance.")
atlas = setup_store()
with st.sidebar:
    copy_link()
try:
    navigation.run()
except Exception as exc:  # noqa: BLE001 - only a Neo4j store that stopped answering is handled here
    if atlas.kind != "neo4j" or not neo4j_failed(exc):
        raise
