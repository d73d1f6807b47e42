"""graph/export.py: every format re-reads as the same graph, nested fields survive as JSON, text is safe."""
from __future__ import annotations

import csv
import io
import json
import zipfile

import networkx as nx
import pytest

from graph import export

HOSTILE = "<script>alert(1)</script> & <img src=x onerror=alert(2)> \"quoted\" ]]>"


@pytest.fixture(scope="module")
def whole(corpus_store):
    ids = [n["id"] for n in corpus_store.list_nodes()]
    found = corpus_store.get_nodes(ids)
    return [found[i] for i in ids], corpus_store.edges_among(ids)


def small() -> tuple[list[dict], list[dict]]:
    nodes = [
        {"id": "pattern:a", "kind": "Pattern", "name": "A", "status": "card", "sections": [{"key": "x", "items": []}],
         "provenance": [{"file": "data/cards/a.txt", "start_line": 1, "end_line": 1, "text": HOSTILE}]},
        {"id": "pattern:b", "kind": "Pattern", "name": HOSTILE, "status": None, "rank": 3},
        {"id": "capacity:c", "kind": "Capacity", "name": "C", "rank": "high"},  # mixed types for "rank"
    ]
    edges = [
        {"source": "pattern:a", "target": "pattern:b", "type": "COMBINES_WITH", "description": HOSTILE,
         "provenance": [{"file": "data/cards/a.txt", "start_line": 9, "end_line": 9, "text": "B: x"}]},
        {"source": "pattern:a", "target": "capacity:c", "type": "BLOCKS", "provenance": []},
        {"source": "pattern:a", "target": "capacity:missing", "type": "BLOCKS"},  # end not exported: dropped
    ]
    return nodes, edges


def test_graphml_round_trip_of_the_whole_corpus(whole):
    nodes, edges = whole
    g = nx.read_graphml(io.BytesIO(export.to_graphml(nodes, edges)))
    assert g.number_of_nodes() == len(nodes) and g.number_of_edges() == len(edges)
    insecure = g.nodes["pattern:insecure"]
    assert insecure["kind"] == "Pattern" and insecure["name"] == "Insecure"
    sections = json.loads(insecure["sections"])
    assert sections[0]["heading"] == "Behavior" and sections[0]["heading_status"] == "inferred"
    types = {d["type"] for _, _, d in g.edges(data=True)}
    assert {"COMBINES_WITH", "DISTINGUISHED_FROM"} <= types
    combos = [d for u, v, d in g.edges(data=True) if (u, v, d["type"]) == ("pattern:insecure", "pattern:needy", "COMBINES_WITH")]
    assert combos[0]["description"] == "Feels insecure about the degree of need"
    assert json.loads(combos[0]["provenance"])[0]["start_line"] == 119


def test_gexf_round_trip_of_the_whole_corpus(whole):
    nodes, edges = whole
    g = nx.read_gexf(io.BytesIO(export.to_gexf(nodes, edges)))
    assert g.number_of_nodes() == len(nodes) and g.number_of_edges() == len(edges)
    assert g.nodes["pattern:insecure"]["label"] == "Insecure"
    assert g.nodes["pattern:insecure"]["kind"] == "Pattern"
    relations = {d["edge_type"] for _, _, d in g.edges(data=True)}
    assert "COMBINES_WITH" in relations
    assert all(d["label"] == d["edge_type"] for _, _, d in g.edges(data=True))


def test_node_link_json_keeps_nested_fields(whole):
    nodes, edges = whole
    data = json.loads(export.to_node_link_json(nodes, edges))
    g = nx.node_link_graph(data, edges="edges")
    assert g.number_of_nodes() == len(nodes) and g.number_of_edges() == len(edges)
    assert isinstance(g.nodes["pattern:insecure"]["sections"], list)
    assert g.is_directed() and g.is_multigraph()


def test_csv_zip_has_nodes_and_edges(whole):
    nodes, edges = whole
    with zipfile.ZipFile(io.BytesIO(export.to_csv_zip(nodes, edges))) as zf:
        assert sorted(zf.namelist()) == ["edges.csv", "nodes.csv"]
        node_rows = list(csv.DictReader(io.StringIO(zf.read("nodes.csv").decode("utf-8"))))
        edge_rows = list(csv.DictReader(io.StringIO(zf.read("edges.csv").decode("utf-8"))))
    assert len(node_rows) == len(nodes) and len(edge_rows) == len(edges)
    assert list(node_rows[0])[:3] == ["id", "kind", "name"]
    assert list(edge_rows[0])[:3] == ["source", "target", "type"]
    insecure = next(r for r in node_rows if r["id"] == "pattern:insecure")
    assert json.loads(insecure["provenance"])[0]["file"].startswith("data/")


