"""Queries that run too long are stopped with a clear message, on both stores."""
from __future__ import annotations

import time

import pytest

from graph.cypher import QueryTimeout
from graph.embedded import EmbeddedStore
from graph.model import GraphData


@pytest.fixture(scope="module")
def dense_store() -> EmbeddedStore:
    """A small but dense graph on which an undirected 3-hop match with no answer must try every path."""
    g = GraphData()
    prov = [{"file": "synthetic", "start_line": 1, "end_line": 1, "text": "x"}]
    ids = [g.add_node("Condition", f"c{i}", prov) for i in range(120)]
    for i, a in enumerate(ids):
        for b in ids[i + 1:i + 40]:
            g.add_edge(a, "CORRESPONDS_TO", b, prov)
    store = EmbeddedStore()
    store.replace_all(g)
    return store


def test_embedded_query_is_stopped_at_its_timeout(dense_store):
    start = time.monotonic()
    with pytest.raises(QueryTimeout, match="longer than 1 s and was stopped"):
        # undirected: about 14 s of work on this graph (the directed form takes under 1 s with graphqlite)
        dense_store.cypher("MATCH (a)-[]-(b)-[]-(c)-[]-(d) WHERE d.name = \"none\" RETURN a.name", timeout=1)
    assert time.monotonic() - start < 10
    assert dense_store.cypher("MATCH (a:Condition) RETURN a.name", limit=3)["rows"]  # the store still answers


def test_neo4j_query_is_stopped_at_its_timeout(neo4j_corpus_store):
    with pytest.raises(QueryTimeout, match="longer than 1 s"):
        neo4j_corpus_store.cypher("UNWIND range(1, 2000000000) AS x RETURN count(x)", timeout=1)
    assert neo4j_corpus_store.cypher("MATCH (p:Pattern) RETURN count(p) AS n")["rows"][0][0] > 0
