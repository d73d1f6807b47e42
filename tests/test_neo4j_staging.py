"""Neo4j loads stage the new graph in many transactions and swap it in with one: what that guarantees.

And parity cases of the single-statement traversals (neighbourhood, shortest path) that the parity
suite does not cover, plus the client-side node cache seeing every change.
"""
from __future__ import annotations

import pytest

from graph.model import GraphData
from graph.neo4j_store import STAGING_LABEL, LoadConflict, Neo4jStore
from graph.queries import load_library, run_named

pytestmark = pytest.mark.neo4j


def big_graph(n: int = 3000) -> GraphData:
    g = GraphData()
    prov = [{"file": "synthetic.txt", "start_line": 1, "end_line": 1, "text": "x" * 50}]
    for i in range(n):
        p = g.add_node("Pattern", f"Staged {i}", prov, status="card")
        for j in range(3):
            c = g.add_node("Condition", f"staged condition {i % 97} {j}", prov)
            g.add_edge(p, "ACTIVATED_BY", c, prov)
    return g


def raw_count(store: Neo4jStore, query: str) -> int:
    records, _, _ = store.driver.execute_query(query)
    return records[0][0]


def leftovers(store: Neo4jStore) -> int:
    return raw_count(store, "MATCH (n) WHERE n:AtlasStaging OR n:AtlasRetired RETURN count(n)")


def snapshot(store: Neo4jStore) -> tuple:
    return (store.counts(), store.get_node("pattern:insecure"), store.neighbourhood("pattern:insecure", 2, limit=40),
            store.shortest_path("pattern:insecure", "capacity:value"),
            run_named(store, load_library()[0].name), store.list_nodes(["Pattern"]))


@pytest.fixture()
def neo(neo4j_raw, corpus_result):
    neo4j_raw.replace_all(corpus_result.graph)
    yield neo4j_raw
    neo4j_raw.replace_all(corpus_result.graph)


def fail_after(monkeypatch, batches: int, exc: type[BaseException] = RuntimeError) -> None:
    """Make the load's write transactions fail once `batches` of them have committed."""
    done = []
    real = Neo4jStore._write_batch

    def write_batch(self, query, rows, load):
        if len(done) >= batches:
            raise exc("simulated crash in the middle of the load")
        done.append(1)
        return real(self, query, rows, load)

    monkeypatch.setattr(Neo4jStore, "_write_batch", write_batch)


def test_load_stopped_between_batches_leaves_the_old_graph_whole_and_the_next_load_cleans_up(neo, corpus_result,
                                                                                              monkeypatch):
    before = snapshot(neo)
    fail_after(monkeypatch, 10)  # 7 node batches, then 3 of 18 relationship batches
    monkeypatch.setattr(Neo4jStore, "_discard", lambda self, load: None)  # as if the process died
    with pytest.raises(RuntimeError, match="simulated crash"):
        neo.replace_all(big_graph(), batch=500)
    assert raw_count(neo, f"MATCH (n:{STAGING_LABEL}) RETURN count(n)") > 0  # it really stopped half way
    assert raw_count(neo, f"MATCH (:{STAGING_LABEL})-[r]->() RETURN count(r)") > 0
    assert snapshot(neo) == before  # every store query answers from the old graph alone
    assert neo.get_node("pattern:staged-1") is None and neo.nodes_by_name("Staged 1") == []
    assert neo.cypher("MATCH (p:Pattern) WHERE p.name STARTS WITH 'Staged' RETURN count(p)")["rows"] == [[0]]

    monkeypatch.undo()
    neo.replace_all(corpus_result.graph)  # the next load deletes the leftovers first
    assert leftovers(neo) == 0
    kinds, types = neo.counts()
    assert raw_count(neo, "MATCH (n) RETURN count(n)") == sum(kinds.values())
    assert raw_count(neo, "MATCH ()-[r]->() RETURN count(r)") == sum(types.values())
    assert snapshot(neo) == before


def test_failed_load_deletes_what_it_staged(neo, monkeypatch):
    before = snapshot(neo)
    fail_after(monkeypatch, 4)
    with pytest.raises(RuntimeError):
        neo.replace_all(big_graph(), batch=500)
    assert leftovers(neo) == 0
    assert snapshot(neo) == before


def test_swap_refuses_a_staged_graph_that_changed(neo, monkeypatch):
    """Another load or a clear that removes this load's staged nodes makes it fail, never half swap."""
    before = snapshot(neo)
    real = Neo4jStore._run_batches

    def run_batches(self, batches, load, counter):
        real(self, batches, load, counter)
        if counter == "relationships_created":
            self._sweep(STAGING_LABEL)  # everything it staged is gone before the swap

    monkeypatch.setattr(Neo4jStore, "_run_batches", run_batches)
    with pytest.raises(LoadConflict):
        neo.replace_all(big_graph(200), batch=100)
    assert snapshot(neo) == before


