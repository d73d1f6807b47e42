"""The compact snapshot (issue 17, item 2): the graph read back is the graph saved, provenance is stored
once, and a snapshot that is damaged, truncated, of another version or edited (with its checksum made to
match again, so the shape checks are what catch it) is refused."""
from __future__ import annotations

import hashlib
import logging
import re
import shutil
import struct
import sys
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
from graph.snapshot_blocks import BLOCK_BYTES, Blocks
from loaders.corpus import load_paths
from loaders.parsecache import ParseCache


@pytest.fixture(scope="module")
def saved(corpus_store) -> bytes:
    return snapshot.encode(corpus_store.compact, {"sources_digest": "d", "report": {"documents": []}})


def test_the_graph_read_back_is_the_graph_saved(corpus_store, saved):
    compact = snapshot.decode(saved)
    graph = compact.to_networkx()
    built = corpus_store.graph
    assert list(graph.nodes) == list(built.nodes)
    assert dict(graph.nodes(data=True)) == dict(built.nodes(data=True))
    # key order too: exports of a loaded store give the same bytes as of a built one
    assert [list(a) for _, a in graph.nodes(data=True)] == [list(a) for _, a in built.nodes(data=True)]
    assert list(graph.edges(keys=True, data=True)) == list(built.edges(keys=True, data=True))
    assert graph.graph == {"sources_digest": "d", "report": {"documents": []}}
    store = EmbeddedStore(snapshot.decode(saved))
    assert store.shortest_path("pattern:needy", "capacity:value") == corpus_store.shortest_path(
        "pattern:needy", "capacity:value")
    assert store.neighbourhood("pattern:insecure", hops=2) == corpus_store.neighbourhood("pattern:insecure", hops=2)


def _blocks_read(store: EmbeddedStore) -> dict[str, int]:
    return {family: len(cache) for family, cache in store.compact.rows._cache.items()}


def test_opening_reads_no_rows_and_a_card_reads_its_own(corpus_store, saved):
    """What makes a 10,000-card start fast: the columns answer counts, lists, degrees and traversals;
    a node's whole attributes are read (one block and its places) only when asked for."""
    store = EmbeddedStore(snapshot.decode(saved))
    assert store.counts() == corpus_store.counts()
    assert store.list_nodes(["Pattern"]) == corpus_store.list_nodes(["Pattern"])
    assert store.degrees(["Pattern"], ["COMBINES_WITH"]) == corpus_store.degrees(["Pattern"], ["COMBINES_WITH"])
    assert store.shortest_node_paths("pattern:needy", "capacity:value", ["HAS_CAPACITY", "TRANSFORMED_BY",
                                                                           "COMBINES_WITH"]) is not None
    assert store.nodes_by_name("insecure") == corpus_store.nodes_by_name("insecure")
    assert store.neighbourhood("pattern:insecure")["nodes"] == corpus_store.neighbourhood("pattern:insecure")["nodes"]
    assert _blocks_read(store)["sections"] == 0  # a view of many nodes reads no card's every line
    store = EmbeddedStore(snapshot.decode(saved))
    assert store.get_node("pattern:insecure") == corpus_store.get_node("pattern:insecure")
    read = _blocks_read(store)
    assert read["nodes"] == 1 and read["sections"] == 1 and read["edges"] == 0 and 0 < read["places"]
    assert store.incident_edges(["pattern:insecure"]) == corpus_store.incident_edges(["pattern:insecure"])


def test_provenance_is_stored_once_and_the_file_is_smaller(corpus_store, saved):
    rows = _unpack(saved)["rows"]
    places = list(zip(*rows["places"], strict=True))
    assert len(places) == len(set(places))  # each place once
    cited = sum(len(a.get("provenance", [])) for _, a in corpus_store.graph.nodes(data=True)) + \
        sum(len(a.get("provenance", [])) for *_, a in corpus_store.graph.edges(data=True))
    assert len(places) < cited / 2
    node_link = orjson.dumps(nx.node_link_data(corpus_store.graph, edges=EDGES))
    assert len(saved) < len(node_link) / 4


def _unpack(raw: bytes) -> dict[str, Any]:
    """A snapshot as plain data: its header lines, columns, edge ends and types, and every row."""
    head = raw.split(b"\n", 4)
    sizes, _, rest = head[4].partition(b"\n")
    core_size, ends_size = map(int, sizes.split())
    core = orjson.loads(zlib.decompress(rest[:core_size]))
    ends = zlib.decompress(rest[core_size:core_size + ends_size])
    m = len(ends) // 9
    blocks = rest[core_size + ends_size:]
    rows = {}
    for family, (_, offsets) in core["blocks"].items():
        decoded = [orjson.loads(zlib.decompress(blocks[a:b])) for a, b in zip(offsets, offsets[1:], strict=False)]
        if family == "places":  # blocks of columns: file, lines, text, authorship, whole entry
            decoded = [[list(p[:5]) for p in zip(*columns, strict=True)] for columns in decoded]
        rows[family] = [r for block in decoded for r in block]
    return {"head": head[:3], "core": core, "rows": rows, "src": list(struct.unpack(f"<{m}i", ends[:4 * m])),
            "dst": list(struct.unpack(f"<{m}i", ends[4 * m:8 * m])), "types": list(ends[8 * m:])}


