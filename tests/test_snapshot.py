"""The compact snapshot (issue 17, item 2): the graph read back is the graph saved, provenance is stored
once, and a snapshot that is damaged, truncated, of another version or edited (with its checksum made to
match again, so the shape checks are what catch it) is refused."""
from __future__ import annotations

import hashlib
import logging
import shutil
import zlib
from pathlib import Path
from typing import Any, Callable

import networkx as nx
import orjson
import pytest
from conftest import DATA

from graph import snapshot
from graph.embedded import EmbeddedStore
from graph.shapes import EDGES
from graph.snapshot import SnapshotError
from loaders.corpus import load_paths
from loaders.parsecache import ParseCache


@pytest.fixture(scope="module")
def saved(corpus_store) -> bytes:
    return snapshot.encode(corpus_store.graph, {"sources_digest": "d", "report": {"documents": []}})


def test_the_graph_read_back_is_the_graph_saved(corpus_store, saved):
    graph, typed = snapshot.decode(saved)
    built = corpus_store.graph
    assert list(graph.nodes) == list(built.nodes)
    assert dict(graph.nodes(data=True)) == dict(built.nodes(data=True))
    # key order too: exports of a loaded store give the same bytes as of a built one
    assert [list(a) for _, a in graph.nodes(data=True)] == [list(a) for _, a in built.nodes(data=True)]
    assert list(graph.edges(keys=True, data=True)) == list(built.edges(keys=True, data=True))
    assert graph.graph == {"sources_digest": "d", "report": {"documents": []}}
    assert typed == EmbeddedStore(built)._typed()  # the traversal index, built while reading
    store = EmbeddedStore(graph, typed)
    assert store.shortest_path("pattern:needy", "capacity:value") == corpus_store.shortest_path(
        "pattern:needy", "capacity:value")
    assert store.neighbourhood("pattern:insecure", hops=2) == corpus_store.neighbourhood("pattern:insecure", hops=2)


def test_provenance_is_stored_once_and_the_file_is_smaller(corpus_store, saved):
    body = _body(saved)
    texts = [p[3] for p in body["places"]]
    assert len(texts) == len(set(map(tuple, body["places"])))  # each place once
    cited = sum(len(a.get("provenance", [])) for _, a in corpus_store.graph.nodes(data=True)) + \
        sum(len(a.get("provenance", [])) for *_, a in corpus_store.graph.edges(data=True))
    assert len(body["places"]) < cited / 2
    node_link = orjson.dumps(nx.node_link_data(corpus_store.graph, edges=EDGES))
    assert len(saved) < len(node_link) / 5


def _body(raw: bytes) -> dict[str, Any]:
    return orjson.loads(zlib.decompress(raw.split(b"\n", 4)[4]))


def _reseal(raw: bytes, body: dict[str, Any]) -> bytes:
    """The snapshot with a new body and a checksum that matches it (as a deliberate edit would)."""
    head = raw.split(b"\n", 4)
    payload = zlib.compress(orjson.dumps(body), 1)
    return b"\n".join(head[:3] + [hashlib.sha256(payload).hexdigest().encode(), payload])


def _pattern(body: dict[str, Any]) -> dict[str, Any]:
    return body["node_attrs"][body["node_ids"].index("pattern:insecure")]


def _described(body: dict[str, Any]) -> dict[str, Any]:
    return next(a for a in body["edge_attrs"] if a.get("description"))


