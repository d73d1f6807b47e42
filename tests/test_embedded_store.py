"""The embedded store: save and reload, rebuild on change or corruption, queries' edge cases."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import DATA

from atlas.compose import CACHE_NAME, open_embedded
from graph import snapshot
from graph.embedded import EmbeddedStore
from graph.model import GraphData
from graph.shapes import EDGES
from graph.store import NotFound


@pytest.fixture()
def data_copy(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA, target, ignore=shutil.ignore_patterns("graph.*"))
    return target


def _sources(folder: Path) -> dict[Path, bytes]:
    """Every file of a corpus folder but the caches beside it (graph.snapshot, graph.parsed)."""
    return {p: p.read_bytes() for p in folder.rglob("*") if p.is_file() and not p.name.startswith("graph.")}


def test_save_and_reload_round_trip(tmp_path, corpus_store):
    path = tmp_path / "g.json"
    corpus_store.save(path, {"note": "x"})
    again = EmbeddedStore.load(path)
    assert again.counts() == corpus_store.counts()
    assert again.get_node("pattern:insecure") == corpus_store.get_node("pattern:insecure")
    assert again.shortest_path("pattern:needy", "capacity:value") == corpus_store.shortest_path("pattern:needy",
                                                                                                "capacity:value")


def test_cache_is_used_then_rebuilt_when_sources_change(data_copy):
    store, report = open_embedded(data_copy)
    cache = data_copy / CACHE_NAME
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
    cache = data_copy / CACHE_NAME
    before = _sources(data_copy)
    raw = cache.read_bytes()
    cache.write_bytes({"truncate": raw[: len(raw) // 2], "garbage": b"\x00\xff not a snapshot", "empty": b"",
                       "wrong-shape": json.dumps({"nodes": [{"id": "x"}], EDGES: []}).encode()}[damage])
    again, _ = open_embedded(data_copy)
    assert again.counts() == counts
    assert snapshot.read(cache).meta["sources_digest"]
    assert _sources(data_copy) == before


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


def test_warm_builds_the_name_index(corpus_result):
    """The app warms its shared store while opening, so the first search does not build the name index
    (the traversal index is made per node as it is asked for, from the columns)."""
    from graph.embedded import EmbeddedStore
    store = EmbeddedStore()
    store.replace_all(corpus_result.graph)
    assert store._by_name is None
    store.warm()
    assert store._by_name is not None and store._by_name["insecure"] == [store.compact.index["pattern:insecure"]]


def test_a_replaced_graph_is_freed(corpus_result):
    """A reload must not leak the graph it replaces (bulk loads pause the cyclic collector; they once
    froze what they built, and a networkx graph's cached views form a cycle that then lived forever)."""
    import gc
    import weakref

    from graph.embedded import EmbeddedStore
    store = EmbeddedStore()
    store.replace_all(corpus_result.graph)
    views = (store.graph.nodes, store.graph.edges, store.graph.adj)  # the cached views: a reference cycle
    del views
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


# -- issue 13, class 9: a saved graph with the right digest but the wrong content -----------------

def _reseal(data: dict) -> bytes:
    """`data` as `save` writes it, with a checksum that matches (the documented rule, done here: SHA-256
    of the compact orjson bytes with the 64 hex digits of `content_sha256`, the graph's first
    attribute, as zeros). A cache edited this way passes the checksum: only the shape checks catch it."""
    import hashlib

    import orjson

    data["graph"] = {"content_sha256": "0" * 64, **{k: v for k, v in data["graph"].items() if k != "content_sha256"}}
    raw = orjson.dumps(data)
    digest = hashlib.sha256(raw).hexdigest()
    return raw.replace(b'"content_sha256":"' + b"0" * 64 + b'"', b'"content_sha256":"' + digest.encode() + b'"', 1)


def _node(data: dict, nid: str = "pattern:insecure") -> dict:
    return next(n for n in data["nodes"] if n["id"] == nid)


_WRONG = {str: 7, int: "7", list: "oops", dict: ["x"], float: "0.5"}

CORRUPTIONS = {
    "nodes-a-dict": lambda d: d.__setitem__("nodes", {n["id"]: n for n in d["nodes"]}),
    "edges-a-dict": lambda d: d.__setitem__(EDGES, {"x": 1}),
    "provenance-a-string": lambda d: _node(d).__setitem__("provenance", "data/cards/insecure.txt:1"),
    "name-an-int": lambda d: _node(d).__setitem__("name", 7),
    "kind-unknown": lambda d: _node(d).__setitem__("kind", "Person"),
    "sections-a-string": lambda d: _node(d).__setitem__("sections", "Behavior"),
    "section-item-line-a-string": lambda d: _node(d)["sections"][0]["items"][0].__setitem__("line", "4"),
    "start-line-a-bool": lambda d: _node(d)["provenance"][0].__setitem__("start_line", True),
    "edge-type-unknown": lambda d: d[EDGES][0].update(key="LIKES", type="LIKES"),
    "edge-to-nowhere": lambda d: d[EDGES][0].__setitem__("target", "pattern:nobody"),
    "edge-description-a-list": lambda d: next(e for e in d[EDGES] if e.get("description")).__setitem__(
        "description", ["x"]),
    "duplicate-node": lambda d: d["nodes"].append(dict(d["nodes"][0])),
    "undirected": lambda d: d.__setitem__("directed", False),
    "report-a-string": lambda d: d["graph"].__setitem__("report", "ok"),
    "report-warnings-strings": lambda d: d["graph"]["report"].__setitem__("warnings", ["x"]),
    "patterns-removed": lambda d: (
        d.__setitem__(EDGES, [e for e in d[EDGES] if not {e["source"], e["target"]} & {
            n["id"] for n in d["nodes"] if n["kind"] == "Pattern"}]),
        d.__setitem__("nodes", [n for n in d["nodes"] if n["kind"] != "Pattern"])),
    "format-version-0": lambda d: d["graph"].__setitem__("format_version", 0),
    "format-version-a-string": lambda d: d["graph"].__setitem__("format_version", "2"),
}


def _random_corruptions(seed: int = 13, count: int = 8) -> dict:
    """Seeded: a random node's or edge's typed field (name, kind, provenance, a place's line or text,
    a description ...) replaced by a value of another type."""
    import random

    rng = random.Random(seed)
    out = {}
    for i in range(count):
        where = rng.choice(["node", "node-prov", "edge", "edge-prov", "section"])

        pick, field_pick = rng.random(), rng.random()

        def corrupt(d, where=where, pick=pick, field_pick=field_pick):
            if where.startswith("node") or where == "section":
                pool = [n for n in d["nodes"] if (where != "section" or n.get("sections"))]
                rec = pool[int(pick * len(pool))]
            else:
                rec = d[EDGES][int(pick * len(d[EDGES]))]
            if where.endswith("prov"):
                rec = rec["provenance"][0]
                fields = ["file", "start_line", "end_line", "text"]
            elif where == "section":
                rec = rec["sections"][0]
                fields = ["heading", "heading_status", "items"]
            elif where == "node":
                fields = ["id", "kind", "name", "provenance"]
            else:
                fields = ["source", "target", "key", "provenance"]
            name = fields[int(field_pick * len(fields))]
            rec[name] = _WRONG[type(rec[name])]

        out[f"random-{i}-{where}"] = corrupt
    return out


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> tuple[Path, bytes]:
    """A saved node-link graph of data/ (as `EmbeddedStore.save` writes it, with the load report): the
    file and its bytes as saved. (The app's own cache is the snapshot: tests/test_snapshot.py.)"""
    target = tmp_path_factory.mktemp("cache") / "data"
    shutil.copytree(DATA, target, ignore=shutil.ignore_patterns("graph.*"))
    store, report = open_embedded(target)
    path = target.parent / "graph.json"
    store.save(path, {"sources_digest": store.graph.graph["sources_digest"], "report": report})
    return path, path.read_bytes()


@pytest.mark.parametrize("resealed", [False, True], ids=["as-edited", "resealed"])
@pytest.mark.parametrize("name", list(CORRUPTIONS) + list(_random_corruptions()))
def test_a_saved_graph_with_wrong_content_is_refused(pristine, name, resealed):
    """Each corruption is refused by the loader's checks (format, checksum, shape) or, for the load
    report, by the check the opening code makes of it (`report_problem`)."""
    import orjson

    from atlas.compose import report_problem

    path, saved = pristine
    data = orjson.loads(saved)
    {**CORRUPTIONS, **_random_corruptions()}[name](data)
    edited = path.with_name("edited.json")
    edited.write_bytes(_reseal(data) if resealed else orjson.dumps(data))
    try:
        store = EmbeddedStore.load(edited, sealed=True)
    except ValueError:
        return
    assert report_problem(store.graph.graph.get("report"), store) is not None


def test_a_sound_saved_graph_is_read_as_it_is(pristine):
    from atlas.compose import report_problem

    path, _ = pristine
    store = EmbeddedStore.load(path, sealed=True)
    assert report_problem(store.graph.graph.get("report"), store) is None


def test_a_loaders_file_loads_but_the_cache_must_be_sealed(tmp_path, corpus_store):
    """`python -m loaders -o` writes node-link JSON without a checksum: EmbeddedStore.load reads it (its
    shape is checked); as the app's cache it is not trusted."""
    import networkx as nx

    plain = tmp_path / "plain.json"
    plain.write_text(json.dumps(nx.node_link_data(corpus_store.graph, edges=EDGES)), encoding="utf-8")
    assert EmbeddedStore.load(plain).counts() == corpus_store.counts()
    with pytest.raises(ValueError, match="format version"):
        EmbeddedStore.load(plain, sealed=True)
