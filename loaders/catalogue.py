"""Structured catalogues (YAML in `data/catalogue/`): dimensions, concepts and the alias table.

Each file is validated against a JSON schema; a bad row gives a LoadError naming the file and the row's
line. Parsing returns plain data (`Catalogue`); `loaders.build` turns it into nodes and edges.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema

from .errors import LoadError
from .yamlio import LINE_KEY, YamlList, YamlMap, load_yaml, strip_lines

_SOURCE = {"type": "string", "minLength": 1}
_NAME = {"type": "string", "minLength": 1, "maxLength": 120}
_NAMES = {"type": "array", "items": _NAME}
_SOURCES = {"type": "array", "items": {"type": "object", "required": ["id", "citation"],
                                       "properties": {"id": _NAME, "citation": {"type": "string"}}}}

SCHEMAS: dict[str, dict[str, Any]] = {
    "dimensions": {
        "type": "object",
        "required": ["sources", "dimensions"],
        "properties": {
            "sources": _SOURCES,
            "groups": {"type": "array", "items": {"type": "object", "required": ["name", "source"],
                                                  "properties": {"name": _NAME, "source": _SOURCE}}},
            "dimensions": {"type": "array", "items": {
                "type": "object", "required": ["name", "group", "source"],
                "properties": {
                    "name": _NAME, "group": _NAME, "source": _SOURCE, "capacities": _NAMES,
                    "patterns": {"type": "array", "items": {
                        "type": "object", "required": ["name"],
                        "properties": {"name": _NAME, "side": {"enum": ["soft", "hard"]}},
                    }},
                }}},
            "patterns": {"type": "array", "items": {
                "type": "object", "required": ["name", "source"],
                "properties": {"name": _NAME, "description": {"type": "string"}, "transformed_by": _NAMES,
                               "source": _SOURCE}}},
            "wounds": {"type": "array", "items": {
                "type": "object", "required": ["name", "source"],
                "properties": {"name": _NAME, "origins": _NAMES, "source": _SOURCE,
                               "description": {"type": "string"}}}},
        },
    },
    "concepts": {
        "type": "object",
        "required": ["sources", "concepts"],
        "properties": {
            "sources": _SOURCES,
            "concepts": {"type": "array", "items": {
                "type": "object", "required": ["name", "source"],
                "properties": {
                    "name": _NAME, "synonyms": _NAMES, "source": _SOURCE, "related": _NAMES,
                    "description": {"type": "string"}, "kind_note": {"type": "string"},
                    "codes": {"type": "object", "additionalProperties": False,
                              "properties": {k: {"type": "string", "pattern": r"^[0-9A-Z][0-9A-Za-z.]*$"}
                                             for k in ("dsm5tr", "icd10cm", "icd11")}},
                }}},
        },
    },
    "pattern_names": {
        "type": "object",
        "required": ["sources", "pattern_names"],
        "properties": {
            "sources": _SOURCES,
            "pattern_names": {"type": "array", "items": {
                "type": "object", "required": ["names", "source"],
                "properties": {"names": _NAMES, "source": _SOURCE}}},
        },
    },
    "aliases": {
        "type": "object",
        "required": ["aliases"],
        "properties": {"aliases": {"type": "array", "items": {
            "type": "object", "required": ["term", "target"],
            "properties": {"term": {"type": "string", "minLength": 2},
                           "target": {"type": "string", "pattern": r"^[a-z]+:[a-z0-9-]+$"},
                           "note": {"type": "string"}}}}},
    },
}


@dataclass
class Catalogue:
    """One catalogue file: its kind ('dimensions', 'concepts', 'aliases' or 'pattern_names'), rows with their
    lines."""

    kind: str
    path: str
    data: dict[str, Any]
    lines: list[str] = field(default_factory=list)

    def quote(self, line: int) -> str:
        return self.lines[line - 1].strip() if 0 < line <= len(self.lines) else ""


def _closed(schema: Any) -> Any:
    """The schema with every object that lists its properties closed to other keys (iterative)."""
    todo = [schema]
    while todo:
        node = todo.pop()
        if isinstance(node, dict):
            if node.get("type") == "object" and "properties" in node:
                node.setdefault("additionalProperties", False)
            todo.extend(node.values())
        elif isinstance(node, list):
            todo.extend(node)
    return schema


for _schema in SCHEMAS.values():
    _closed(_schema)


def catalogue_kind(data: Any) -> str | None:
    """Which catalogue a YAML document is, by its top-level key; None if it is not one."""
    if isinstance(data, dict):
        for kind in ("dimensions", "concepts", "aliases", "pattern_names"):
            if kind in data:
                return kind
    return None


def _error_line(data: Any, path: list[Any], extra: Any = None) -> int:
    """The line of the innermost key, item or mapping on a jsonschema error's path (of the key `extra`
    in the mapping at its end, for a key the schema does not allow)."""
    line = data.get(LINE_KEY, 1) if isinstance(data, dict) else 1
    node = data
    for step in path:
        if isinstance(node, YamlMap) and step in node.key_lines:
            line = node.key_lines[step]
        elif isinstance(node, YamlList) and isinstance(step, int) and 0 <= step < len(node.item_lines):
            line = node.item_lines[step]
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(node, dict) and LINE_KEY in node:
            line = node[LINE_KEY]
    if extra is not None and isinstance(node, YamlMap) and extra in node.key_lines:
        line = node.key_lines[extra]
    return line


def _path_key(step: Any) -> tuple:
    """Sorts a jsonschema path's steps (indexes and keys) without comparing an int to a str."""
    return (0, step, "") if isinstance(step, int) else (1, 0, str(step))


