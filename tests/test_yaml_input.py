"""Hostile YAML (issue 13, class 2): every YAML file the loaders read goes through `loaders.yamlio`,
which refuses anchors and aliases, nesting deeper than MAX_DEPTH, files over MAX_YAML_BYTES and
duplicate keys; every file's shape is checked. Each case gives a LoadError naming the file and line
(the CLI prints `error: FILE:LINE: message`, exit 2), never a traceback, a hang or a silent drop.

Each input is generated here; each test fails on the loaders before this round (checked by running
this file against the previous commit's `loaders/`).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from conftest import DATA, REPO, SEED_CARD
from loaders import yamlio
from loaders.article import load_article_vocabulary
from loaders.corpus import load_paths
from loaders.errors import LoadError
from loaders.vocabulary import VOCABULARY_DIR, load_vocabulary


def alias_bomb(key: str, levels: int = 9, width: int = 9) -> str:
    """A 'billion laughs' table: anchor i stands for width**levels strings (9**9, 387 million). `key`
    ends the file, using *i where the file's rows go."""
    names = "abcdefghi"
    lines = ["a: &a [" + ",".join(["x"] * width) + "]"]
    lines += [f"{names[n]}: &{names[n]} [" + ",".join([f"*{names[n - 1]}"] * width) + "]" for n in range(1, levels)]
    return "\n".join(lines) + f"\n{key}\n"


