"""Hostile input, class 4: merging that loses data silently (issue 13).

Each test writes its own hostile documents. Names of another script keep their letters in ids, document-scoped
ids stay apart, a card never links its pattern to itself, and whatever still merges, or could pass for
another name, is said in the load report with file and line.
"""
from __future__ import annotations

from graph.schema import display_name, node_id, pattern_slug, slug
from loaders.corpus import load_paths

CARD = "{name} Pattern\n\n\nHealthy Capacities Blocked\n{capacities}\n\nActivating Conditions\n{conditions}\n"


def card(tmp_path, capacities: str, conditions: str = "Being alone", name: str = "Odd", folder: str = "cards"):
    path = tmp_path / folder / f"{name.lower()}.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(CARD.format(name=name, capacities=capacities, conditions=conditions), encoding="utf-8")
    return path


def warnings(result, *words: str) -> list[str]:
    return [str(w) for w in result.report.warnings if all(word in str(w) for word in words)]


# -- 1. names in another script --------------------------------------------------------------------

def test_capacities_in_another_script_keep_their_letters(tmp_path):
    """'Self-доверие' and 'Self-уважение' were both capacity:self: one node, the second capacity lost."""
    trust, respect = "Self-\u0434\u043e\u0432\u0435\u0440\u0438\u0435", "Self-\u0443\u0432\u0430\u0436\u0435\u043d\u0438\u0435"
    graph = load_paths([card(tmp_path, f"{trust}, {respect}")]).graph
    capacities = {nid: n["name"] for nid, n in graph.nodes.items() if n["kind"] == "Capacity"}
    assert capacities == {f"capacity:{trust.lower()}": trust, f"capacity:{respect.lower()}": respect}
    assert len([1 for (s, t, _) in graph.edges if s == "pattern:odd" and t == "BLOCKS"]) == 2


def test_slugs_keep_every_script_and_todays_latin_ids():
    # Latin ids as before (the seed tests and the alias table use them); Latin diacritics still fold
    assert node_id("Origin", "lack of validation or mirroring") == "origin:lack-of-validation-or-mirroring"
    assert pattern_slug("Self-Judging Pattern") == "self-judging" and slug("The silent  member") == "silent-member"
    assert slug("\u00c0") == "a" and slug("Caf\u00e9") == "cafe" and slug("\uff21\uff22\uff23") == "abc"
    # other scripts keep their letters and marks (Devanagari vowel signs were separators)
    assert slug("\u0939\u093f\u0928\u094d\u0926\u0940 \u092d\u093e\u0937\u093e") == \
        "\u0939\u093f\u0928\u094d\u0926\u0940-\u092d\u093e\u0937\u093e"
    assert slug("\u0419\u043e\u0433\u0443\u0440\u0442") == "\u0439\u043e\u0433\u0443\u0440\u0442"  # й keeps its breve
    assert slug("Stra\u00dfe") == "strasse"  # case-folded
    # invisible characters are removed, not read as word breaks; bidi controls leave display names too
    assert slug("Bel\u200bonging") == "belonging" and slug("\u202eTrust\u202c") == "trust"
    assert display_name("\u202eTrust\u202c") == "Trust"


# -- 2. document-scoped ids ------------------------------------------------------------------------

ARTICLE = ("Understanding the Roots of Worry\n\n1. Early Experiences\n\n"
           "Worry often starts early. {who}, {role}, recalls a childhood full of {what}.\n")


def test_articles_with_one_stem_in_two_folders_keep_their_examples(tmp_path):
    """Two 'roots.txt' in different folders made one example:roots-ethan with the first description."""
    for folder, role, what in [("x", "a retired sailor", "storms"), ("y", "a young nurse", "hospitals")]:
        path = tmp_path / folder / "roots.txt"
        path.parent.mkdir()
        path.write_text(ARTICLE.format(who="Ethan", role=role, what=what), encoding="utf-8")
    graph = load_paths([tmp_path]).graph
    examples = {nid: n for nid, n in graph.nodes.items() if n["kind"] == "Example"}
    assert set(examples) == {"example:x-roots-ethan", "example:y-roots-ethan"}
    for nid, what in [("example:x-roots-ethan", "storms"), ("example:y-roots-ethan", "hospitals")]:
        assert what in examples[nid]["description"]
        assert {p["file"].split("/")[-2] for p in examples[nid]["provenance"]} == {nid.split(":")[1][0]}


