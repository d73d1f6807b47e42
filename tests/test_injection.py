"""Text that looks like Cypher, quotes, backslashes, $params and comments loads verbatim into both stores."""
from __future__ import annotations

import pytest

from graph.embedded import EmbeddedStore
from loaders.corpus import load_paths

HOSTILE = [
    "Situations with '); MATCH (n) DETACH DELETE n //",
    'Being called "the $param" \\ twice',
    "Back`ticks` and } braces { and // comments",
    "<script>alert('x')</script> and <img src=x onerror=alert(1)>",
]
CARD = "Hostile Pattern\n\n\nActivating Conditions\n\n" + "\n\n".join(HOSTILE) + "\n\n\nGroup Roles/Positions\n\nThe $role // member\n"


@pytest.fixture(scope="module")
def hostile_graph(tmp_path_factory):
    path = tmp_path_factory.mktemp("hostile") / "hostile.txt"
    path.write_text(CARD, encoding="utf-8")
    return load_paths([path]).graph


def check(store, graph):
    conditions = store.neighbourhood("pattern:hostile", 1, ["Condition"])["nodes"]
    assert sorted(n["name"] for n in conditions if n["kind"] == "Condition") == sorted(HOSTILE)
    for node in conditions:
        if node["kind"] == "Condition":
            assert node["provenance"][0]["text"] == node["name"]
    assert store.get_node("role:role-member")["name"] == "$role // member"
    assert store.counts() == (graph.counts())


def test_embedded_keeps_hostile_text_verbatim(hostile_graph):
    store = EmbeddedStore()
    store.replace_all(hostile_graph)
    check(store, hostile_graph)


def test_neo4j_keeps_hostile_text_verbatim(neo4j_raw, hostile_graph, corpus_result):
    try:
        neo4j_raw.replace_all(hostile_graph)
        check(neo4j_raw, hostile_graph)
        found = neo4j_raw.cypher("MATCH (c:Condition) WHERE c.name CONTAINS $part RETURN c.name AS name",
                                 {"part": "DETACH DELETE"})
        assert found["rows"] == [[HOSTILE[0]]]
    finally:
        neo4j_raw.replace_all(corpus_result.graph)
