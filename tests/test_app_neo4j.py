"""Every app page against the real Neo4j store (the server started by scripts/neo4j.sh)."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from test_app import APP, TIMEOUT, go, iframes, shown, widget

pytestmark = pytest.mark.neo4j

PAGES = {
    "start": "The pattern map",
    "explore": "Showing",
    "pattern_card": "Withdrawn, self-effacing, easily hurt, shy, tentative",
    "compare": "Needy is distinguished from Insecure: the insecure pattern is characterized by",
    "combinations": "Insecure combines with Needy: feels insecure about the degree of need",
    "paths": "Insecure is distinguished from Self-Judging",
    "query": "Pairs of patterns activated by the same condition",
    "sources": "data/cards/insecure.txt",
    "export": "GraphML",
}


@pytest.fixture()
def neo4j_app(neo4j_corpus_store, corpus_store) -> AppTest:
    if neo4j_corpus_store.counts() != corpus_store.counts():
        from loaders.corpus import load_paths
        from conftest import DATA

        neo4j_corpus_store.replace_all(load_paths([DATA]).graph)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    widget(at, "radio", "atlas_store_choice").set_value("Neo4j").run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "Graph: Neo4j" in " ".join(c.value for c in at.sidebar.caption)
    return at


@pytest.mark.parametrize("page", list(PAGES))
def test_page_works_on_neo4j(neo4j_app, page):
    at = go(neo4j_app, page) if page != "start" else neo4j_app  # the app opens on Start
    assert not at.error, [e.value for e in at.error]
    assert "Graph: Neo4j" in " ".join(c.value for c in at.sidebar.caption)
    text = shown(at) + " ".join(s.value for s in at.subheader) + " ".join(str(getattr(b, "label", "")) for b in at.get("download_button"))
    text += " ".join(str(d.value) for d in at.dataframe)
    assert PAGES[page] in text, page
    if page in ("start", "explore", "pattern_card", "compare", "paths"):
        assert iframes(at)


def test_cypher_box_runs_on_neo4j_with_its_full_cypher(neo4j_app):
    """WITH … WHERE is beyond the embedded store's Cypher subset; on Neo4j it runs."""
    at = go(neo4j_app, "query")
    widget(at, "text_area", "query_cypher").set_value(
        "MATCH (p:Pattern)-[:BLOCKS]->(c:Capacity) WITH c, count(p) AS n WHERE n >= 3 "
        "RETURN c.name AS capacity, n ORDER BY capacity").run()
    widget(at, "button", "query_run_cypher").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    frames = [d.value for d in at.dataframe]
    assert any(list(f.columns) == ["capacity", "n"] and "Confidence" in set(f["capacity"]) for f in frames)