def _blocks_of(rows: list[Any], blocks: list[bytes]) -> tuple[list[int], list[int]]:
    """Rows in blocks as the snapshot writes them, appended to `blocks`; their block table."""
    family = Blocks(BLOCK_BYTES["nodes"])
    for row in rows:
        family.add(orjson.dumps(row))
    return family.table(blocks)


def _pack(state: dict[str, Any]) -> bytes:
    """The snapshot of `state` (as `_unpack` gives it, edited) with a checksum that matches it, as a
    deliberate edit would make."""
    blocks: list[bytes] = []
    core = dict(state["core"])
    core["blocks"] = {f: _blocks_of(state["rows"][f], blocks)
                      for f in ("nodes", "sections", "edges")}
    places = state["rows"]["places"]  # one block of columns
    columns = [[p[c] if c < len(p) else None for p in places] for c in range(5)] + [[None] * len(places)]
    blocks.append(zlib.compress(orjson.dumps(columns)))
    start = sum(map(len, blocks[:-1]))
    core["blocks"]["places"] = [[0] if places else [], [start, start + len(blocks[-1])] if places else [start]]
    core_z = zlib.compress(orjson.dumps(core))
    src, dst, types = state["src"], state["dst"], state["types"]
    ends = zlib.compress(struct.pack(f"<{len(src)}i", *src) + struct.pack(f"<{len(dst)}i", *dst)
                         + struct.pack(f"<{len(types)}b", *types))
    body = b"%d %d\n%s%s%s" % (len(core_z), len(ends), core_z, ends, b"".join(blocks))
    return b"\n".join(state["head"] + [hashlib.sha256(body).hexdigest().encode(), body])


def _at(state: dict[str, Any], nid: str = "pattern:insecure") -> int:
    return state["core"]["ids"].index(nid)


def _pattern(state: dict[str, Any]) -> dict[str, Any]:
    return state["rows"]["nodes"][_at(state)]


def _described(state: dict[str, Any]) -> dict[str, Any]:
    return next(a for a in state["rows"]["edges"] if a.get("description"))


def _twice(state: dict[str, Any], *keys: str) -> None:
    for key in keys:
        state[key].append(state[key][0])


#: Edits found when the snapshot is opened: the columns every query needs.
COLUMN_CORRUPTIONS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "ids-a-dict": lambda s: s["core"].__setitem__("ids", {"x": 1}),
    "edges-short": lambda s: s["src"].pop(),
    "name-an-int": lambda s: s["core"]["names"].__setitem__(_at(s), 7),
    "kind-unknown": lambda s: s["core"]["kinds"].__setitem__(_at(s), 99),
    "edge-type-unknown": lambda s: s["types"].__setitem__(0, 99),
    "edge-to-nowhere": lambda s: s["dst"].__setitem__(0, len(s["core"]["ids"])),
    "edge-end-negative": lambda s: s["src"].__setitem__(0, -1),
    "duplicate-node": lambda s: _twice(s["core"], "ids", "kinds", "names", "status"),
    "duplicate-edge": lambda s: (_twice(s, "src", "dst", "types"), _twice(s["rows"], "edges")),
    "meta-a-list": lambda s: s["core"].__setitem__("meta", []),
    "places-count-a-string": lambda s: s["core"].__setitem__("places", "many"),
}
#: Edits to a node's, an edge's or a place's row: found when that block is read.
ROW_CORRUPTIONS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "provenance-a-string": lambda s: _pattern(s).__setitem__("provenance", "data/cards/insecure.txt:1"),
    "provenance-out-of-range": lambda s: _pattern(s).__setitem__("provenance", [len(s["rows"]["places"])]),
    "provenance-negative": lambda s: _pattern(s).__setitem__("provenance", [-1]),
    "row-name-not-the-column's": lambda s: _pattern(s).__setitem__("name", "Secure"),
    "no-name": lambda s: _pattern(s).pop("name"),
    "row-kind-not-the-column's": lambda s: _pattern(s).__setitem__("kind", "Person"),
    "sections-a-string": lambda s: _pattern(s).__setitem__("sections", "Behavior"),
    "section-item-line-a-string": lambda s: s["rows"]["sections"][_at(s)][0]["items"][0].__setitem__("line", "4"),
    "sections-apart-but-none": lambda s: s["rows"]["sections"].__setitem__(_at(s), None),
    "sections-a-dict": lambda s: s["rows"]["sections"].__setitem__(_at(s), {"Behavior": []}),
    "place-line-a-bool": lambda s: [p.__setitem__(1, True) for p in s["rows"]["places"]],
    "place-text-missing": lambda s: s["rows"]["places"].__setitem__(0, s["rows"]["places"][0][:3]),
    "row-type-not-the-column's": lambda s: s["rows"]["edges"][0].__setitem__("type", "LIKES"),
    "edge-description-a-list": lambda s: _described(s).__setitem__("description", ["x"]),
    "a-row-missing": lambda s: s["rows"]["nodes"].pop(),
}


