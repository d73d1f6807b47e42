"""What the card reader returns: sections of lines, and the facts a card states (data only)."""
from __future__ import annotations

from dataclasses import dataclass, field

from .cardtext import clean_line
from .errors import Warning_
from .vocabulary import SectionSpec


@dataclass
class Item:
    """One line of a section: the cleaned text, the line as written, its 1-based line number."""

    text: str
    raw: str
    line: int
    subheading: bool = False


@dataclass
class Section:
    """A card section. status: read (heading present), inferred (heading lost), corrected (placed by a
    correction), unknown (a heading not in the template), unplaced (fits nowhere)."""

    key: str
    heading: str
    status: str
    items: list[Item]
    heading_text: str | None = None
    heading_line: int | None = None
    reason: str | None = None
    spec: SectionSpec | None = None
    confidence: float | None = None
    by_position: bool = False

    @property
    def start_line(self) -> int:
        return self.heading_line or (self.items[0].line if self.items else 0)

    @property
    def end_line(self) -> int:
        return self.items[-1].line if self.items else self.start_line

    def as_written(self) -> str:
        """The heading as the card writes it (for reasons), else its template heading."""
        if self.heading_text:
            text, _ = clean_line(self.heading_text)
            return text.rstrip(":").strip() or self.heading
        return self.heading

    def to_dict(self, file: str) -> dict:
        return {
            "key": self.key,
            "heading": self.heading,
            "heading_status": self.status,
            "heading_text": self.heading_text,
            "heading_line": self.heading_line,
            "reason": self.reason,
            "confidence": self.confidence,
            "file": file,
            "items": [{"text": i.text, "line": i.line, "raw": i.raw, "subheading": i.subheading} for i in self.items],
        }


@dataclass
class Fact:
    """A relation the card states: pattern -[edge]-> (kind, name), or the reverse for direction 'in'."""

    edge: str
    kind: str
    name: str
    line: int
    text: str
    section: str
    direction: str = "out"
    end_line: int | None = None
    description: str | None = None
    node_attrs: dict = field(default_factory=dict)


@dataclass
class ParsedCard:
    path: str
    pattern: str
    title_line: int
    title_text: str
    sections: list[Section]
    facts: list[Fact]
    warnings: list[Warning_]
