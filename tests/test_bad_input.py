"""Bad input: every case gives a graph or a one-line error naming file and line, never a traceback."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, SEED_CARD
from loaders.corpus import load_paths
from loaders.errors import LoadError

SEED = SEED_CARD.read_text(encoding="utf-8")


def cli(*paths: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "loaders", *map(str, paths), "-o", os.devnull],
                          cwd=REPO, capture_output=True, text=True, timeout=120)


CASES = {
    # name: (bytes, expected: "graph" or the error's (line, words))
    "empty": (b"", (1, "empty")),
    "blank-lines-only": (b"\n\n  \n\t\n", (1, "empty")),
    "binary": (b"Insecure Pattern\n\n\x00\x01\x02\xff", (3, "binary")),
    "windows-1252": (SEED.encode("utf-8").decode("utf-8").replace("\u2019", "'").replace("\u201c", '"')
                     .replace("\u201d", '"').replace("\u00a0", " ").encode("cp1252") + "caf\u00e9".encode("cp1252"),
                     "graph"),
    "utf8-bom": (b"\xef\xbb\xbf" + SEED.encode("utf-8"), "graph"),
    "crlf": (SEED.replace("\n", "\r\n").encode("utf-8"), "graph"),
    "lone-cr": (SEED.replace("\n", "\r").encode("utf-8"), "graph"),
    "tabs-and-trailing-spaces": ("\n".join(l + " \t " if l.istitle() else l for l in SEED.split("\n")).encode("utf-8"),
                                 "graph"),
    "smart-quotes": (SEED.replace("'", "\u2019").encode("utf-8"), "graph"),
    "card-without-title": ("\n".join(SEED.split("\n")[3:]).encode("utf-8"), (1, "no title")),
    "headings-in-another-order": (SEED.replace("Gender and Culture", "Xx").replace("Activating Conditions",
                                  "Gender and Culture").replace("Xx", "Activating Conditions").encode("utf-8"), "graph"),
    "markdown-and-bullets": ("\n".join(("## " + l) if l in ("Core Issues/Origins", "Activating Conditions") else
                                       ("- " + l if l.startswith("Social") else l) for l in SEED.split("\n"))
                             .encode("utf-8"), "graph"),
    "reference-to-uncarded-pattern": (b"Lonely Pattern\n\n\nCombinations of Lonely Pattern with Other Patterns\n\n"
                                      b"Wistful: Feels wistful about being alone\n", "graph"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_gives_graph_or_one_line_error(tmp_path, name):
    data, expected = CASES[name]
    path = tmp_path / f"{name}.txt"
    path.write_bytes(data)
    proc = cli(path)
    assert "Traceback" not in proc.stderr
    if expected == "graph":
        assert proc.returncode == 0, proc.stderr
        result = load_paths([path])
        assert result.graph.nodes and all(n["provenance"] for n in result.graph.nodes.values())
    else:
        line, words = expected
        assert proc.returncode == 2
        message = proc.stderr.strip()
        assert len(message.splitlines()) == 1 and f"{name}.txt:{line}:" in message and words in message, message


def test_windows_1252_is_said_in_the_report(tmp_path):
    path = tmp_path / "w.txt"
    path.write_bytes(CASES["windows-1252"][0])
    result = load_paths([path])
    assert any("Windows-1252" in w.message for w in result.report.warnings)
    assert result.graph.nodes["pattern:insecure"]


def test_headings_in_another_order_keep_their_sections(tmp_path):
    path = tmp_path / "o.txt"
    path.write_bytes(CASES["headings-in-another-order"][0])
    graph = load_paths([path]).graph
    assert len([1 for (s, t, d) in graph.edges if s == "pattern:insecure" and t == "ACTIVATED_BY"]) == 2
    sections = {s["key"]: s for s in graph.nodes["pattern:insecure"]["sections"]}
    assert sections["demographics"]["items"][0]["text"] == "Social situations"


def test_uncarded_pattern_is_unresolved(tmp_path):
    path = tmp_path / "lonely.txt"
    path.write_bytes(CASES["reference-to-uncarded-pattern"][0])
    result = load_paths([path])
    assert result.graph.nodes["pattern:wistful"]["status"] == "unresolved"
    assert result.report.unresolved == ["pattern:wistful"]


def test_oversized_file_is_refused_before_reading(tmp_path):
    path = tmp_path / "huge.txt"
    with open(path, "wb") as fh:  # 50 MB, sparse: cheap to make, refused by size
        fh.seek(50 * 1024 * 1024 - 1)
        fh.write(b"\n")
    proc = cli(path)
    assert proc.returncode == 2 and "huge.txt:1:" in proc.stderr and "the limit is" in proc.stderr


def test_error_in_one_file_loses_nothing_loaded_before(tmp_path):
    """A bad file stops the load with its file and line; a store built before is left as it was."""
    from graph.embedded import EmbeddedStore

    store = EmbeddedStore()
    store.replace_all(load_paths([SEED_CARD]).graph)
    before = store.counts()
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"")
    with pytest.raises(LoadError):
        store.replace_all(load_paths([SEED_CARD, bad]).graph)
    assert store.counts() == before


def test_non_ascii_and_letterless_names_found_by_fuzzing(tmp_path):
    """Regression: a core issue written 'À' crashed the id maker; a name of only dashes did too."""
    path = tmp_path / "accents.txt"
    path.write_text("Odd Pattern\n\n\nCore Issues/Origins\n\n\u00c0, \u6050\u60e7, \u2014\n", encoding="utf-8")
    result = load_paths([path])
    assert {"coreissue:a", "coreissue:\u6050\u60e7"} <= set(result.graph.nodes)
    assert any("no letters or digits" in w.message for w in result.report.warnings)


def test_utf16_with_bom_is_decoded(tmp_path):
    path = tmp_path / "u16.txt"
    path.write_bytes(SEED.encode("utf-16"))
    assert load_paths([path]).graph.nodes["pattern:insecure"]["status"] == "card"