CORRUPTIONS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "nodes-a-dict": lambda b: b.__setitem__("node_attrs", {"x": 1}),
    "edges-short": lambda b: b["edge_sources"].pop(),
    "provenance-a-string": lambda b: _pattern(b).__setitem__("provenance", "data/cards/insecure.txt:1"),
    "provenance-out-of-range": lambda b: _pattern(b).__setitem__("provenance", [len(b["places"])]),
    "provenance-negative": lambda b: _pattern(b).__setitem__("provenance", [-1]),
    "name-an-int": lambda b: _pattern(b).__setitem__("name", 7),
    "no-name": lambda b: _pattern(b).pop("name"),
    "kind-unknown": lambda b: _pattern(b).__setitem__("kind", "Person"),
    "sections-a-string": lambda b: _pattern(b).__setitem__("sections", "Behavior"),
    "section-item-line-a-string": lambda b: _pattern(b)["sections"][0]["items"][0].__setitem__("line", "4"),
    "place-line-a-bool": lambda b: b["places"][0].__setitem__(1, True),
    "place-text-missing": lambda b: b["places"].__setitem__(0, b["places"][0][:4]),
    "edge-type-unknown": lambda b: b["edge_attrs"][0].__setitem__("type", "LIKES"),
    "edge-to-nowhere": lambda b: b["edge_targets"].__setitem__(0, len(b["node_ids"])),
    "edge-end-a-string": lambda b: b["edge_sources"].__setitem__(0, "pattern:insecure"),
    "edge-description-a-list": lambda b: _described(b).__setitem__("description", ["x"]),
    "duplicate-node": lambda b: (b["node_ids"].append(b["node_ids"][0]), b["node_attrs"].append(b["node_attrs"][0])),
    "duplicate-edge": lambda b: [b[k].append(b[k][0]) for k in ("edge_sources", "edge_targets", "edge_attrs")],
    "meta-a-list": lambda b: b.__setitem__("meta", []),
}


@pytest.mark.parametrize("resealed", [False, True], ids=["as-edited", "resealed"])
@pytest.mark.parametrize("name", list(CORRUPTIONS))
def test_an_edited_snapshot_is_refused(saved, name, resealed):
    body = _body(saved)
    CORRUPTIONS[name](body)
    raw = _reseal(saved, body)
    if not resealed:  # the edit with the old checksum
        raw = b"\n".join(raw.split(b"\n", 3)[:2] + [saved.split(b"\n", 3)[2], raw.split(b"\n", 4)[4]])
    with pytest.raises(SnapshotError):
        snapshot.decode(raw)


@pytest.mark.parametrize("damage", ["truncated", "empty", "garbage", "flipped", "other-version", "not-zlib"])
def test_a_damaged_snapshot_is_refused(saved, damage, tmp_path):
    raw = {"truncated": saved[: len(saved) // 2], "empty": b"", "garbage": b"\x00\xff" * 50,
           "flipped": saved[:-10] + bytes([saved[-10] ^ 1]) + saved[-9:],
           "other-version": saved.replace(b"snapshot\n1\n", b"snapshot\n0\n", 1),
           "not-zlib": _sealed_payload(saved, b"{}")}[damage]
    path = tmp_path / "graph.snapshot"
    path.write_bytes(raw)
    with pytest.raises(SnapshotError, match=str(path)):
        snapshot.read(path)


def _sealed_payload(saved: bytes, payload: bytes) -> bytes:
    head = saved.split(b"\n", 4)[:3]
    return b"\n".join(head + [hashlib.sha256(payload).hexdigest().encode(), payload])


def test_a_missing_or_stale_snapshot_is_told_apart(corpus_store, tmp_path):
    with pytest.raises(snapshot.SnapshotMissing):
        snapshot.read(tmp_path / "nothing.snapshot")
    path = tmp_path / "graph.snapshot"
    path.write_bytes(snapshot.encode(corpus_store.graph, {}, "abc123"))
    assert snapshot.read(path, "abc123")[0].number_of_edges() == corpus_store.graph.number_of_edges()
    with pytest.raises(snapshot.SnapshotStale):
        snapshot.read(path, "abc124")
    with pytest.raises(ValueError):
        snapshot.encode(corpus_store.graph, {}, "not\nhex")


# -- the app's cache: atlas.compose.open_embedded ------------------------------------------------------

REPORT_CORRUPTIONS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "report-a-string": lambda b: b["meta"].__setitem__("report", "ok"),
    "report-warnings-strings": lambda b: b["meta"]["report"].__setitem__("warnings", ["x"]),
    "patterns-removed": lambda b: _without_patterns(b),
}


