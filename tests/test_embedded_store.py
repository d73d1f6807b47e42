"""The embedded store: save and reload, rebuild on change or corruption, queries' edge cases."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import DATA
from graph.default import open_embedded
from graph.embedded import EmbeddedStore
from graph.model import GraphData
from graph.store import NotFound


@pytest.fixture()
def data_copy(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA, target, ignore=shutil.ignore_patterns("graph.json"))
    return target


def test_save_and_reload_round_trip(tmp_path, corpus_store):
    path = tmp_path / "g.json"
    corpus_store.save(path, {"note": "x"})
    again = EmbeddedStore.load(path)
    assert again.counts() == corpus_store.counts()
    assert again.get_node("pattern:insecure") == corpus_store.get_node("pattern:insecure")
    assert again.shortest_path("pattern:needy", "capacity:value") == corpus_store.shortest_path("pattern:needy", "capacity:value")


def test_cache_is_used_then_rebuilt_when_sources_change(data_copy):
    store, report = open_embedded(data_copy)
    cache = data_copy / "graph.json"
    assert cache.exists() and report["documents"]
    stamp = cache.stat().st_mtime_ns
    open_embedded(data_copy)
    assert cache.stat().st_mtime_ns == stamp  # reused, not rebuilt
    card = data_copy / "cards" / "needy.txt"
    card.write_text(card.read_text(encoding="utf-8").replace("Being left alone", "Being left alone at night"),
                    encoding="utf-8")
    store2, _ = open_embedded(data_copy)
    assert store2.get_node("condition:being-left-alone-at-night") is not None


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty", "wrong-shape"])
def test_damaged_cache_is_rebuilt_and_sources_untouched(data_copy, damage):
    store, _ = open_embedded(data_copy)
    counts = store.counts()
    cache = data_copy / "graph.json"
    before = {p: p.read_bytes() for p in data_copy.rglob("*") if p.is_file() and p.name != "graph.json"}
    text = cache.read_text(encoding="utf-8")
    cache.write_text({"truncate": text[: len(text) // 2], "garbage": "\x00\xff not json", "empty": "",
                      "wrong-shape": json.dumps({"nodes": [{"id": "x"}], "links": []})}[damage], encoding="utf-8")
    again, _ = open_embedded(data_copy)
    assert again.counts() == counts
    assert json.loads(cache.read_text(encoding="utf-8"))["graph"]["sources_digest"]
    assert {p: p.read_bytes() for p in data_copy.rglob("*") if p.is_file() and p.name != "graph.json"} == before


def test_unknown_references_give_suggestions(corpus_store):
    with pytest.raises(NotFound, match="did you mean 'Needy'"):
        corpus_store.resolve("Neddy")
    with pytest.raises(NotFound):
        corpus_store.neighbourhood("pattern:nope")
    with pytest.raises(ValueError, match="unknown edge type"):
        corpus_store.neighbourhood("pattern:insecure", edge_types=["LIKES"])


def test_neighbourhood_limit_and_depth(corpus_store):
    full = corpus_store.neighbourhood("pattern:insecure", 2)
    capped = corpus_store.neighbourhood("pattern:insecure", 2, limit=20)
    assert capped["truncated"] and capped["total"] == full["total"] and len(capped["nodes"]) == 20
    assert {n["id"] for n in capped["nodes"] if n["depth"] == 1} <= {n["id"] for n in full["nodes"] if n["depth"] == 1}
    assert max(n["depth"] for n in full["nodes"]) == 2


def test_paths_respect_edge_type_filter(corpus_store):
    path = corpus_store.shortest_path("pattern:insecure", "pattern:needy", ["COMBINES_WITH"])
    assert {e["type"] for s in path["steps"] for e in s["edges"]} == {"COMBINES_WITH"}
    assert corpus_store.shortest_path("pattern:insecure", "capacity:belonging", ["COMBINES_WITH"]) is None


def test_merge_unions_provenance():
    store = EmbeddedStore()
    one, two = GraphData(), GraphData()
    one.add_node("Capacity", "Trust", [{"file": "a.txt", "start_line": 1, "end_line": 1, "text": "Trust"}])
    two.add_node("Capacity", "trust", [{"file": "b.txt", "start_line": 4, "end_line": 4, "text": "trust"}])
    store.merge(one)
    store.merge(two)
    node = store.get_node("capacity:trust")
    assert [p["file"] for p in node["provenance"]] == ["a.txt", "b.txt"]


def test_warm_builds_the_traversal_index(corpus_result):
    """The app warms its shared store while opening, so the first click does not build the index."""
    from graph.embedded import EmbeddedStore
    store = EmbeddedStore()
    store.replace_all(corpus_result.graph)
    assert store._typed_adj is None
    store.warm()
    assert store._typed_adj is not None and "pattern:insecure" in store._typed_adj


def test_a_replaced_graph_is_freed(corpus_result):
    """A reload must not leak the graph it replaces (bulk loads pause the cyclic collector; they once
    froze what they built, and a networkx graph's cached views form a cycle that then lived forever)."""
    import gc
    import weakref

    from graph.embedded import EmbeddedStore
    store = EmbeddedStore()
    store.replace_all(corpus_result.graph)
    store.graph.nodes, store.graph.edges, store.graph.adj  # the cached views: a reference cycle
    store.neighbourhood("pattern:insecure", hops=2)
    old = weakref.ref(store.graph)
    store.replace_all(corpus_result.graph)
    gc.collect()
    assert old() is None


def test_fast_codecs_are_installed():
    """The load path relies on them for speed (bench/run.py measures it): orjson for node-link JSON and
    Neo4j property encoding, and the driver's Rust packstream. requirements.txt must keep both."""
    import neo4j
    import neo4j._rust  # noqa: F401
    import orjson

    from graph.neo4j_store import decode_props, encode_props

    assert neo4j.__version__ == "6.4.1"
    value = {"provenance": [{"file": "a.txt", "text": "“quoted” — ü"}], "name": "x"}
    assert decode_props(encode_props(value)) == value
    assert orjson.loads(orjson.dumps(value)) == value
