"""Corrections to how the loader read a document, kept beside the corpus in `corrections.yaml`.

The documents themselves are never changed: a correction says that lines start..end of a card belong
to a given section (`section:`, a key of `data/vocabulary/sections.yaml`), or that they state no fact
of an edge type (`not:`). A document's corrections are found the way `corpus.yaml` manifests are: in
a `corrections.yaml` in the document's folder or in a folder above it. Rows name their document
relative to the corrections file's folder:

    corrections:
      - file: cards/insecure.txt
        lines: 33-34
        section: statement
      - file: cards/needy.txt
        lines: 80
        not: DISTINGUISHED_FROM

Every row is validated; a bad one is a LoadError naming the corrections file and the row's line.
`write_correction` adds a row, or replaces the row for the same document and lines, keeping every
other row and comment as written, and replaces the file atomically (a temporary file renamed over it).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence, TypeVar

import yaml

from graph.schema import EDGE_TYPES

from .atomic import replacing, write_atomic
from .errors import LoadError
from .text import REPO_ROOT, display_path, read_document
from .vocabulary import load_vocabulary
from .yamlio import LINE_KEY, MAX_YAML_BYTES, load_yaml, parse_yaml, rows_under

CORRECTIONS = "corrections.yaml"
T = TypeVar("T")
HEADER = """\
# Corrections to how the loader read documents; the documents themselves are never changed.
# Each row names a document (relative to this file's folder) and its lines (33-34, or one line number),
# then either `section:` (the card section those lines belong to: a key from data/vocabulary/sections.yaml)
# or `not:` (an edge type those lines do not state, e.g. DISTINGUISHED_FROM). The app's Pattern card and
# Sources pages write rows here; rows can also be written by hand. For example:
#
#   - file: cards/insecure.txt
#     lines: 33-34
#     section: statement
#   - file: cards/needy.txt
#     lines: 80
#     not: DISTINGUISHED_FROM
"""
_KEYS = ("file", "lines", "section", "not")
_RANGE = re.compile(r"^\s*(\d+)\s*(?:-|\u2013|\.\.)\s*(\d+)\s*$")


@dataclass(frozen=True)
class Correction:
    """One row of a corrections file: lines `start`..`end` of the document `file` (its display path,
    as provenance shows it) belong to `section`, and/or state no `not_edge` fact. `source` and
    `source_line` are the corrections file's display path and the row's line."""

    file: str
    start: int
    end: int
    section: str | None
    not_edge: str | None
    source: str
    source_line: int

    @property
    def lines(self) -> str:
        return str(self.start) if self.start == self.end else f"{self.start}-{self.end}"

    @property
    def where(self) -> str:
        """The row's place: 'data/corrections.yaml:7'."""
        return f"{self.source}:{self.source_line}"

    def to_report(self) -> dict[str, Any]:
        """The row as the load report lists it."""
        return {"file": self.file, "lines": self.lines, "section": self.section, "not": self.not_edge,
                "sidecar": self.source, "sidecar_line": self.source_line}


# -- reading -------------------------------------------------------------------------------------

def read_corrections(path: Path) -> list[Correction]:
    """Every row of one corrections file, validated (LoadError naming the file and the row's line)."""
    return [c for _, c in _read(path)]


def _read(path: Path, shown: str | None = None, folder: Path | None = None) -> list[tuple[Path, Correction]]:
    """(resolved document path, correction) per row. `shown` and `folder` stand in for the file's own
    display path and folder when a candidate is checked before it replaces the real file."""
    folder = (folder or path.parent).resolve()
    try:
        with open(path, "rb") as fh:  # no more than the YAML limit read: load_yaml refuses bigger files
            if not fh.read(MAX_YAML_BYTES + 1).strip():
                return []
    except OSError as exc:
        raise LoadError(shown or display_path(path), 1, f"cannot read the file ({exc.strerror or exc})") from None
    try:
        data, own, lines = load_yaml(path)
    except LoadError as exc:
        raise LoadError(shown or exc.file, exc.line, exc.message) from None
    shown = shown or own
    got = rows_under(data, shown, "corrections", "a corrections file", "each with file, lines, and section or not")
    if got is None:
        return []
    rows, top = got
    vocab = load_vocabulary()
    sections = {s.key for s in vocab.sections}
    found: list[tuple[Path, Correction]] = []
    counts: dict[Path, int] = {}
    item_lines = getattr(rows, "item_lines", [])
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            line = item_lines[index] if index < len(item_lines) else top
            raise LoadError(shown, line, "a correction is a mapping with file, lines, and section or not")
        found.append(_row(row, shown, lines, folder, sections, counts))
    _check_overlaps(found)
    return found


