"""Reading a document into numbered lines: encodings, BOMs, line endings and size limits."""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .errors import LoadError, Warning_

#: Largest document the loaders read; larger ones get a clear error instead of a memory blow-up.
MAX_BYTES = int(os.environ.get("PATTERN_ATLAS_MAX_BYTES", 5 * 1024 * 1024))

REPO_ROOT = Path(__file__).resolve().parents[1]


def display_path(path: Path, *, real: bool = False) -> str:
    """The path as provenance shows it: relative to the repository when inside it. `real`: the path is
    already resolved (a big corpus resolves each file once, not once per use)."""
    resolved = path if real else path.resolve()
    for base in (REPO_ROOT, _resolved(os.getcwd())):
        try:
            return resolved.relative_to(base).as_posix()
        except ValueError:
            continue
    return resolved.as_posix()


@lru_cache(maxsize=8)
def _resolved(folder: str) -> Path:
    """A folder's resolved path, once per folder (a big corpus asks for the working folder per file)."""
    return Path(folder).resolve()


@dataclass
class Document:
    """A decoded document: its display path and its lines (index 0 is line 1), no line endings."""

    path: str
    lines: list[str]
    encoding: str = "utf-8"
    warnings: list[Warning_] = field(default_factory=list)


def decode(raw: bytes, path: str) -> Document:
    """Decode bytes as UTF-8 (BOM allowed), falling back to Windows-1252 with a warning."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with its BOM, as some word processors save
        try:
            raw = raw.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            raise LoadError(path, 1, "the file starts like UTF-16 text but does not decode as UTF-16") from None
    if not raw.strip():
        raise LoadError(path, 1, "the file is empty")
    if b"\x00" in raw[:8192]:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise LoadError(path, line, "the file is binary (NUL byte), not a text document")
    warnings: list[Warning_] = []
    encoding = "utf-8"
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
        encoding = "utf-8-sig"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError as exc2:
            raise LoadError(path, line, f"not UTF-8 or Windows-1252 text ({exc2.reason})") from None
        encoding = "cp1252"
        warnings.append(Warning_(path, line, "not UTF-8; decoded as Windows-1252"))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return Document(path=path, lines=text.split("\n"), encoding=encoding, warnings=warnings)


def read_document(path: Path, *, real: bool = False) -> Document:
    """Read and decode a regular file, refusing files over MAX_BYTES before reading them.

    The file is opened without waiting (a FIFO would block) and checked through the open descriptor, so a
    file swapped for a FIFO or device after it was found is refused too; at most MAX_BYTES + 1 bytes are
    read, so a file that grows while read, or says it is empty and is not (/proc), cannot exceed the limit.
    `real`: `path` is already resolved.
    """
    shown = display_path(path, real=real)
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # never opened: opening some devices does things
            raise LoadError(shown, 1, "not a regular file (a FIFO, device or socket): only regular files are read")
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise LoadError(shown, 1, f"cannot read the file ({exc.strerror or exc})") from None
    with os.fdopen(fd, "rb") as fh:
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise LoadError(shown, 1, "not a regular file (a FIFO, device or socket): only regular files are read")
            if info.st_size > MAX_BYTES:
                raise LoadError(shown, 1, f"the file is {info.st_size:,} bytes; the limit is {MAX_BYTES:,} bytes")
            raw = fh.read(MAX_BYTES + 1)
        except OSError as exc:
            raise LoadError(shown, 1, f"cannot read the file ({exc.strerror or exc})") from None
    if len(raw) > MAX_BYTES:
        raise LoadError(shown, 1, f"the file is over {MAX_BYTES:,} bytes, the limit")
    return decode(raw, shown)