def test_nested_values_mixed_types_and_dangling_edges():
    nodes, edges = small()
    g = nx.read_graphml(io.BytesIO(export.to_graphml(nodes, edges)))
    assert g.number_of_edges() == 2  # the edge to a node not exported is left out
    assert g.nodes["pattern:b"]["rank"] == "3" and g.nodes["capacity:c"]["rank"] == "high"
    assert "status" not in g.nodes["pattern:b"]  # None is no attribute
    assert json.loads(g.nodes["pattern:a"]["sections"]) == [{"items": [], "key": "x"}]


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_hostile_text_survives_as_text(fmt):
    nodes, edges = small()
    raw = export.to_graphml(nodes, edges) if fmt == "graphml" else export.to_gexf(nodes, edges)
    assert b"<script>" not in raw and b"<img" not in raw  # escaped as XML text, not markup
    g = nx.read_graphml(io.BytesIO(raw)) if fmt == "graphml" else nx.read_gexf(io.BytesIO(raw))
    name = g.nodes["pattern:b"]["name" if fmt == "graphml" else "label"]
    assert name == HOSTILE
    assert json.loads(g.nodes["pattern:a"]["provenance"])[0]["text"] == HOSTILE


def test_no_settings_or_credentials_in_exports(whole, monkeypatch):
    monkeypatch.setenv("NEO4J_PASSWORD", "pw-must-not-leak-7781")
    monkeypatch.setenv("NEO4J_URI", "bolt://user:pw-must-not-leak-7781@127.0.0.1:7687")
    nodes, edges = whole
    for fn in (export.to_graphml, export.to_gexf, export.to_node_link_json, export.to_csv_zip):
        out = fn(nodes, edges)
        assert b"pw-must-not-leak" not in out and b"bolt://" not in out and b"sources_digest" not in out


def test_empty_graph_exports():
    assert nx.read_graphml(io.BytesIO(export.to_graphml([], []))).number_of_nodes() == 0
    assert nx.read_gexf(io.BytesIO(export.to_gexf([], []))).number_of_nodes() == 0
    with zipfile.ZipFile(io.BytesIO(export.to_csv_zip([], []))) as zf:
        assert zf.read("nodes.csv") == b"\n" or zf.read("nodes.csv").strip() == b""


# -- issue 13, class 5: hostile names and texts in every format ----------------------------------

FORMULA = ("=", "+", "-", "@", "\t", "\r")


def hostile_strings(seed: int = 13, count: int = 40) -> list[str]:
    """Every C0 control, DEL, every C1 control, U+FFFE/U+FFFF, a BOM, formula starts, markup and
    CDATA ends, each alone and mixed into words at random (seeded)."""
    import random

    rng = random.Random(seed)
    specials = [chr(c) for c in range(0x20)] + [chr(c) for c in range(0x7F, 0xA0)] + \
        ["\ufffe", "\uffff", "\ufeff", "]]>", "<b>", "&amp;", '"', "'", "\\", "\x1b]0;pwned\x07", "\x1b[2J"]
    out = [f"{c}x" for c in specials]  # each alone, at the start of a value
    out += [f"{start}HYPERLINK(\"http://evil.example/\"){start}" for start in FORMULA]
    out += ["=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(1,1)", "\t=1", "\r=1"]
    for _ in range(count):
        out.append("".join(rng.choice(specials + list("abc xyz")) for _ in range(rng.randint(1, 12))))
    return out


def hostile_graph() -> tuple[list[dict], list[dict]]:
    texts = hostile_strings()
    nodes, edges = [], []
    for i, text in enumerate(texts):
        nodes.append({"id": f"pattern:h{i}", "kind": "Pattern", "name": text, "status": "card", "note": text,
                      "provenance": [{"file": f"data/cards/{text}.txt", "start_line": i + 1, "end_line": i + 1,
                                      "text": text}]})
    # one node whose id and attribute name are hostile too
    nodes.append({"id": "pattern:\x01odd\x0b", "kind": "Pattern", "name": "=odd", "=key\x02": "=v"})
    for i in range(len(texts)):
        edges.append({"source": f"pattern:h{i}", "target": f"pattern:h{(i + 1) % len(texts)}", "type": "COMBINES_WITH",
                      "description": texts[i], "section": texts[-1 - i],
                      "provenance": [{"file": "data/cards/x.txt", "start_line": 1, "end_line": 1, "text": texts[i]}]})
    edges.append({"source": "pattern:h0", "target": "pattern:\x01odd\x0b", "type": "MENTIONS", "description": "-1"})
    return nodes, edges