@pytest.mark.parametrize("resealed", [False, True], ids=["as-edited", "resealed"])
@pytest.mark.parametrize("name", [*COLUMN_CORRUPTIONS, *ROW_CORRUPTIONS])
def test_an_edited_snapshot_is_refused(saved, name, resealed):
    state = _unpack(saved)
    {**COLUMN_CORRUPTIONS, **ROW_CORRUPTIONS}[name](state)
    raw = _pack(state)
    if not resealed:  # the edit with the old checksum
        raw = b"\n".join(raw.split(b"\n", 3)[:2] + [saved.split(b"\n", 3)[2], raw.split(b"\n", 4)[4]])
    with pytest.raises(SnapshotError):
        snapshot.decode(raw).to_networkx()  # opened, then every row read
    if resealed and name in COLUMN_CORRUPTIONS:
        with pytest.raises(SnapshotError):
            snapshot.decode(raw)  # refused on opening


@pytest.mark.parametrize("name", ["provenance-out-of-range", "row-name-not-the-column's", "sections-a-string"])
def test_an_edited_row_is_refused_when_read_naming_the_file_and_block(saved, name, tmp_path):
    state = _unpack(saved)
    ROW_CORRUPTIONS[name](state)
    path = tmp_path / "graph.snapshot"
    path.write_bytes(_pack(state))
    store = EmbeddedStore(snapshot.read(path))
    last = store.compact.ids[-1]  # in another block
    assert store.get_node(last)["name"] == store.compact.names[-1]  # the rest reads as it was
    with pytest.raises(SnapshotError, match=rf"{re.escape(str(path))}: nodes block \d+: "):
        store.get_node("pattern:insecure")


def test_an_unchanged_snapshot_packs_back_to_the_same_graph(saved):
    """The test's own unpacking and packing keep the graph (so the edits above are what is refused)."""
    again = snapshot.decode(_pack(_unpack(saved))).to_networkx()
    assert list(again.edges(keys=True, data=True)) == list(snapshot.decode(saved).to_networkx().edges(
        keys=True, data=True))