def test_shipped_example_ids_stay(corpus_result):
    assert "example:roots-of-insecurity-ethan" in corpus_result.graph.nodes  # tests/test_parity.py uses it


def test_two_paths_making_one_source_id_stay_two_sources(tmp_path):
    """'worry notes.txt' and 'worry-notes.txt' both made source:...-worry-notes-txt: one Source node."""
    for name, who in [("worry notes.txt", "Ethan"), ("worry-notes.txt", "Chloe")]:
        (tmp_path / name).write_text(ARTICLE.format(who=who, role="a cook", what="noise"), encoding="utf-8")
    result = load_paths([tmp_path])
    sources = [n for n in result.graph.nodes.values() if n["kind"] == "Source"]
    assert sorted(n["name"].rsplit("/", 1)[-1] for n in sources) == ["worry notes.txt", "worry-notes.txt"]
    said = warnings(result, "make one source id")
    assert len(said) == 1 and "worry notes.txt" in said[0] and "worry-notes.txt:1:" in said[0]


# -- 3. self-loops ---------------------------------------------------------------------------------

def test_card_combining_with_itself_gives_no_self_loop(tmp_path):
    path = tmp_path / "clingy.txt"
    path.write_text("Clingy Pattern\n\n\nCombinations of Clingy Pattern with Other Patterns\n"
                    "Clingy: Clings even harder\nNeedy: Feels needier still\n\n\n"
                    "Related Patterns\nSometimes combined with clingy pattern\n", encoding="utf-8")
    result = load_paths([path])
    assert not [k for k in result.graph.edges if k[0] == k[2]]
    assert ("pattern:clingy", "COMBINES_WITH", "pattern:needy") in result.graph.edges
    said = warnings(result, "clingy.txt:5:", "itself")
    assert len(said) == 1 and "COMBINES_WITH" in said[0]


def test_alias_naming_the_paragraphs_own_node_gives_no_self_loop(tmp_path):
    (tmp_path / "roots.txt").write_text(ARTICLE.format(who="Ethan", role="a cook", what="early experiences"),
                                        encoding="utf-8")
    (tmp_path / "aliases.yaml").write_text("aliases:\n  - term: early experiences\n"
                                           "    target: mechanism:early-experiences\n", encoding="utf-8")
    result = load_paths([tmp_path])
    assert not [k for k in result.graph.edges if k[0] == k[2]]
    assert warnings(result, "roots.txt:5:", "early experiences", "itself")


# -- 4. collisions that remain ---------------------------------------------------------------------

def test_names_that_differ_in_more_than_case_are_said_when_merged(tmp_path):
    path = card(tmp_path, "Caf\u00e9, Self-worth\nCafe, Self worth\nCAFE")
    result = load_paths([path])
    assert {"capacity:cafe", "capacity:self-worth"} <= set(result.graph.nodes)
    said = warnings(result, "capacity:cafe")
    shown = result.graph.nodes["capacity:cafe"]["provenance"][0]["file"]
    assert len(said) == 1 and said[0].startswith(f"{shown}:6: Capacity 'Cafe' and 'Caf\u00e9' ({shown}:5)"), said
    assert not warnings(result, "self-worth")  # differs in punctuation and spacing only


def test_synonyms_and_articles_are_not_collisions(corpus_result):
    assert not [w for w in corpus_result.report.warnings if "are one node" in w.message]


# -- 5. look-alike names ---------------------------------------------------------------------------

def test_lookalike_names_are_said_and_invisibles_leave_ids(tmp_path):
    path = card(tmp_path, "Tr\u0430st\nBel\u200bonging\n\u202eValue\u202c")  # Cyrillic 'а', zero-width space, RLO
    result = load_paths([path])
    nodes = result.graph.nodes
    assert "capacity:tr\u0430st" in nodes and "capacity:trust" not in nodes  # not 'tr-st', not Latin trust
    assert nodes["capacity:belonging"] and nodes["capacity:value"]["name"] == "Value"
    assert warnings(result, "odd.txt:5:", "mixes Cyrillic and Latin")
    assert warnings(result, "odd.txt:6:", "invisible characters U+200B")
    assert warnings(result, "odd.txt:7:", "bidi control characters U+202C, U+202E", "display name")
    other = load_paths([card(tmp_path / "b", "Self-\u0434\u043e\u0432\u0435\u0440\u0438\u0435")])
    assert not warnings(other, "may pass")  # two scripts in two words is fine
