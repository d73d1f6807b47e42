"""The shipped corpus: eight carded patterns, counterparts, catalogues, concepts and their codes."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import DATA
from loaders.catalogue import read_catalogue
from loaders.corpus import load_paths
from loaders.errors import LoadError

CARDED = {"insecure", "needy", "codependent", "isolated", "suspicious", "self-judging", "passive-aggressive", "victim"}


def edges(graph, etype, source=None, target=None):
    return [(s, t) for (s, ty, t) in graph.edges if ty == etype and (source is None or s == source)
            and (target is None or t == target)]


def test_eight_carded_patterns_with_authorship(corpus_result):
    graph = corpus_result.graph
    carded = {n["id"].split(":")[1] for n in graph.nodes.values() if n["kind"] == "Pattern" and n["status"] == "card"}
    assert carded >= CARDED
    assert graph.nodes["pattern:insecure"]["authorship"] == "user-source"
    for name in CARDED - {"insecure"}:
        node = graph.nodes[f"pattern:{name}"]
        assert node["authorship"] == "authored-summary", name
        assert node["provenance"][0]["authorship"] == "authored-summary"


def test_every_pattern_is_complete(corpus_result):
    """Carded: a capacity, a condition and a concept. Catalogue-only: a dimension. None unresolved."""
    graph = corpus_result.graph
    assert corpus_result.report.unresolved == []
    for nid, node in graph.nodes.items():
        assert node["provenance"], nid
        if node["kind"] != "Pattern":
            continue
        if node["status"] == "card":
            caps = edges(graph, "BLOCKS", nid) + edges(graph, "DEVELOPS", nid) + edges(graph, "TRANSFORMED_BY", nid)
            assert caps, f"{nid} has no capacity"
            assert edges(graph, "ACTIVATED_BY", nid), f"{nid} has no activating condition"
            assert edges(graph, "RELATED_CONCEPT", nid), f"{nid} has no related concept"
        else:
            assert node["status"] == "catalogue", f"{nid} is {node['status']}"
            assert edges(graph, "IN_DIMENSION", nid), f"catalogue pattern {nid} has no dimension"
            assert node.get("catalogue_description")


def test_insecure_card_statements_have_counterparts(corpus_result):
    graph = corpus_result.graph
    for etype in ("COMBINES_WITH", "DISTINGUISHED_FROM"):
        for _, other in edges(graph, etype, "pattern:insecure"):
            back = graph.edges.get((other, etype, "pattern:insecure"))
            assert back and back.get("description"), f"{other} has no {etype} back to Insecure"
            assert back["provenance"][0]["file"] == f"data/cards/{other.split(':')[1]}.txt"


def test_insecure_needy_self_judging_distinguished_from_all_sides(corpus_result):
    graph = corpus_result.graph
    trio = ["pattern:insecure", "pattern:needy", "pattern:self-judging"]
    for a in trio:
        for b in trio:
            if a != b:
                assert (a, "DISTINGUISHED_FROM", b) in graph.edges, (a, b)


def test_concept_wording_resolves_to_one_node_with_codes(corpus_result):
    graph = corpus_result.graph
    social = graph.edges[("pattern:insecure", "RELATED_CONCEPT", "concept:social-anxiety-disorder")]
    assert social["as_written"] == "Social phobias"
    assert graph.nodes["concept:social-anxiety-disorder"]["codes"]["icd11"] == "6B04"
    assert ("pattern:insecure", "RELATED_CONCEPT", "concept:covert-narcissism") in graph.edges
    assert graph.nodes["concept:avoidant-personality-disorder"]["codes"]["icd10cm"] == "F60.6"
    assert not any(n.startswith("concept:social-phobias") or n.startswith("concept:closet") for n in graph.nodes)


def test_dimensions_capacities_and_wounds(corpus_result):
    graph = corpus_result.graph
    assert ("dimension:power", "IN_GROUP", "dimensiongroup:interpersonal") in graph.edges
    assert {t for s, t in edges(graph, "HAS_CAPACITY", "dimension:power")} == {"capacity:cooperation",
                                                                             "capacity:assertiveness"}
    assert graph.edges[("pattern:people-pleasing", "IN_DIMENSION", "dimension:power")]["side"] == "soft"
    assert graph.edges[("pattern:controlling", "IN_DIMENSION", "dimension:power")]["side"] == "hard"
    assert {t for s, t in edges(graph, "HAS_CAPACITY", "dimension:conflict")} == {
        "capacity:good-communication", "capacity:challenge", "capacity:limit-setting"}
    assert ("origin:lack-of-validation-or-mirroring", "CORRESPONDS_TO", "wound:not-seen") in graph.edges
    for wound in ("wound:not-seen", "wound:judgment", "wound:deficiency"):
        assert graph.nodes[wound]["kind"] == "Wound"
    # capacities named on cards and in the catalogue are one node
    assert edges(graph, "BLOCKS", target="capacity:assertiveness") and edges(graph, "HAS_CAPACITY",
                                                                            target="capacity:assertiveness")


@pytest.mark.parametrize("text,line,message", [
    ("sources: [{id: s, citation: c}]\ndimensions:\n  - {name: Power, group: Interpersonal, source: s}\n"
     "  - {name: Care, source: s}\n", 4, "'group' is a required property"),
    ("sources: [{id: s, citation: c}]\ndimensions:\n  - name: Power\n    group: G\n    source: s\n"
     "    patterns:\n      - {name: People-Pleasing, side: sideways}\n", 7, "is not one of"),
    ("sources: [{id: s, citation: c}]\nconcepts:\n  - {name: X, source: nowhere}\n", 3, "unknown source"),
    ("sources: [{id: s, citation: c}]\nconcepts:\n  - {name: X, source: s, codes: {icd10cm: 'f60 6'}}\n", 3,
     "does not match"),
    ("aliases:\n  - {term: x, target: 'Not An Id'}\n", 2, "does not match"),
    ("concepts: [unclosed\n", 2, "invalid YAML"),
])
def test_bad_catalogue_rows_name_file_and_line(tmp_path, text, line, message):
    path = tmp_path / "cat.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LoadError) as err:
        read_catalogue(path)
    assert err.value.line == line and message in err.value.message, str(err.value)
    assert err.value.file.endswith("cat.yaml")


def test_duplicate_card_for_a_pattern_names_both_files(tmp_path):
    copy = tmp_path / "needy-again.txt"
    copy.write_bytes((DATA / "cards" / "needy.txt").read_bytes())
    with pytest.raises(LoadError) as err:
        load_paths([DATA / "cards" / "needy.txt", copy])
    assert "data/cards/needy.txt:1" in str(err.value) and "needy-again.txt:1" in str(err.value)
