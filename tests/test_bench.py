"""The benchmarks cannot rot: the generator is deterministic and its corpus loads as it says, and the
benchmark's quick mode runs here and prints every row. No timing assertions (the machine is noisy)."""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import DATA, REPO

from bench.browser import CANVAS_ROWS, CHROMIUM
from bench.generate import generate
from bench.parsing import BASELINE
from bench.rows import LOADING_PAIRS, PER_SIZE_ROWS, PYVIS_ROWS, QUICK_SIZE
from loaders.corpus import load_paths


def tree(folder: Path) -> dict[str, str]:
    """Every file under a folder (relative path -> sha256 of its bytes)."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_generator_is_deterministic(tmp_path):
    generate(40, tmp_path / "a", seed=7)
    generate(40, tmp_path / "b", seed=7)
    generate(40, tmp_path / "c", seed=8)
    a, b, c = tree(tmp_path / "a"), tree(tmp_path / "b"), tree(tmp_path / "c")
    assert a == b
    assert len([f for f in a if f.startswith("cards/")]) == 40
    assert {"aliases.yaml", "expected.json"} <= set(a)
    assert a != c  # the seed matters


def test_generating_again_into_the_same_folder_replaces_it(tmp_path):
    generate(30, tmp_path / "x", seed=1)
    first = tree(tmp_path / "x")
    generate(20, tmp_path / "x", seed=1)
    generate(30, tmp_path / "x", seed=1)
    assert tree(tmp_path / "x") == first


def test_generated_corpus_loads_without_warnings_and_with_the_expected_counts(tmp_path):
    expected = generate(120, tmp_path / "corpus", seed=3)
    result = load_paths([tmp_path / "corpus"])
    report, graph = result.report, result.graph
    assert [str(w) for w in report.warnings] == []
    assert report.unresolved == []
    assert report.node_counts == expected["node_counts"]
    assert report.edge_counts == expected["edge_counts"]
    assert sum(report.edge_counts.values()) == expected["edges"]
    # every card is a carded pattern; nodes are shared across cards (hubs), as in the real corpus
    cards = [n for n in graph.nodes.values() if n["kind"] == "Pattern"]
    assert len(cards) == 120 and all(n["status"] == "card" for n in cards)
    blocked_by: dict[str, int] = {}
    for _s, t, d in graph.edges:
        if t == "BLOCKS":
            blocked_by[d] = blocked_by.get(d, 0) + 1
    assert max(blocked_by.values()) >= 20
    assert expected["edges"] / 120 >= 35  # ~40 edges per card
    # lost headings are inferred where the generator dropped them, and nothing is left unplaced
    assert expected["lossy_cards"] > 0
    assert len(report.inferred) == expected["inferred_sections"]
    assert all(i["status"] == "inferred" for i in report.inferred)
    inferred: dict[str, int] = {}
    for i in report.inferred:
        inferred[i["section"]] = inferred.get(i["section"], 0) + 1
    assert inferred == expected["inferred_by_section"]
    # articles are linked to their subject pattern through the alias table
    assert expected["articles"] >= 2
    assert report.edge_counts["CONTRIBUTES_TO"] >= 4 * expected["articles"]
    assert any(link["target"].startswith("pattern:synth-") for link in report.alias_links)
    assert any(link["target"].startswith("origin:") for link in report.alias_links)


def _table(stdout: str) -> dict[tuple[str, str], list[str]]:
    rows = {}
    for line in stdout.splitlines():
        if line.startswith("| ") and not line.startswith("| Measure") and not line.startswith("| ---"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            rows[(cells[0], cells[1])] = cells
    return rows


def test_quick_benchmark_prints_every_row(tmp_path):
    neo4j = bool(os.environ.get("NEO4J_URI"))
    cmd = [sys.executable, "-m", "bench.run", "--quick", "--workdir", str(tmp_path)]
    cmd.append("--neo4j-overwrite" if neo4j else "--no-neo4j")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    try:
        proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=1200)
    finally:
        if neo4j:  # leave the test server holding the shipped corpus, as the Neo4j fixtures expect
            from atlas import open_neo4j, read_settings

            with open_neo4j(read_settings().neo4j) as store:
                store.replace_all(load_paths([DATA]).graph)
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = _table(proc.stdout.split("## Issue 17", 1)[0])
    size = str(QUICK_SIZE)
    for measure in PER_SIZE_ROWS:
        assert (measure, size) in rows, f"missing row {measure!r}\n{proc.stdout}"
        cells = rows[(measure, size)]
        measured = cells[8] != "skipped"
        if measure.startswith("neo4j"):
            assert measured == neo4j, cells
        elif measure.startswith("load_paths") and measure.endswith(", before"):  # the loaders at a commit
            has_baseline = subprocess.run(["git", "cat-file", "-e", f"{BASELINE}^{{commit}}"], cwd=REPO).returncode == 0
            assert measured == has_baseline, cells  # a shallow clone lacks it: then the row says so
        else:
            assert measured, cells
            assert float(cells[2].replace(",", "")) >= 0
    for measure in PYVIS_ROWS:
        assert (measure, "—") in rows and rows[(measure, "—")][8] != "skipped"
    browser = Path(CHROMIUM).exists() or os.environ.get("CI") == "true"  # under CI a missing browser fails
    for measure in CANVAS_ROWS:
        assert (measure, "—") in rows, f"missing row {measure!r}\n{proc.stdout}"
        assert (rows[(measure, "—")][8] != "skipped") == browser, rows[(measure, "—")]
    assert len(rows) == len(PER_SIZE_ROWS) + len(PYVIS_ROWS) + len(CANVAS_ROWS)
    assert "\nTargets: " in proc.stdout
    # issue 17's rows side by side, today's approach and the new one, each measured in this run
    side_by_side = proc.stdout.split("## Issue 17", 1)[1]
    for measure, _, _ in LOADING_PAIRS:
        assert f"| {measure} | {QUICK_SIZE} | " in side_by_side, side_by_side
    # the corpus the benchmark generated loaded completely (the parse row says what it loaded)
    assert "generator expected" not in rows[("parse throughput", size)][9]
    with pytest.raises(ValueError):
        generate(2, tmp_path / "too-small")
