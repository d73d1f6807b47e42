"""The card reader on the shapes of the published collection: each rule with a small card of its own."""
from __future__ import annotations

from pathlib import Path

from loaders.card import lost_heading_gap, parse_card
from loaders.corpus import load_paths
from loaders.text import decode
from loaders.vocabulary import load_vocabulary


def read(text: str, name: str = "odd.txt"):
    return parse_card(decode(text.encode("utf-8"), name), load_vocabulary())


def facts(card) -> set[tuple[str, str, str]]:
    return {(f.edge, f.kind, f.name) for f in card.facts}


def sections(card) -> list[tuple[str, str]]:
    return [(s.key, s.status) for s in card.sections]


def test_gap_threshold_comes_from_the_document():
    assert lost_heading_gap([2, 2, 2, 4], [1, 1, 2, 1, 2, 3]) == 3  # the seed's spacing
    assert lost_heading_gap([1, 1, 1], [0, 0, 1, 0, 2]) == 2  # one blank line before a heading
    assert lost_heading_gap([], [0, 0, 0, 2, 0]) == 2  # no heading left: two wider than the items


def test_one_blank_line_before_headings_two_where_one_was_lost():
    card = read("Odd Pattern\n\nBehavior\nKeeps to herself\nSays little\n\n\nSelf: Small\nOther: Large\n\n"
                "Sees Others As\nPeople who may intrude\n")
    assert sections(card) == [("behavior", "read"), ("self_other", "inferred"), ("sees_others_as", "read")]


def test_whitespace_only_lines_are_blank():
    card = read("Odd Pattern\n \t\n  \nBehavior\n \nKeeps to herself\n  \n\t\n \nSelf: Small\n\nOther: Large\n")
    assert sections(card)[-1] == ("self_other", "inferred")


def test_block_placed_by_position_alone_states_no_facts_and_warns():
    text = ("Odd Pattern\n\n\nGender and Culture\n\nSeen in many places\n\n\n\nIt varies a great deal.\n\n"
            "Nobody knows quite why.\n\n\nDistinctions\n\nThe needy pattern is about need, while the odd pattern is not.\n")
    card = read(text)
    placed = next(s for s in card.sections if s.key == "activating_conditions")
    assert placed.status == "inferred" and placed.by_position
    assert "position alone" in placed.reason and "/" not in placed.reason  # plain words, no regex
    assert not any(f.edge == "ACTIVATED_BY" for f in card.facts)
    assert any("by position alone" in w.message for w in card.warnings)


def test_origins_and_labelled_core_issues():
    card = read("Odd Pattern\n\n\nCore Issues/Origins\n\nInadequacy, shame\n\n"
                "Betrayal: the parent was warm at first, and then turned away\n\n"
                "Derives from rejection, lack of validation or mirroring\n\nComes from a chaotic home\n\n"
                "Can also come from a teacher who mocked the child\n\nParents were cold and often away\n\n"
                "Child was punished for crying, so she stopped\n\nSibling took all the attention\n\n"
                "Internalization of a critical father\n\nLearned helplessness\n")
    assert facts(card) == {
        ("HAS_CORE_ISSUE", "CoreIssue", "Inadequacy"), ("HAS_CORE_ISSUE", "CoreIssue", "shame"),
        ("HAS_CORE_ISSUE", "CoreIssue", "Betrayal"),
        ("ORIGINATES_IN", "Origin", "rejection"), ("ORIGINATES_IN", "Origin", "lack of validation or mirroring"),
        ("ORIGINATES_IN", "Origin", "a chaotic home"), ("ORIGINATES_IN", "Origin", "a teacher who mocked the child"),
        ("ORIGINATES_IN", "Origin", "Parents were cold and often away"),
        ("ORIGINATES_IN", "Origin", "Child was punished for crying, so she stopped"),
        ("ORIGINATES_IN", "Origin", "Sibling took all the attention"),
        ("ORIGINATES_IN", "Origin", "a critical father"), ("ORIGINATES_IN", "Origin", "Learned helplessness")}
    betrayal = next(f for f in card.facts if f.name == "Betrayal")
    assert betrayal.node_attrs["description"].startswith("the parent was warm")


