"""Corrections in a sidecar corrections.yaml: reading and validating it, writing one row, and what a
correction does to the loaded graph. Every test works on a copy of the corpus in a temporary folder:
data/ and its documents are never written."""
from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import DATA, REPO, SEED_CARD

from atlas.compose import CACHE_NAME, open_embedded
from loaders import corrections
from loaders.corpus import load_paths, sources_digest
from loaders.corrections import Correction, read_corrections, write_correction
from loaders.errors import LoadError
from loaders.text import display_path

INSECURE = "pattern:insecure"


@pytest.fixture(scope="module", autouse=True)
def shipped_corpus_untouched():
    """The shipped corrections file and the user's card are byte-identical after every test here."""
    before = {p: _digest(p) for p in (DATA / "corrections.yaml", SEED_CARD)}
    yield
    assert {p: _digest(p) for p in before} == before


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def corpus(tmp_path) -> Path:
    """A copy of data/ (without its graph cache) to correct."""
    root = tmp_path / "data"
    shutil.copytree(DATA, root, ignore=shutil.ignore_patterns("graph.json"))
    return root


def sidecar(root: Path, body: str) -> Path:
    path = root / "corrections.yaml"
    path.write_text("# test corrections\ncorrections:\n" + body, encoding="utf-8")
    return path


def edges(result, source: str, etype: str) -> dict[str, dict]:
    return {t: attrs for (s, et, t), attrs in result.graph.edges.items() if s == source and et == etype}


def section_at(result, pid: str, line: int) -> dict:
    return next(s for s in result.graph.nodes[pid]["sections"] if any(i["line"] == line for i in s["items"]))


# -- reading -------------------------------------------------------------------------------------

def test_shipped_corrections_file_is_valid_and_empty():
    assert read_corrections(DATA / "corrections.yaml") == []
    text = (DATA / "corrections.yaml").read_text(encoding="utf-8")
    assert text.startswith("# Corrections to how the loader read documents; the documents themselves are never changed.")


def test_rows_with_display_paths_and_sidecar_lines(corpus):
    path = sidecar(corpus, "  - file: cards/insecure.txt     # relative to this file's folder\n"
                           "    lines: 33-34\n"
                           "    section: statement\n"
                           "  - file: cards/needy.txt\n"
                           "    lines: 80\n"
                           "    not: DISTINGUISHED_FROM      # this line states no such fact\n")
    rows = read_corrections(path)
    shown = display_path(path)
    assert rows == [
        Correction(display_path(corpus / "cards/insecure.txt"), 33, 34, "statement", None, shown, 3),
        Correction(display_path(corpus / "cards/needy.txt"), 80, 80, None, "DISTINGUISHED_FROM", shown, 6),
    ]
    assert rows[0].lines == "33-34" and rows[1].lines == "80" and rows[1].where == f"{shown}:6"


