"""The network canvas without a browser (issue 14, part A): layouts, the data it is given, its events'
targets, its offline folder, and positions kept across reruns in the app (AppTest)."""
from __future__ import annotations

import json
import math
import re
import shutil
import tempfile
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from explorer import canvas_actions, network_component, network_layout
from explorer.network_component import ACTIONS, NetworkEvent, component_dir
from explorer.network_layout import MIN_GAP, extend, layout_positions, spread
from explorer.network_payload import EDGE_STYLES, build_payload, edge_label

REPO = Path(__file__).resolve().parents[1]
FRONTEND = REPO / "explorer" / "network_frontend"


def pairs(edges):
    return [(e["source"], e["target"]) for e in edges]


def closest(pos) -> float:
    pts = list(pos.values())
    return min(math.dist(a, b) for i, a in enumerate(pts) for b in pts[i + 1:])


@pytest.fixture(scope="module")
def hood(corpus_store):
    return corpus_store.neighbourhood("pattern:insecure", hops=1)


@pytest.mark.parametrize("layout", list(network_layout.LAYOUTS))
def test_layouts_are_deterministic_and_nothing_overlaps(hood, layout):
    ids = [n["id"] for n in hood["nodes"]]
    first = layout_positions(ids, pairs(hood["edges"]), layout, "pattern:insecure")
    network_layout._cached.cache_clear()
    again = layout_positions(ids, pairs(hood["edges"]), layout, "pattern:insecure")
    assert first == again and set(first) == set(ids)
    assert closest(first) >= MIN_GAP * 0.95


def test_layouts_differ_and_follow_the_centre(hood):
    ids = [n["id"] for n in hood["nodes"]]
    force = layout_positions(ids, pairs(hood["edges"]), "force", "pattern:insecure")
    radial = layout_positions(ids, pairs(hood["edges"]), "radial", "pattern:insecure")
    layered = layout_positions(ids, pairs(hood["edges"]), "hierarchical", "pattern:insecure")
    assert force != radial != layered
    assert radial["pattern:insecure"] == (0.0, 0.0)
    assert layered["pattern:insecure"][1] < min(y for i, (_, y) in layered.items() if i != "pattern:insecure")


def test_path_nodes_on_one_spot_are_pushed_apart():
    placed = spread({"a": (0.0, 0.0), "b": (0.0, 0.0), "c": (1.0, 0.0), "d": (500.0, 0.0)})
    assert closest(placed) >= MIN_GAP * 0.95
    assert spread({"a": (0, 0), "b": (1, 1)}, fixed=["a"])["a"] == (0.0, 0.0)  # a fixed node stays


def test_an_expansion_keeps_drawn_nodes_and_places_new_ones_by_their_neighbour(hood):
    ids = [n["id"] for n in hood["nodes"]]
    known = layout_positions(ids, pairs(hood["edges"]), "force", None)
    new = ["x:1", "x:2", "x:3"]
    placed = extend(known, ids + new, pairs(hood["edges"]) + [("pattern:needy", x) for x in new])
    assert all(placed[i] == known[i] for i in ids)
    assert all(math.dist(placed[x], known["pattern:needy"]) < 600 for x in new)
    assert min(math.dist(placed[x], p) for x in new for p in known.values()) >= MIN_GAP * 0.9


def test_edge_labels_say_the_statement_not_the_type(hood):
    edge = next(e for e in hood["edges"] if (e["source"], e["target"]) == ("pattern:insecure", "pattern:needy")
                and e["type"] == "COMBINES_WITH")
    assert edge_label(edge) == "combines: feels insecure about the degree of need"
    assert edge_label({"type": "BLOCKS"}) == "blocks"
    assert edge_label({"type": "COMBINES_WITH", "description": "x" * 200}).endswith("\u2026")


