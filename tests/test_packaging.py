"""Packaging: `pip install .` into a fresh virtualenv gives a working `pattern-atlas` command, and the
lists in pyproject.toml (packages, shipped data, dependencies) match the checkout and requirements.txt.

The install test builds from a copy of the working tree (no build files land in the checkout) and
installs the package with its dependencies, constrained to requirements.txt's pins (so it also proves the
declared ranges resolve to the tested versions). It takes 1.5 to 3 minutes with a warm pip cache; it
never skips (under CI=true or elsewhere): a package that cannot be installed is a failure.
"""
from __future__ import annotations

import ast
import importlib.metadata
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from atlas import cli
from graph.shapes import EDGES
from graph.shipped import INSTALLED_DATA, shipped_data_dir

REPO = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
CODE_PACKAGES = ("atlas", "explorer", "graph", "loaders")
CODE_MODULES = [REPO / "app.py", *(f for p in CODE_PACKAGES for f in sorted((REPO / p).rglob("*.py")))]
#: Import names whose distribution has another name, for the declared-imports check.
_NOT_THIRD_PARTY = {"__future__", *CODE_PACKAGES, "app", "bench", INSTALLED_DATA}


def _requirements(lines: list[str]) -> dict[str, Requirement]:
    reqs = [Requirement(line) for line in (raw.split("#")[0].strip() for raw in lines) if line]
    return {r.name.lower().replace("_", "-"): r for r in reqs}


DECLARED = _requirements(PYPROJECT["project"]["dependencies"])
PINNED = _requirements((REPO / "requirements.txt").read_text(encoding="utf-8").splitlines())


# ---- the lists in pyproject.toml --------------------------------------------------------------------------

def test_every_code_package_is_packaged() -> None:
    """A package added to the checkout but not to pyproject.toml would be missing from an install
    (setuptools is given an explicit list, as the data folder is renamed)."""
    setuptools = PYPROJECT["tool"]["setuptools"]
    inits = [init for p in CODE_PACKAGES for init in (REPO / p).rglob("__init__.py")]
    code = {".".join(init.parent.relative_to(REPO).parts) for init in inits}
    assert set(setuptools["packages"]) == code | {INSTALLED_DATA}
    assert setuptools["package-dir"] == {INSTALLED_DATA: "data"}
    assert setuptools["py-modules"] == ["app"]


def _not_ignored(folder: Path) -> list[Path]:
    """The files under `folder` that git does not ignore (not the caches the app writes into data/)."""
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z", "--", folder],
                            cwd=REPO, capture_output=True, check=True).stdout.decode()
    return [REPO / f for f in listed.split("\0") if f and (REPO / f).is_file()]


def test_package_data_covers_every_shipped_file() -> None:
    """Each file under data/ (but the graph cache) and each file of explorer/ that is not Python (the network
    template, the network component's front end) matches a package-data pattern."""
    patterns = PYPROJECT["tool"]["setuptools"]["package-data"]
    for package, folder in ((INSTALLED_DATA, REPO / "data"), ("explorer", REPO / "explorer")):
        matched = {f for pattern in patterns[package] for f in folder.glob(pattern)}
        files = [f for f in _not_ignored(folder) if f.suffix not in (".py", ".pyc")]
        assert files and not matched & {folder / "graph.json"}
        missing = [str(f.relative_to(REPO)) for f in files if f not in matched]
        assert not missing, f"not in [tool.setuptools.package-data] {package}: {missing}"


def _third_party_imports() -> dict[str, set[str]]:
    """Top-level names imported by the code (app.py and the packages) that are not the project's or stdlib."""
    found: dict[str, set[str]] = {}
    for path in CODE_MODULES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top not in _NOT_THIRD_PARTY and top not in sys.stdlib_module_names:
                    found.setdefault(top, set()).add(str(path.relative_to(REPO)))
    return found


def test_every_third_party_import_is_declared() -> None:
    """pandas, jinja2 and markupsafe were imported but not declared: an install worked only by luck."""
    distributions = importlib.metadata.packages_distributions()
    imports = _third_party_imports()
    assert {"pandas", "jinja2", "markupsafe", "networkx", "yaml"} <= set(imports)
    for name, where in sorted(imports.items()):
        dists = {d.lower().replace("_", "-") for d in distributions.get(name, [])}
        assert dists & set(DECLARED), f"{name} (imported by {sorted(where)}) is not in [project] dependencies"


