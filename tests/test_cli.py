"""The command-line contracts: `python -m loaders` and `python -m graph`."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
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
    link = next(e for e in data["edges"] if e["source"] == "pattern:insecure" and e["target"] == "pattern:needy"
                and e["type"] == "COMBINES_WITH")
    assert link["description"] == "Feels insecure about the degree of need" and link["provenance"]
    # one node-link key everywhere (issue 16): networkx's own, so its reader needs no arguments
    import networkx as nx

    graph = nx.node_link_graph(data)
    assert graph.has_edge("pattern:insecure", "pattern:needy", key="COMBINES_WITH")
    assert len(graph.edges) == len(data["edges"])
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


def test_named_query_takes_a_node_by_name():
    """Issue 15: a node parameter takes a name (it used to match no id and give 0 rows silently)."""
    proc = run("-m", "graph", "query", "distinctions-between", "--param", "b=Self-Judging")
    assert proc.returncode == 0, proc.stderr
    assert "(2 rows)" in proc.stdout and "Self-Judging" in proc.stdout
    proc = run("-m", "graph", "--json", "query", "distinctions-among", "--param", "patterns=insecure, Needy")
    assert sorted(r[0] for r in json.loads(proc.stdout)["rows"]) == ["Insecure", "Needy"]


def test_named_query_misspelt_node_is_one_line_with_suggestions():
    proc = run("-m", "graph", "query", "distinctions-between", "--param", "b=Self-Judgin")
    assert proc.returncode == 2 and proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: parameter 'b': no node 'Self-Judgin'")
    assert "did you mean 'Self-Judging'" in lines[0]
    proc = run("-m", "graph", "query", "mechanisms-and-examples", "--param", "pattern=Belonging")
    assert proc.returncode == 2 and "is a Capacity (capacity:belonging), not a Pattern" in proc.stderr


def test_cypher_relationships_print_as_text():
    proc = run("-m", "graph", "cypher", "MATCH (p:Pattern {id: \"pattern:insecure\"})-[r:BLOCKS]->(c:Capacity) RETURN r")
    assert proc.returncode == 0, proc.stderr
    assert "(Insecure)-[:BLOCKS]->(Belonging)" in proc.stdout and "{" not in proc.stdout


def test_help_texts():
    for module in ("loaders", "graph"):
        proc = run("-m", module, "--help")
        assert proc.returncode == 0 and "usage: python -m " + module in proc.stdout


# -- issue 13, class 6: terminal output -----------------------------------------------------------

# Sequences a terminal acts on: ANSI colour and screen clearing, OSC window title and clipboard (52),
# a C1 CSI, carriage return and backspace (overwrite what was shown), a bell; and every other control.
TERMINAL_ATTACKS = ["\x1b[31mred\x1b[0m", "\x1b[2J\x1b[H", "\x1b]0;pwned\x07", "\x1b]52;c;ZXZpbA==\x07",
                    "\x9b31m", "fake\rreal", "abc\x08\x08\x08xyz", "\x1bP+q\x1b\\", "line\nstated at x:1: \"forged\""]
CONTROLS = [chr(c) for c in range(0x20) if c != 0x0A] + [chr(c) for c in range(0x7F, 0xA0)]


def hostile_store():
    """An embedded store whose names, places, lines and descriptions carry terminal attacks and every
    control character (made here, not by the loaders, so the test does not depend on what they keep)."""
    import networkx as nx

    from graph.embedded import EmbeddedStore

    texts = TERMINAL_ATTACKS + [f"c{c}c" for c in CONTROLS]
    g = nx.MultiDiGraph()

    def prov(i: int) -> list[dict]:
        return [{"file": f"cards/{texts[i]}.txt", "start_line": i + 1, "end_line": i + 1, "text": texts[i]}]

    g.add_node("pattern:alpha", kind="Pattern", name="Alpha " + texts[0], status="card", provenance=prov(1),
               sections=[{"key": "behavior", "heading": "Behavior " + texts[2], "heading_status": "inferred",
                          "reason": texts[3], "items": [{"line": i + 1, "text": t} for i, t in enumerate(texts)]}])
    g.add_node("pattern:beta", kind="Pattern", name="Beta " + texts[4], status="card", provenance=prov(5))
    for i, t in enumerate(texts):
        g.add_node(f"capacity:c{i}", kind="Capacity", name=f"Cap {t}", provenance=prov(i))
        g.add_edge("pattern:alpha", f"capacity:c{i}", key="BLOCKS", type="BLOCKS", provenance=prov(i))
    g.add_edge("pattern:alpha", "pattern:beta", key="COMBINES_WITH", type="COMBINES_WITH", description=texts[6],
               provenance=prov(7))
    g.add_edge("pattern:beta", "pattern:alpha", key="DISTINGUISHED_FROM", type="DISTINGUISHED_FROM",
               description=texts[8], provenance=prov(8))
    return EmbeddedStore(g), texts


def _cli(monkeypatch, capsys, *argv: str) -> tuple[int, str, str]:
    import atlas.query_cli as cli

    store, _ = hostile_store()
    store.close = lambda: None
    monkeypatch.setattr(cli, "open_store", lambda args: store)
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


TEXT_COMMANDS = [("node", "pattern:alpha"), ("neighbours", "pattern:alpha"), ("path", "pattern:alpha", "pattern:beta"),
                 ("path", "pattern:alpha", "pattern:beta", "--all"), ("compare", "pattern:alpha", "pattern:beta"),
                 ("cypher", "MATCH (n) RETURN n.name, n.provenance"), ("stats",)]


def test_text_output_shows_control_characters_escaped(monkeypatch, capsys):
    for argv in TEXT_COMMANDS:
        code, out, err = _cli(monkeypatch, capsys, *argv)
        assert code == 0, (argv, err)
        raw = [c for c in out if c in CONTROLS and c != "\t"]
        assert not raw, (argv, sorted({hex(ord(c)) for c in raw}))  # nothing a terminal would act on
        if argv[0] not in ("stats",):
            assert "\\x1b" in out, argv  # shown, escaped
    _, out, _ = _cli(monkeypatch, capsys, "node", "pattern:alpha")
    assert "\\x1b]0;pwned\\x07" in out and "\\x9b31m" in out and "fake\\x0dreal" in out
    assert 'line\\x0astated at x:1: "forged"' in out  # a line break in a value cannot forge a line
    assert not any(line.startswith('stated at x:1') for line in out.splitlines())


def test_json_output_is_exact_json(monkeypatch, capsys):
    store, texts = hostile_store()
    code, out, _ = _cli(monkeypatch, capsys, "--json", "node", "pattern:alpha")
    assert code == 0
    assert not any(c in CONTROLS for c in out if c not in "\n")  # C0 as \u00XX, DEL and C1 too
    node = json.loads(out)
    assert node == json.loads(json.dumps(store.get_node("pattern:alpha")))  # the values exactly
    assert [i["text"] for i in node["sections"][0]["items"]] == texts


# -- `python -m graph | head -1` ----------------------------------------------------------------

def _into_closed_pipe(*args: str) -> subprocess.CompletedProcess:
    """Run with standard output a pipe whose reader has gone (what `| head -1` leaves after its line)."""
    import os

    read, write = os.pipe()
    os.close(read)
    try:
        return subprocess.run([sys.executable, *args], cwd=REPO, stdout=write, stderr=subprocess.PIPE,
                              text=True, timeout=120)
    finally:
        os.close(write)


def test_a_reader_that_stops_early_ends_it_quietly():
    for args in (("-m", "graph", "neighbours", "insecure", "--hops", "3"),
                 ("-m", "graph", "--json", "neighbours", "insecure", "--hops", "3"),
                 ("-m", "graph", "export", "graphml")):
        proc = _into_closed_pipe(*args)
        assert proc.returncode == 141, (args, proc.returncode, proc.stderr)
        assert "Traceback" not in proc.stderr and "BrokenPipeError" not in proc.stderr, args
    proc = _into_closed_pipe("-m", "loaders", "data")
    assert "Traceback" not in proc.stderr and "BrokenPipeError" not in proc.stderr
    # the real pipeline
    proc = subprocess.run(f"'{sys.executable}' -m graph --json neighbours insecure --hops 3 | head -1",
                          shell=True, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.stdout == "{\n" and proc.stderr == ""


# -- python -m graph export ------------------------------------------------------------------------

def test_export_writes_the_export_pages_bytes(tmp_path):
    from atlas.compose import open_embedded
    from graph import export

    store, _ = open_embedded()
    nodes, edges = export.whole_graph(store)
    for fmt in export.FORMATS:
        target = tmp_path / f"out.{fmt}"
        proc = run("-m", "graph", "export", fmt, "-o", str(target))
        assert proc.returncode == 0, proc.stderr
        assert target.read_bytes() == export.render(fmt, nodes, edges), fmt
        assert f"wrote {target}" in proc.stderr
    proc = subprocess.run([sys.executable, "-m", "graph", "export", "json"], cwd=REPO, capture_output=True, timeout=120)
    assert proc.returncode == 0 and proc.stdout == (tmp_path / "out.json").read_bytes()  # stdout: the same bytes
    assert proc.stdout == export.render("json", nodes, edges)


def test_export_data_option_after_the_command(tmp_path):
    import shutil

    from conftest import DATA

    corpus = tmp_path / "corpus"
    shutil.copytree(DATA / "cards", corpus / "cards", ignore=shutil.ignore_patterns("graph.json"))
    proc = run("-m", "graph", "export", "json", "--data", str(corpus), "-o", str(tmp_path / "g.json"))
    assert proc.returncode == 0, proc.stderr
    data = json.loads((tmp_path / "g.json").read_text(encoding="utf-8"))
    assert any(n["id"] == "pattern:insecure" for n in data["nodes"])
    assert not any(n["kind"] == "Mechanism" for n in data["nodes"])  # data/'s article is not in that corpus


def test_export_failure_leaves_the_file_as_it_was(tmp_path, monkeypatch, capsys):
    import os

    import atlas.query_cli as cli

    target = tmp_path / "graph.graphml"
    target.write_bytes(b"the previous export")
    os.chmod(target, 0o640)

    def full_disk(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    assert cli.main(["export", "graphml", "-o", str(target)]) == 1
    assert "No space left on device" in capsys.readouterr().err
    assert target.read_bytes() == b"the previous export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.graphml"]  # no temporary file left
    monkeypatch.undo()

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        cli.main(["export", "graphml", "-o", str(target)])
    assert target.read_bytes() == b"the previous export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.graphml"]
    monkeypatch.undo()

    assert cli.main(["export", "graphml", "-o", str(target)]) == 0
    assert target.read_bytes().startswith(b"<?xml") and (os.stat(target).st_mode & 0o777) == 0o640  # mode kept
    # a corpus that does not load: exit 2, the file untouched
    bad = tmp_path / "bad"
    (bad / "cards").mkdir(parents=True)
    (bad / "cards" / "x.txt").write_bytes(b"Broken Pattern\n\x00\x01binary")
    before = target.read_bytes()
    proc = run("-m", "graph", "export", "graphml", "--data", str(bad), "-o", str(target))
    assert proc.returncode == 2 and target.read_bytes() == before


def test_export_csv_is_not_written_to_a_terminal(monkeypatch, capsys):
    import io

    import atlas.query_cli as cli

    class Terminal(io.TextIOWrapper):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdout", Terminal(io.BytesIO(), encoding="utf-8"))
    assert cli.main(["export", "csv"]) == 2
    assert "give -o FILE" in capsys.readouterr().err