def test_distinctions_in_every_phrasing():
    card = read("Odd Pattern\n\n\nDistinctions\n\n"
                "The needy pattern is characterized by need, while the odd pattern is characterized by oddness.\n\n"
                "Compliant pattern involves going along; the issue is safety rather than oddness.\n\n"
                "The prideful pattern also involves distance, but for the sake of image.\n\n"
                "The charming client shows warmth to win people over.\n\n"
                "The need-denying person also stays apart.\n\n"
                "Belonging is a healthy capacity where the person feels part of a group.\n")
    assert facts(card) == {("DISTINGUISHED_FROM", "Pattern", n) for n in
                           ("needy", "Compliant", "prideful", "charming", "need-denying")} | {
        ("DISTINGUISHED_FROM", "Capacity", "Belonging")}


def test_distinctions_after_a_lost_heading_are_not_conditions():
    card = read("Odd Pattern\n\n\nActivating Conditions\n\nBeing left alone\n\n\n\n"
                "The insecure pattern also involves fear, but of rejection rather than of loss.\n\n"
                "The defiant client shows open resistance, while the odd client hides it.\n")
    assert facts(card) == {("ACTIVATED_BY", "Condition", "Being left alone"),
                           ("DISTINGUISHED_FROM", "Pattern", "insecure"), ("DISTINGUISHED_FROM", "Pattern", "defiant")}


def test_markdown_variant_naming_the_pattern_is_a_subtype():
    card = read("# Odd Pattern\n\n## Distinctions\n\nThe needy pattern differs from the odd pattern.\n\n\n"
                "## Socially Odd\n\nOdd with strangers\n\n## Odd at Work\n\nOdd in meetings\n\n## Associated Features\n\n"
                "Tiredness\n", "odd.md")
    assert {("HAS_SUBTYPE", "Subtype", "Socially Odd"), ("HAS_SUBTYPE", "Subtype", "Odd at Work")} <= facts(card)
    assert not [w for w in card.warnings if "unknown heading" in w.message]


def test_underlies_direction():
    card = read("Odd Pattern\n\n\nPotential Problems\n\nAlso look for underlying victim pattern\n\n"
                "Often underlies the controlling pattern\n")
    found = {(f.edge, f.name, f.direction) for f in card.facts}
    assert found == {("MAY_UNDERLIE", "victim", "in"), ("MAY_UNDERLIE", "controlling", "out")}


def test_a_card_reads_the_same_whichever_cards_are_loaded_with_it(tmp_path: Path):
    """Pattern names come from the catalogue, not from the other cards."""
    odd = ("Odd Pattern\n\n\nDistinctions\n\nThe charming pattern also involves warmth, but for show.\n\n\n"
           "Potential Problems\n\nSometimes combined with prideful pattern\n")
    (tmp_path / "alone").mkdir()
    (tmp_path / "alone" / "odd.txt").write_text(odd, encoding="utf-8")
    (tmp_path / "together").mkdir()
    (tmp_path / "together" / "odd.txt").write_text(odd, encoding="utf-8")
    (tmp_path / "together" / "charming.txt").write_text("Charming Pattern\n\n\nBehavior\n\nWins people over\n",
                                                        encoding="utf-8")

    def edges(folder: str) -> set:
        graph = load_paths([tmp_path / folder]).graph
        return {k for k in graph.edges if k[0] == "pattern:odd"}

    assert edges("alone") == edges("together") == {("pattern:odd", "DISTINGUISHED_FROM", "pattern:charming"),
                                                   ("pattern:odd", "COMBINES_WITH", "pattern:prideful")}


