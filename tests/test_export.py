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
