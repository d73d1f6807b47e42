"""Graph algorithms (graph/algorithms.py) on both stores, their commands, the Python API and its
example script (issue 15, items 5 and 6).

The parity tests run on each store (the `any_store` fixture) and compare with the embedded store's
answer, as tests/test_parity.py does; the embedded run checks facts of the shipped corpus.
"""
from __future__ import annotations

import json

import networkx as nx
import pytest

from conftest import REPO
from graph import algorithms
from test_cli import run

PATTERNS = ["pattern:insecure", "pattern:needy", "pattern:suspicious", "pattern:victim"]


# -- parity ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("measure", algorithms.MEASURES)
def test_top_ten_centrality_is_the_same_on_both_stores(any_store, corpus_store, measure):
    got = algorithms.centrality(any_store, measure, top=10)
    assert got == algorithms.centrality(corpus_store, measure, top=10)
    assert len(got) == 10 and [r["rank"] for r in got] == list(range(1, 11))
    assert [r["score"] for r in got] == sorted((r["score"] for r in got), reverse=True)
    patterns = algorithms.centrality(any_store, measure, top=10, kinds=["Pattern"])
    assert patterns == algorithms.centrality(corpus_store, measure, top=10, kinds=["Pattern"])
    assert {r["kind"] for r in patterns} == {"Pattern"} and patterns[0]["id"] == "pattern:insecure"


def test_communities_are_the_same_on_both_stores(any_store, corpus_store):
    got = algorithms.communities(any_store)
    assert got == algorithms.communities(corpus_store)
    members = [m["id"] for c in got for m in c["members"]]
    projected = algorithms.projection(any_store)
    assert sorted(members) == sorted(projected) and len(members) == len(set(members))
    assert not any(i.startswith("source:") for i in members)  # Source nodes are left out
    assert [c["size"] for c in got] == sorted((c["size"] for c in got), reverse=True)
    assert algorithms.communities(any_store) == got  # fixed seed: the same every time


@pytest.mark.parametrize("pattern", PATTERNS)
def test_similarity_is_the_same_on_both_stores(any_store, corpus_store, pattern):
    got = algorithms.similar(any_store, pattern, top=10)
    assert got == algorithms.similar(corpus_store, pattern, top=10)
    assert got and all(r["kind"] == "Pattern" and r["id"] != pattern and r["shared"] for r in got)


def test_edge_types_narrow_the_projection(any_store, corpus_store):
    types = ["COMBINES_WITH", "DISTINGUISHED_FROM"]
    got = algorithms.centrality(any_store, "degree", top=5, edge_types=types)
    assert got == algorithms.centrality(corpus_store, "degree", top=5, edge_types=types)
    assert algorithms.communities(any_store, types) == algorithms.communities(corpus_store, types)


# -- facts and the plain functions ----------------------------------------------------------------

def test_similarity_facts(corpus_store):
    got = algorithms.similar(corpus_store, "pattern:insecure", top=3)
    assert got[0]["name"] == "Self-Judging"
    shared = {s["id"] for s in got[0]["shared"]}
    assert "capacity:confidence" in shared
    g = algorithms.undirected(algorithms.projection(corpus_store))
    mine, theirs = set(g["pattern:insecure"]), set(g["pattern:self-judging"])
    assert got[0]["score"] == pytest.approx(len(mine & theirs) / len(mine | theirs))


def test_degree_is_distinct_neighbours(corpus_store):
    top = algorithms.centrality(corpus_store, "degree", top=1)[0]
    g = algorithms.undirected(algorithms.projection(corpus_store))
    assert top["id"] == "pattern:insecure"
    assert top["score"] == pytest.approx(g.degree("pattern:insecure") / (len(g) - 1))


def test_pagerank_is_networkx_pagerank():
    g = nx.gnp_random_graph(40, 0.08, seed=3, directed=True)
    g.add_node(99)  # a dangling node
    python_pagerank = getattr(nx.algorithms.link_analysis.pagerank_alg, "_pagerank_python", None)
    if python_pagerank is None:
        pytest.skip("this networkx has no pure-Python pagerank to compare with")
    want = python_pagerank(g, alpha=0.85, tol=1e-12, max_iter=500)
    got = algorithms.pagerank(g)
    assert max(abs(got[n] - want[n]) for n in g) < 1e-8


def test_bad_arguments(corpus_store):
    with pytest.raises(ValueError, match="unknown measure"):
        algorithms.centrality(corpus_store, "closeness")
    with pytest.raises(ValueError, match="unknown node kind"):
        algorithms.centrality(corpus_store, "degree", kinds=["Patterns"])
    with pytest.raises(ValueError, match="unknown edge type"):
        algorithms.communities(corpus_store, ["LIKES"])


# -- command line ---------------------------------------------------------------------------------

def test_cli_centrality():
    proc = run("-m", "graph", "centrality", "--measure", "betweenness", "--top", "3", "--kinds", "Pattern")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "betweenness centrality, top 3 of kinds Pattern" and len(lines) == 4
    assert "1. " in lines[1] and "Insecure (Pattern, pattern:insecure)" in lines[1]
    proc = run("-m", "graph", "--json", "centrality", "--measure", "pagerank", "--top", "5")
    rows = json.loads(proc.stdout)
    assert len(rows) == 5 and rows[0]["id"] == "pattern:insecure" and set(rows[0]) >= {"score", "rank", "kind"}
    proc = run("-m", "graph", "centrality", "--measure", "closeness")
    assert proc.returncode == 2 and "invalid choice" in proc.stderr


def test_cli_communities_and_similar():
    proc = run("-m", "graph", "communities", "--top", "2")
    assert proc.returncode == 0, proc.stderr
    assert "communities (Louvain, seed 42), the 2 largest shown" in proc.stdout.splitlines()[0]
    assert proc.stdout.count(" nodes)") == 2
    proc = run("-m", "graph", "--json", "communities")
    found = json.loads(proc.stdout)
    assert found[0]["index"] == 1 and found[0]["members"]
    proc = run("-m", "graph", "similar", "insecure", "--top", "2")
    assert proc.returncode == 0, proc.stderr
    assert "1. " in proc.stdout and "Self-Judging (pattern:self-judging)" in proc.stdout and "shared: " in proc.stdout
    proc = run("-m", "graph", "similar", "nobody-at-all")
    assert proc.returncode == 2 and proc.stderr.startswith("error: no node 'nobody-at-all'")


# -- the Python API and its example ---------------------------------------------------------------

def test_open_store_is_the_clis_store():
    from atlas import open_store
    from graph.errors import AtlasError

    with open_store() as store:
        assert store.counts()[0]["Pattern"] >= 8
        path = store.shortest_path("pattern:insecure", "pattern:needy")
        assert isinstance(path, dict) and path["nodes"][0]["id"] == "pattern:insecure"
        g = algorithms.projection(store)
        assert isinstance(g, nx.MultiDiGraph) and g.nodes["pattern:insecure"]["kind"] == "Pattern"
    with pytest.raises(AtlasError, match="unknown store"):
        open_store("sqlite")


def test_example_script_runs():
    proc = run(str(REPO / "examples" / "explore.py"), cwd=REPO / "examples")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.splitlines()
    assert out[0].startswith("graph: ") and " nodes, " in out[0]
    assert "capacities blocked by 3 or more patterns:" in out
    assert "top 5 patterns by PageRank:" in out and "  1. Insecure" in proc.stdout
    assert "path: Insecure -> Victim" in out
    assert any(line.startswith("networkx projection: ") for line in out)
