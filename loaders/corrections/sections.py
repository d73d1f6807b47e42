"""Correcting a section of a loaded card, for the app: which sections may be corrected, the template's
sections to choose from, and the write that is undone if the reload refuses it."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterable, Sequence, TypeVar

from graph.atomic import write_atomic

from ..text import REPO_ROOT
from ..vocabulary import load_vocabulary
from .rows import Correction, _read, sidecar_for
from .writing import write_correction

T = TypeVar("T")


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