@pytest.mark.parametrize("damage", ["truncated", "empty", "garbage", "flipped", "other-version", "not-zlib"])
def test_a_damaged_snapshot_is_refused(saved, damage, tmp_path):
    raw = {"truncated": saved[: len(saved) // 2], "empty": b"", "garbage": b"\x00\xff" * 50,
           "flipped": saved[:-10] + bytes([saved[-10] ^ 1]) + saved[-9:],
           "other-version": saved.replace(b"snapshot\n3\n", b"snapshot\n2\n", 1),
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
    path.write_bytes(snapshot.encode(corpus_store.compact, {}, "abc123"))
    assert snapshot.read(path, "abc123").number_of_edges() == corpus_store.graph.number_of_edges()
    with pytest.raises(snapshot.SnapshotStale):
        snapshot.read(path, "abc124")
    with pytest.raises(ValueError):
        snapshot.encode(corpus_store.compact, {}, "not\nhex")


# -- the app's cache: atlas.compose.open_embedded ------------------------------------------------------

REPORT_CORRUPTIONS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "report-a-string": lambda s: s["core"]["meta"].__setitem__("report", "ok"),
    "report-warnings-strings": lambda s: s["core"]["meta"]["report"].__setitem__("warnings", ["x"]),
    "patterns-removed": lambda s: _without_patterns(s),
}


def _without_patterns(state: dict[str, Any]) -> None:
    """Every Pattern node and its edges taken out (the report still counts them)."""
    core, rows = state["core"], state["rows"]
    keep = [i for i, a in enumerate(rows["nodes"]) if a["kind"] != "Pattern"]
    number = {old: new for new, old in enumerate(keep)}
    edges = [i for i, (a, b) in enumerate(zip(state["src"], state["dst"], strict=True)) if a in number and b in number]
    for key in ("ids", "kinds", "names", "status"):
        core[key] = [core[key][i] for i in keep]
    rows["nodes"] = [rows["nodes"][i] for i in keep]
    state["src"] = [number[state["src"][i]] for i in edges]
    state["dst"] = [number[state["dst"][i]] for i in edges]
    state["types"] = [state["types"][i] for i in edges]
    rows["edges"] = [rows["edges"][i] for i in edges]


@pytest.fixture(scope="module")
def corpus_with_snapshot(tmp_path_factory) -> tuple[Path, bytes]:
    from atlas.compose import CACHE_NAME, open_embedded

    target = tmp_path_factory.mktemp("snap") / "data"
    shutil.copytree(DATA, target, ignore=shutil.ignore_patterns("graph.*"))
    open_embedded(target)
    return target, (target / CACHE_NAME).read_bytes()


@pytest.mark.parametrize("name", ["truncated", *COLUMN_CORRUPTIONS, *REPORT_CORRUPTIONS])
def test_the_app_rebuilds_an_edited_snapshot_with_a_warning(corpus_with_snapshot, name, caplog):
    from atlas.compose import CACHE_NAME, open_embedded

    folder, saved = corpus_with_snapshot
    if name == "truncated":
        raw = saved[: len(saved) // 2]
    else:
        state = _unpack(saved)
        {**COLUMN_CORRUPTIONS, **REPORT_CORRUPTIONS}[name](state)
        raw = _pack(state)
    (folder / CACHE_NAME).write_bytes(raw)
    with caplog.at_level(logging.WARNING, logger="atlas.compose"):
        store, report = open_embedded(folder)
    good = _unpack(saved)
    assert report["node_counts"] == good["core"]["meta"]["report"]["node_counts"] == store.counts()[0]
    assert store.get_node("pattern:insecure")["name"] == "Insecure"
    assert any("rebuilding" in r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING)
    assert _unpack((folder / CACHE_NAME).read_bytes()) == good  # saved again, whole


def test_the_app_uses_a_sound_snapshot_as_it_is(corpus_with_snapshot, caplog):
    from atlas.compose import CACHE_NAME, open_embedded

    folder, saved = corpus_with_snapshot
    (folder / CACHE_NAME).write_bytes(saved)
    stamp = (folder / CACHE_NAME).stat().st_mtime_ns
    with caplog.at_level(logging.INFO, logger="atlas.compose"):
        store, _ = open_embedded(folder)
    assert not caplog.records and (folder / CACHE_NAME).stat().st_mtime_ns == stamp
    assert _blocks_read(store) == {"nodes": 0, "sections": 0, "edges": 0, "places": 0}  # no row read to open it


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


def test_threads_reading_one_store_get_the_rows_saved(corpus_store, saved, monkeypatch):
    """The app shares one store across sessions' threads: with a cache of two blocks (so blocks are let
    go all the time), eight threads reading every node and edge get what was saved, and no error."""
    from concurrent.futures import ThreadPoolExecutor

    from graph import snapshot_rows

    monkeypatch.setattr(snapshot_rows, "CACHED_BLOCKS", dict.fromkeys(snapshot_rows.FAMILIES, 2))
    store = EmbeddedStore(snapshot.decode(saved))
    ids = store.compact.ids

    def read(offset: int) -> bool:
        for i in range(offset, offset + len(ids)):
            nid = ids[i % len(ids)]
            if store.get_node(nid) != corpus_store.get_node(nid):
                return False
        return store.incident_edges(ids[offset::7]) == corpus_store.incident_edges(ids[offset::7])

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads switch all the time, as a loaded server's do
    try:
        with ThreadPoolExecutor(8) as pool:
            assert all(pool.map(read, range(0, 8 * 13, 13)))
    finally:
        sys.setswitchinterval(interval)
    assert max(len(c) for c in store.compact.rows._cache.values()) <= 2


def test_places_of_another_shape_are_stored_whole():
    """A provenance entry with keys other than the loaders' five (a hand-made graph's) reads back as it was,
    beside ordinary ones."""
    from graph.model import GraphData

    data = GraphData()
    plain = {"file": "a.txt", "start_line": 1, "end_line": 2, "text": "x", "authorship": "authored"}
    other = {"file": "b.txt", "start_line": 3, "end_line": 3, "text": "y", "note": "checked"}
    data.add_node("Capacity", "Trust", [plain, other])
    data.add_node("Capacity", "Calm", [other])
    built = EmbeddedStore()
    built.replace_all(data)
    store = EmbeddedStore(snapshot.decode(snapshot.encode(built.compact, {})))
    assert store.get_nodes(["capacity:trust", "capacity:calm"]) == built.get_nodes(["capacity:trust", "capacity:calm"])
    assert store.graph.nodes["capacity:trust"]["provenance"] == [plain, other]