def _row(row: dict, shown: str, lines: list[str], folder: Path, sections: set[str],
         counts: dict[Path, int]) -> tuple[Path, Correction]:
    line = row[LINE_KEY]

    def fail(key: Any, message: str) -> LoadError:  # at the line of `key` (a key of the row), else the row's
        return LoadError(shown, row.key_lines.get(key, line) if key is not None else line, message)

    for key in row:
        if key != LINE_KEY and key not in _KEYS:
            raise fail(key, f"unknown key {key!r}; a correction has file, lines, and section or not")
    name = row.get("file")
    if not isinstance(name, str) or not name.strip():
        raise fail("file" if "file" in row else None,
                   f"'file' must be the document's path relative to this file's folder, not {name!r}" if "file" in row
                   else "a correction needs 'file': the document's path, relative to this file's folder")
    document = (folder / name.strip()).resolve()
    try:
        document.relative_to(folder)
    except ValueError:
        raise fail("file", f"{name!r} is outside this file's folder; put the correction in a corrections.yaml "
                           "in the document's folder or a folder above it") from None
    if not document.is_file():
        raise fail("file", f"no such document {name!r} (relative to this file's folder)")
    start, end = _lines(row.get("lines"), fail)
    if document not in counts:
        doc = read_document(document)
        counts[document] = len(doc.lines) - (1 if len(doc.lines) > 1 and doc.lines[-1] == "" else 0)
    if end > counts[document]:
        what = f"line {start}" if start == end else f"lines {start}-{end}"
        raise fail("lines", f"{name} has {counts[document]} lines; {what} do{'es' if start == end else ''} "
                            "not exist")
    section = row.get("section")
    if section is not None and (not isinstance(section, str) or section not in sections):
        raise fail("section", f"unknown section {section!r}; use a key from data/vocabulary/sections.yaml "
                              f"({', '.join(sorted(sections))})")
    not_edge = row.get("not")
    if not_edge is not None and (not isinstance(not_edge, str) or not_edge not in EDGE_TYPES):
        raise fail("not", f"unknown edge type {not_edge!r}; one of {', '.join(sorted(EDGE_TYPES))}")
    if section is None and not_edge is None:
        raise fail(None, "a correction needs 'section' (where the lines belong) or 'not' (an edge type the "
                         "lines do not state)")
    return document, Correction(display_path(document), start, end, section, not_edge, shown, line)


def _range(value: Any) -> tuple[int, int] | None:
    """(start, end) from `80`, `"80"` or `"33-34"`; None for anything else."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value, value
    if isinstance(value, str):
        match = _RANGE.match(value)
        if match:
            return int(match.group(1)), int(match.group(2))
        if value.strip().isdigit():
            return int(value), int(value)
    return None


def _lines(value: Any, fail) -> tuple[int, int]:
    """The row's (start, end), checked."""
    if value is None:
        raise fail(None, "a correction needs 'lines': a line number or a range such as 33-34")
    found = _range(value)
    if found is None:
        raise fail("lines", f"lines must be a line number or a range such as 33-34, not {value!r}")
    start, end = found
    if start < 1 or end < start:
        raise fail("lines", f"bad line range {value!r}: lines count from 1 and a range runs forward (33-34)")
    return start, end


