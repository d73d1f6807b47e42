"""The embedded store's Cypher engine (graph/embedded_cypher.py): loaded lazily, reused, rebuilt on change."""
from __future__ import annotations

import subprocess
import sys

from graph.embedded import EmbeddedStore
from graph.model import GraphData


def test_engine_is_built_on_the_first_query_and_kept_while_the_graph_is_unchanged(corpus_result):
    store = EmbeddedStore()
    store.replace_all(corpus_result.graph)
    assert store._engine is None  # opening a store costs no engine
    assert store.cypher("MATCH (p:Pattern {id: 'pattern:needy'}) RETURN p.name")["rows"] == [["Needy"]]
    engine = store.cypher_engine()
    store.cypher("MATCH (p:Pattern) RETURN count(p)")
    assert store.cypher_engine() is engine
    smaller = GraphData.from_networkx(store.graph.subgraph(["pattern:needy", "pattern:insecure"]).copy())
    store.replace_all(smaller)
    assert store.cypher("MATCH (p:Pattern) RETURN count(p) AS n")["rows"] == [[2]]
    assert store.cypher_engine() is not engine


def test_opening_the_store_does_not_import_the_engine():
    code = ("import sys; from graph.embedded import EmbeddedStore; EmbeddedStore(); "
            "print(sorted(m for m in ('graphqlite', 'sqlean', 'graph.embedded_cypher') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