BOMBS = {  # file name: the text, with the alias of the whole table where the file's rows go
    "concepts.yaml": alias_bomb("sources: [{id: s, citation: c}]\nconcepts: [{name: x, source: s, synonyms: *i}]"),
    "corpus.yaml": alias_bomb("documents: *i"),
    "corrections.yaml": alias_bomb("corrections: *i"),
}
DEEP = 5000
NESTS = {  # 5,000 levels, in each of YAML's ways of nesting
    "flow lists": "[" * DEEP + "]" * DEEP,
    "flow mappings": "{a: " * DEEP + "b" + "}" * DEEP,
    "block lists": "\n" + "".join(" " * i + "-\n" for i in range(DEEP // 10)),
    "inline block lists": "\n" + "- " * DEEP + "x",
}


def cli(*paths: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "loaders", *map(str, paths), "-o", os.devnull], cwd=REPO,
                          capture_output=True, text=True, timeout=300, env={**os.environ, **(env or {})})


def corpus_with(tmp_path: Path, name: str, text: str) -> Path:
    """A folder holding the seed card and one YAML file."""
    folder = tmp_path / "corpus"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(SEED_CARD, folder / "card.txt")
    (folder / name).write_text(text, encoding="utf-8")
    return folder


def vocabulary_with(tmp_path: Path, name: str, text: str | None = None, change=None) -> LoadError:
    """The LoadError of reading the card and article vocabularies from copies of `data/vocabulary/` and
    of the shipped catalogue's pattern names and dimensions, `name` (e.g. 'catalogue/pattern-names.yaml')
    replaced by `text` or changed by `change`."""
    for sub in ("vocabulary", "catalogue"):
        shutil.copytree(DATA / sub, tmp_path / sub)
    target = tmp_path / name
    target.write_text(text if text is not None else change(target.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(LoadError) as err:
        load_vocabulary.__wrapped__(tmp_path / "vocabulary", tmp_path / "catalogue")
        load_article_vocabulary.__wrapped__(tmp_path / "vocabulary")
    return err.value


def load_error(folder: Path) -> LoadError:
    with pytest.raises(LoadError) as err:
        load_paths([folder])
    return err.value


# -- anchors and aliases ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(BOMBS))
def test_an_alias_bomb_is_refused_at_its_first_anchor(tmp_path, name):
    text = BOMBS[name]
    assert len(text.encode()) < 400  # a few hundred bytes standing for gigabytes
    folder = corpus_with(tmp_path, name, text)
    started = time.monotonic()
    err = load_error(folder)
    assert time.monotonic() - started < 5
    assert err.file.endswith(name) and err.line == 1 and "anchors (&a) are not allowed" in err.message


def test_an_alias_bomb_in_the_pattern_names_catalogue_is_refused(tmp_path):
    text = alias_bomb("sources: [{id: s, citation: c}]\npattern_names: [{names: *i, source: s}]")
    err = vocabulary_with(tmp_path, "catalogue/pattern-names.yaml", text)
    assert err.file.endswith("pattern-names.yaml") and err.line == 1 and "anchors" in err.message


def test_an_alias_bomb_exits_2_with_one_line(tmp_path):
    folder = corpus_with(tmp_path, "concepts.yaml", BOMBS["concepts.yaml"])
    proc = cli(folder)
    assert proc.returncode == 2, proc.stderr[-2000:]
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "concepts.yaml:1: anchors (&a)" in lines[0]


@pytest.mark.parametrize("text,line,words", [
    ("sources: [{id: s, citation: c}]\nconcepts:\n  - {name: x, source: s}\n  - {name: y, source: s, synonyms: *nope}\n",
     4, "aliases (*nope) are not allowed"),
    ("sources: &s [{id: s, citation: c}]\nconcepts: []\n", 1, "anchors (&s)"),
    ("sources: [{id: s, citation: c}]\nconcepts:\n  - <<: {name: x}\n    source: s\n", 3, "merge keys"),
])
def test_single_anchors_aliases_and_merge_keys_are_refused(tmp_path, text, line, words):
    err = load_error(corpus_with(tmp_path, "concepts.yaml", text))
    assert err.line == line and words in err.message, str(err)


# -- nesting ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("name,key,line", [("concepts.yaml", "sources: []\nconcepts: ", 2),
                                           ("corpus.yaml", "documents: ", 1),
                                           ("corrections.yaml", "# rows\ncorrections: ", 2)])
@pytest.mark.parametrize("how", sorted(NESTS))
def test_deep_nesting_is_refused_without_recursion(tmp_path, name, key, line, how):
    text = key + NESTS[how] + "\n"
    err = load_error(corpus_with(tmp_path, name, text))
    assert err.file.endswith(name) and f"nested more than {yamlio.MAX_DEPTH} deep" in err.message, str(err)
    assert line <= err.line <= line + yamlio.MAX_DEPTH


def test_deep_nesting_exits_2_with_one_line(tmp_path):
    proc = cli(corpus_with(tmp_path, "corpus.yaml", "documents: " + NESTS["flow lists"] + "\n"))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "corpus.yaml:1: lists and mappings nested" in proc.stderr


def test_strip_lines_has_no_depth_limit():
    deep: list = []
    for _ in range(100_000):
        deep = [deep, {"__line__": 1, "k": "v"}]
    copy = yamlio.strip_lines(deep)
    assert copy[1] == {"k": "v"} and len(copy) == 2


# -- duplicate keys --------------------------------------------------------------------------------

@pytest.mark.parametrize("name,text,line,first", [
    ("concepts.yaml", "sources: [{id: s, citation: c}]\nconcepts:\n  - name: A\n    source: s\n    name: B\n", 5, 3),
    ("concepts.yaml", "sources: [{id: s, citation: c}]\nconcepts: [{name: A, source: s}]\nconcepts: []\n", 3, 2),
    ("concepts.yaml", "sources: [{id: s, citation: c}]\nconcepts: [{name: A, source: s, source: t}]\n", 2, 2),
    ("corpus.yaml", "documents:\n  - path: card.txt\n    authorship: user-source\n    authorship: catalogue\n", 4, 3),
    ("corrections.yaml", "corrections:\n  - file: card.txt\n    lines: 33\n    section: statement\n"
                         "    section: behavior\n", 5, 4),
    ("corpus.yaml", "documents:\n  - path: card.txt\n    authorship: user-source\n  - path: ./card.txt\n"
                    "    authorship: catalogue\n", 4, 2),
    ("pattern-names.yaml", "sources: [{id: s, citation: c}, {id: s, citation: d}]\npattern_names: []\n", 1, 1),
])
def test_duplicate_keys_and_rows_name_both_lines(tmp_path, name, text, line, first):
    err = load_error(corpus_with(tmp_path, name, text))
    assert err.file.endswith(name) and err.line == line and f"at line {first}" in err.message, str(err)


# -- wrong types and shapes ------------------------------------------------------------------------

@pytest.mark.parametrize("name,text,line,words", [
    # the manifest: its documents list and each row's path, authorship and note
    ("corpus.yaml", "documents: 5\n", 1, "'documents' must be a list"),
    ("corpus.yaml", "# manifest\ndocuments:\n  - path: 5\n", 3, "'path' must be text, not 5"),
    ("corpus.yaml", "documents:\n  - path: [a, b]\n", 2, "'path' must be text"),
    ("corpus.yaml", "documents:\n  - path: card.txt\n    authorship: 5\n", 3, "'authorship' must be text"),
    ("corpus.yaml", "documents:\n  - path: card.txt\n    note: {a: b}\n", 3, "'note' must be text"),
    ("corpus.yaml", "documents:\n  - path: ''\n", 2, "'path' must be text"),
    ("corpus.yaml", "documents:\n  - card.txt\n", 2, "a manifest row is a mapping"),
    ("corpus.yaml", "documents:\n  - authorship: user-source\n", 2, "needs a 'path'"),
    ("corpus.yaml", "- card.txt\n", 1, "a manifest is a mapping"),
    ("corpus.yaml", "documents:\n  - {path: card.txt, authorshp: user-source}\n", 2, "unknown key 'authorshp'"),
    ("corpus.yaml", "documents: []\ndocument: []\n", 2, "unknown key 'document'"),
    ("corpus.yaml", 'documents:\n  - path: "card\\0.txt"\n', 2, "bad path"),
    # catalogues: the error is at the key or item that is wrong
    ("concepts.yaml", "# concepts\nconcepts: []\nsources: null\n", 3, "None is not of type 'array'"),
    ("concepts.yaml", "concepts: []\nsources:\n  - {id: s, citation: c}\n  - 1\n  - 2\n", 4, "1 is not of type 'object'"),
    ("dimensions.yaml", "sources: []\ndimensions: []\npatterns: 5\n", 3, "5 is not of type 'array'"),
    ("dimensions.yaml", "sources: []\ndimensions: []\ngroups:\n  - 1\n", 4, "1 is not of type 'object'"),
    ("aliases.yaml", "aliases: []\npatterns: 5\n", 2, "('patterns' was unexpected)"),
    ("concepts.yaml", "sources: [{id: s, citation: c}]\nconcepts:\n  - name: X\n    source: s\n    synonym: [Y]\n",
     5, "('synonym' was unexpected)"),
    # corrections
    ("corrections.yaml", "corrections:\n  - {file: card.txt, lines: " + "9" * 5000 + ", section: statement}\n", 2,
     "a number of 5,000 characters"),
    ("corrections.yaml", "# rows\n\ncorrections:\n  - 5\n", 4, "a correction is a mapping"),
])
def test_wrong_types_name_file_and_line(tmp_path, name, text, line, words):
    err = load_error(corpus_with(tmp_path, name, text))
    assert err.file.endswith(name) and err.line == line and words in err.message, str(err)


@pytest.mark.parametrize("name,text,change,line,words", [
    ("catalogue/pattern-names.yaml", "sources: [{id: s, citation: c}]\npattern_names: 5\n", None, 2,
     "5 is not of type 'array'"),
    ("catalogue/pattern-names.yaml", "sources: [{id: s, citation: c}]\npattern_names:\n  - {names: 5, source: s}\n",
     None, 3, "5 is not of type 'array'"),
    ("catalogue/pattern-names.yaml", "sources: null\npattern_names: []\n", None, 1, "None is not of type 'array'"),
    ("catalogue/pattern-names.yaml", "- Insecure\n", None, 1, "must be a pattern-names catalogue"),
    ("catalogue/pattern-names.yaml", "sources: []\npattern_names: []\n\x85\nx: [\n", None, 5, "invalid YAML"),
    ("catalogue/dimensions.yaml", "sources: [{id: s, citation: c}]\ndimensions: []\npatterns: 5\n", None, 3,
     "5 is not of type 'array'"),
    ("catalogue/dimensions.yaml", None, lambda t: t.replace("  - id: ps-intro\n", "  - 1\n  - id: ps-intro\n", 1), None,
     "1 is not of type 'object'"),
    ("vocabulary/mentions.yaml", None, lambda t: t.replace("not_names: [", "not_names: [no, ", 1), None,
     "False is not of type 'string'"),
    ("vocabulary/sections.yaml", None, lambda t: t.replace("infer: position", "infer: 5", 1), None,
     "5 is not one of"),
    ("vocabulary/sections.yaml", None, lambda t: t.replace("  - key: behavior\n", "  - key: &k behavior\n", 1), None,
     "anchors (&k)"),
    ("vocabulary/mentions.yaml", None, lambda t: t.replace("  - cue: '", "  - cue: '(", 1), None,
     "bad regular expression"),
    ("vocabulary/article.yaml", "strategy_headings: ['(']\nexample_intro: '(?P<name>x)'\n", None, 1,
     "bad regular expression"),
    ("vocabulary/article.yaml", "strategy_headings: []\nexample_intro: 'x'\n", None, 2, "a group named 'name'"),
])
def test_vocabulary_and_shipped_catalogue_files_are_checked(tmp_path, name, text, change, line, words):
    err = vocabulary_with(tmp_path, name, text, change)
    assert err.file.endswith(name.split("/")[1]) and words in err.message, str(err)
    if line is not None:
        assert err.line == line, str(err)
    else:
        assert err.line > 1, str(err)


def test_a_wrong_type_in_the_manifest_exits_2_with_one_line(tmp_path):
    proc = cli(corpus_with(tmp_path, "corpus.yaml", "documents:\n  - path: 5\n"))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "corpus.yaml:2: 'path' must be text" in proc.stderr


# -- size, tags, documents, numbers ------------------------------------------------------------------

@pytest.mark.parametrize("name,key", [("aliases.yaml", "aliases: []"), ("corpus.yaml", "documents: []"),
                                      ("corrections.yaml", "corrections: []")])
def test_a_yaml_file_over_the_limit_is_refused_before_it_is_parsed(tmp_path, name, key):
    text = "# padding\n" * (1024 * 1024 // 10 + 1) + key + "\n"  # just over 1 MB, valid YAML
    err = load_error(corpus_with(tmp_path, name, text))
    assert err.line == 1 and "the limit for a YAML file is 1,048,576 bytes" in err.message, str(err)


def test_a_huge_sparse_corrections_file_is_refused_without_reading_it(tmp_path):
    folder = corpus_with(tmp_path, "corrections.yaml", "")
    with open(folder / "corrections.yaml", "wb") as fh:  # 3 GB that take no disk space
        fh.seek(3 * 1024 ** 3)
        fh.write(b"\n")
    err = load_error(folder)
    assert err.line == 1 and "the file is 3,221,225,473 bytes; the limit for a YAML file" in err.message, str(err)


def test_the_yaml_limit_is_set_by_the_environment(tmp_path):
    folder = corpus_with(tmp_path, "aliases.yaml", "aliases:\n" + "  - {term: ab, target: 'pattern:x'}\n" * 1000)
    proc = cli(folder, env={"PATTERN_ATLAS_MAX_YAML_BYTES": "30000"})  # above the vocabulary files' sizes
    assert proc.returncode == 2 and "aliases.yaml:1: the file is 36,009 bytes; the limit for a YAML file is 30,000" \
        in proc.stderr, proc.stderr


@pytest.mark.parametrize("text,line,words", [
    ("aliases: []\nx: !!python/object/apply:os.system ['true']\n", 2, "the tag !!python/object/apply:os.system"),
    ("aliases: !!set {a}\n", 1, "the tag !!set"),
    ("aliases: []\n---\naliases: []\n", 2, "a second YAML document"),
    ("aliases:\n  - {term: ab, target: 'pattern:x', note: " + "1" * 200 + "}\n", 2, "a number of 200 characters"),
    ("aliases:\n  - {term: ab, target: 'pattern:x', note: 2024-02-30}\n", 2, "bad value '2024-02-30'"),
    ("aliases: []\n__line__: 7\n", 2, "the key '__line__' is reserved"),
    ("aliases: []\n[a]: b\n", 2, "a mapping key must be plain"),
    ("aliases: []\n1: a\ntrue: b\n", 3, "duplicate key True: it is also at line 2"),
    ("aliases:\n  - {term: 'a\u2028b', target: 'pattern:x'}\n  - {term: ab, target: 'Not An Id'}\n", 3, "does not match"),
])
def test_other_yaml_the_reader_refuses(tmp_path, text, line, words):
    err = load_error(corpus_with(tmp_path, "aliases.yaml", text))
    assert err.line == line and words in err.message, str(err)


def test_both_parsers_give_the_same_answers():
    """libyaml's event parser is used when PyYAML has it; the pure-Python one gives the same data and errors."""
    if not getattr(yaml, "__with_libyaml__", False):
        pytest.skip("PyYAML without libyaml: only the pure-Python parser exists here")
    texts = [BOMBS["corpus.yaml"], "a: " + NESTS["flow mappings"], "a: 1\nb: [1, 2]\na: 3\n", "a: [\n", "a: 'x\u2028y'\nb: *c\n"]
    texts += [p.read_text(encoding="utf-8") for p in sorted(DATA.rglob("*.yaml"))]

    def answer(text):
        try:
            return yamlio.strip_lines(yamlio.parse_yaml(text, "f.yaml"))
        except LoadError as exc:
            return exc.line, exc.message.split(":")[0]

    fast = [answer(t) for t in texts]
    python = yamlio._LOADER
    try:
        yamlio._LOADER = yaml.SafeLoader
        slow = [answer(t) for t in texts]
    finally:
        yamlio._LOADER = python
    assert fast == slow


def test_shipped_yaml_reads_as_pyyaml_reads_it():
    for path in sorted(DATA.rglob("*.yaml")):
        data, shown, lines = yamlio.load_yaml(path)
        assert yamlio.strip_lines(data) == yaml.safe_load(path.read_text(encoding="utf-8")), shown


# -- nothing already loaded or written is lost -------------------------------------------------------

def test_a_hostile_yaml_file_leaves_the_store_as_it_was(tmp_path):
    from graph.embedded import EmbeddedStore

    store = EmbeddedStore()
    store.replace_all(load_paths([SEED_CARD]).graph)
    before = store.counts()
    for name, text in [("concepts.yaml", BOMBS["concepts.yaml"]), ("corpus.yaml", "documents: " + NESTS["flow lists"]),
                       ("corpus.yaml", "documents:\n  - path: 5\n")]:
        with pytest.raises(LoadError):
            store.replace_all(load_paths([corpus_with(tmp_path / name / str(len(text)), name, text)]).graph)
    assert store.counts() == before


@pytest.mark.parametrize("text,line,words", [
    ("corrections:\n  - &row {file: card.txt, lines: 33, section: statement}\n", 2, "anchors (&row)"),
    ("corrections:\n  - file: card.txt\n    lines: 33\n    lines: 34\n    section: statement\n", 4, "duplicate key 'lines'"),
    ("corrections: " + NESTS["flow lists"] + "\n", 1, "nested more than"),
])
def test_writing_a_correction_refuses_a_hostile_file_and_changes_nothing(tmp_path, text, line, words):
    from loaders.corrections import write_correction

    folder = corpus_with(tmp_path, "corrections.yaml", text)
    before = (folder / "corrections.yaml").read_bytes()
    with pytest.raises(LoadError) as err:
        write_correction(folder / "corrections.yaml", folder / "card.txt", 42, section="statement")
    assert err.value.line == line and words in err.value.message, str(err.value)
    assert (folder / "corrections.yaml").read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == ["card.txt", "corrections.yaml"]


def test_an_error_at_the_end_of_a_file_without_a_final_newline_is_on_its_last_line(tmp_path):
    """Found by tests/test_fuzz_yaml.py at 10,000 examples: libyaml marks the end of such a file one line
    past its last line."""
    err = load_error(corpus_with(tmp_path, "aliases.yaml", "aliases: []\n&a "))
    assert err.line == 2 and "invalid YAML" in err.message, str(err)
