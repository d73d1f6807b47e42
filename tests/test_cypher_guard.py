"""User Cypher is read-only on both stores: writes are refused before sending, the graph unchanged."""
from __future__ import annotations

import pytest

from graph.cypher import CypherError, ReadOnlyViolation, UnsupportedQuery, check_read_only

WRITES = [
    "CREATE (n:Pattern {id: 'pattern:evil', name: 'Evil'})",
    "MATCH (n:Pattern {id: 'pattern:insecure'}) SET n.name = 'Changed' RETURN n",
    "MERGE (n:Capacity {id: 'capacity:x'}) RETURN n",
    "MATCH (n) DETACH DELETE n",
    "MATCH (n:Pattern) REMOVE n.name RETURN n",
    "CALL dbms.components() YIELD name RETURN name",
    "CALL apoc.help('x')",
    "LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line",
    "MATCH (n) CALL { WITH n DELETE n } IN TRANSACTIONS RETURN 1",
    "DROP CONSTRAINT atlas_pattern_id",
    "match (n) foreach (x in [1] | set n.x = 1)",
    "SHOW USERS",
]


@pytest.mark.parametrize("query", WRITES)
def test_writes_refused_on_both_stores(any_store, query):
    before = any_store.counts(), any_store.get_node("pattern:insecure")
    with pytest.raises(ReadOnlyViolation, match="read-only"):
        any_store.cypher(query)
    assert (any_store.counts(), any_store.get_node("pattern:insecure")) == before


@pytest.mark.parametrize("query", [
    "MATCH (n:Pattern) WHERE n.name = 'CREATE something' RETURN n.name",
    "MATCH (n:Pattern) RETURN n.name // DELETE nothing, a comment",
    "MATCH (n:Pattern) WHERE n.name CONTAINS 'set' RETURN n.name",
])
def test_keywords_in_strings_and_comments_are_not_writes(query):
    check_read_only(query)


def test_embedded_subset_and_caps_are_explained(corpus_store):
    with pytest.raises(UnsupportedQuery, match="lacks the function nosuchfn\\(\\).*--store neo4j"):
        corpus_store.cypher("MATCH (n:Pattern) WITH n RETURN nosuchfn(n.name)")
    with pytest.raises(UnsupportedQuery, match="capped at 4 hops"):
        corpus_store.cypher("MATCH (a)-[*1..12]-(b) RETURN a.name")
    with pytest.raises(CypherError, match="empty"):
        corpus_store.cypher("   // nothing")


def test_row_limit_sets_truncated(any_store):
    result = any_store.cypher("MATCH (n:Condition) RETURN n.name", limit=5)
    assert len(result["rows"]) == 5 and result["truncated"]


def test_embedded_takes_parameters(corpus_store):
    result = corpus_store.cypher("MATCH (n:Pattern {id: $id}) RETURN n.name AS name", {"id": "pattern:needy"})
    assert result["rows"] == [["Needy"]]
    with pytest.raises(CypherError, match="64-bit"):
        corpus_store.cypher("RETURN $x AS x", {"x": 2**64})


def test_neo4j_takes_parameters(neo4j_corpus_store):
    result = neo4j_corpus_store.cypher("MATCH (n:Pattern {id: $id}) RETURN n.name AS name", {"id": "pattern:needy"})
    assert result["rows"] == [["Needy"]]
