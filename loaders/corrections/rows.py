"""Reading corrections files: their rows, checked, and the files that apply to loaded documents."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from graph.schema import EDGE_TYPES

from ..errors import LoadError
from ..text import REPO_ROOT, display_path, read_document
from ..vocabulary import load_vocabulary
from ..yamlio import LINE_KEY, MAX_YAML_BYTES, YamlMap, check_keys, load_yaml, rows_under

CORRECTIONS = "corrections.yaml"
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
        if not isinstance(row, YamlMap):  # what the safe reader gives for every mapping
            line = item_lines[index] if index < len(item_lines) else top
            raise LoadError(shown, line, "a correction is a mapping with file, lines, and section or not")
        found.append(_row(row, shown, lines, folder, sections, counts))
    _check_overlaps(found)
    return found


def _row(row: YamlMap, shown: str, lines: list[str], folder: Path, sections: set[str],
         counts: dict[Path, int]) -> tuple[Path, Correction]:
    line = row[LINE_KEY]

    def fail(key: Any, message: str) -> LoadError:  # at the line of `key` (a key of the row), else the row's
        return LoadError(shown, row.key_lines.get(key, line) if key is not None else line, message)

    check_keys(row, shown, line, _KEYS,
               lambda key: f"unknown key {key!r}; a correction has file, lines, and section or not")
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


def _lines(value: Any, fail: Callable[[Any, str], LoadError]) -> tuple[int, int]:
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

def find_sidecars(files: Iterable[Path], *, real: bool = False) -> list[Path]:
    """Every corrections file in the folders of `files` or above them (as for corpus.yaml manifests:
    up to the repository's root, or the file system's for documents outside it). `real`: the files are
    resolved paths already."""
    found: list[Path] = []
    seen: set[Path] = set()
    parents_done: set[Path] = set()
    for file in files:
        parent = file.parent if real else file.resolve().parent
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


def corrections_for(files: Iterable[Path], *, real: bool = False) -> dict[Path, list[Correction]]:
    """The corrections of each document, by resolved path, from every corrections file at or above
    `files` (`real`: resolved already). A document corrected in two corrections files is an error (one
    place for its rows)."""
    by_doc: dict[Path, list[Correction]] = {}
    for sidecar in find_sidecars(list(files), real=real):
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