def check_shape(schema: dict[str, Any], data: Any, path: str, what: str = "bad catalogue row") -> None:
    """LoadError at the line of the first place (in file order of keys and items) where `data`, as
    `load_yaml` read it, does not fit the JSON schema."""
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(strip_lines(data)), key=lambda e: [_path_key(p) for p in e.absolute_path])
    if errors:
        err = errors[0]
        where = "/".join(str(p) for p in err.absolute_path) or "top level"
        extra = None
        if err.validator == "additionalProperties" and isinstance(err.instance, dict):
            allowed = err.schema.get("properties", {})
            extra = next((k for k in err.instance if k not in allowed), None)
        message = err.message if len(err.message) <= 300 else err.message[:297] + "..."
        raise LoadError(path, _error_line(data, list(err.absolute_path), extra), f"{what} ({where}): {message}")


def validate(kind: str, data: dict[str, Any], path: str) -> None:
    """Validate against the kind's schema and its cross-references; LoadError on the first bad row."""
    check_shape(SCHEMAS[kind], data, path)
    sources: dict[str, int] = {}
    for row in data.get("sources") or []:
        if row["id"] in sources:
            raise LoadError(path, row[LINE_KEY], f"source id {row['id']!r} is also at line {sources[row['id']]}; "
                                                 "each source has one id")
        sources[row["id"]] = row[LINE_KEY]
    for section in ("groups", "dimensions", "patterns", "wounds", "concepts", "pattern_names"):
        if section not in SCHEMAS[kind]["properties"]:
            continue
        for row in data.get(section, []) or []:
            if "source" in row and row["source"] not in sources:
                raise LoadError(path, row[LINE_KEY],
                                f"{section} row {row.get('name')!r} cites unknown source {row['source']!r}")
    if kind == "dimensions":
        groups = {g["name"] for g in data.get("groups", [])}
        for row in data["dimensions"]:
            if groups and row["group"] not in groups:
                raise LoadError(path, row[LINE_KEY], f"dimension {row['name']!r} names unknown group {row['group']!r}")


def read_catalogue(path: Path) -> Catalogue | None:
    """Read and validate a catalogue file; None when the YAML is not a catalogue (e.g. the manifest)."""
    data, shown, lines = load_yaml(path)
    kind = catalogue_kind(data)
    if kind is None:
        return None
    validate(kind, data, shown)
    return Catalogue(kind, shown, data, lines)
