"""All-or-nothing file writes for the loaders and the CLIs: `graph.atomic`, re-exported under its old name.

The helper lives in graph/ (the bottom layer) because the graph cache is written with it too, and
graph/ imports nothing above it (tests/test_lint.py checks the layers).
"""
from __future__ import annotations

from graph.atomic import replacing, write_atomic

__all__ = ["replacing", "write_atomic"]