def test_payload_sizes_by_degree_styles_edges_and_carries_sources(hood):
    ids = [n["id"] for n in hood["nodes"]]
    pos = layout_positions(ids, pairs(hood["edges"]), "force", None)
    data = build_payload(hood["nodes"], hood["edges"], pos, title="t", actions=list(ACTIONS))
    nodes = {n["id"]: n for n in data["nodes"]}
    assert nodes["pattern:insecure"]["size"] > max(n.get("size", 0) for i, n in nodes.items()
                                                    if n["meta"]["degree"] == 1)
    assert (nodes["pattern:insecure"]["x"], nodes["pattern:insecure"]["y"]) == pos["pattern:insecure"]
    assert nodes["pattern:insecure"]["meta"]["provenance"][0]["file"] == "data/cards/insecure.txt"
    assert data["options"]["physics"] == {"enabled": False}
    combos = [e for e in data["edges"] if e["meta"]["type"] == "COMBINES_WITH"]
    assert {e["color"]["color"] for e in combos} == {EDGE_STYLES["COMBINES_WITH"]["color"]}
    assert all(e["dashes"] for e in data["edges"] if e["meta"]["type"] == "DISTINGUISHED_FROM")
    assert "Insecure combines with Needy: feels insecure about the degree of need" in [
        e["meta"]["sentence"] for e in combos]
    # parallel edges between one pair (Insecure <-> Codependent both ways) curve to different sides
    pair = [e for e in data["edges"] if {e["from"], e["to"]} == {"pattern:insecure", "pattern:codependent"}]
    # (a clockwise bend from A to B lies on the other side of the line than a clockwise bend from B to A)
    sides = {((e["smooth"]["type"] == "curvedCW") != (e["from"] > e["to"]), e["smooth"]["roundness"]) for e in pair}
    assert len(pair) >= 2 and len(sides) == len(pair)
    legend = [row["type"] for row in data["config"]["edgeLegend"]]
    assert legend[0] == "COMBINES_WITH" and "DISTINGUISHED_FROM" in legend


def test_big_drawings_draw_edges_plain_but_keep_their_sentences():
    nodes = [{"id": f"n{i}", "kind": "Pattern", "name": f"N{i}"} for i in range(60)]
    edges = [{"source": f"n{i}", "target": f"n{j}", "type": "DISTINGUISHED_FROM", "description": "d"}
             for i in range(60) for j in range(i + 1, 60)][:1100]
    data = build_payload(nodes, edges, {n["id"]: (0.0, 0.0) for n in nodes})
    assert len(data["edges"]) == 1100
    assert not any("label" in e or e["dashes"] for e in data["edges"])
    assert all(e["meta"]["sentence"] == f"{e['from'].upper()} is distinguished from {e['to'].upper()}: d"
               for e in data["edges"])
    assert data["config"]["edgeLegend"][0]["dashes"] is False
    small = build_payload(nodes, edges[:50], {n["id"]: (0.0, 0.0) for n in nodes})
    assert all(e["label"] and e["dashes"] for e in small["edges"])


def test_a_path_stands_out_and_the_rest_steps_back(hood):
    ids = [n["id"] for n in hood["nodes"]]
    data = build_payload(hood["nodes"], hood["edges"], {i: (0.0, 0.0) for i in ids},
                         highlight_edges=[("pattern:insecure", "pattern:needy")])
    on = [e for e in data["edges"] if {e["from"], e["to"]} == {"pattern:insecure", "pattern:needy"}]
    off = [e for e in data["edges"] if e not in on]
    assert on and all(e["color"]["color"] == "#E8590C" and e["width"] == 4 for e in on)
    assert off and all(e["color"]["opacity"] == 0.25 for e in off)
    faded = {n["id"] for n in data["nodes"] if n.get("opacity") == 0.35}
    assert faded == set(ids) - {"pattern:insecure", "pattern:needy"}