def _xml_legal(text: str) -> str:
    """What XML 1.0 can hold: its illegal characters (and DEL and C1 controls, which it discourages) as
    U+FFFD (written here, not taken from the module)."""
    return "".join("\ufffd" if (ord(c) < 0x20 and c not in "\t\n\r") or 0x7F <= ord(c) <= 0x9F
                   or 0xD800 <= ord(c) <= 0xDFFF or c in "\ufffe\uffff" else c for c in text)


def _xml_expected(text: str, graphml: bool) -> str:
    text = _xml_legal(text)
    return text.replace("\r\n", "\n").replace("\r", "\n") if graphml else text  # XML line-end normalisation


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_hostile_names_and_texts_read_back_from_xml(fmt):
    nodes, edges = hostile_graph()
    raw = (export.to_graphml if fmt == "graphml" else export.to_gexf)(nodes, edges)
    assert not any(ord(c) < 0x20 and c not in "\t\n\r" or 0x7F <= ord(c) <= 0x9F for c in raw.decode("utf-8"))
    g = nx.read_graphml(io.BytesIO(raw)) if fmt == "graphml" else nx.read_gexf(io.BytesIO(raw))
    assert g.number_of_nodes() == len(nodes) and g.number_of_edges() == len(edges)
    for n in nodes[:-1]:
        got = g.nodes[n["id"]]
        assert got["name" if fmt == "graphml" else "label"] == _xml_expected(n["name"], fmt == "graphml")
        assert got["note"] == _xml_expected(n["note"], fmt == "graphml")
        assert json.loads(got["provenance"]) == n["provenance"]  # nested values are exact (JSON escapes)
    odd = _xml_legal("pattern:\x01odd\x0b")
    assert odd == "pattern:\ufffdodd\ufffd" and odd in g
    assert g.nodes[odd]["=key\ufffd"] == "=v"
    found = {(u, v, d.get("description")) for u, v, d in g.edges(data=True)}
    for e in edges:
        assert (_xml_legal(e["source"]), _xml_legal(e["target"]),
                _xml_expected(e["description"], fmt == "graphml")) in found


def test_hostile_names_and_texts_read_back_from_node_link_json():
    nodes, edges = hostile_graph()
    raw = export.to_node_link_json(nodes, edges)
    text = raw.decode("utf-8")
    assert not any(0x7F <= ord(c) <= 0x9F or c in "\ufffe\uffff" for c in text)  # escaped, not raw
    g = nx.node_link_graph(json.loads(text), edges="edges")
    for n in nodes:
        assert {**g.nodes[n["id"]], "id": n["id"]} == n  # exact
    for e in edges:
        assert {k: v for k, v in g.edges[e["source"], e["target"], e["type"]].items()} == \
            {k: v for k, v in e.items() if k not in ("source", "target")}


def test_hostile_names_and_texts_read_back_from_csv_zip():
    nodes, edges = hostile_graph()
    with zipfile.ZipFile(io.BytesIO(export.to_csv_zip(nodes, edges))) as zf:
        node_rows = list(csv.reader(io.StringIO(zf.read("nodes.csv").decode("utf-8"), newline="")))
        edge_rows = list(csv.reader(io.StringIO(zf.read("edges.csv").decode("utf-8"), newline="")))
    for row in node_rows + edge_rows:
        for cell in row:
            assert not cell.startswith(FORMULA), cell  # nothing a spreadsheet would run
    header = node_rows[0]
    assert "'=key\x02" in header
    by_id = {r[0]: dict(zip(header, r)) for r in node_rows[1:]}
    assert len(by_id) == len(nodes)

    def shown(value: str) -> str:
        return "'" + value if value.startswith(FORMULA) else value

    for n in nodes[:-1]:
        row = by_id[n["id"]]
        assert row["name"] == shown(n["name"]) and row["note"] == shown(n["note"])
        assert json.loads(row["provenance"]) == n["provenance"]
    assert by_id["pattern:\x01odd\x0b"]["name"] == "'=odd"
    edge_header = edge_rows[0]
    descriptions = [dict(zip(edge_header, r))["description"] for r in edge_rows[1:]]
    assert sorted(descriptions) == sorted(shown(e["description"]) for e in edges)
