"""Loading into a real Neo4j server: idempotent, atomic under a kill (the killed load's staged nodes
are deleted by the next one), clear connection errors."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from conftest import REPO
from graph.neo4j_store import Neo4jConfigError, Neo4jStore

pytestmark = pytest.mark.neo4j

# A child process that replaces the graph with a large synthetic one (slow enough to be killed mid-way).
BIG_LOAD = r"""
import sys
from graph.model import GraphData
from atlas import open_neo4j, read_settings
g = GraphData()
prov = [{"file": "synthetic.txt", "start_line": 1, "end_line": 1, "text": "x" * 200}]
for i in range(int(sys.argv[1])):
    p = g.add_node("Pattern", f"Synthetic {i}", prov, status="card")
    for j in range(4):
        c = g.add_node("Condition", f"condition {i % 997} {j}", prov)
        g.add_edge(p, "ACTIVATED_BY", c, prov)
print("writing", flush=True)
with open_neo4j(read_settings().neo4j) as store:
    store.replace_all(g, batch=500)
print("done", flush=True)
"""


def load_cli(*extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "loaders", "data", "-o", os.devnull, "--neo4j", *extra],
                          cwd=REPO, capture_output=True, text=True, timeout=300)


def test_cli_load_twice_gives_identical_counts(neo4j_raw, corpus_result):
    first = load_cli()
    assert first.returncode == 0, first.stderr
    counts = neo4j_raw.counts()
    second = load_cli()
    assert second.returncode == 0, second.stderr
    assert neo4j_raw.counts() == counts
    assert counts == (corpus_result.report.node_counts, corpus_result.report.edge_counts)
    assert "neo4j: loaded" in second.stderr


def test_load_killed_half_way_leaves_previous_graph(neo4j_raw, corpus_result):
    neo4j_raw.replace_all(corpus_result.graph)
    before = neo4j_raw.counts()
    proc = subprocess.Popen([sys.executable, "-c", BIG_LOAD, "40000"], cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    try:
        assert proc.stdout.readline().strip() == "writing"
        deadline = time.time() + 60
        seen = False
        while time.time() < deadline and proc.poll() is None:  # wait until the write transaction is under way
            records, _, _ = neo4j_raw.driver.execute_query(
                "SHOW TRANSACTIONS YIELD currentQuery WHERE currentQuery CONTAINS 'UNWIND $rows' RETURN count(*) AS n")
            if records[0]["n"]:
                seen = True
                time.sleep(0.5)
                break
            time.sleep(0.05)
        assert seen and proc.poll() is None, "the load finished before it could be killed; make it bigger"
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
    deadline = time.time() + 60
    while time.time() < deadline and neo4j_raw.counts() != before:
        time.sleep(0.5)  # the server rolls the dead connection's transaction back
    assert neo4j_raw.counts() == before
    assert neo4j_raw.get_node("pattern:insecure")["name"] == "Insecure"
    assert neo4j_raw.get_node("pattern:synthetic-1") is None
    assert neo4j_raw.nodes_by_name("Synthetic 1") == []
    rerun = load_cli()
    assert rerun.returncode == 0 and neo4j_raw.counts() == before
    # the killed load's staged nodes are gone too: every node and relationship is the current graph's
    kinds, types = before
    records, _, _ = neo4j_raw.driver.execute_query(
        "MATCH (n) RETURN count(n) AS nodes, COUNT { MATCH ()-[r]->() } AS rels")
    assert (records[0]["nodes"], records[0]["rels"]) == (sum(kinds.values()), sum(types.values()))


def test_wrong_password_is_a_clear_error_without_the_password(neo4j_raw):
    uri = os.environ["NEO4J_URI"]
    with pytest.raises(Neo4jConfigError) as err:
        Neo4jStore.from_settings(uri, os.environ.get("NEO4J_USER", "neo4j"), "not-the-password-XYZZY")
    assert "refused the user name or password" in str(err.value)
    assert "XYZZY" not in str(err.value) and os.environ["NEO4J_PASSWORD"] not in str(err.value)


def test_unreachable_server_is_a_clear_error():
    with pytest.raises(Neo4jConfigError, match="cannot reach Neo4j at bolt://127.0.0.1:1"):
        Neo4jStore.from_settings("bolt://127.0.0.1:1", "neo4j", "secret-password-123")
    result = subprocess.run([sys.executable, "-m", "graph", "--store", "neo4j", "stats"], cwd=REPO,
                            capture_output=True, text=True, timeout=60,
                            env={**os.environ, "NEO4J_URI": "bolt://127.0.0.1:1", "NEO4J_PASSWORD": "secret-password-123"})
    assert result.returncode == 2 and "secret-password-123" not in result.stderr + result.stdout
    assert len(result.stderr.strip().splitlines()) == 1


def test_graph_cli_answers_from_neo4j(neo4j_corpus_store):
    result = subprocess.run([sys.executable, "-m", "graph", "--store", "neo4j", "path", "insecure", "self-judging"],
                            cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "Insecure is distinguished from Self-Judging" in result.stdout


def test_queries_naming_absent_labels_log_no_warnings(neo4j_raw, caplog):
    """The store's queries name every schema kind and type; a graph without some of them (an empty
    database, a corpus with no catalogue) must not make the driver log a warning per query."""
    with caplog.at_level("DEBUG", logger="neo4j"):
        neo4j_raw.counts()
        neo4j_raw._read("MATCH (n:AtlasNeverUsedLabel)-[:ATLAS_NEVER_USED_TYPE]->() RETURN count(n) AS c")
    notices = [r.getMessage() for r in caplog.records if "Received notification" in r.getMessage()]
    assert notices == []