def test_a_correction_out_of_the_template_order_leaves_the_other_blocks_in_place():
    """Correcting lines to a section that sits later in the template does not push the blocks after them
    past their own headings (the seed: lines 108 corrected to related concepts)."""
    from conftest import SEED_CARD
    from loaders.text import read_document

    from loaders.corrections import Correction

    fix = Correction("data/cards/insecure.txt", 108, 108, "related_concepts", None, "c.yaml", 3)

    before = {s.start_line: (s.key, s.status) for s in parse_card(read_document(SEED_CARD), load_vocabulary()).sections}
    card = parse_card(read_document(SEED_CARD), load_vocabulary(), corrections=[fix])
    after = {s.start_line: (s.key, s.status) for s in card.sections}
    assert after[108] == ("related_concepts", "corrected")
    assert after[140] == before[140] == ("transference", "inferred")
    assert after[112][0] == before[112][0]
    assert not any("unplaced" in w.message for w in card.warnings)


def test_a_misspelt_heading_is_read_with_a_warning():
    card = read("Odd Pattern\n\nBehavior\nKeeps apart\n\nActivating Condtions\nBeing asked to decide alone\n")
    assert ("activating_conditions", "read") in sections(card)
    assert ("ACTIVATED_BY", "Condition", "Being asked to decide alone") in facts(card)
    assert any("'Activating Condtions' read as 'Activating Conditions'" in w.message for w in card.warnings)


def test_a_distinction_naming_two_patterns_states_both():
    card = read("Odd Pattern\n\n\nDistinctions\n\nThe compliant and passive-aggressive patterns also look agreeable, "
                "but the first gives in and the second resists, while the odd person avoids the victim pattern.\n")
    assert facts(card) == {("DISTINGUISHED_FROM", "Pattern", "compliant"),
                           ("DISTINGUISHED_FROM", "Pattern", "passive-aggressive")}


def test_an_adjective_series_in_an_origin_is_one_origin():
    card = read("Odd Pattern\n\n\nCore Issues/Origins\n\nEmptiness\n\n"
                "Derives from a lack of realistic, dependable adults the child could look up to\n")
    assert ("ORIGINATES_IN", "Origin", "a lack of realistic, dependable adults the child could look up to") in facts(card)


def test_variant_names_with_small_words_and_doubled_bullets():
    card = read("Odd Pattern\n\n\nVariants\n\n- \u2022 Withdrawn after Loss\n\nPulls back after a death\n\n"
                "- \u2022 Odd at Work\n\nOdd in meetings\n")
    assert {f.name for f in card.facts if f.edge == "HAS_SUBTYPE"} == {"Withdrawn after Loss", "Odd at Work"}


def test_no_heading_left_the_commonest_gaps_are_items_and_lost_headings():
    """Every heading lost, with as many two-line gaps (lost headings) as touching lines: the items' gap is
    the smaller of the two commonest."""
    blocks = ["Self: Small\nOther: Large", "Sudden change\nLong waits", "The needy pattern is about need, while the odd "
              "pattern is about oddness.\nThe defiant client shows open resistance, while the odd client hides it."]
    card = read("Odd Pattern\n\n\n" + "\n\n\n".join(blocks) + "\n")
    assert [k for k, _ in sections(card)] == ["self_other", "activating_conditions", "distinctions"]


def test_numbered_and_inline_headings():
    card = read("Odd Pattern\n\n1. Behavior\nKeeps apart\n\n2. Statement: I can't do it.\n\n"
                "Healthy Capacities Blocked: Belonging, trust\n\nSelf: Small\n")
    assert [k for k, _ in sections(card)][:3] == ["behavior", "statement", "capacities_blocked"]
    assert {("BLOCKS", "Capacity", "Belonging"), ("BLOCKS", "Capacity", "trust")} <= facts(card)
    statement = next(s for s in card.sections if s.key == "statement")
    assert statement.heading_line == statement.items[0].line == 6 and statement.items[0].text == "I can't do it."
