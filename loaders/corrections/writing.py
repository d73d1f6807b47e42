"""Writing a row into a corrections file: the row added or replaced, every other row and comment kept
as written, the new file checked before it replaces the old one atomically."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from graph.atomic import replacing
from graph.schema import EDGE_TYPES

from ..errors import LoadError
from ..text import display_path, read_document
from ..vocabulary import load_vocabulary
from ..yamlio import MAX_YAML_BYTES, parse_yaml
from .rows import _KEYS, CORRECTIONS, HEADER, Correction, _range, _read

# -- writing -------------------------------------------------------------------------------------

def write_correction(sidecar: Path, document: Path, start: int, end: int | None = None, *,
                     section: str | None = None, not_edge: str | None = None) -> Correction:
    """Add a correction of `document` to `sidecar`, or replace the row for the same document and lines
    (a field not given keeps the row's value), keeping every other row and comment as written.

    The new file is checked like any corrections file before it replaces the old one atomically;
    a bad correction raises LoadError and leaves the file as it was. Only `sidecar` is written.
    """
    end = start if end is None else end
    sidecar = Path(sidecar)
    if sidecar.name != CORRECTIONS:
        raise ValueError(f"a corrections file is named {CORRECTIONS}, not {sidecar.name}")
    folder = sidecar.parent.resolve()
    document = Path(document).resolve()
    shown = display_path(sidecar)
    try:
        rel = document.relative_to(folder).as_posix()
    except ValueError:
        raise LoadError(shown, 1, f"{display_path(document)} is not in {display_path(folder)} or a folder "
                                  "below it; its corrections belong in a corrections.yaml above the document") from None
    _check_request(document, start, end, section, not_edge)
    text, newline = _read_text(sidecar)
    lines = text.split("\n") if text else []
    root = _compose(text, shown)
    key, value = _corrections_node(root)
    fields = {"file": rel, "lines": str(start) if start == end else f"{start}-{end}",
              "section": section, "not": not_edge}
    items = value.value if isinstance(value, yaml.SequenceNode) else []
    match = next((i for i in items if _same_row(i, folder, document, start, end)), None)
    _keep_fields(fields, match)
    if isinstance(value, yaml.SequenceNode) and value.value and not value.flow_style:
        _into_block(lines, match or items[-1], match is not None, fields, shown)
    elif key is not None:
        rows = _flow_rows(text, shown, key, value, folder, document, start, end)
        _rewrite_key(lines, key, value, rows + _row_text(fields, "  - "))
    else:
        _append_key(lines, root, fields, shown)
    out = "\n".join(lines).rstrip("\n") + "\n"
    return _replace(sidecar, out.replace("\n", newline), shown, folder, document, start, end)


def _keep_fields(fields: dict[str, Any], match: yaml.Node | None) -> None:
    """A field not given keeps the value of the row being replaced."""
    if match is None:
        return
    old = {k.value: v.value for k, v in match.value if isinstance(k, yaml.ScalarNode)}
    for name in ("section", "not"):
        if fields[name] is None and isinstance(old.get(name), str):
            fields[name] = old[name]


def _into_block(lines: list[str], anchor: yaml.Node, replace: bool, fields: dict[str, Any], shown: str) -> None:
    """In a block list of rows: replace the row `anchor`, or add the new row after it, in its indent."""
    first = anchor.start_mark.line
    prefix = lines[first][: anchor.start_mark.column]
    if "-" not in prefix or not isinstance(anchor, yaml.MappingNode):
        raise LoadError(shown, first + 1, "cannot add a row after this one: write each row as "
                                          "'- file: …' on its own lines")
    last = _last_line(anchor)
    new = _row_text(fields, prefix)
    if replace:
        lines[first:last + 1] = new
    else:
        lines[last + 1:last + 1] = new


def _flow_rows(text: str, shown: str, key: yaml.Node, value: yaml.Node | None, folder: Path, document: Path,
               start: int, end: int) -> list[str]:
    """A non-empty flow list of rows written out as block lines, less the row being replaced."""
    if not (isinstance(value, yaml.SequenceNode) and value.value):
        return []
    rows = [r for r in parse_yaml(text, shown)["corrections"]
            if not (isinstance(r, dict) and _same_data_row(r, folder, document, start, end))]
    if not all(isinstance(r, dict) for r in rows):
        raise LoadError(shown, key.start_mark.line + 1, "every correction must be a mapping")
    return [line for r in rows for line in _row_text({k: r.get(k) for k in _KEYS}, "  - ")]


def _rewrite_key(lines: list[str], key: yaml.Node, value: yaml.Node | None, body: list[str]) -> None:
    """Replace the `corrections:` key and its value with a block list of `body` rows."""
    first, last = key.start_mark.line, max(key.end_mark.line, value.end_mark.line if value else 0)
    if value is not None and value.end_mark.column == 0 and last > first:
        last -= 1
    lines[first:last + 1] = ["corrections:", *body]


def _append_key(lines: list[str], root: yaml.Node | None, fields: dict[str, Any], shown: str) -> None:
    """A file without a `corrections:` key (or a new file, which gets the explaining header) gets one."""
    if root is not None and not isinstance(root, yaml.MappingNode):
        raise LoadError(shown, 1, "a corrections file is a mapping with one key, 'corrections'")
    if not lines:
        lines[:] = HEADER.rstrip("\n").split("\n")
    while lines and lines[-1] == "":
        lines.pop()
    lines += ["corrections:", *_row_text(fields, "  - ")]


def _check_request(document: Path, start: int, end: int, section: str | None, not_edge: str | None) -> None:
    """A correction asked for (by the app) names real lines, a known section or edge type: else a
    LoadError naming the document's line, before the corrections file is touched."""
    shown = display_path(document)
    if not document.is_file():
        raise LoadError(shown, 1, "no such document")
    if isinstance(start, bool) or isinstance(end, bool) or not isinstance(start, int) or not isinstance(end, int) \
            or start < 1 or end < start:
        raise LoadError(shown, 1, f"bad line range {start}-{end}: lines count from 1 and a range runs forward")
    lines = read_document(document).lines
    count = len(lines) - (1 if len(lines) > 1 and lines[-1] == "" else 0)
    if end > count:
        raise LoadError(shown, count, f"the document has {count} lines; lines {start}-{end} do not exist")
    if section is None and not_edge is None:
        raise LoadError(shown, start, "a correction needs a section or an edge type ('not')")
    if section is not None and section not in {s.key for s in load_vocabulary().sections}:
        raise LoadError(shown, start, f"unknown section {section!r} (not in data/vocabulary/sections.yaml)")
    if not_edge is not None and not_edge not in EDGE_TYPES:
        raise LoadError(shown, start, f"unknown edge type {not_edge!r}")


def _read_text(sidecar: Path) -> tuple[str, str]:
    """The file's text (decoded as the loaders decode documents) and its line ending; ('', '\\n') if new."""
    if not sidecar.exists():
        return "", "\n"
    raw = sidecar.read_bytes()
    if not raw.strip():
        return "", "\n"
    newline = "\r\n" if b"\r\n" in raw else "\n"
    return "\n".join(read_document(sidecar).lines), newline


def _compose(text: str, shown: str) -> yaml.Node | None:
    """The file's node tree (for its marks), once the safe reader has accepted the file: no aliases,
    bounded size and nesting, no duplicate keys."""
    if len(text) > MAX_YAML_BYTES:
        raise LoadError(shown, 1, f"the file is over {MAX_YAML_BYTES:,} bytes, the limit for a YAML file")
    try:
        parse_yaml(text, shown)
    except LoadError as exc:
        raise LoadError(shown, exc.line, f"{exc.message}; fix it before adding a correction") from None
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader) if text.strip() else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise LoadError(shown, mark.line + 1 if mark else 1,
                        f"invalid YAML: {getattr(exc, 'problem', None) or exc}; "
                        "fix it before adding a correction") from None