def test_hostile_text_is_data_and_the_canvas_never_writes_html():
    evil = "<img src=x onerror=alert(1)></script><script>alert(2)</script>"
    data = build_payload([{"id": "a", "kind": "Pattern", "name": evil, "description": evil},
                          {"id": "b", "kind": "Pattern", "name": "B"}],
                         [{"source": "a", "target": "b", "type": "COMBINES_WITH", "description": evil}],
                         {"a": (0, 0), "b": (100, 0)})
    assert data["nodes"][0]["meta"]["name"] == evil  # carried as text, shown with textContent
    scripts = "\n".join(p.read_text(encoding="utf-8") for p in FRONTEND.glob("*.js"))
    assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function", scripts)
    assert scripts.count("textContent") >= 5


def test_the_component_folder_is_offline():
    folder = component_dir()
    assert {"index.html", "canvas.js", "vis-network.min.js", "vis-network.css"} <= {p.name for p in folder.iterdir()}
    page = (folder / "index.html").read_text(encoding="utf-8")
    assert not re.search(r"(src|href)=\"(https?:)?//", page) and "connect-src 'none'" in page
    assert set(re.findall(r"(?:src|href)=\"([^\"]+)\"", page)) <= {p.name for p in folder.iterdir()} | {"data:,"}



def test_the_component_folder_is_built_again_when_removed(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # not the folder a running app may be serving
    network_component._target.cache_clear()
    try:
        folder = component_dir()
        assert folder.parent == tmp_path
        shutil.rmtree(folder)  # a temporary-file cleaner removed it: the next use builds it again
        assert component_dir() == folder
        assert (folder / "canvas.js").read_bytes() == (FRONTEND / "canvas.js").read_bytes()
    finally:
        network_component._target.cache_clear()


def test_events_lead_to_pages_with_the_view_in_the_url():
    kinds = {"pattern:insecure": "Pattern", "pattern:needy": "Pattern", "capacity:x": "Capacity"}
    assert canvas_actions.target(NetworkEvent("card", "pattern:needy"), None, kinds) == (
        "explorer/pages/pattern_card.py", {"pattern": "pattern:needy"})
    assert canvas_actions.target(NetworkEvent("centre", "capacity:x"), None, kinds) == (
        "explorer/pages/explore.py", {"centre": "capacity:x"})
    assert canvas_actions.target(NetworkEvent("compare", "pattern:needy"), "pattern:insecure", kinds)[1] == {
        "patterns": ["pattern:insecure", "pattern:needy"]}
    assert canvas_actions.target(NetworkEvent("compare", "pattern:needy"), "capacity:x", kinds)[1] == {
        "patterns": ["pattern:needy"]}
    assert canvas_actions.target(NetworkEvent("path", "pattern:needy"), None, kinds)[1] == {"from": "pattern:needy"}
    assert canvas_actions.target(NetworkEvent("expand", "pattern:needy"), None, kinds) is None


def test_whole_graph_nodes_get_description_and_provenance(corpus_store):
    summaries = corpus_store.list_nodes(["Pattern"])[:5]
    assert not any("provenance" in n for n in summaries)
    full = canvas_actions.enrich(corpus_store, [{**n, "color": "#123456"} for n in summaries])
    assert all(n["provenance"] and n["color"] == "#123456" for n in full)


def _drawn(at: AppTest) -> dict:
    args = [el.proto.json_args for el in at.get("component_instance")]
    return json.loads(args[0])["graph"]


def test_positions_are_kept_across_reruns_and_the_layout_choice_changes_them():
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("explorer/pages/explore.py").run()
    at.selectbox(key="explore_centre").set_value("pattern:insecure").run()
    first = {n["id"]: (n["x"], n["y"]) for n in _drawn(at)["nodes"]}
    at.run()
    assert {n["id"]: (n["x"], n["y"]) for n in _drawn(at)["nodes"]} == first
    at.selectbox(key="explore_layout").set_value("radial").run()
    radial = {n["id"]: (n["x"], n["y"]) for n in _drawn(at)["nodes"]}
    assert radial != first and radial["pattern:insecure"] == (0.0, 0.0)
