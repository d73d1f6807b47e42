"""Fuzzing the YAML loaders with mutated copies of the shipped catalogues and manifest (hypothesis).

Each example copies the seed card, the four catalogues of `data/catalogue/` and `data/corpus.yaml` into
a fresh folder, damages one of the YAML files (its text: lines deleted, doubled, swapped, YAML syntax
and odd characters inserted; or its data: a value replaced by null, a number, a list of numbers, a
deep list, a mapping, then written back), and loads the folder; a damaged pattern-names or dimensions
catalogue is also read as the card vocabulary's catalogue. Every outcome must be a graph whose every
node and edge has provenance, or a LoadError naming one of the files and a line inside it, never
another exception. A few hundred examples run in the normal suite; set PATTERN_ATLAS_FUZZ_EXAMPLES=10000
for the long run.
"""
from __future__ import annotations

import copy
import os
import shutil
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from conftest import DATA, REPO, SEED_CARD
from line_edits import COMMON_OPS, edit_lines
from loaders.corpus import load_paths
from loaders.errors import LoadError
from loaders.vocabulary import VOCABULARY_DIR, Vocabulary, load_vocabulary

EXAMPLES = int(os.environ.get("PATTERN_ATLAS_FUZZ_EXAMPLES", "300"))
TARGETS = ["corpus.yaml", "catalogue/aliases.yaml", "catalogue/concepts.yaml", "catalogue/dimensions.yaml",
           "catalogue/pattern-names.yaml"]
TEXTS = {name: (DATA / name).read_text(encoding="utf-8") for name in TARGETS}
# YAML syntax and values that have broken YAML loaders: anchors, aliases, merge keys, tags, flow
# collections, block scalars, document markers, implicit booleans, dates and numbers, the line key
YAML_BITS = st.sampled_from([
    "&a ", "*a", "<<: *a", "<<: {x: 1}", "!!python/object:os.system ", "!!binary ", "!!set ", "! ", "!x ",
    "{", "}", "[", "]", "- ", ": ", "? ", "|", ">-", "---\n", "...\n", "#", "'", '"', "\\", "\t", "%YAML 1.1\n",
    "null", "~", "5", "[1, 2]", "{a: b}", "yes", "no", "2024-02-30", "1e999", "0x1F", "1:2:3", "=", "9" * 120,
    "__line__: 1", "path: 5", "documents: 5", "sources: null", "\x00", "\x07", "\u2028", "\ufeff", "\u202e"])
REPLACEMENTS = st.one_of(
    st.none(), st.integers(-5, 10**6), st.booleans(), st.just([1, 2]), st.just({"x": 1}), st.just([[[[[[]]]]]]),
    st.text(max_size=20), st.lists(st.integers(0, 9), max_size=3), st.just({"path": 5}), st.just(""),
    st.just("x" * 200))


def _nodes(data):
    """Every (container, key) of the data, iteratively, for replacing a value."""
    found, todo = [], [data]
    while todo:
        node = todo.pop()
        pairs = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, value in pairs:
            found.append((node, key))
            todo.append(value)
    return found


@st.composite
def damaged(draw) -> tuple[str, bytes]:
    """(which file, its damaged bytes)."""
    target = draw(st.sampled_from(TARGETS))
    text = TEXTS[target]
    if draw(st.booleans()):  # damage the data, then write it back as YAML
        data = yaml.safe_load(text)
        for _ in range(draw(st.integers(1, 4))):
            places = _nodes(data)
            if not places:
                break
            container, key = draw(st.sampled_from(places))
            action = draw(st.sampled_from(["replace", "replace", "delete", "rename"]))
            if action == "replace":  # a copy: st.just gives the same object every time
                container[key] = copy.deepcopy(draw(REPLACEMENTS))
            elif action == "delete":
                del container[key]
            elif isinstance(container, dict):
                container[draw(st.sampled_from(["name", "source", "path", "x", "__line__", "1"]))] = container.pop(key)
        text = yaml.safe_dump(data, sort_keys=draw(st.booleans()), default_flow_style=draw(st.sampled_from([None, False, True])),
                              allow_unicode=True)
    lines = text.split("\n")
    for _ in range(draw(st.integers(0 if text != TEXTS[target] else 1, 8))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["delete", "duplicate", "swap", "insert", "bit", "indent"]))
        if op in COMMON_OPS:
            edit_lines(draw, lines, op, i, 30)
        elif op == "bit":
            pos = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:pos] + draw(st.one_of(YAML_BITS, st.text(min_size=1, max_size=4))) + lines[i][pos:]
        else:
            lines[i] = " " * draw(st.integers(1, 6)) + lines[i]
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8", "utf-16", "cp1252"]))
    return target, "\n".join(lines).encode(encoding, errors="replace")


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged())
def test_damaged_catalogue_or_manifest_gives_graph_or_load_error(case: tuple[str, bytes]) -> None:
    target, data = case
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        (folder / "cards").mkdir()
        (folder / "catalogue").mkdir()
        shutil.copy(SEED_CARD, folder / "cards" / "insecure.txt")
        for other in TARGETS:
            (folder / other).write_text(TEXTS[other], encoding="utf-8")
        (folder / target).write_bytes(data)
        files = {p.resolve(): p for p in folder.rglob("*") if p.is_file()}
        outcomes = [lambda: load_paths([folder])]
        if target in ("catalogue/pattern-names.yaml", "catalogue/dimensions.yaml"):
            outcomes.append(lambda: load_vocabulary.__wrapped__(VOCABULARY_DIR, folder / "catalogue"))
        for outcome in outcomes:
            try:
                result = outcome()
            except LoadError as exc:
                _check_error(exc, files)
                event(f"{target}: LoadError")
                continue
            event(f"{target}: {type(result).__name__}")
            if isinstance(result, Vocabulary):
                continue
            for node in result.graph.nodes.values():
                assert node["provenance"], node["id"]
                for p in node["provenance"]:
                    assert p["start_line"] >= 1 and p["end_line"] >= p["start_line"]
            for key, edge in result.graph.edges.items():
                assert edge["provenance"], key


def _check_error(exc: LoadError, files: dict[Path, Path]) -> None:
    """A LoadError names one of the example's files and a line inside it, in one line of text."""
    assert "\n" not in str(exc) and exc.message, str(exc)
    named = Path(exc.file)
    path = files.get((named if named.is_absolute() else REPO / named).resolve())
    assert path is not None, f"{exc.file} is not a file of the example: {exc}"
    raw = path.read_bytes()
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raw = raw.decode("utf-16", errors="replace").encode("utf-8")
    lines = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n").count(b"\n") + 1
    assert 1 <= exc.line <= lines, f"line {exc.line} of {lines}: {exc}"
