"""Faults on a real Neo4j server: the server stops in the middle of a load, then comes back.

These tests start their OWN second server (scripts/neo4j.sh with NEO4J_DEV_RUN_DIR set to a pytest
temporary folder), so stopping it never touches the developer's main test server in
.cache/neo4j/run/. It is always stopped at the end. Skipped when scripts/neo4j.sh or Java is
missing; under CI=true that is a failure instead.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import DATA, REPO
from atlas import open_neo4j, read_settings
from graph.neo4j_store import Neo4jStore

pytestmark = pytest.mark.neo4j

NEO4J_SH = REPO / "scripts" / "neo4j.sh"
# 3,000 generated cards give 27,000 nodes and 24,000 relationships: ~7 s to parse and ~10-20 s to
# write on 2 cores, so the load is still writing when the server is stopped.
SYNTH_CARDS = 3000
ROLLED_BACK = "error: the Neo4j load failed and was rolled back; the previous graph is unchanged ("
# the load's batched writes (STARTS WITH, so that this SHOW query does not match its own text)
RUNNING_LOAD = ("SHOW TRANSACTIONS YIELD currentQuery "
                "WHERE currentQuery STARTS WITH 'UNWIND $rows' RETURN count(*) AS n")


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"a Neo4j server is required under CI=true: {reason}")
    pytest.skip(reason)


def _java_available() -> bool:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and os.access(Path(java_home) / "bin" / "java", os.X_OK):
        return True
    return shutil.which("java") is not None


def _exports(text: str) -> dict[str, str]:
    """The `export NAME=value` lines that scripts/neo4j.sh prints."""
    return dict(re.findall(r"^export (NEO4J_[A-Z_]+)=(\S*)$", text, re.MULTILINE))


class SecondServer:
    """A Neo4j server of its own, in a run directory of its own."""

    def __init__(self, run_dir: Path) -> None:
        self.run_dir = run_dir
        self.script_env = {**os.environ, "NEO4J_DEV_RUN_DIR": str(run_dir), "NEO4J_DEV_HEAP": "2g"}
        self.script_env.pop("NEO4J_DEV_BOLT_PORT", None)  # a fixed port would be the main server's
        self.settings: dict[str, str] = {}

    def script(self, command: str, timeout: float = 300) -> subprocess.CompletedProcess:
        return subprocess.run([str(NEO4J_SH), command], cwd=REPO, env=self.script_env, capture_output=True,
                              text=True, timeout=timeout)

    def start(self, command: str = "start") -> subprocess.CompletedProcess:
        result = self.script(command)
        assert result.returncode == 0, f"scripts/neo4j.sh {command} failed:\n{result.stderr[-4000:]}"
        settings = _exports(result.stdout)
        assert set(settings) == {"NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD", "NEO4J_DATABASE"}, result.stdout
        self.settings = settings
        return result

    def stop(self) -> subprocess.CompletedProcess:
        return self.script("stop", timeout=120)

    def ensure_running(self) -> None:
        if self.script("status", timeout=30).returncode != 0:
            self.start("restart")

    @property
    def port(self) -> str:
        return self.settings["NEO4J_URI"].rsplit(":", 1)[1]

    def child_env(self) -> dict[str, str]:
        """The environment for a CLI run against this server (whatever the main server's settings are)."""
        return {**os.environ, **self.settings}

    def store(self) -> Neo4jStore:
        return open_neo4j(read_settings(self.settings).neo4j)

    def load_cli(self, *paths: Path | str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "loaders", *map(str, paths), "-o", os.devnull, "--neo4j"],
                              cwd=REPO, env=self.child_env(), capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def second_server(tmp_path_factory):
    if not os.access(NEO4J_SH, os.X_OK):
        _unavailable(f"{NEO4J_SH.relative_to(REPO)} is missing or not executable")
    if shutil.which("bash") is None or not _java_available():
        _unavailable("Java (17+) is not available: set JAVA_HOME or put `java` on PATH")
    server = SecondServer(tmp_path_factory.mktemp("neo4j-faults") / "run")
    fetched = server.script("fetch", timeout=900)
    if fetched.returncode != 0:
        _unavailable(f"the Neo4j jars cannot be fetched: {fetched.stderr.strip()[-500:]}")
    try:
        server.start()
        yield server
    finally:
        stopped = server.stop()
        shutil.rmtree(server.run_dir / "data", ignore_errors=True)  # the logs stay for a post-mortem
        assert stopped.returncode == 0, stopped.stderr


def write_synthetic_cards(folder: Path, count: int) -> None:
    """`count` small cards in the seed card format: a title, blocked capacities, activating conditions."""
    folder.mkdir(parents=True)
    for i in range(1, count + 1):
        conditions = "\n\n".join(f"Synthetic condition {i} number {j}" for j in range(4))
        (folder / f"synth-{i:04d}.txt").write_text(
            f"Synth-{i:04d} Pattern\n\n\n"
            f"Healthy Capacities Blocked\n\nsynthcap{i}a, synthcap{i}b, synthcap{i}c\n\n\n"
            f"Activating Conditions\n\n{conditions}\n",
            encoding="utf-8")


def wait_for_running_load(server: SecondServer, proc: subprocess.Popen, timeout: float) -> bool:
    """True once the load's write transaction shows in SHOW TRANSACTIONS (False if it ended first)."""
    deadline = time.monotonic() + timeout
    with server.store() as store:
        while time.monotonic() < deadline and proc.poll() is None:
            records, _, _ = store.driver.execute_query(RUNNING_LOAD)
            if records[0]["n"]:
                return True
            time.sleep(0.1)
    return False


def synthetic_nodes(store: Neo4jStore, label: str = "") -> int:
    """Nodes of the synthetic load (with `label`, e.g. AtlasNode: only those of the current graph)."""
    records, _, _ = store.driver.execute_query(
        f"MATCH (n{label}) WHERE n.id STARTS WITH 'pattern:synth-' OR n.name STARTS WITH 'Synthetic condition' "
        "OR n.name STARTS WITH 'synthcap' RETURN count(n) AS n")
    return records[0]["n"]


def load_leftovers(store: Neo4jStore) -> int:
    """Staged nodes of a load that did not finish, or retired nodes of a replaced graph."""
    records, _, _ = store.driver.execute_query("MATCH (n) WHERE n:AtlasStaging OR n:AtlasRetired RETURN count(n) AS n")
    return records[0]["n"]


def test_server_stopped_mid_load_then_restarted_keeps_previous_graph(second_server, corpus_result, tmp_path):
    server = second_server
    server.ensure_running()
    first = server.load_cli(DATA)
    assert first.returncode == 0, first.stderr[-3000:]
    with server.store() as store:
        before = store.counts()
    assert before == (corpus_result.report.node_counts, corpus_result.report.edge_counts)

    cards = tmp_path / "cards"
    write_synthetic_cards(cards, SYNTH_CARDS)
    err_file = tmp_path / "load.stderr"  # a file, not a pipe: the load report is long
    password, port = server.settings["NEO4J_PASSWORD"], server.port
    with err_file.open("w", encoding="utf-8") as err:
        proc = subprocess.Popen([sys.executable, "-m", "loaders", str(cards), "-o", os.devnull, "--neo4j"],
                                cwd=REPO, env=server.child_env(), stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=err)
    try:
        seen = wait_for_running_load(server, proc, timeout=180)
        assert seen and proc.poll() is None, (
            "the synthetic load ended before its transaction was seen; make it bigger:\n"
            + err_file.read_text(encoding="utf-8")[-2000:])
        time.sleep(0.5)  # let it write a few batches
        assert proc.poll() is None, "the synthetic load finished before the server could be stopped"

        stopped = server.stop()
        assert stopped.returncode == 0, stopped.stderr
        assert "stopping Neo4j" in stopped.stderr, stopped.stderr  # it really was running
        assert server.script("status", timeout=30).returncode == 3

        # The driver retries the transaction for 30 s (plus its back-off, so 30-65 s) before it gives
        # up; the server must stay down until then, or the retry would load the synthetic graph.
        returncode = proc.wait(timeout=180)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(30)
    stderr = err_file.read_text(encoding="utf-8")
    errors = [line for line in stderr.splitlines() if line.startswith("error:")]
    assert returncode == 1, stderr[-3000:]
    assert len(errors) == 1 and errors[0].startswith(ROLLED_BACK), stderr[-3000:]
    assert stderr.rstrip().splitlines()[-1] == errors[0]
    assert "Traceback" not in stderr and "neo4j: loaded" not in stderr
    assert "will be retried" not in stderr  # the driver's retry warnings are not shown to the user
    assert password not in stderr

    restarted = server.start("restart")
    assert server.settings["NEO4J_PASSWORD"] == password
    assert server.port == port or f"port {port} is taken now" in restarted.stderr, restarted.stderr
    with server.store() as store:
        assert store.counts() == before
        assert store.get_node("pattern:insecure")["name"] == "Insecure"
        assert store.get_node("pattern:synth-0001") is None
        # the batches it staged before the server stopped may still be there (it could not delete
        # them), but only as AtlasStaging nodes that no query of the current graph sees
        assert synthetic_nodes(store, ":AtlasNode") == 0
        assert synthetic_nodes(store) <= load_leftovers(store)

    rerun = server.load_cli(DATA)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert "neo4j: loaded" in rerun.stderr
    with server.store() as store:
        assert store.counts() == before
        assert synthetic_nodes(store) == 0 and load_leftovers(store) == 0  # the rerun deleted them


def test_graph_cli_against_a_stopped_server_is_one_clear_line(second_server):
    server = second_server
    server.ensure_running()
    password = server.settings["NEO4J_PASSWORD"]
    stopped = server.stop()
    assert stopped.returncode == 0, stopped.stderr
    result = subprocess.run([sys.executable, "-m", "graph", "--store", "neo4j", "stats"], cwd=REPO,
                            env=server.child_env(), capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"error: cannot reach Neo4j at bolt://127.0.0.1:{server.port} "), lines[0]
    assert password not in result.stderr + result.stdout
