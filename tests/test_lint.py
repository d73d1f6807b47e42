"""Code checks that run with the tests: ruff and mypy clean on graph/ and loaders/, the import layers
(import-linter's contract in pyproject.toml), and the size limits (modules ≤ 400 lines, functions ≤ 60).

Each fails on any finding and prints the findings. Configuration lives in pyproject.toml.
"""
from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
#: The layers the contract orders, top to bottom (app.py above all of them).
LAYER_PACKAGES = ("explorer", "bench", "atlas", "loaders", "graph")
#: What the size limits cover: the project's code, not its tests.
SIZED = [REPO / "app.py", *(f for p in LAYER_PACKAGES for f in sorted((REPO / p).rglob("*.py")))]
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def _tool(name: str, *args: str | Path, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    """Run a console tool of this virtualenv (`BIN/name`), or the one on PATH."""
    program = BIN / name if (BIN / name).exists() else shutil.which(name)
    assert program, f"{name} is not installed: pip install -r requirements-dev.txt"
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run([str(program), *map(str, args)], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=600, check=False)


def test_ruff_clean() -> None:
    out = _tool("ruff", "check", "--no-cache", "graph", "loaders")
    assert out.returncode == 0, out.stdout + out.stderr


def test_mypy_clean() -> None:
    out = _tool("mypy", "graph", "loaders")
    assert out.returncode == 0, out.stdout + out.stderr


def test_import_layers() -> None:
    """explorer, bench > atlas > loaders > graph: no module imports a layer above its own."""
    out = _tool("lint-imports", "--no-cache")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "1 kept, 0 broken" in out.stdout, out.stdout


def test_import_layers_catch_an_upward_import(tmp_path: Path) -> None:
    """The contract is not vacuous: a copy of the code where graph/ imports atlas/ is refused."""
    for package in LAYER_PACKAGES:
        shutil.copytree(REPO / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", tmp_path)
    (tmp_path / "graph" / "upward_probe.py").write_text("import atlas.compose\n")
    out = _tool("lint-imports", "--no-cache", cwd=tmp_path)
    assert out.returncode != 0
    assert "graph.upward_probe -> atlas.compose" in out.stdout, out.stdout


def test_nothing_imports_the_app() -> None:
    """app.py sits above every layer (import-linter cannot take a module as a root, so this checks it)."""
    offenders = []
    for path in SIZED[1:]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else [])
            if any(n == "app" or n.startswith("app.") for n in names):
                offenders.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert not offenders, offenders


def oversized(paths: list[Path]) -> list[str]:
    """Modules over MAX_MODULE_LINES lines and functions (methods, nested ones) over MAX_FUNCTION_LINES
    (from `def`, or its first decorator, to its last line), as `file:line name (N lines)`."""
    found = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        shown = path.relative_to(REPO) if path.is_relative_to(REPO) else path
        lines = len(text.splitlines())
        if lines > MAX_MODULE_LINES:
            found.append(f"{shown}: module ({lines} lines)")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno is not None:
                start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                size = node.end_lineno - start + 1
                if size > MAX_FUNCTION_LINES:
                    found.append(f"{shown}:{node.lineno} {node.name} ({size} lines)")
    return found


def test_size_check_finds_long_modules_and_functions(tmp_path: Path) -> None:
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_FUNCTION_LINES))
    (tmp_path / "long.py").write_text(f"def short():\n    return 1\n\n\n@staticmethod\ndef long():\n{body}\n")
    (tmp_path / "big.py").write_text("x = 1\n" * (MAX_MODULE_LINES + 1))
    (tmp_path / "fits.py").write_text("x = 1\n" * MAX_MODULE_LINES)
    found = oversized(sorted(tmp_path.glob("*.py")))
    assert found == [f"{tmp_path / 'big.py'}: module ({MAX_MODULE_LINES + 1} lines)",
                     f"{tmp_path / 'long.py'}:6 long ({MAX_FUNCTION_LINES + 2} lines)"]


def test_modules_and_functions_are_short() -> None:
    """No module in app.py, explorer/, bench/, atlas/, loaders/, graph/ over 400 lines, no function over 60."""
    found = oversized(SIZED)
    assert not found, "\n".join(found)