@pytest.mark.parametrize("body,line,message", [
    ("  - file: cards/nope.txt\n    lines: 3\n    section: statement\n", 3, "no such document 'cards/nope.txt'"),
    ("  - file: ../outside.txt\n    lines: 3\n    section: statement\n", 3, "outside this file's folder"),
    ("  - file: cards/insecure.txt\n    lines: 34-33\n    section: statement\n", 4, "bad line range '34-33'"),
    ("  - file: cards/insecure.txt\n    lines: 0\n    section: statement\n", 4, "bad line range"),
    ("  - file: cards/insecure.txt\n    lines: thirty\n    section: statement\n", 4, "a line number or a range"),
    ("  - file: cards/insecure.txt\n    lines: 9000\n    section: statement\n", 4, "line 9000 does not exist"),
    ("  - file: cards/insecure.txt\n    lines: 219-9001\n    section: statement\n", 4, "lines 219-9001 do not exist"),
    ("  - file: cards/insecure.txt\n    lines: 33\n    section: nonsense\n", 5, "unknown section 'nonsense'"),
    ("  - file: cards/insecure.txt\n    lines: 33\n    not: LIKES\n", 5, "unknown edge type 'LIKES'"),
    ("  - file: cards/insecure.txt\n    lines: 33\n    section: [statement]\n", 5, "unknown section"),
    ("  - file: cards/insecure.txt\n    lines: true\n    section: statement\n", 4, "a line number or a range"),
    ("  - file: 12\n    lines: 33\n    section: statement\n", 3, "'file' must be the document's path"),
    ("  - lines: 33\n    section: statement\n", 3, "needs 'file'"),
    ("  - file: cards/insecure.txt\n    section: statement\n", 3, "needs 'lines'"),
    ("  - file: cards/insecure.txt\n    lines: 33\n", 3, "needs 'section'"),
    ("  - file: cards/insecure.txt\n    lines: 33\n    section: statement\n    colour: red\n", 6, "unknown key 'colour'"),
    ("  - cards/insecure.txt 33 statement\n", 3, "a correction is a mapping"),
    ("  - file: cards/insecure.txt\n    lines: 33-34\n    section: statement\n"
     "  - file: cards/insecure.txt\n    lines: 34\n    section: unconscious_thought\n", 6, "overlap the correction at line 3"),
    ("  file: cards/insecure.txt\n", 2, "must be a list of rows"),
    ("  - file: [unclosed\n", 4, "invalid YAML"),
])
def test_bad_rows_name_the_sidecar_and_line(corpus, body, line, message):
    path = sidecar(corpus, body)
    with pytest.raises(LoadError) as err:
        read_corrections(path)
    assert (err.value.file, err.value.line) == (display_path(path), line), str(err.value)
    assert message in err.value.message
    assert "\n" not in str(err.value)
    with pytest.raises(LoadError) as again:  # the same error stops a load of the corpus
        load_paths([corpus])
    assert str(again.value) == str(err.value)


def test_a_corrections_file_that_is_not_a_mapping(corpus):
    path = corpus / "corrections.yaml"
    path.write_text("- file: cards/insecure.txt\n", encoding="utf-8")
    with pytest.raises(LoadError, match=r"corrections.yaml:1: a corrections file is a mapping"):
        read_corrections(path)
    path.write_text("corrections:\n", encoding="utf-8")
    assert read_corrections(path) == []
    path.write_text("", encoding="utf-8")
    assert read_corrections(path) == []


