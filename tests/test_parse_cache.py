"""The per-document parse cache (issue 17, item 1): a reload reads only the cards that changed, and the
graph and report it gives are exactly those of a full rebuild, whatever changed (a card edited, added or
removed, its corrections, the reader)."""
from __future__ import annotations

import ast
import logging
import shutil
from pathlib import Path

import pytest
from conftest import DATA, REPO

from loaders import parsecache
from loaders.corpus import load_paths, sources_digest
from loaders.parsecache import ParseCache, card_key, reader_digest, reader_files
from loaders.text import display_path, read_document


@pytest.fixture
def corpus(tmp_path) -> Path:
    root = tmp_path / "data"
    shutil.copytree(DATA, root, ignore=shutil.ignore_patterns("graph.json", "graph.*"))
    return root


def same_as_rebuild(corpus: Path, cache_file: Path) -> ParseCache:
    """Load through the cache and from scratch; the graphs (nodes, edges, attributes, provenance order)
    and reports must be equal. Returns the cache used (its hits and misses)."""
    cache = ParseCache(cache_file)
    cached = load_paths([corpus], cache)
    fresh = load_paths([corpus])
    assert cached.graph.nodes == fresh.graph.nodes
    assert list(cached.graph.nodes) == list(fresh.graph.nodes)
    assert cached.graph.edges == fresh.graph.edges
    assert list(cached.graph.edges) == list(fresh.graph.edges)
    assert cached.report.to_dict() == fresh.report.to_dict()
    return cache


def test_a_reload_reads_only_the_card_that_changed_and_gives_the_full_rebuilds_graph(corpus, tmp_path):
    cache_file = tmp_path / "parsed.cache"
    first = same_as_rebuild(corpus, cache_file)
    assert (first.hits, first.misses) == (0, 8)
    again = same_as_rebuild(corpus, cache_file)
    assert (again.hits, again.misses) == (8, 0)
    # one card changed: a new combination naming another card's pattern (resolved across cards) and a
    # line the Insecure card states too (merged statements)
    needy = corpus / "cards" / "needy.txt"
    text = needy.read_text(encoding="utf-8")
    needy.write_text(text.replace("Victim: Feels wronged when others do not meet the needs",
                                  "Victim: Feels wronged when others do not meet the needs\n"
                                  "Suspicious: Doubts that the care offered is meant"), encoding="utf-8")
    changed = same_as_rebuild(corpus, cache_file)
    assert (changed.hits, changed.misses) == (7, 1)
    graph = load_paths([corpus], ParseCache(cache_file)).graph
    assert ("pattern:needy", "COMBINES_WITH", "pattern:suspicious") in graph.edges


def test_a_card_added_or_removed(corpus, tmp_path):
    cache_file = tmp_path / "parsed.cache"
    same_as_rebuild(corpus, cache_file)
    copy = corpus / "cards" / "lonely.txt"
    copy.write_text((corpus / "cards" / "isolated.txt").read_text(encoding="utf-8")
                    .replace("Isolated Pattern", "Lonely Pattern", 1), encoding="utf-8")
    added = same_as_rebuild(corpus, cache_file)
    assert (added.hits, added.misses) == (8, 1)
    (corpus / "cards" / "victim.txt").unlink()
    removed = same_as_rebuild(corpus, cache_file)
    assert (removed.hits, removed.misses) == (8, 0)
    graph = load_paths([corpus], ParseCache(cache_file)).graph
    assert graph.nodes["pattern:victim"]["status"] != "card"  # still named by other cards, no longer carded
    assert len(parsecache._read(cache_file)) == 8  # the removed card's entry is gone


def test_a_correction_rereads_its_card_only(corpus, tmp_path):
    cache_file = tmp_path / "parsed.cache"
    same_as_rebuild(corpus, cache_file)
    (corpus / "corrections.yaml").write_text("corrections:\n  - file: cards/insecure.txt\n    lines: 33-34\n"
                                             "    section: statement\n", encoding="utf-8")
    fixed = same_as_rebuild(corpus, cache_file)
    assert (fixed.hits, fixed.misses) == (7, 1)
    sections = load_paths([corpus], ParseCache(cache_file)).graph.nodes["pattern:insecure"]["sections"]
    assert any(s["heading_status"] == "corrected" for s in sections)


