"""Hostile input, class 1: every card-reader step is linear in its input and nothing recurses on it.

Each input below took the old reader minutes (regular expressions that backtrack quadratically or worse,
a recursive block assignment); the bound is a generous ceiling for a linear reader, not a speed target."""
from __future__ import annotations

import time

import pytest

from loaders.card import parse_card
from loaders.text import decode
from loaders.vocabulary import load_vocabulary

CEILING_S = 20.0  # a linear reader does each in well under a second; the old one took minutes
N = 200_000


def timed_parse(text: str):
    start = time.perf_counter()
    card = parse_card(decode(text.encode("utf-8"), "hostile.txt"), load_vocabulary())
    return card, time.perf_counter() - start


HOSTILE = {
    "comma list without 'pattern'": "Odd Pattern\n\n\nPotential Problems\n\n" + ", ".join(["word"] * N) + " patterns-not\n",
    "comma list ending in 'pattern'": "Odd Pattern\n\n\nPotential Problems\n\n" + ", ".join(["word"] * N) + " pattern\n",
    "'pattern' after every word": "Odd Pattern\n\n\nPotential Problems\n\n" + ", ".join(["a pattern"] * N) + "\n",
    "white space in the title": "Odd" + " " * N + "x Pattern\n\nBehavior\n\nKeeps apart\n",
    "white space in a Markdown heading": "Odd Pattern\n\n## a" + " " * N + "b\n\nKeeps apart\n",
    "white space in a bold heading": "Odd Pattern\n\n**a**" + " " * N + "b\n\nKeeps apart\n",
    "one hyphenated word": "Odd Pattern\n\n\nDistinctions\n\n" + "-".join(["A"] * N) + " client\n",
    "a capacity name made of hyphens": "Odd Pattern\n\n\nDistinctions\n\nA" + "-a" * N + " was a healthy thing\n",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_line_reads_in_linear_time(name):
    _, seconds = timed_parse(HOSTILE[name])
    assert seconds < CEILING_S, f"{name}: {seconds:.1f} s"


def test_thousands_of_lost_heading_blocks_do_not_recurse():
    text = "Odd Pattern\n\n\n" + "".join(f"Some line {i} about things\n\nAnd another\n\n\n\n" for i in range(5000))
    card, seconds = timed_parse(text)
    assert len(card.sections) == 5000 and seconds < CEILING_S


def test_a_list_before_pattern_is_still_read():
    card, _ = timed_parse("Odd Pattern\n\n\nPotential Problems\n\nAlso look for underlying victim, needy, "
                          "or passive-aggressive pattern\n")
    assert {(f.edge, f.name, f.direction) for f in card.facts} == {
        ("MAY_UNDERLIE", "victim", "in"), ("MAY_UNDERLIE", "needy", "in"), ("MAY_UNDERLIE", "passive-aggressive", "in")}