def _without_patterns(body: dict[str, Any]) -> None:
    """Every Pattern node and its edges taken out (the report still counts them)."""
    keep = [i for i, a in enumerate(body["node_attrs"]) if a["kind"] != "Pattern"]
    number = {old: new for new, old in enumerate(keep)}
    edges = [i for i, (a, b) in enumerate(zip(body["edge_sources"], body["edge_targets"], strict=True))
             if a in number and b in number]
    body["node_ids"] = [body["node_ids"][i] for i in keep]
    body["node_attrs"] = [body["node_attrs"][i] for i in keep]
    body["edge_sources"] = [number[body["edge_sources"][i]] for i in edges]
    body["edge_targets"] = [number[body["edge_targets"][i]] for i in edges]
    body["edge_attrs"] = [body["edge_attrs"][i] for i in edges]


@pytest.fixture(scope="module")
def corpus_with_snapshot(tmp_path_factory) -> tuple[Path, bytes]:
    from atlas.compose import CACHE_NAME, open_embedded

    target = tmp_path_factory.mktemp("snap") / "data"
    shutil.copytree(DATA, target, ignore=shutil.ignore_patterns("graph.*"))
    open_embedded(target)
    return target, (target / CACHE_NAME).read_bytes()


@pytest.mark.parametrize("name", ["truncated", *CORRUPTIONS, *REPORT_CORRUPTIONS])
def test_the_app_rebuilds_an_edited_snapshot_with_a_warning(corpus_with_snapshot, name, caplog):
    from atlas.compose import CACHE_NAME, open_embedded

    folder, saved = corpus_with_snapshot
    if name == "truncated":
        raw = saved[: len(saved) // 2]
    else:
        body = _body(saved)
        {**CORRUPTIONS, **REPORT_CORRUPTIONS}[name](body)
        raw = _reseal(saved, body)
    (folder / CACHE_NAME).write_bytes(raw)
    with caplog.at_level(logging.WARNING, logger="atlas.compose"):
        store, report = open_embedded(folder)
    good = _body(saved)
    assert report["node_counts"] == good["meta"]["report"]["node_counts"] == store.counts()[0]
    assert store.get_node("pattern:insecure")["name"] == "Insecure"
    assert any("rebuilding" in r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING)
    assert _body((folder / CACHE_NAME).read_bytes()) == good  # saved again, whole


def test_the_app_uses_a_sound_snapshot_as_it_is(corpus_with_snapshot, caplog):
    from atlas.compose import CACHE_NAME, open_embedded

    folder, saved = corpus_with_snapshot
    (folder / CACHE_NAME).write_bytes(saved)
    stamp = (folder / CACHE_NAME).stat().st_mtime_ns
    with caplog.at_level(logging.INFO, logger="atlas.compose"):
        store, _ = open_embedded(folder)
    assert not caplog.records and (folder / CACHE_NAME).stat().st_mtime_ns == stamp
    assert store._typed_adj is not None  # the traversal index came with it


def test_the_app_rereads_only_the_card_that_changed(tmp_path, monkeypatch):
    from atlas import compose

    folder = tmp_path / "data"
    shutil.copytree(DATA, folder, ignore=shutil.ignore_patterns("graph.*"))
    compose.open_embedded(folder)
    card = folder / "cards" / "needy.txt"
    card.write_text(card.read_text(encoding="utf-8").replace("Being left alone", "Being left alone at night"),
                    encoding="utf-8")
    caches: list[ParseCache] = []
    monkeypatch.setattr(compose, "ParseCache", lambda path: caches.append(ParseCache(path)) or caches[-1])
    store, report = compose.open_embedded(folder)
    assert (caches[0].hits, caches[0].misses) == (7, 1)
    fresh = load_paths([folder])
    assert report == fresh.report.to_dict()
    assert dict(store.graph.nodes(data=True)) == fresh.graph.nodes
