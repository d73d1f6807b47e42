"""YAML reading that remembers the 1-based line of every mapping (for provenance and errors)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import LoadError
from .text import read_document

LINE_KEY = "__line__"


class _LineLoader(yaml.SafeLoader):
    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:  # type: ignore[override]
        mapping = super().construct_mapping(node, deep=deep)
        mapping[LINE_KEY] = node.start_mark.line + 1
        return mapping


def load_yaml(path: Path) -> tuple[Any, str, list[str]]:
    """(data with `__line__` on every mapping, display path, the file's lines); LoadError on bad YAML."""
    doc = read_document(path)
    try:
        data = yaml.load("\n".join(doc.lines), Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise LoadError(doc.path, line, f"invalid YAML: {problem}") from None
    return data, doc.path, doc.lines


def strip_lines(value: Any) -> Any:
    """A copy of loaded YAML without the `__line__` keys (for schema validation and storage)."""
    if isinstance(value, dict):
        return {k: strip_lines(v) for k, v in value.items() if k != LINE_KEY}
    if isinstance(value, list):
        return [strip_lines(v) for v in value]
    return value