@pytest.mark.parametrize("damage", ["truncate", "flip", "edit", "garbage", "old-format"])
def test_a_damaged_cache_is_detected_and_every_card_read_again(corpus, tmp_path, caplog, damage):
    cache_file = tmp_path / "parsed.cache"
    same_as_rebuild(corpus, cache_file)
    raw = cache_file.read_bytes()
    if damage == "truncate":
        raw = raw[: len(raw) // 2]
    elif damage == "flip":
        raw = raw[:-200] + bytes([raw[-200] ^ 1]) + raw[-199:]
    elif damage == "edit":  # a hand edit of a quoted line: still JSON, still the same length
        raw = raw.replace(b"Belonging", b"Belongint", 1)
    elif damage == "garbage":
        raw = b"\x00\xff" * 100
    else:
        raw = raw.replace(parsecache.FORMAT, b"pattern-atlas parse cache 0\n", 1)
    cache_file.write_bytes(raw)
    with caplog.at_level(logging.WARNING, logger="loaders.parsecache"):
        cache = same_as_rebuild(corpus, cache_file)
    assert (cache.hits, cache.misses) == (0, 8)
    assert "every card is read again" in caplog.text


def test_the_key_changes_with_the_reader_the_names_and_the_corrections():
    doc = read_document(DATA / "cards" / "insecure.txt")
    base = card_key(doc, [], "names", "reader")
    assert card_key(doc, [], "names", "reader") == base
    assert card_key(doc, [], "names", "another reader") != base
    assert card_key(doc, [], "other names", "reader") != base
    from loaders.corrections import Correction

    fix = Correction(doc.path, 33, 34, "statement", None, "data/corrections.yaml", 3)
    assert card_key(doc, [fix], "names", "reader") != base
    doc.lines[40] += " "
    assert card_key(doc, [], "names", "reader") != base


def test_the_reader_digest_follows_code_vocabulary_and_shipped_names(tmp_path, monkeypatch):
    files = reader_files()
    shown = {f.relative_to(REPO).as_posix() for f in files}
    assert {p.relative_to(REPO).as_posix() for p in (REPO / "loaders").rglob("*.py")} <= shown
    assert {p.relative_to(REPO).as_posix() for p in (DATA / "vocabulary").glob("*.yaml")} <= shown
    assert "data/catalogue/pattern-names.yaml" in shown
    # every graph module the loaders import, directly or through each other, is in the digest
    assert {f"graph/{m}" for m in _graph_modules_imported()} <= shown
    before = reader_digest()
    for index in (0, len(files) - 1, next(i for i, f in enumerate(files) if f.suffix == ".yaml")):
        copies = [tmp_path / f"{i}{f.suffix}" for i, f in enumerate(files)]
        for copy, file in zip(copies, files, strict=True):
            shutil.copyfile(file, copy)
        monkeypatch.setattr(parsecache, "reader_files", lambda copies=copies: copies)
        monkeypatch.setattr(parsecache, "display_path", lambda p, copies=copies: display_path(files[copies.index(p)]))
        assert reader_digest() == before
        copies[index].write_bytes(copies[index].read_bytes() + b"\n")
        assert reader_digest() != before
    monkeypatch.undo()
    assert reader_digest() == before
    # the saved graph's digest covers the same files
    from loaders import corpus

    extra = tmp_path / "model.py"
    extra.write_text("A = 1\n")
    monkeypatch.setattr(corpus, "reader_files", lambda: [*files, extra])
    stated = sources_digest([DATA / "cards" / "insecure.txt"])
    extra.write_text("A = 2\n")
    assert sources_digest([DATA / "cards" / "insecure.txt"]) != stated


def _graph_modules_imported() -> set[str]:
    """File names of the graph/ modules reached from loaders/ through imports."""
    todo = list((REPO / "loaders").rglob("*.py"))
    seen: set[Path] = set()
    found: set[str] = set()
    while todo:
        file = todo.pop()
        if file in seen:
            continue
        seen.add(file)
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom):
                module = node.module or ""
                if node.level and file.parent.name == "graph":
                    module = f"graph.{module}"
                names = [module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for name in names:
                if name.startswith("graph.") and name.count(".") == 1:
                    found.add(name.split(".")[1] + ".py")
                    todo.append(REPO / "graph" / (name.split(".")[1] + ".py"))
    return found


def test_the_cache_file_is_one_line_per_card_and_an_empty_one_reads_quietly(corpus, tmp_path, caplog):
    cache_file = tmp_path / "parsed.cache"
    same_as_rebuild(corpus, cache_file)
    head, stated, *lines = cache_file.read_bytes().split(b"\n")
    assert head + b"\n" == parsecache.FORMAT and len(stated) == 64
    assert len(lines) == 8 + 1 and lines[-1] == b""  # 8 cards, each line ending with a newline
    assert all(len(line.split(b" ", 1)[0]) == 64 and line.split(b" ", 1)[1].startswith(b"[") for line in lines[:-1])
    for card in (corpus / "cards").glob("*.txt"):  # no cards left: the saved cache is empty, and valid
        card.unlink()
    with caplog.at_level(logging.WARNING, logger="loaders.parsecache"):
        same_as_rebuild(corpus, cache_file)
        cache = ParseCache(cache_file)
    assert "every card is read again" not in caplog.text
    assert cache.hits == cache.misses == 0 and cache_file.read_bytes().endswith(b"\n")