def _check_overlaps(found: list[tuple[Path, Correction]]) -> None:
    """Two rows placing overlapping lines of one document in sections contradict each other."""
    placed: dict[Path, list[Correction]] = {}
    for document, corr in found:
        if corr.section is None:
            continue
        for other in placed.setdefault(document, []):
            if corr.start <= other.end and other.start <= corr.end:
                raise LoadError(corr.source, corr.source_line,
                                f"lines {corr.lines} of {corr.file} overlap the correction at line "
                                f"{other.source_line} (lines {other.lines}); one place per line")
        placed[document].append(corr)


# -- finding the corrections of loaded documents --------------------------------------------------

def find_sidecars(files: Iterable[Path]) -> list[Path]:
    """Every corrections file in the folders of `files` or above them (as for corpus.yaml manifests:
    up to the repository's root, or the file system's for documents outside it)."""
    found: list[Path] = []
    seen: set[Path] = set()
    parents_done: set[Path] = set()
    for file in files:
        parent = file.resolve().parent
        if parent in parents_done:
            continue
        parents_done.add(parent)
        for folder in [parent, *parent.parents]:
            sidecar = folder / CORRECTIONS
            if sidecar in seen:
                break  # this folder and every one above it are done
            seen.add(sidecar)
            if sidecar.is_file():
                found.append(sidecar)
            if folder == REPO_ROOT or folder == folder.parent:
                break
    return found


def corrections_for(files: Iterable[Path]) -> dict[Path, list[Correction]]:
    """The corrections of each document, by resolved path, from every corrections file at or above
    `files`. A document corrected in two corrections files is an error (one place for its rows)."""
    by_doc: dict[Path, list[Correction]] = {}
    for sidecar in find_sidecars(list(files)):
        for document, corr in _read(sidecar):
            rows = by_doc.setdefault(document, [])
            if rows and rows[0].source != corr.source:
                raise LoadError(corr.source, corr.source_line,
                                f"{corr.file} is also corrected in {rows[0].where}; keep a document's "
                                "corrections in one corrections.yaml")
            rows.append(corr)
    return by_doc


def sidecar_for(document: Path, roots: Sequence[Path] = ()) -> Path:
    """Where a correction of `document` is written: the corrections file that already corrects it,
    else the nearest one between its folder and its corpus root, else a new one at the corpus root
    (the loaded folder that holds the document; the document's own folder when it was loaded alone)."""
    document = document.resolve()
    root = document.parent
    for candidate in sorted((Path(r).resolve() for r in roots), key=lambda p: len(p.parts), reverse=True):
        if candidate.is_dir() and document.is_relative_to(candidate):
            root = candidate
            break
    folders = [document.parent, *document.parent.parents]
    folders = folders[: folders.index(root) + 1] if root in folders else [document.parent]
    existing = [folder / CORRECTIONS for folder in folders if (folder / CORRECTIONS).is_file()]
    for sidecar in existing:
        if any(doc == document for doc, _ in _read(sidecar)):
            return sidecar
    return existing[0] if existing else root / CORRECTIONS


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
    if match is not None:
        old = {k.value: v.value for k, v in match.value if isinstance(k, yaml.ScalarNode)}
        for name in ("section", "not"):
            if fields[name] is None and isinstance(old.get(name), str):
                fields[name] = old[name]
    if isinstance(value, yaml.SequenceNode) and value.value and not value.flow_style:
        anchor = match or items[-1]
        first = anchor.start_mark.line
        prefix = lines[first][: anchor.start_mark.column]
        if "-" not in prefix or not isinstance(anchor, yaml.MappingNode):
            raise LoadError(shown, first + 1, "cannot add a row after this one: write each row as "
                                              "'- file: …' on its own lines")
        last = _last_line(anchor)
        new = _row_text(fields, prefix)
        if match is not None:
            lines[first:last + 1] = new
        else:
            lines[last + 1:last + 1] = new
    elif key is not None:
        if isinstance(value, yaml.SequenceNode) and value.value:  # a non-empty flow list: written out as a block
            rows = [r for r in parse_yaml(text, shown)["corrections"]
                    if not (isinstance(r, dict) and _same_data_row(r, folder, document, start, end))]
            if not all(isinstance(r, dict) for r in rows):
                raise LoadError(shown, key.start_mark.line + 1, "every correction must be a mapping")
            body = [line for r in rows for line in _row_text({k: r.get(k) for k in _KEYS}, "  - ")]
        else:
            body = []
        first, last = key.start_mark.line, max(key.end_mark.line, value.end_mark.line if value else 0)
        if value is not None and value.end_mark.column == 0 and last > first:
            last -= 1
        lines[first:last + 1] = ["corrections:", *body, *_row_text(fields, "  - ")]
    else:
        if root is not None and not isinstance(root, yaml.MappingNode):
            raise LoadError(shown, 1, "a corrections file is a mapping with one key, 'corrections'")
        if not lines:
            lines = HEADER.rstrip("\n").split("\n")
        while lines and lines[-1] == "":
            lines.pop()
        lines += ["corrections:", *_row_text(fields, "  - ")]
    out = "\n".join(lines).rstrip("\n") + "\n"
    return _replace(sidecar, out.replace("\n", newline), shown, folder, document, start, end)


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
                        f"invalid YAML: {getattr(exc, 'problem', None) or exc}; fix it before adding a correction") from None


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
    return {k.value: v.value for k, v in item.value if isinstance(k, yaml.ScalarNode) and isinstance(v, yaml.ScalarNode)}


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


