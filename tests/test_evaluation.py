"""The card reader measured on the gold-annotated cards (`eval/gold/`), with floors it must not fall below.

The gold cards were written for the project in its own words, in the shapes real extracted cards take;
the reader was not written against them. Floors are the issue's acceptance figures."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from loaders.evaluate import DEFAULT_GOLD, evaluate, gold_files, main, read_gold, same_name
from loaders.text import REPO_ROOT


@pytest.fixture(scope="module")
def figures():
    summary, scores = evaluate(DEFAULT_GOLD)
    return summary, scores


def test_gold_set_covers_the_shapes_of_real_cards():
    """At least ten cards; every phenomenon of the collection at least twice; CRLF, whitespace-only gaps
    and Markdown among them."""
    files = gold_files(DEFAULT_GOLD)
    assert len(files) >= 10
    raw = {f: (f.parent / read_gold(f)[0].name).read_bytes() for f in files}
    assert sum(b"\r\n" in data for data in raw.values()) >= 2
    assert sum(any(line.strip() == b"" and line != b"" for line in data.replace(b"\r", b"").split(b"\n"))
               for data in raw.values()) >= 2
    assert sum(path.suffix == ".md" or data.lstrip().startswith(b"#") for path, data in
               ((read_gold(f)[0], d) for f, d in raw.items())) >= 2


def test_every_gold_line_and_fact_is_annotated():
    for f in gold_files(DEFAULT_GOLD):
        card, sections, facts = read_gold(f)
        lines = card.read_text(encoding="utf-8").replace("\r\n", "\n").split("\n")
        first = next(n for n, l in enumerate(lines, 1) if l.strip())
        nonblank = {n for n, l in enumerate(lines, 1) if l.strip() and n > first}
        assert set(sections) == nonblank, f.name
        assert all(fact.line in nonblank for fact in facts), f.name


def test_section_accuracy_floor(figures):
    summary, _ = figures
    assert summary["section_accuracy"] >= 0.97


def test_fact_precision_and_recall_floors(figures):
    summary, _ = figures
    assert summary["overall"]["precision"] >= 0.95
    assert summary["overall"]["recall"] >= 0.93
    for edge in ("DISTINGUISHED_FROM", "ORIGINATES_IN"):
        assert summary["edges"][edge]["precision"] >= 0.90, edge
        assert summary["edges"][edge]["recall"] >= 0.90, edge


def test_matching_rules():
    assert same_name("Pattern", "People-Pleasing", "people-pleasing")
    assert same_name("Origin", "a parent who saw enemies everywhere", "Parent who saw enemies everywhere")
    assert not same_name("Origin", "rejection", "lack of validation or mirroring")
    assert not same_name("Capacity", "Belonging", "Confidence")


def test_evaluation_catches_a_wrong_reader(tmp_path, monkeypatch):
    """The command is not a rubber stamp: a gold file with a fact the card does not state lowers recall, and
    a section label changed lowers accuracy."""
    src = gold_files(DEFAULT_GOLD)[0]
    card = read_gold(src)[0]
    shutil.copy(card, tmp_path / card.name)
    text = src.read_text(encoding="utf-8")
    text = text.replace("facts:\n", "facts:\n  - {line: %d, edge: BLOCKS, kind: Capacity, name: Imaginary}\n"
                        % min(read_gold(src)[2][0].line, 999), 1)
    (tmp_path / src.name).write_text(text, encoding="utf-8")
    summary, _ = evaluate(tmp_path)
    assert summary["overall"]["recall"] < 1.0


def test_command_prints_the_figures():
    out = subprocess.run([sys.executable, "-m", "loaders.evaluate"], cwd=REPO_ROOT, capture_output=True, text=True,
                         check=True).stdout
    assert "all facts" in out and "section accuracy:" in out and "DISTINGUISHED_FROM" in out


def test_command_refuses_a_folder_without_gold(tmp_path, capsys):
    assert main([str(tmp_path)]) == 2
    assert "no *.gold.yaml files" in capsys.readouterr().err


def test_other_shapes_of_the_same_cards_read_as_well():
    """CRLF, whitespace-only blank lines, bullets, headings with a colon or in capitals: the same floors."""
    from loaders.evaluate import SHAPES, evaluate_shapes

    shapes = evaluate_shapes(DEFAULT_GOLD)
    assert set(shapes) == set(SHAPES)
    for name, fig in shapes.items():
        assert fig["section_accuracy"] >= 0.97, name
        assert fig["overall"]["precision"] >= 0.95 and fig["overall"]["recall"] >= 0.93, name