def _corrections_node(root: yaml.Node | None) -> tuple[yaml.Node | None, yaml.Node | None]:
    """The 'corrections' key node and its value node, (None, None) when absent."""
    if isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            if isinstance(key, yaml.ScalarNode) and key.value == "corrections":
                return key, value
    return None, None


def _scalars(item: yaml.Node) -> dict[str, Any]:
    if not isinstance(item, yaml.MappingNode):
        return {}
    return {k.value: v.value for k, v in item.value
            if isinstance(k, yaml.ScalarNode) and isinstance(v, yaml.ScalarNode)}


def _same_row(item: yaml.Node, folder: Path, document: Path, start: int, end: int) -> bool:
    return _same_data_row(_scalars(item), folder, document, start, end)


def _same_data_row(row: dict, folder: Path, document: Path, start: int, end: int) -> bool:
    name = row.get("file")
    if not isinstance(name, str) or (folder / name.strip()).resolve() != document:
        return False
    return _range(row.get("lines")) == (start, end)


def _last_line(item: yaml.Node) -> int:
    """The 0-based last line holding a row's own text (not the comments or blank lines after it)."""
    last = item.start_mark.line
    for key, value in item.value:
        for node in (key, value):
            end = node.end_mark
            last = max(last, end.line - 1 if end.column == 0 and end.line > node.start_mark.line else end.line)
    return last


def _row_text(fields: dict[str, Any], prefix: str) -> list[str]:
    """A row as YAML lines, the first after `prefix` ('  - '), the rest indented to match."""
    pairs = [(k, fields[k]) for k in _KEYS if fields.get(k) is not None]
    indent = " " * len(prefix)
    return [(prefix if i == 0 else indent) + f"{k}: {_scalar(v)}" for i, (k, v) in enumerate(pairs)]


def _scalar(value: Any) -> str:
    text = str(value)
    if re.fullmatch(r"\d+(?:-\d+)?", text):
        return text  # a line number or a range: plain, as people write them
    dumped = yaml.safe_dump(text, default_flow_style=True, allow_unicode=True, width=10_000)
    return dumped.split("\n", 1)[0] if dumped.endswith("\n...\n") else dumped.rstrip("\n")


def _replace(sidecar: Path, text: str, shown: str, folder: Path, document: Path, start: int, end: int) -> Correction:
    """Write `text` to a temporary file beside `sidecar`, check it, then rename it over `sidecar`."""
    with replacing(sidecar) as tmp:
        with open(tmp, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        rows = _read(tmp, shown, folder)
    return next(c for doc, c in rows if doc == document and (c.start, c.end) == (start, end))
