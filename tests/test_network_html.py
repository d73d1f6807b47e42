"""The network page: offline, inlined vis-network, hostile text escaped, flags and styles in the data,
nothing written to disk, and a 1,000-node graph renders."""
from __future__ import annotations

import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pyvis
import pytest
from pyvis.network import Network

from explorer import network_html
from explorer.network_html import DEFAULT_STYLE, KIND_STYLES, legend_items, render_network

VIS_DIR = Path(pyvis.__file__).resolve().parent / "lib" / "vis-9.1.2"

HOSTILE_NAME = "<img src=x onerror=alert(1)>"
HOSTILE_DESCRIPTION = "</script><script>alert(2)</script> <!-- a href=javascript:alert(3) -->"
HOSTILE_QUOTE = "</SCRIPT><svg onload=alert(4)>\u2028\u2029 & done"


def _place(text: str, line: int = 3) -> dict:
    return {"file": "data/cards/insecure.txt", "start_line": line, "end_line": line + 1, "text": text}


def sample_graph() -> tuple[list[dict], list[dict]]:
    nodes = [
        {"id": "pattern:insecure", "kind": "Pattern", "name": "Insecure",
         "description": "Withdrawn, self-effacing, easily hurt.", "provenance": [_place("Insecure Pattern", 1)]},
        {"id": "coreissue:shame", "kind": "CoreIssue", "name": "Shame"},
        {"id": "origin:rejection", "kind": "Origin", "name": "Rejection"},
        {"id": "capacity:belonging", "kind": "Capacity", "name": "Belonging"},
        {"id": "concept:hostile", "kind": "Concept", "name": HOSTILE_NAME, "description": HOSTILE_DESCRIPTION,
         "provenance": [_place(HOSTILE_QUOTE)]},
        {"id": "mystery:1", "kind": "Mystery", "name": "A node of an unknown kind"},
    ]
    edges = [
        {"source": "pattern:insecure", "target": "coreissue:shame", "type": "HAS_CORE_ISSUE",
         "description": "", "provenance": [_place("Inadequacy, shame", 24)]},
        {"source": "pattern:insecure", "target": "origin:rejection", "type": "ORIGINATES_IN"},
        {"source": "pattern:insecure", "target": "capacity:belonging", "type": "BLOCKS"},
        {"source": "concept:hostile", "target": "pattern:insecure", "type": "RELATED_CONCEPT",
         "description": "</script><script>alert(5)</script>", "provenance": [_place(HOSTILE_QUOTE)]},
        {"source": "mystery:1", "target": "pattern:insecure", "type": "MENTIONS"},
    ]
    return nodes, edges


def embedded(html: str, name: str):
    """The JSON the page embeds in <script type="application/json" id="atlas-NAME">."""
    match = re.search(rf'<script type="application/json" id="atlas-{name}">(.*?)</script>', html, re.S)
    assert match, f"no atlas-{name} data block"
    return json.loads(match.group(1))


def nodes_by_id(html: str) -> dict[str, dict]:
    return {n["id"]: n for n in embedded(html, "nodes")}


def edges_by_pair(html: str) -> dict[tuple[str, str], dict]:
    return {(e["from"], e["to"]): e for e in embedded(html, "edges")}


@pytest.fixture(scope="module")
def html() -> str:
    return render_network(*sample_graph())


# --- offline ------------------------------------------------------------------------------------


@pytest.mark.parametrize("marker", ['src="http', "src='http", 'href="http', "href='http", "//cdn",
                                    "@import", "fonts.googleapis", "bootstrap"])
def test_no_external_urls(html, marker):
    assert marker not in html.lower()


def test_no_external_resource_tags(html):
    assert not re.search(r"<script[^>]*\ssrc\s*=", html, re.I)
    assert not re.search(r"<link[^>]*\shref\s*=", html, re.I)
    assert not re.search(r"<(img|iframe)[^>]*\ssrc\s*=", html, re.I)