def test_bad_row_exits_2_with_one_line_through_the_cli(corpus):
    sidecar(corpus, "  - file: cards/insecure.txt\n    lines: 33\n    section: statment\n")
    out = corpus.parent / "graph.json"
    proc = subprocess.run([sys.executable, "-m", "loaders", str(corpus), "-o", str(out)], cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(f"error: {display_path(corpus / 'corrections.yaml')}:5: unknown section 'statment'")
    assert not out.exists()


# -- writing -------------------------------------------------------------------------------------

def test_write_creates_the_file_with_its_header(corpus):
    (corpus / "corrections.yaml").unlink()
    row = write_correction(corpus / "corrections.yaml", corpus / "cards/insecure.txt", 33, 34, section="statement")
    text = (corpus / "corrections.yaml").read_text(encoding="utf-8")
    assert text.startswith(corrections.HEADER)
    assert text.endswith("corrections:\n  - file: cards/insecure.txt\n    lines: 33-34\n    section: statement\n")
    assert row == read_corrections(corpus / "corrections.yaml")[0]
    assert row.source_line == text.count("\n") - 2


def test_write_fills_the_shipped_empty_list_and_keeps_the_header(corpus):
    path = corpus / "corrections.yaml"
    header = path.read_text(encoding="utf-8").split("corrections: []")[0]
    write_correction(path, corpus / "cards/insecure.txt", 108, section="related_concepts")
    assert path.read_text(encoding="utf-8") == (header + "corrections:\n  - file: cards/insecure.txt\n"
                                                "    lines: 108\n    section: related_concepts\n")


def test_write_adds_or_replaces_one_row_and_keeps_the_rest_as_written(corpus):
    path = corpus / "corrections.yaml"
    original = ("# Corrections to how the loader read documents; the documents themselves are never changed.\n"
                "corrections:\n"
                "  - file: cards/insecure.txt     # relative to this file's folder\n"
                "    lines: 33-34                 # or a single line number\n"
                "    section: statement\n"
                "  # the needy card's line 80 is a distinction the other way round\n"
                "  - file: cards/needy.txt\n"
                "    lines: 80\n"
                "    not: DISTINGUISHED_FROM      # this line states no such fact\n"
                "# end of the list\n")
    path.write_bytes(original.replace("\n", "\r\n").encode())
    write_correction(path, corpus / "cards/insecure.txt", 108, section="related_concepts")  # a new row
    write_correction(path, corpus / "cards/insecure.txt", 33, 34, section="unconscious_thought")  # same lines
    write_correction(path, corpus / "cards/needy.txt", 80, section="distinctions")  # keeps its `not`
    raw = path.read_bytes()
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")  # the file's line endings are kept
    assert raw.decode().replace("\r\n", "\n") == (
        "# Corrections to how the loader read documents; the documents themselves are never changed.\n"
        "corrections:\n"
        "  - file: cards/insecure.txt\n"
        "    lines: 33-34\n"
        "    section: unconscious_thought\n"
        "  # the needy card's line 80 is a distinction the other way round\n"
        "  - file: cards/needy.txt\n"
        "    lines: 80\n"
        "    section: distinctions\n"
        "    not: DISTINGUISHED_FROM\n"
        "  - file: cards/insecure.txt\n"
        "    lines: 108\n"
        "    section: related_concepts\n"
        "# end of the list\n")
    assert [(r.lines, r.section, r.not_edge) for r in read_corrections(path)] == [
        ("33-34", "unconscious_thought", None), ("80", "distinctions", "DISTINGUISHED_FROM"),
        ("108", "related_concepts", None)]
    assert sorted(p.name for p in corpus.iterdir() if p.name.startswith(".")) == []  # no temporary file left


def test_write_rewrites_a_flow_list_as_rows(corpus):
    path = corpus / "corrections.yaml"
    path.write_text("# kept\ncorrections: [{file: cards/needy.txt, lines: 80, not: DISTINGUISHED_FROM}]\n",
                    encoding="utf-8")
    write_correction(path, corpus / "cards/insecure.txt", 33, section="statement")
    assert path.read_text(encoding="utf-8") == (
        "# kept\ncorrections:\n  - file: cards/needy.txt\n    lines: 80\n    not: DISTINGUISHED_FROM\n"
        "  - file: cards/insecure.txt\n    lines: 33\n    section: statement\n")


@pytest.mark.parametrize("start,end,kwargs,message", [
    (300, 301, {"section": "statement"}, "lines 300-301 do not exist"),
    (33, 33, {"section": "nonsense"}, "unknown section 'nonsense'"),
    (33, 33, {"not_edge": "LIKES"}, "unknown edge type 'LIKES'"),
    (33, 33, {}, "needs a section or an edge type"),
    (34, 33, {"section": "statement"}, "bad line range"),
])
def test_write_refuses_a_bad_correction_and_changes_nothing(corpus, start, end, kwargs, message):
    path = corpus / "corrections.yaml"
    before = path.read_bytes()
    with pytest.raises(LoadError, match=message):
        write_correction(path, corpus / "cards/insecure.txt", start, end, **kwargs)
    assert path.read_bytes() == before


def test_write_refuses_an_overlap_and_a_document_outside_the_folder(corpus, tmp_path):
    path = corpus / "corrections.yaml"
    write_correction(path, corpus / "cards/insecure.txt", 33, 34, section="statement")
    before = path.read_bytes()
    with pytest.raises(LoadError, match="overlap"):
        write_correction(path, corpus / "cards/insecure.txt", 34, 36, section="unconscious_thought")
    assert path.read_bytes() == before
    other = tmp_path / "elsewhere.txt"
    other.write_text("Elsewhere Pattern\n", encoding="utf-8")
    with pytest.raises(LoadError, match="is not in"):
        write_correction(path, other, 1, section="statement")
    with pytest.raises(ValueError, match="named corrections.yaml"):
        write_correction(corpus / "cards" / "insecure.txt", corpus / "cards/insecure.txt", 33, section="statement")
    assert path.read_bytes() == before


def test_sidecar_for_a_document(corpus, tmp_path):
    card = corpus / "cards" / "insecure.txt"
    assert corrections.sidecar_for(card, [corpus]) == corpus / "corrections.yaml"
    (corpus / "corrections.yaml").unlink()
    assert corrections.sidecar_for(card, [corpus]) == corpus / "corrections.yaml"  # a new one at the root
    assert corrections.sidecar_for(card, []) == corpus / "cards" / "corrections.yaml"  # loaded alone
    nearer = corpus / "cards" / "corrections.yaml"
    nearer.write_text("corrections: []\n", encoding="utf-8")
    assert corrections.sidecar_for(card, [corpus]) == nearer  # the nearest existing one


# -- loading -------------------------------------------------------------------------------------

def test_a_section_correction_changes_the_graph_and_the_report(corpus):
    card = corpus / "cards" / "insecure.txt"
    card_bytes = card.read_bytes()
    before = load_paths([corpus])
    assert section_at(before, INSECURE, 108)["heading_status"] == "inferred"
    assert not any(t.startswith("concept:generally-phobic") for t in edges(before, INSECURE, "RELATED_CONCEPT"))
    assert before.report.corrections == []

    row = write_correction(corpus / "corrections.yaml", card, 108, section="related_concepts")
    after = load_paths([corpus])
    section = section_at(after, INSECURE, 108)
    assert (section["key"], section["heading_status"]) == ("related_concepts", "corrected")
    assert row.where in section["reason"]  # the reason names the corrections file and line
    concept = "concept:generally-phobic-agoraphobic-hypochondriac-fears-about-disaster-death"
    edge = edges(after, INSECURE, "RELATED_CONCEPT")[concept]
    assert edge["provenance"][0]["file"] == display_path(card) and edge["provenance"][0]["start_line"] == 108
    assert after.report.corrections == [{"file": display_path(card), "lines": "108", "section": "related_concepts",
                                         "not": None, "sidecar": row.source, "sidecar_line": row.source_line}]
    assert after.report.to_dict()["corrections"] == after.report.corrections
    assert (f"corrected: {display_path(card)}:108: section 'related_concepts' (corrections file {row.where})"
            in after.report.format_text().splitlines())
    assert card.read_bytes() == card_bytes  # the document is never written


def test_a_not_correction_drops_the_fact(corpus):
    before = load_paths([corpus])
    assert edges(before, INSECURE, "DISTINGUISHED_FROM")["pattern:needy"]["provenance"][0]["start_line"] == 80
    row = write_correction(corpus / "corrections.yaml", corpus / "cards/insecure.txt", 80, not_edge="DISTINGUISHED_FROM")
    after = load_paths([corpus])
    assert "pattern:needy" not in edges(after, INSECURE, "DISTINGUISHED_FROM")
    assert "pattern:insecure" in edges(after, "pattern:needy", "DISTINGUISHED_FROM")  # the needy card's own
    assert f"corrected: {row.file}:80: not DISTINGUISHED_FROM (corrections file {row.where})" in after.report.format_text()


def test_corrections_above_a_document_loaded_alone_and_one_file_per_document(corpus):
    card = corpus / "cards" / "insecure.txt"
    write_correction(corpus / "corrections.yaml", card, 108, section="related_concepts")
    alone = load_paths([card])  # the corrections file in the folder above is found, as corpus.yaml is
    assert section_at(alone, INSECURE, 108)["heading_status"] == "corrected"
    nearer = corpus / "cards" / "corrections.yaml"
    nearer.write_text("corrections:\n  - file: insecure.txt\n    lines: 33\n    section: statement\n", encoding="utf-8")
    with pytest.raises(LoadError) as err:
        load_paths([card])
    assert "also corrected in" in err.value.message and err.value.file.endswith("corrections.yaml")


def test_corrections_apply_to_cards_only(corpus):
    sidecar(corpus, "  - file: articles/roots-of-insecurity.txt\n    lines: 3\n    section: statement\n")
    with pytest.raises(LoadError) as err:
        load_paths([corpus])
    assert (err.value.file, err.value.line) == (display_path(corpus / "corrections.yaml"), 3)
    assert "not a pattern card" in err.value.message


def test_the_corrections_file_is_not_a_catalogue(corpus):
    report = load_paths([corpus]).report
    assert not any("corrections.yaml" in p for p in report.skipped)
    assert not any("corrections.yaml" in d["path"] for d in report.documents)


def test_the_graph_cache_is_rebuilt_when_the_corrections_change(corpus):
    store, report = open_embedded(corpus)
    digest = store.graph.graph["sources_digest"]
    assert (corpus / CACHE_NAME).exists() and report["corrections"] == []
    write_correction(corpus / "corrections.yaml", corpus / "cards/insecure.txt", 108, section="related_concepts")
    assert sources_digest([corpus]) != digest
    store, report = open_embedded(corpus)
    assert report["corrections"] and store.graph.graph["sources_digest"] != digest
    assert any(t.startswith("concept:generally-phobic") for t in store.graph.successors(INSECURE))
    # a corrections file above the loaded path counts too
    alone = sources_digest([corpus / "cards"])
    (corpus / "corrections.yaml").write_text("corrections: []\n", encoding="utf-8")
    assert sources_digest([corpus / "cards"]) != alone


def test_correct_section_writes_the_row_and_undoes_it_when_the_reload_fails(corpus):
    card = corpus / "cards" / "insecure.txt"
    section = section_at(load_paths([corpus]), INSECURE, 108)
    path, row, result = corrections.correct_section(section, "related_concepts", [corpus],
                                                    reload=lambda: load_paths([corpus]))
    assert path == corpus / "corrections.yaml" and (row.start, row.end, row.section) == (108, 108, "related_concepts")
    corrected = section_at(result, INSECURE, 108)
    assert corrected["heading_status"] == "corrected"
    # correcting the corrected section again replaces its row
    corrections.correct_section(corrected, "associated_features", [corpus])
    assert [(r.lines, r.section) for r in read_corrections(path)] == [("108", "associated_features")]
    before = path.read_bytes()

    def failing():
        raise LoadError("x", 1, "the loader refused it")

    with pytest.raises(LoadError, match="refused"):
        corrections.correct_section(section_at(result, INSECURE, 33), "unconscious_thought", [corpus], reload=failing)
    assert path.read_bytes() == before
    (corpus / "corrections.yaml").unlink()
    with pytest.raises(LoadError):
        corrections.correct_section(section, "statement", [corpus], reload=failing)
    assert not path.exists()  # it did not exist before
    assert card.read_bytes() == SEED_CARD.read_bytes()


def test_section_choices_and_correctable_sections(corpus_result):
    choices = corrections.section_choices("Insecure")
    assert choices["statement"] == "Statement"
    assert "Insecure" in choices["combinations"]  # "{pattern}" headings name the pattern
    sections = corpus_result.graph.nodes[INSECURE]["sections"]
    found = corrections.correctable(sections)
    assert found and all(s["heading_status"] in ("inferred", "corrected", "unplaced") for s in found)
    assert all(s["heading_status"] == "read" or s in found for s in sections if s["items"]
               and s["heading_status"] != "unknown")
    assert corrections.section_lines({"items": [{"line": 33}, {"line": 35}]}) == (33, 35)