def test_pins_satisfy_the_declared_ranges() -> None:
    """requirements.txt pins exactly the declared packages, each at a version the declared range admits."""
    assert set(PINNED) == set(DECLARED)
    for name, pin in PINNED.items():
        (spec,) = pin.specifier
        assert spec.operator == "==", f"requirements.txt pins exact versions: {pin}"
        assert DECLARED[name].specifier.contains(spec.version), f"{pin} is outside pyproject's {DECLARED[name]}"
    dev = (REPO / "requirements-dev.txt").read_text(encoding="utf-8")
    for tool in ("pytest", "hypothesis", "playwright", "ruff", "mypy", "import-linter"):
        assert f"\n{tool}==" in dev and f"\n{tool}==" not in "\n" + (REPO / "requirements.txt").read_text()
    assert "requirements-dev.txt" in (REPO / "scripts" / "test.sh").read_text()


# ---- where the shipped data is ----------------------------------------------------------------------------

def test_shipped_data_in_a_checkout_and_in_an_install(tmp_path: Path) -> None:
    checkout = tmp_path / "checkout"
    (checkout / "data").mkdir(parents=True)
    (checkout / "pyproject.toml").write_text("")
    assert shipped_data_dir(checkout) == checkout / "data"
    site = tmp_path / "site-packages"
    (site / "data").mkdir(parents=True)  # another project's top-level data/ is not ours
    (site / INSTALLED_DATA).mkdir()
    assert shipped_data_dir(site) == site / INSTALLED_DATA
    assert shipped_data_dir(tmp_path / "empty") == tmp_path / "empty" / "data"  # readers name the missing path
    assert shipped_data_dir() == REPO / "data"


# ---- the console script's own parts -----------------------------------------------------------------------

def test_cli_unknown_command_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["frobnicate"]) == 2
    assert "unknown command 'frobnicate'" in capsys.readouterr().err
    assert cli.main([]) == 2
    assert cli.main(["--help"]) == 0
    out = capsys.readouterr().out
    assert all(f"\n  {c} " in out for c in ("load", "query", "app"))


@pytest.mark.parametrize("command, usage", [("query", "usage: pattern-atlas query"),
                                            ("load", "usage: pattern-atlas load")])
def test_the_commands_help_names_the_console_script(capsys: pytest.CaptureFixture[str], command: str,
                                                    usage: str) -> None:
    """`pattern-atlas query --help` says `pattern-atlas query` (it said `python -m graph`); the
    `python -m` spellings keep their own names."""
    with pytest.raises(SystemExit) as done:
        cli.main([command, "--help"])
    assert done.value.code == 0 and capsys.readouterr().out.startswith(usage)
    from atlas import load_cli, query_cli
    assert query_cli.build_parser().format_usage().startswith("usage: python -m graph")
    assert load_cli.build_parser().format_usage().startswith("usage: python -m loaders")


