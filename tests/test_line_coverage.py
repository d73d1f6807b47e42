"""Every non-blank line of every card and article lands in the graph, with its line number (issue 12).

A line is covered when it lies in the line range of some node's or edge's provenance, or when it is a
card section's heading or item on its Pattern node (`sections`, each line with its number).
"""
from __future__ import annotations

from collections import defaultdict

import pytest

from conftest import REPO
from loaders.corpus import load_paths
from loaders.text import REPO_ROOT, read_document


def covered_lines(graph) -> dict[str, set[int]]:
    covered: dict[str, set[int]] = defaultdict(set)
    for thing in [*graph.nodes.values(), *graph.edges.values()]:
        for p in thing["provenance"]:
            covered[p["file"]].update(range(p["start_line"], p["end_line"] + 1))
        for section in thing.get("sections") or []:
            if section.get("heading_line"):
                covered[section["file"]].add(section["heading_line"])
            covered[section["file"]].update(item["line"] for item in section["items"])
    return covered


@pytest.fixture(params=["seed files", "shipped corpus", "worried-full.txt", "worried-lost.txt"])
def loaded(request):
    if request.param == "seed files":
        return request.getfixturevalue("seed_result")
    if request.param == "shipped corpus":
        return request.getfixturevalue("corpus_result")
    return load_paths([REPO / "tests" / "fixtures" / request.param])  # one card in two versions


def test_every_non_blank_line_of_every_document_is_in_the_graph(loaded):
    documents = [d["path"] for d in loaded.report.documents if d["type"] in ("card", "article")]
    assert documents
    covered = covered_lines(loaded.graph)
    missing = {}
    for path in documents:
        lines = read_document(REPO_ROOT / path).lines
        lost = [n for n, line in enumerate(lines, 1) if line.strip() and n not in covered[path]]
        if lost:
            missing[path] = [(n, lines[n - 1].strip()[:60]) for n in lost]
    assert not missing, missing


def test_article_lines_land_on_sensible_nodes(seed_graph):
    """The seed article's introduction and closing on its Source node, its strategies heading and lead
    line on each strategy (after the strategy's own line)."""
    article = "data/articles/roots-of-insecurity.txt"
    source = next(n for n in seed_graph.nodes.values() if n["kind"] == "Source" and n["name"] == article)
    assert [p["start_line"] for p in source["provenance"]] == [1, 3, 37, 40]
    strategies = [n for n in seed_graph.nodes.values() if n["kind"] == "Strategy"]
    assert len(strategies) == 4
    for node in strategies:
        places = [(p["start_line"], p["text"]) for p in node["provenance"]]
        assert places[0][0] in (29, 31, 33, 35)
        assert places[1:] == [(25, "Strategies to Overcome Insecurity"),
                              (27, "Understanding the causes of insecurity is the first step toward addressing it. "
                                   "Here are a few strategies that can help:")]
    mechanism = seed_graph.nodes["mechanism:perfectionism"]
    assert [(p["start_line"], p["end_line"]) for p in mechanism["provenance"]] == [(21, 23)]


def test_a_heading_goes_to_the_items_it_heads_the_rest_to_the_source(tmp_path):
    lines = ["Why People Worry", "An opening paragraph about worry.",
             "Common Causes", "A few causes follow.", "1. Old Fears", "Old fears return. Anna, a nurse, recalls them.",
             "Ways to Cope", "Breathing: Slow breathing calms the body.", "In between, a remark.",
             "Naming: Naming the fear shrinks it.", "A closing thought.", "Conclusion", "Worry passes."]
    path = tmp_path / "worry.txt"
    path.write_text("\n\n".join(lines) + "\n", encoding="utf-8")
    result = load_paths([path])
    graph = result.graph
    at = {line: 2 * i + 1 for i, line in enumerate(lines)}  # 1-based line numbers, a blank line between

    def places(nid):
        return [p["start_line"] for p in graph.nodes[nid]["provenance"]]

    source = next(n["id"] for n in graph.nodes.values() if n["kind"] == "Source")
    assert places(source) == [at[l] for l in ("Why People Worry", "An opening paragraph about worry.",
                                              "A closing thought.", "Conclusion", "Worry passes.")]
    assert places("mechanism:old-fears") == [at["1. Old Fears"], at["Common Causes"], at["A few causes follow."]]
    for strategy, own in (("strategy:breathing", lines[7]), ("strategy:naming", lines[9])):
        assert places(strategy) == [at[own], at["Ways to Cope"], at["In between, a remark."]]
    covered = covered_lines(graph)[result.report.documents[0]["path"]]
    assert set(at.values()) <= covered
