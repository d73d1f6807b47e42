"""One suite, both stores: every store query gives the same answer from embedded and Neo4j.

Each test computes the answer on the store under test and compares it with the embedded store's
answer (and with facts of the corpus), so the Neo4j run checks parity and the embedded run checks
the facts.
"""
from __future__ import annotations

import pytest

from graph.queries import load_library, run_named

NODES = ["pattern:insecure", "pattern:needy", "capacity:belonging", "role:silent-member",
         "mechanism:early-childhood-experiences", "concept:social-anxiety-disorder"]


def test_counts(any_store, corpus_store, corpus_result):
    assert any_store.counts() == corpus_store.counts()
    kinds, types = any_store.counts()
    assert kinds == corpus_result.report.node_counts and types == corpus_result.report.edge_counts


@pytest.mark.parametrize("node", NODES)
def test_node_with_sections(any_store, corpus_store, node):
    assert any_store.get_node(node) == corpus_store.get_node(node)


def test_node_sections_survive(any_store):
    node = any_store.get_node("pattern:insecure")
    sections = {s["key"]: s for s in node["sections"]}
    assert sections["transference"]["heading_status"] == "inferred"
    assert node["provenance"][0]["file"] == "data/cards/insecure.txt"


@pytest.mark.parametrize("ref,expected", [("insecure", "pattern:insecure"), ("Self-Judging", "pattern:self-judging"),
                                          ("the silent member", "role:silent-member"),
                                          ("Social phobias", None), ("capacity:value", "capacity:value")])
def test_resolve(any_store, ref, expected):
    if expected is None:
        with pytest.raises(LookupError):
            any_store.resolve(ref)
    else:
        assert any_store.resolve(ref) == expected


@pytest.mark.parametrize("node,hops,kinds,types,limit", [
    ("pattern:insecure", 1, None, None, None),
    ("pattern:insecure", 2, ["Pattern", "Capacity"], None, None),
    ("pattern:needy", 2, None, ["COMBINES_WITH", "BLOCKS"], None),
    ("capacity:belonging", 2, None, None, 12),
])
def test_neighbourhood(any_store, corpus_store, node, hops, kinds, types, limit):
    got = any_store.neighbourhood(node, hops, kinds, types, limit)
    assert got == corpus_store.neighbourhood(node, hops, kinds, types, limit)
    assert got["nodes"] and all(n.get("provenance") for n in got["nodes"])


@pytest.mark.parametrize("a,b,types", [
    ("pattern:insecure", "pattern:self-judging", None),
    ("example:roots-of-insecurity-ethan", "role:silent-member", None),
    ("capacity:belonging", "concept:social-anxiety-disorder", None),
    ("pattern:victim", "capacity:value", ["BLOCKS", "COMBINES_WITH"]),
    ("subtype:fear-of-success", "wound:not-seen", None),
])
def test_shortest_path(any_store, corpus_store, a, b, types):
    assert any_store.shortest_path(a, b, types) == corpus_store.shortest_path(a, b, types)


def test_shortest_path_facts(any_store):
    path = any_store.shortest_path("pattern:insecure", "pattern:self-judging")
    assert [n["id"] for n in path["nodes"]] == ["pattern:insecure", "pattern:self-judging"]
    assert any(e["type"] == "DISTINGUISHED_FROM" and e["source"] == "pattern:insecure" for e in path["steps"][0]["edges"])


@pytest.mark.parametrize("a,b,length,types", [
    ("pattern:insecure", "pattern:needy", 2, None),
    ("pattern:insecure", "capacity:value", 3, None),
    ("pattern:isolated", "pattern:suspicious", 3, ["COMBINES_WITH", "DISTINGUISHED_FROM"]),
])
def test_simple_paths(any_store, corpus_store, a, b, length, types):
    got = any_store.simple_paths(a, b, length, types, limit=200)
    assert got == corpus_store.simple_paths(a, b, length, types, limit=200)
    assert got["total"] > 0
    assert all(len({n["id"] for n in p["nodes"]}) == len(p["nodes"]) for p in got["paths"])


@pytest.mark.parametrize("ids", [["pattern:insecure", "pattern:needy"],
                                 ["pattern:insecure", "pattern:needy", "pattern:self-judging"]])
def test_compare(any_store, corpus_store, ids):
    assert any_store.compare(ids) == corpus_store.compare(ids)


@pytest.mark.parametrize("spec", load_library(), ids=lambda s: s.name)
def test_named_queries(any_store, corpus_store, spec):
    got = run_named(any_store, spec.name)
    assert got["rows"], f"{spec.name} returned no rows on the shipped corpus"
    assert got == run_named(corpus_store, spec.name)


@pytest.mark.parametrize("query", [
    "MATCH (p:Pattern)-[:BLOCKS]->(c:Capacity) RETURN p.name, c.name",
    "MATCH (m:Mechanism)-[:CONTRIBUTES_TO]->(p:Pattern) RETURN m, p.name",
])
def test_user_cypher_same_rows(any_store, corpus_store, query):
    got = any_store.cypher(query)
    want = corpus_store.cypher(query)
    assert sorted(map(repr, got["rows"])) == sorted(map(repr, want["rows"]))
    assert got["columns"] == want["columns"]
    assert {n["id"] for n in got["subgraph"]["nodes"]} == {n["id"] for n in want["subgraph"]["nodes"]}