# -- for the app: correcting a section of a loaded card -------------------------------------------

#: Section statuses a person may correct: the heading was lost (inferred, unplaced) or corrected before.
CORRECTABLE = ("inferred", "corrected", "unplaced")


def correctable(sections: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The sections of a Pattern node (as stored) whose place was inferred, corrected or not found."""
    return [s for s in sections or [] if s.get("heading_status") in CORRECTABLE and s.get("items")]


def section_choices(pattern: str) -> dict[str, str]:
    """Every section of the card template, key -> heading as a card of `pattern` would show it, in order."""
    return {spec.key: spec.heading.replace("{pattern}", pattern) for spec in load_vocabulary().sections}


def section_lines(section: dict[str, Any]) -> tuple[int, int]:
    """The first and last line of a stored section's text."""
    numbers = [int(item["line"]) for item in section.get("items") or [] if item.get("line")]
    if not numbers:
        raise ValueError("the section has no lines")
    return min(numbers), max(numbers)


def document_path(shown: str) -> Path:
    """The file behind a display path (repository-relative, working-folder-relative or absolute)."""
    path = Path(shown)
    if path.is_absolute():
        return path
    in_repo = REPO_ROOT / path
    return in_repo if in_repo.exists() else Path.cwd() / path


def correct_section(section: dict[str, Any], key: str, roots: Sequence[Path],
                    reload: Callable[[], T] | None = None) -> tuple[Path, Correction, T | None]:
    """Record that a stored section's lines belong to the section `key`: a row in the corrections file
    for its document (see `sidecar_for`; `roots` are the loaded corpus folders). A section corrected
    before keeps its row's lines, so the row is replaced, not doubled.

    `reload` (rebuilding the graph with the new row) runs after the write; if it raises, the corrections
    file is put back as it was and the error goes on, so a correction the loader refuses never stays.
    Returns the corrections file, the row and what `reload` returned."""
    start, end = section_lines(section)
    document = document_path(str(section.get("file") or ""))
    sidecar = sidecar_for(document, roots)
    if section.get("heading_status") == "corrected" and sidecar.is_file():
        for doc, row in _read(sidecar):
            if doc == document.resolve() and row.section and row.start <= start and end <= row.end:
                start, end = row.start, row.end
                break
    before = sidecar.read_bytes() if sidecar.is_file() else None
    row = write_correction(sidecar, document, start, end, section=key)
    try:
        return sidecar, row, reload() if reload is not None else None
    except BaseException:
        _restore(sidecar, before)
        raise


def _restore(sidecar: Path, before: bytes | None) -> None:
    """Put a corrections file back as it was (atomically), or remove it if it did not exist."""
    if before is None:
        sidecar.unlink(missing_ok=True)
        return
    write_atomic(sidecar, before)
