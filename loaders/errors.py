"""Errors and warnings of the loaders, each naming a file and a 1-based line."""
from __future__ import annotations

from dataclasses import dataclass

from graph.errors import AtlasError


class LoadError(AtlasError):
    """Input the loaders cannot use. `str()` is the one-line message the CLI prints."""

    def __init__(self, file: str, line: int, message: str) -> None:
        super().__init__(f"{file}:{line}: {message}")
        self.file = file
        self.line = line
        self.message = message


@dataclass(frozen=True)
class Warning_:
    """Something the loader noticed and kept going past (never a silent drop)."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"

    def to_dict(self) -> dict:
        return {"file": self.file, "line": self.line, "message": self.message}