def test_load_twice_and_clear(neo, corpus_result):
    counts = neo.counts()
    neo.replace_all(corpus_result.graph, batch=700)
    assert neo.counts() == counts and leftovers(neo) == 0
    neo.clear()
    assert neo.counts() == ({}, {}) and raw_count(neo, "MATCH (n) RETURN count(n)") == 0


def test_node_cache_sees_merges_and_reloads(neo, corpus_result):
    neo.neighbourhood("pattern:insecure", 1)  # caches the big nodes around it
    update = GraphData()
    update.nodes["pattern:insecure"] = dict(corpus_result.graph.nodes["pattern:insecure"], description="changed once")
    neo.merge(update)
    node = next(n for n in neo.neighbourhood("pattern:insecure", 1)["nodes"] if n["id"] == "pattern:insecure")
    assert node["description"] == "changed once"
    changed = GraphData()
    changed.nodes = dict(corpus_result.graph.nodes)
    changed.edges = corpus_result.graph.edges
    changed.nodes["pattern:insecure"] = dict(changed.nodes["pattern:insecure"], description="changed twice")
    neo.replace_all(changed)
    node = next(n for n in neo.neighbourhood("pattern:insecure", 1)["nodes"] if n["id"] == "pattern:insecure")
    assert node["description"] == "changed twice"


NON_SOURCE = ["Pattern", "Subtype", "Capacity", "CoreIssue", "Origin", "Condition", "Concept", "Role", "Mechanism",
              "Strategy", "Example", "DimensionGroup", "Dimension", "Wound"]


@pytest.mark.parametrize("node,hops,kinds,types,limit", [
    ("pattern:insecure", 2, NON_SOURCE, None, 150),
    ("pattern:insecure", 2, ["Pattern", "Capacity"], ["BLOCKS", "COMBINES_WITH", "DISTINGUISHED_FROM"], 7),
    ("pattern:insecure", 1, None, None, 3),
    ("pattern:insecure", 3, ["Pattern", "Condition"], None, 25),
    ("capacity:belonging", 4, None, None, 60),
    ("capacity:belonging", 2, ["Pattern"], ["BLOCKS"], 1),
    ("capacity:belonging", 2, ["Pattern"], ["BLOCKS"], 0),
    ("pattern:needy", 0, None, None, None),
    ("pattern:needy", 2, None, None, None),
    ("role:silent-member", 2, ["Wound"], None, 5),  # a kind it cannot reach: the centre alone
])
def test_neighbourhood_more_cases(any_store, corpus_store, node, hops, kinds, types, limit):
    assert any_store.neighbourhood(node, hops, kinds, types, limit) == corpus_store.neighbourhood(
        node, hops, kinds, types, limit)


@pytest.mark.parametrize("a,b,types", [
    ("pattern:insecure", "pattern:insecure", None),
    ("pattern:needy", "wound:not-seen", ["BLOCKS"]),  # no path of those types
    ("capacity:value", "pattern:needy", ["BLOCKS"]),
    ("mechanism:early-childhood-experiences", "capacity:belonging", None),
    ("pattern:insecure", "role:silent-member", ["COMBINES_WITH", "PLAYS_ROLE", "DISTINGUISHED_FROM"]),
])
def test_shortest_path_more_cases(any_store, corpus_store, a, b, types):
    assert any_store.shortest_path(a, b, types) == corpus_store.shortest_path(a, b, types)


def test_missing_node(any_store):
    with pytest.raises(LookupError):
        any_store.neighbourhood("pattern:no-such-thing", 2)
    assert any_store.shortest_path("pattern:insecure", "pattern:no-such-thing") is None


def test_staging_runs_with_the_cyclic_collector_paused(neo, corpus_result, monkeypatch):
    """A large load builds hundreds of thousands of acyclic rows while the caller holds a whole graph;
    collections then would walk that graph again and again (about a sixth of a 10,000-card load)."""
    import gc

    seen = []
    original = type(neo)._write_batch

    def spy(self, query, rows, load):
        seen.append(gc.isenabled())
        return original(self, query, rows, load)

    monkeypatch.setattr(type(neo), "_write_batch", spy)
    assert gc.isenabled()
    neo.replace_all(corpus_result.graph)
    assert seen and not any(seen)
    assert gc.isenabled()
