"""The command-line contracts: `python -m loaders` and `python -m graph`."""
from __future__ import annotations

import json
import subprocess
import sys

from conftest import REPO


def run(*args: str, cwd=REPO) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_loaders_writes_node_link_json(tmp_path):
    out = tmp_path / "graph.json"
    proc = run("-m", "loaders", "data", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    node = next(n for n in data["nodes"] if n["id"] == "pattern:insecure")
    assert node["kind"] == "Pattern" and node["name"] == "Insecure" and node["provenance"]
    link = next(l for l in data["links"] if l["source"] == "pattern:insecure" and l["target"] == "pattern:needy"
                and l["type"] == "COMBINES_WITH")
    assert link["description"] == "Feels insecure about the degree of need" and link["provenance"]
    assert "nodes:" in proc.stderr and "inferred: data/cards/insecure.txt:140" in proc.stderr


def test_loaders_to_stdout_and_bad_input_exit_2(tmp_path):
    proc = run("-m", "loaders", "data/cards/insecure.txt")
    assert proc.returncode == 0 and json.loads(proc.stdout)["nodes"]
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"Broken Pattern\n\x00\x01binary")
    proc = run("-m", "loaders", "data/cards/insecure.txt", str(bad))
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "bad.txt:2:" in lines[0] and "binary" in lines[0]
    assert proc.stdout == ""


def test_graph_path_prints_sentences_with_sources():
    proc = run("-m", "graph", "path", "insecure", "self-judging")
    assert proc.returncode == 0, proc.stderr
    assert "Insecure is distinguished from Self-Judging: the self-judging pattern can also involve" in proc.stdout
    assert "[data/cards/insecure.txt:82]" in proc.stdout


def test_graph_neighbours_compare_json():
    proc = run("-m", "graph", "--json", "neighbours", "pattern:insecure", "--hops", "1", "--kinds", "Capacity")
    data = json.loads(proc.stdout)
    assert {n["id"] for n in data["nodes"]} >= {"capacity:belonging", "capacity:value"}
    proc = run("-m", "graph", "compare", "insecure", "needy", "self-judging")
    assert proc.returncode == 0
    for who in ("Insecure is distinguished from Needy", "Needy is distinguished from Insecure",
                "Self-Judging is distinguished from Insecure", "Needy is distinguished from Self-Judging"):
        assert who in proc.stdout


def test_graph_unknown_node_is_one_line_exit_2():
    proc = run("-m", "graph", "path", "insecure", "nobody-at-all")
    assert proc.returncode == 2 and proc.stderr.startswith("error: no node 'nobody-at-all'")
    assert len(proc.stderr.strip().splitlines()) == 1


def test_help_texts():
    for module in ("loaders", "graph"):
        proc = run("-m", module, "--help")
        assert proc.returncode == 0 and "usage: python -m " + module in proc.stdout