def test_vis_network_inlined(html):
    js = (VIS_DIR / "vis-network.min.js").read_text(encoding="utf-8")
    css = (VIS_DIR / "vis-network.css").read_text(encoding="utf-8")
    assert js in html
    assert css in html
    assert "new vis.Network(" in html


def test_rendered_with_the_project_template(html):
    assert html.lstrip().startswith("<!DOCTYPE html>")
    assert 'id="atlas-network"' in html
    assert 'content="pattern-atlas explorer"' in html
    assert "mynetwork" not in html  # pyvis's own template's canvas id
    assert "default-src 'none'" in html  # the page's CSP forbids loading anything


# --- XSS ----------------------------------------------------------------------------------------


def test_hostile_text_never_appears_raw(html):
    assert "<img src=x onerror=" not in html
    assert "<svg onload=" not in html.lower()
    assert "alert(2)</script>" not in html
    assert "alert(5)</script>" not in html
    assert "<!--" not in html
    assert "\u2028" not in html and "\u2029" not in html


class _Elements(HTMLParser):
    """Start tags and <script> bodies as a browser's tokenizer sees them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._in_script = True
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data


def test_data_cannot_close_the_script_element(html):
    parser = _Elements()
    parser.feed(html)
    parser.close()
    scripts = [attrs for tag, attrs in parser.tags if tag == "script"]
    assert [a.get("id") for a in scripts] == ["atlas-nodes", "atlas-edges", "atlas-options", None, None]
    assert all("src" not in a for a in scripts)
    # Each data block is whole, valid JSON: nothing in the data ended its element early.
    assert [len(json.loads(body)) > 0 for body in parser.scripts[:3]] == [True, True, True]
    assert not [t for t, _ in parser.tags if t in ("img", "iframe", "object", "embed", "link", "base")]
    handlers = [(t, k) for t, attrs in parser.tags for k in attrs if k.lower().startswith("on")]
    assert handlers == []


def test_hostile_text_survives_as_data(html):
    node = nodes_by_id(html)["concept:hostile"]
    assert node["meta"]["name"] == HOSTILE_NAME
    assert node["meta"]["description"] == HOSTILE_DESCRIPTION
    assert node["meta"]["provenance"][0]["text"] == HOSTILE_QUOTE
    assert node["label"] == HOSTILE_NAME  # drawn on the canvas, which cannot run markup
    edge = edges_by_pair(html)[("concept:hostile", "pattern:insecure")]
    assert edge["meta"]["description"] == "</script><script>alert(5)</script>"


def test_no_html_titles_and_text_only_into_the_dom(html):
    for item in embedded(html, "nodes") + embedded(html, "edges"):
        assert "title" not in item  # tooltips are built in the page as text-only elements
    script = html.rsplit("<script>", 1)[1]
    assert "innerHTML" not in script and "outerHTML" not in script and "insertAdjacentHTML" not in script
    assert "document.write" not in script
    assert "textContent" in script
    assert "white-space: pre-wrap" in html


def test_script_json_escaping():
    out = str(network_html._script_json({"x": "</script><!-- \u2028\u2029 & >"}))
    assert "<" not in out and ">" not in out and "&" not in out
    assert "\u2028" not in out and "\u2029" not in out
    assert json.loads(out) == {"x": "</script><!-- \u2028\u2029 & >"}


# --- flags and options ------------------------------------------------------------------------


def test_highlight_and_selected_flags_reach_the_data():
    html = render_network(
        *sample_graph(),
        highlight_nodes=["origin:rejection"],
        highlight_edges=[("coreissue:shame", "pattern:insecure")],  # stored the other way round
        selected="pattern:insecure",
    )
    nodes = nodes_by_id(html)
    meta = {nid: n["meta"] for nid, n in nodes.items()}
    assert meta["origin:rejection"]["highlighted"] is True
    assert meta["coreissue:shame"]["highlighted"] is True  # an end of a highlighted edge
    assert meta["pattern:insecure"]["highlighted"] is True
    assert meta["pattern:insecure"]["selected"] is True
    assert meta["capacity:belonging"]["highlighted"] is False
    assert meta["capacity:belonging"]["faded"] is True
    assert meta["capacity:belonging"]["selected"] is False
    assert "opacity" in nodes["capacity:belonging"] and "opacity" not in nodes["origin:rejection"]

    edges = edges_by_pair(html)
    path_edge = edges[("pattern:insecure", "coreissue:shame")]
    assert path_edge["meta"]["highlighted"] is True and path_edge["meta"]["faded"] is False
    assert path_edge["width"] > 1
    other = edges[("pattern:insecure", "capacity:belonging")]
    assert other["meta"]["highlighted"] is False and other["meta"]["faded"] is True

    config = embedded(html, "options")["atlas"]
    assert config["selected"] == "pattern:insecure"
    assert config["emphasis"] is True


def test_no_highlight_means_nothing_faded(html):
    for node in embedded(html, "nodes"):
        assert node["meta"]["faded"] is False and node["meta"]["highlighted"] is False
    assert embedded(html, "options")["atlas"]["selected"] is None


def test_unknown_selected_is_ignored():
    html = render_network(*sample_graph(), selected="pattern:not-drawn")
    assert embedded(html, "options")["atlas"]["selected"] is None


@pytest.mark.parametrize("physics", [True, False])
def test_physics_flag(physics):
    options = embedded(render_network(*sample_graph(), physics=physics), "options")
    assert options["physics"]["enabled"] is physics
    assert options["atlas"]["livePhysics"] is physics
    assert options["physics"]["stabilization"]["enabled"] is True  # laid out once either way


def test_height_sets_the_page_height():
    html = render_network(*sample_graph(), height=480)
    assert "height: 480px" in html
    assert embedded(html, "options")["atlas"]["height"] == 480


def test_edges_to_missing_nodes_are_skipped_and_duplicates_kept_once():
    nodes, edges = sample_graph()
    nodes.append(dict(nodes[0], name="Duplicate"))
    edges.append({"source": "pattern:insecure", "target": "pattern:not-drawn", "type": "MENTIONS"})
    html = render_network(nodes, edges)
    assert len(embedded(html, "nodes")) == 6
    assert nodes_by_id(html)["pattern:insecure"]["meta"]["name"] == "Insecure"
    assert len(embedded(html, "edges")) == 5
    config = embedded(html, "options")["atlas"]
    assert (config["nodeCount"], config["edgeCount"], config["skippedEdges"]) == (6, 5, 1)


def test_parallel_edges_get_distinct_curves():
    nodes, _ = sample_graph()
    edges = [
        {"source": "pattern:insecure", "target": "coreissue:shame", "type": "A"},
        {"source": "pattern:insecure", "target": "coreissue:shame", "type": "B"},
        {"source": "coreissue:shame", "target": "pattern:insecure", "type": "C"},
    ]
    drawn = embedded(render_network(nodes, edges), "edges")
    curves = {(e["smooth"]["type"], e["smooth"]["roundness"], e["from"] < e["to"]) for e in drawn}
    assert len(curves) == 3


def test_empty_graph_renders():
    html = render_network([], [])
    assert embedded(html, "nodes") == [] and embedded(html, "edges") == []
    assert 'id="atlas-network"' in html


# --- styles ---------------------------------------------------------------------------------------


def test_every_kind_has_a_style():
    expected = {"Pattern", "Subtype", "Capacity", "CoreIssue", "Origin", "Condition", "Concept", "Role",
                "Mechanism", "Strategy", "Example", "Source", "DimensionGroup", "Dimension", "Wound"}
    assert set(KIND_STYLES) == expected
    shapes = {"dot", "diamond", "square", "triangle", "star", "ellipse", "box", "hexagon", "triangleDown"}
    for style in [*KIND_STYLES.values(), DEFAULT_STYLE]:
        assert re.fullmatch(r"#[0-9A-Fa-f]{6}", style["color"])
        assert style["shape"] in shapes
    pairs = {(s["color"].upper(), s["shape"]) for s in KIND_STYLES.values()}
    assert len(pairs) == len(KIND_STYLES)
    assert (DEFAULT_STYLE["color"].upper(), DEFAULT_STYLE["shape"]) not in pairs
    assert len({s["shape"] for s in KIND_STYLES.values()}) == len(shapes)  # every shape is used


def test_nodes_get_their_kind_style_and_unknown_kinds_the_default(html):
    nodes = nodes_by_id(html)
    for nid, kind in [("pattern:insecure", "Pattern"), ("coreissue:shame", "CoreIssue"),
                      ("origin:rejection", "Origin"), ("concept:hostile", "Concept")]:
        assert nodes[nid]["shape"] == KIND_STYLES[kind]["shape"]
        assert nodes[nid]["color"]["background"] == KIND_STYLES[kind]["color"]
    assert nodes["mystery:1"]["shape"] == DEFAULT_STYLE["shape"]
    assert nodes["mystery:1"]["color"]["background"] == DEFAULT_STYLE["color"]


def test_legend_items():
    items = legend_items(["Wound", "Zeta", "Pattern", "Wound", "Alpha"])
    assert [i["kind"] for i in items] == ["Pattern", "Wound", "Alpha", "Zeta"]
    assert items[0] == {"kind": "Pattern", **KIND_STYLES["Pattern"]}
    assert items[2] == {"kind": "Alpha", **DEFAULT_STYLE}
    assert legend_items([]) == []


def test_page_legend_lists_the_drawn_kinds(html):
    kinds = [i["kind"] for i in embedded(html, "options")["atlas"]["legend"]]
    assert kinds == ["Pattern", "Capacity", "CoreIssue", "Origin", "Concept", "Mystery"]


# --- side effects and scale ---------------------------------------------------------------------


def test_working_directory_unchanged(tmp_path, monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("render_network must not write files")

    monkeypatch.setattr(Network, "write_html", forbidden)
    monkeypatch.setattr(Network, "show", forbidden)
    monkeypatch.setattr(Network, "save_graph", forbidden)
    monkeypatch.chdir(tmp_path)
    before = os.getcwd()
    render_network(*sample_graph(), highlight_nodes=["pattern:insecure"], selected="coreissue:shame")
    assert os.getcwd() == before
    assert list(tmp_path.iterdir()) == []


def test_input_not_mutated():
    nodes, edges = sample_graph()
    snapshot = json.dumps([nodes, edges], sort_keys=True)
    render_network(nodes, edges, highlight_nodes=["pattern:insecure"])
    assert json.dumps([nodes, edges], sort_keys=True) == snapshot


def test_thousand_nodes_render():
    kinds = list(KIND_STYLES)
    nodes = [{"id": f"n{i}", "kind": kinds[i % len(kinds)], "name": f"Node {i}",
              "provenance": [_place(f"text {i}", i + 1)]} for i in range(1000)]
    edges = [{"source": f"n{i % 1000}", "target": f"n{(i * 7 + 1) % 1000}", "type": "MENTIONS"}
             for i in range(3000)]
    html = render_network(nodes, edges)
    assert len(embedded(html, "nodes")) == 1000
    assert len(embedded(html, "edges")) == 3000
    options = embedded(html, "options")
    assert options["layout"]["improvedLayout"] is False
    assert options["physics"]["stabilization"]["iterations"] <= 200
    assert options["edges"]["smooth"] is False


def test_hub_provenance_is_capped_in_the_page():
    """A hub stated in thousands of places carries the first few into the page and the total count."""
    from explorer.network_html import PROVENANCE_IN_PAGE
    nodes, edges = sample_graph()
    plain = render_network(nodes, edges)  # the page's scripts are inline: ~0.7 MB before any data
    nodes[0] = {**nodes[0], "provenance": [_place(f"line {i}", i + 1) for i in range(5000)]}
    page = render_network(nodes, edges)
    meta = nodes_by_id(page)[nodes[0]["id"]]["meta"]
    assert len(meta["provenance"]) == PROVENANCE_IN_PAGE and meta["provenance_total"] == 5000
    assert meta["provenance"][0]["text"] == "line 0"
    assert len(page) - len(plain) < 5_000  # 5,000 places would add ~400 KB