@pytest.mark.parametrize("query", [
    "MATCH (p:Pattern)-[r:BLOCKS]->(c:Capacity) RETURN p, r, c",
    "MATCH (p:Pattern)-[r:BLOCKS]->(c:Capacity) RETURN r",
    "MATCH x=(p:Pattern)-[:BLOCKS]->(c:Capacity) RETURN x",
    "MATCH x=(p:Pattern {id: 'pattern:needy'})-[:COMBINES_WITH*1..2]-(q:Pattern) RETURN x",
])
def test_returned_relationships_and_paths(any_store, corpus_store, query):
    """Issue 15: relationships and paths come back in one shape from both stores, and a result's
    graph is exactly what it returns (its relationships and path steps, not every edge among its nodes)."""
    from graph.results import is_path, is_relationship, returned

    want = corpus_store.cypher(query)  # the embedded store runs path variables too (graphqlite)
    got = any_store.cypher(query)
    assert sorted(map(repr, got["rows"])) == sorted(map(repr, want["rows"]))
    assert got["subgraph"] == want["subgraph"]
    assert got["rows"] and all(is_relationship(v) or is_path(v) or "kind" in v for row in got["rows"] for v in row)
    ids, rels = returned(got["rows"])
    edges = got["subgraph"]["edges"]
    assert sorted((e["source"], e["type"], e["target"]) for e in edges) == rels
    assert {n["id"] for n in got["subgraph"]["nodes"]} == set(ids)
    for row in got["rows"]:
        for v in row:
            if is_path(v):
                assert len(v["nodes"]) == len(v["relationships"]) + 1
                for here, there, rel in zip(v["nodes"], v["nodes"][1:], v["relationships"]):
                    assert {rel["source"]["id"], rel["target"]["id"]} == {here["id"], there["id"]}


@pytest.mark.parametrize("params", [{"a": "Insecure", "b": "Self-Judging"}, {"a": "pattern:insecure", "b": "self-judging"}])
def test_named_query_node_parameters_by_name(any_store, params):
    got = run_named(any_store, "distinctions-between", params)
    assert sorted(r[0] for r in got["rows"]) == ["Insecure", "Self-Judging"]


def test_named_query_node_parameter_misspelt(any_store):
    with pytest.raises(LookupError, match="did you mean 'Self-Judging'"):
        run_named(any_store, "distinctions-between", {"b": "Self-Judgin"})


@pytest.mark.parametrize("kinds, types", [(None, None), (["Pattern", "Capacity"], None),
                                          (None, ["COMBINES_WITH", "BLOCKS"])])
def test_degrees(any_store, corpus_store, kinds, types):
    """What the whole-graph view ranks nodes by: the store's answer equals counting the edges."""
    from graph.store import GraphStore
    counted = GraphStore.degrees(corpus_store, kinds, types)  # the generic definition, from edges_among
    assert any_store.degrees(kinds, types) == counted
    assert counted["pattern:insecure"] > 0 and all(v >= 0 for v in counted.values())


@pytest.mark.parametrize("frontier", [["pattern:insecure"], ["pattern:insecure", "pattern:needy", "capacity:belonging"]])
def test_reach_is_the_union_of_neighbours(any_store, frontier):
    """`reach` (one step from a frontier, what neighbourhoods grow by) equals the generic definition."""
    from graph.store import GraphStore
    for kinds, types in [(None, None), (["Pattern", "Capacity"], ["COMBINES_WITH", "BLOCKS"])]:
        assert any_store.reach(frontier, types, kinds) == GraphStore.reach(any_store, frontier, types, kinds)
    assert "pattern:needy" in any_store.reach(["pattern:insecure"], None, None)


@pytest.mark.parametrize("a, b", [("pattern:insecure", "pattern:self-judging"), ("pattern:victim", "capacity:belonging"),
                                  ("pattern:needy", "pattern:needy")])
def test_a_stores_own_traversals_equal_the_ones_written_once(any_store, a, b):
    """Stores may answer the neighbourhood and the first shortest path their own faster way; the answer
    must be the one `graph.traversal` gives from the primitives."""
    from graph import traversal
    from graph.store import GraphStore, path_types
    types = path_types(None)
    assert any_store.shortest_node_paths(a, b, types) == GraphStore.shortest_node_paths(any_store, a, b, types)
    for hops, limit in [(1, None), (2, 15)]:
        assert any_store.neighbourhood(a, hops, limit=limit) == traversal.neighbourhood(any_store, a, hops, limit=limit)


def test_nodes_without_their_sections_are_the_nodes_less_their_sections(any_store):
    """`get_nodes(ids, sections=False)`, what views of many nodes ask for, on every store: the same nodes,
    their card's sections left out, nothing else."""
    ids = ["pattern:insecure", "pattern:needy", "capacity:value", "pattern:nowhere"]
    whole = any_store.get_nodes(ids)
    assert whole["pattern:insecure"]["sections"] and "pattern:nowhere" not in whole
    assert any_store.get_nodes(ids, sections=False) == {
        i: {k: v for k, v in n.items() if k != "sections"} for i, n in whole.items()}
    assert any_store.has_nodes(ids[:3]) and not any_store.has_nodes(ids)
