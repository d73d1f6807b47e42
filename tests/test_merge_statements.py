"""One edge stated twice on a card: the combination line's description beats a free-text mention's."""
from __future__ import annotations

import pytest

from graph.model import GraphData
from graph.schema import clean_text
from loaders.corpus import load_paths

MENTION = "Sometimes combined with needy pattern"
COMBINATION = "Needy: Clings to others to quiet the doubt about being enough"
RELATED = f"Related Patterns\n\n{MENTION}\n"
COMBINATIONS = f"Combinations of Worried Pattern with Other Patterns\n\n{COMBINATION}\n"


@pytest.mark.parametrize("mention_first", [True, False], ids=["mention-first", "combination-first"])
def test_combination_section_description_wins_in_either_order(tmp_path, mention_first):
    blocks = [RELATED, COMBINATIONS] if mention_first else [COMBINATIONS, RELATED]
    text = "Worried Pattern\n\nCore Issues/Origins\n\nDoubt\n\n\n" + "\n\n".join(blocks)
    card = tmp_path / "worried.txt"
    card.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    mention_line = lines.index(MENTION) + 1
    combination_line = lines.index(COMBINATION) + 1

    edge = load_paths([card]).graph.edges[("pattern:worried", "COMBINES_WITH", "pattern:needy")]

    assert edge["description"] == "Clings to others to quiet the doubt about being enough"
    assert edge["section"] == "combinations"
    places = [(p["start_line"], p["text"]) for p in edge["provenance"]]
    # both places kept, the one whose words are shown first (it is the place cited for the sentence)
    assert places == [(combination_line, COMBINATION), (mention_line, MENTION)]


def test_rank_merge_rule():
    """Lowest rank shows; first of equals; places of the shown statement first; values filled in."""
    g = GraphData()
    for n in ("a", "b"):
        g.add_node("Pattern", n)
    key = ("pattern:a", "COMBINES_WITH", "pattern:b")
    place = lambda line, text: {"file": "f", "start_line": line, "end_line": line, "text": text}  # noqa: E731
    g.add_edge(*key, [place(1, "weak one")], rank=1, description="weak one", section="s1", as_written="b")
    g.add_edge(*key, [place(2, "weak two")], rank=1, description="weak two", section="s2")
    assert (g.edges[key]["description"], g.edges[key]["section"]) == ("weak one", "s1")
    g.add_edge(*key, [place(3, "strong")], description="strong", section="own")
    g.add_edge(*key, [place(4, "strong later")], description="strong later", section="own")
    g.add_edge(*key, [place(1, "weak one")], rank=1, description="weak one", section="s1")
    edge = g.edges[key]
    assert (edge["description"], edge["section"], edge["as_written"]) == ("strong", "own", "b")
    assert [p["start_line"] for p in edge["provenance"]] == [3, 1, 2, 4]

    copy = GraphData()  # merging a built graph keeps its ranks
    for n in ("a", "b"):
        copy.add_node("Pattern", n)
    copy.add_edge(*key, [place(5, "weak")], rank=1, description="weak", section="s1")
    copy.merge(g)
    assert copy.edges[key]["description"] == "strong"


def test_shipped_corpus_shows_the_combination_lines(corpus_result):
    """Every COMBINES_WITH edge a card's combinations section states shows that line (e.g. Self-Judging ->
    Insecure, also mentioned as "Often found together with insecure pattern")."""
    graph = corpus_result.graph
    checked = 0
    for (source, etype, target), edge in graph.edges.items():
        if etype != "COMBINES_WITH":
            continue
        own = {(s["file"], item["line"]) for s in graph.nodes[source].get("sections") or []
               if s["key"] == "combinations" for item in s["items"]}
        places = [(p["file"], p["start_line"]) for p in edge["provenance"]]
        if not own & set(places):
            continue
        checked += 1
        assert edge["section"] == "combinations", (source, target)
        assert places[0] in own, (source, target, places)
        assert clean_text(edge["description"]) in clean_text(edge["provenance"][0]["text"]), (source, target)
    assert checked
    edge = graph.edges[("pattern:self-judging", "COMBINES_WITH", "pattern:insecure")]
    assert len(edge["provenance"]) == 2
