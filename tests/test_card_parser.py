"""The card parser: lost headings, template variants and markup all give the same graph."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import DATA, SEED_CARD
from loaders.card import parse_card
from loaders.corpus import load_paths
from loaders.text import decode, read_document
from loaders.vocabulary import load_vocabulary

FIXTURES = Path(__file__).parent / "fixtures"


def shape(graph) -> tuple[dict, dict]:
    """A graph without provenance and section text: what must not depend on headings or markup."""
    nodes = {nid: {k: v for k, v in n.items() if k not in ("provenance", "sections", "card", "authorship")}
             for nid, n in graph.nodes.items() if n["kind"] != "Source"}
    edges = {k: {a: v for a, v in e.items() if a != "provenance"} for k, e in graph.edges.items()
             if k[1] != "DESCRIBES"}
    return nodes, edges


def load_text(tmp_path: Path, name: str, text: str | bytes):
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return load_paths([path])


def test_card_written_with_and_without_headings_gives_same_graph():
    full = load_paths([FIXTURES / "worried-full.txt"])
    lost = load_paths([FIXTURES / "worried-lost.txt"])
    assert shape(full.graph) == shape(lost.graph)
    assert not lost.report.warnings
    statuses = {s["key"]: s["heading_status"] for s in lost.graph.nodes["pattern:worried"]["sections"]}
    assert statuses["transference"] == "inferred" and statuses["core_issues"] == "read"
    assert {s["key"] for s in lost.graph.nodes["pattern:worried"]["sections"]} == \
        {s["key"] for s in full.graph.nodes["pattern:worried"]["sections"]}
    assert all(s["heading_status"] == "read" for s in full.graph.nodes["pattern:worried"]["sections"])


@pytest.mark.parametrize("card", sorted((DATA / "cards").glob("*.txt")), ids=lambda p: p.stem)
def test_every_card_loses_its_inferable_headings_without_a_wrong_fact(tmp_path, card):
    """Drop every heading line the template can infer (as extraction lost them in the seed, leaving one
    more blank line than the card puts before a heading): nothing the reader then states is wrong (the
    graph is a part of the full one), and every block it could place by position only is reported."""
    vocab = load_vocabulary()
    parsed = parse_card(read_document(card), vocab)
    inferable = {s.heading_line for s in parsed.sections
                 if s.status == "read" and s.spec.infer != "never" and s.heading_line}
    lines = card.read_text(encoding="utf-8").split("\n")
    kept = [("" if n in inferable else l) for n, l in enumerate(lines, 1)]
    full = load_paths([card])
    lost = load_text(tmp_path, card.name, "\n".join(kept))
    full_nodes, full_edges = shape(full.graph)
    lost_nodes, lost_edges = shape(lost.graph)
    assert set(lost_edges) <= set(full_edges)
    assert set(lost_nodes) <= set(full_nodes)
    missing = {(s, t, o) for (s, t, o) in full_edges if (s, t, o) not in lost_edges}
    if missing:
        assert any("by position alone" in w.message for w in lost.report.warnings), missing


@pytest.mark.parametrize("variant", ["markdown", "bold", "colon", "bullets", "crlf", "cr", "bom", "tabs"])
def test_markup_variants_load_the_same(tmp_path, variant):
    text = (FIXTURES / "worried-full.txt").read_text(encoding="utf-8")
    headings = {s.heading_text for s in parse_card(read_document(FIXTURES / "worried-full.txt"),
                                                   load_vocabulary()).sections if s.heading_text}
    lines = text.split("\n")
    if variant == "markdown":
        lines = [("## " + l if l in headings else l) for l in lines]
        lines[0] = "# " + lines[0]
    elif variant == "bold":
        lines = [("**" + l + "**" if l in headings else l) for l in lines]
    elif variant == "colon":
        lines = [(l + ":" if l in headings else l) for l in lines]
    elif variant == "bullets":
        marks = ["- ", "* ", "\u2022 "]
        lines = [(marks[n % 3] + l if l and l not in headings and n > 0 else l) for n, l in enumerate(lines)]
    elif variant == "tabs":
        lines = [(l + " \t " if l in headings else l) for l in lines]
    out = "\n".join(lines)
    if variant == "crlf":
        out = out.replace("\n", "\r\n")
    if variant == "cr":
        out = out.replace("\n", "\r")
    data = out.encode("utf-8")
    if variant == "bom":
        data = b"\xef\xbb\xbf" + data
    result = load_text(tmp_path, "worried.txt", data)
    assert shape(result.graph) == shape(load_paths([FIXTURES / "worried-full.txt"]).graph)
    assert not [w for w in result.report.warnings if "heading" in w.message]


def test_published_template_headings_are_recognised():
    vocab = load_vocabulary()
    for heading, key in [("Interpersonal Behavior", "behavior"), ("Behavior", "behavior"),
                         ("Group/Organizational/Work Behavior", "group_behavior"), ("Motivation", "motivation"),
                         ("Group, Community, Organizational, and Work Behavior", "group_behavior"),
                         ("Social Change Behavior", "group_behavior"), ("Representations", "self_other"),
                         ("Healthy Patterns Blocked", "capacities_blocked"), ("Variants", "subtypes"),
                         ("Conscious Statement", "statement"), ("Motivation/Core Issues", "core_issues"),
                         ("Feelings", "motivation"), ("Description", "behavior"),
                         ("Core Issues", "core_issues"), ("Statement", "statement"),
                         ("Underlying Thought", "unconscious_thought"), ("Distortions of Perception", "distortions"),
                         ("Dimensions Involved", "dimensions"), ("Demographics", "demographics"),
                         ("Distinctions", "distinctions"), ("Countertransference toward Needy Client",
                                                            "countertransference_toward")]:
        assert vocab.match_heading(heading).key == key, heading


def test_unknown_heading_and_unplaceable_block_are_warnings_not_drops(tmp_path):
    text = "Odd Pattern\n\n\n## Weather Report\n\nSunny spells\n\n\nActivating Conditions\n\nRain\n"
    result = load_text(tmp_path, "odd.txt", text)
    warnings = [str(w) for w in result.report.warnings]
    assert any(w.startswith("odd.txt:4:") or ":4: unknown heading 'Weather Report'" in w for w in warnings), warnings
    sections = {s["heading"]: s for s in result.graph.nodes["pattern:odd"]["sections"]}
    assert sections["Weather Report"]["items"][0]["text"] == "Sunny spells"
    assert sections["Weather Report"]["heading_status"] == "unknown"


def test_unknown_pattern_word_is_reported(tmp_path):
    """A plain mention of an unknown 'X pattern' is a warning; after a cue ('underlying', 'combined with')
    it is an unresolved Pattern node, with a warning that the catalogue does not know it."""
    text = ("Odd Pattern\n\n\nPotential Problems\n\nLook for an underlying lifelong pattern or a gloomy pattern\n\n"
            "Resembles a wistful pattern\n")
    result = load_text(tmp_path, "odd.txt", text)
    messages = [w.message for w in result.report.warnings]
    assert any("'gloomy pattern' is not in the Pattern System catalogue" in m for m in messages)
    assert result.graph.nodes["pattern:gloomy"]["status"] == "unresolved"
    assert ("pattern:gloomy", "MAY_UNDERLIE", "pattern:odd") in result.graph.edges
    assert not any(n.startswith("pattern:lifelong") for n in result.graph.nodes)
    assert any("'wistful pattern' names no known pattern" in m for m in messages)
    assert "pattern:wistful" not in result.graph.nodes


def test_windows_1252_is_decoded_and_said():
    doc = decode("Odd Pattern\n\nIt\u2019s fine\n".encode("cp1252"), "odd.txt")
    assert doc.encoding == "cp1252" and "\u2019" in doc.lines[2]
    assert "Windows-1252" in doc.warnings[0].message


def test_seed_card_sections_in_template_order():
    parsed = parse_card(read_document(SEED_CARD), load_vocabulary())
    orders = [s.spec.order for s in parsed.sections]
    assert orders == sorted(orders)
    assert parsed.sections[0].key == "behavior" and parsed.sections[1].key == "motivation"
    assert parsed.sections[0].reason.startswith("placed by position alone (after the title")
    assert parsed.sections[1].reason.startswith("3 of 3 lines look like motivation")
