"""The line edits both fuzzers (cards, YAML files) apply to a document: delete, duplicate, swap, insert."""
from __future__ import annotations

from typing import Any, Callable

from hypothesis import strategies as st

COMMON_OPS = ("delete", "duplicate", "swap", "insert")


def edit_lines(draw: Callable[[Any], Any], lines: list[str], op: str, i: int, insert_size: int) -> None:
    """Apply `op` (one of COMMON_OPS) at line `i` of `lines`, in place; an inserted line has up to
    `insert_size` characters of any text."""
    if op == "delete":
        del lines[i]
    elif op == "duplicate":
        lines.insert(i, lines[i])
    elif op == "swap":
        j = draw(st.integers(0, len(lines) - 1))
        lines[i], lines[j] = lines[j], lines[i]
    elif op == "insert":
        lines.insert(i, draw(st.text(max_size=insert_size)))
    else:
        raise ValueError(f"not a common line edit: {op!r}")