def test_app_command_is_run_sh(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """`pattern-atlas app` starts app.py as scripts/run.sh does; unknown options go to streamlit."""
    monkeypatch.delenv("PATTERN_ATLAS_ADDRESS", raising=False)
    monkeypatch.delenv("PATTERN_ATLAS_PORT", raising=False)
    monkeypatch.delenv("PATTERN_ATLAS_DATA", raising=False)
    command, env = cli.streamlit_command(["--server.runOnSave", "true"])
    assert command[:5] == [sys.executable, "-m", "streamlit", "run", str(REPO / "app.py")]
    assert command[5:] == ["--server.address", "127.0.0.1", "--server.port", "8501", "--server.headless", "true",
                           "--browser.gatherUsageStats", "false", "--server.runOnSave", "true"]
    assert cli.APP.is_file()
    assert "PATTERN_ATLAS_DATA" not in env
    command, env = cli.streamlit_command(["--port", "9000", "--address", "0.0.0.0", "--data", str(tmp_path)])
    assert command[5:9] == ["--server.address", "0.0.0.0", "--server.port", "9000"]
    assert env["PATTERN_ATLAS_DATA"] == str(tmp_path)
    # the test process's own environment is untouched: it used to keep --data's folder, and every later
    # test that opened the default store (or ran the CLI) read that deleted folder as an empty corpus
    assert "PATTERN_ATLAS_DATA" not in os.environ


# ---- pip install . into a fresh virtualenv ----------------------------------------------------------------

_NOT_COPIED = shutil.ignore_patterns(".git", ".venv", ".cache", "out", "tests", "bench", "eval", "__pycache__",
                                     "*.egg-info", "build", ".mypy_cache", ".ruff_cache", ".pytest_cache",
                                     ".hypothesis", "graph.*")


def _run(*command: str | Path, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PATTERN_ATLAS_DATA", "VIRTUAL_ENV")}
    return subprocess.run([str(c) for c in command], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv (no system site-packages) with `pip install <copy of the checkout>`: its bin/."""
    root = tmp_path_factory.mktemp("install")
    source = root / "source"
    shutil.copytree(REPO, source, ignore=_NOT_COPIED)
    venv = root / "venv"
    made = _run(sys.executable, "-m", "venv", venv, cwd=root)
    assert made.returncode == 0, made.stderr
    pip = _run(venv / "bin" / "python", "-m", "pip", "install", "-q", "--disable-pip-version-check",
               source, "-c", REPO / "requirements.txt", cwd=root, timeout=1200)
    assert pip.returncode == 0, pip.stdout + pip.stderr
    check = _run(venv / "bin" / "python", "-m", "pip", "check", cwd=root)
    assert check.returncode == 0, check.stdout
    shutil.rmtree(source)  # the install must not need the source tree
    return venv / "bin"


def test_installed_load_and_query_from_elsewhere(installed: Path, tmp_path: Path) -> None:
    """`pattern-atlas load data -o out.json` gives the checkout's graph; `query` answers from the shipped
    corpus installed with the package, from a folder that is not the checkout."""
    shutil.copytree(REPO / "data", tmp_path / "data", ignore=shutil.ignore_patterns("graph.*"))
    loaded = _run(installed / "pattern-atlas", "load", "data", "-o", "out.json", cwd=tmp_path)
    assert loaded.returncode == 0, loaded.stderr
    graph = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    stats = _run(installed / "pattern-atlas", "query", "--json", "stats", cwd=tmp_path)
    assert stats.returncode == 0, stats.stderr
    counts = json.loads(stats.stdout)
    assert len(graph["nodes"]) == sum(counts["nodes"].values()) > 150
    assert len(graph[EDGES]) == sum(counts["edges"].values()) > 250
    path = _run(installed / "pattern-atlas", "query", "path", "insecure", "self-judging", cwd=tmp_path)
    assert path.returncode == 0 and "Insecure -> Self-Judging" in path.stdout, path.stderr
    assert f"{INSTALLED_DATA}/cards/insecure.txt:" in path.stdout  # provenance names the installed file
    library = _run(installed / "pattern-atlas", "query", "query", "--list", cwd=tmp_path)
    assert library.returncode == 0 and library.stdout.strip(), library.stderr
    same = _run(installed / "python", "-m", "graph", "--json", "stats", cwd=tmp_path)
    assert same.returncode == 0 and json.loads(same.stdout) == counts, same.stderr
    again = _run(installed / "python", "-m", "loaders", "data", "-o", "again.json", cwd=tmp_path)
    assert again.returncode == 0 and json.loads((tmp_path / "again.json").read_text()) == graph, again.stderr
    bad = _run(installed / "pattern-atlas", "query", "node", "no-such-node", cwd=tmp_path)
    assert bad.returncode == 2 and bad.stderr.startswith("error:"), bad.stderr


def test_installed_app_command_and_app(installed: Path, tmp_path: Path) -> None:
    """`pattern-atlas app --help` answers, and the installed app.py runs (AppTest) its Start, Explore, Pattern
    card and Query pages on the shipped corpus from another folder: explorer/pages, the network canvas's
    front end and the query library came with it (a missing front-end file is an exception here)."""
    helped = _run(installed / "pattern-atlas", "app", "--help", cwd=tmp_path)
    assert helped.returncode == 0 and "usage: pattern-atlas app" in helped.stdout, helped.stderr
    assert "--port" in helped.stdout and "PATTERN_ATLAS_DATA" in helped.stdout
    script = (
        "import importlib.util\n"
        "from streamlit.testing.v1 import AppTest\n"
        "at = AppTest.from_file(importlib.util.find_spec('app').origin, default_timeout=120).run()\n"
        "for page in ('start', 'explore', 'pattern_card', 'query'):\n"
        "    at.switch_page(f'explorer/pages/{page}.py').run()\n"
        "    assert not at.exception and not at.error, (page, [e.value for e in [*at.exception, *at.error]])\n"
        "    assert len(at.title) == 1, (page, at.title)\n"
        "print('app ok', at.title[0].value)\n")
    ran = _run(installed / "python", "-c", script, cwd=tmp_path, timeout=300)
    assert ran.returncode == 0 and "app ok" in ran.stdout, ran.stdout + ran.stderr


def test_installed_app_command_serves(installed: Path, tmp_path: Path) -> None:
    """`pattern-atlas app --port P` becomes a Streamlit server for the installed app.py (health check)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PATTERN_ATLAS_DATA")}
    server = subprocess.Popen([str(installed / "pattern-atlas"), "app", "--port", str(port)], cwd=tmp_path, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline, health = time.monotonic() + 120, ""
        while time.monotonic() < deadline and server.poll() is None and health != "ok":
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=5) as answer:
                    health = answer.read().decode()
            except OSError:
                time.sleep(1)
    finally:
        server.terminate()
        try:
            output = server.communicate(timeout=60)[0]
        except subprocess.TimeoutExpired:
            server.kill()
            output = server.communicate()[0]
    assert health == "ok", f"no server on port {port}: {output}"  # streamlit exits when app.py is missing
