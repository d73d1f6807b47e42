"""Pattern-card parser: a card in the seed's format -> its pattern, sections and facts.

The parser returns data only (`ParsedCard`); `loaders.build` turns it into graph nodes and edges.
Cards lose headings when extracted from other formats: a run of three or more blank lines followed by
text that is not a heading marks a section whose heading is missing. Such a block is placed in the
template's order (from `data/vocabulary/sections.yaml`) by content cues, or by position between the
sections around it, and recorded as inferred with the reason.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from graph.schema import clean_text, pattern_slug

from .errors import LoadError, Warning_
from .text import Document
from .vocabulary import SectionSpec, Vocabulary

_BULLET = re.compile(r"^(?:[-*\u2022\u00b7\u25aa\u2023\u2043])\s+")
_MD_HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*$")
_BOLD = re.compile(r"^(\*\*|__)(.+?)\1\s*:?$")
_TITLE = re.compile(r"^(?P<name>.+?)\s+pattern\s*:?$", re.IGNORECASE)
_MINOR_WORDS = {"a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "of", "on", "or",
                "the", "to", "with", "about", "vs", "versus"}
_NAMED = re.compile(r"^(?P<name>[A-Za-z][\w' -]{0,40}?)\s*:\s*(?P<desc>\S.*)$")
_MENTION = re.compile(
    r"(?P<list>[A-Za-z][\w-]*(?:(?:\s*,\s*(?:(?:or|and)\s+)?|\s+(?:or|and)\s+)[A-Za-z][\w-]*)*)\s+patterns?\b",
    re.IGNORECASE,
)
_LIST_SEP = re.compile(r"\s*,\s*(?:(?:or|and)\s+)?|\s+(?:or|and)\s+", re.IGNORECASE)


@dataclass
class Item:
    """One line of a section: the cleaned text, the line as written, its 1-based line number."""

    text: str
    raw: str
    line: int
    subheading: bool = False


@dataclass
class Section:
    """A card section. status: read (heading present), inferred (heading lost), unknown, unplaced."""

    key: str
    heading: str
    status: str
    items: list[Item]
    heading_text: str | None = None
    heading_line: int | None = None
    reason: str | None = None
    spec: SectionSpec | None = None

    @property
    def start_line(self) -> int:
        return self.heading_line or (self.items[0].line if self.items else 0)

    @property
    def end_line(self) -> int:
        return self.items[-1].line if self.items else self.start_line

    def to_dict(self, file: str) -> dict:
        return {
            "key": self.key,
            "heading": self.heading,
            "heading_status": self.status,
            "heading_text": self.heading_text,
            "heading_line": self.heading_line,
            "reason": self.reason,
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


def clean_line(raw: str) -> tuple[str, bool]:
    """The line's text without bullets or Markdown, and whether it was marked up as a heading."""
    text = clean_text(raw)
    match = _MD_HEADING.match(text)
    if match:
        return match.group(1).strip().strip("*_").strip(), True
    match = _BOLD.match(text)
    if match:
        return match.group(2).strip(), True
    return _BULLET.sub("", text), False


def card_title(doc: Document) -> tuple[int, str] | None:
    """(line, pattern name) when the first non-blank line is '<Name> Pattern', else None."""
    for number, raw in enumerate(doc.lines, 1):
        if raw.strip():
            text, _ = clean_line(raw)
            match = _TITLE.match(text)
            return (number, match.group("name").strip()) if match else None
    return None


def is_subheading(text: str) -> bool:
    """A short Title Case line with no final punctuation (a subtype name such as 'Fear of Success')."""
    words = text.split()
    if not 1 <= len(words) <= 6 or text[-1] in ".!?;:," or "," in text or ":" in text:
        return False
    if not text[0].isupper():
        return False
    return all(w[:1].isupper() or w.lower() in _MINOR_WORDS or not w[:1].isalpha() for w in words)


def _looks_like_heading(text: str) -> bool:
    return len(text.split()) <= 10 and text[-1:] not in ".!?,;"


def find_mentions(text: str, vocab: Vocabulary, known: set[str]) -> tuple[list[tuple[str, int]], list[str]]:
    """Pattern names written before 'pattern' in free text: ([(slug, offset)], [unknown words])."""
    found: list[tuple[str, int]] = []
    unknown: list[str] = []
    if "pattern" not in text.lower():  # _MENTION needs the word; most lines do not have it
        return found, unknown
    for match in _MENTION.finditer(text):
        for part in _LIST_SEP.split(match.group("list")):
            word = part.strip().lower()
            if not word or word in vocab.not_names:
                continue
            slug = pattern_slug(word)
            if slug in known or slug in vocab.known_patterns:
                found.append((slug, match.start()))
            else:
                unknown.append(part.strip())
    return found, unknown


class _CardParser:
    def __init__(self, doc: Document, vocab: Vocabulary, known_patterns: set[str]) -> None:
        self.doc = doc
        self.vocab = vocab
        self.known = known_patterns
        self.warnings: list[Warning_] = list(doc.warnings)

    def warn(self, line: int, message: str) -> None:
        self.warnings.append(Warning_(self.doc.path, line, message))

    def parse(self) -> ParsedCard:
        title = card_title(self.doc)
        if title is None:
            first = next((n for n, l in enumerate(self.doc.lines, 1) if l.strip()), 1)
            raise LoadError(self.doc.path, first, "not a pattern card: the first line must be '<Name> Pattern'")
        title_line, name = title
        if not pattern_slug(name):
            raise LoadError(self.doc.path, title_line, f"the title {name!r} names no pattern (no letters or digits)")
        self.name = name
        self.self_slug = pattern_slug(name)
        self.known = _WithOne(self.known, self.self_slug)  # not a copy: copying is O(cards) per card
        sections = self._blocks(title_line)
        self._infer(sections)
        facts: list[Fact] = []
        for section in sections:
            facts.extend(self._facts(section))
        return ParsedCard(
            path=self.doc.path,
            pattern=name,
            title_line=title_line,
            title_text=self.doc.lines[title_line - 1].strip(),
            sections=sections,
            facts=facts,
            warnings=self.warnings,
        )

    # -- pass 1: split into blocks --------------------------------------------------------------
    def _blocks(self, title_line: int) -> list[Section]:
        lines = self.doc.lines
        sections: list[Section] = []
        current: Section | None = None
        blank_run = 0
        for number in range(title_line + 1, len(lines) + 1):
            raw = lines[number - 1]
            if not raw.strip():
                blank_run += 1
                continue
            text, marked = clean_line(raw)
            gap, blank_run = blank_run, 0
            if not text:
                continue
            spec = self.vocab.match_heading(text) if (marked or _looks_like_heading(text)) else None
            if spec is not None:
                current = Section(spec.key, self._heading(spec), "read", [], heading_text=raw.strip(),
                                  heading_line=number, spec=spec)
                sections.append(current)
                continue
            item = Item(text=text, raw=raw.strip(), line=number, subheading=is_subheading(text))
            if marked:
                self.warn(number, f"unknown heading {text!r}; its lines are kept as a section of that name")
                current = Section(f"other:{text.lower()}", text, "unknown", [], heading_text=raw.strip(), heading_line=number)
                sections.append(current)
                continue
            if current is None or gap >= 3:
                current = Section("pending", "", "pending", [item])
                sections.append(current)
                continue
            if gap == 2 and item.subheading and not self._takes_subheadings(current) and self._next_gap(number) == 1:
                self.warn(number, f"unknown heading {text!r}; its lines are kept as a section of that name")
                current = Section(f"other:{text.lower()}", text, "unknown", [], heading_text=raw.strip(), heading_line=number)
                sections.append(current)
                continue
            current.items.append(item)
        return sections

    def _heading(self, spec: SectionSpec) -> str:
        return spec.heading.replace("{pattern}", self.name)

    def _next_gap(self, number: int) -> int:
        gap = 0
        for raw in self.doc.lines[number:]:
            if raw.strip():
                return gap
            gap += 1
        return gap

    @staticmethod
    def _takes_subheadings(section: Section) -> bool:
        if section.status == "pending":
            return bool(section.items) and section.items[0].subheading
        return section.spec is not None and section.spec.parse == "subheadings"

    # -- pass 2: place unheaded blocks in the template ------------------------------------------
    def _infer(self, sections: list[Section]) -> None:
        """Place each run of unheaded blocks between two read headings in the template slots between
        them, in order, choosing the assignment whose content cues match best (a small dynamic
        programme: blocks are few)."""
        specs = self.vocab.sections
        used = {s.key for s in sections if s.status == "read"}
        index = 0
        cursor, previous = -1, "the title"
        while index < len(sections):
            section = sections[index]
            if section.status == "read":
                cursor, previous = section.spec.order, f"'{section.heading}'"
                index += 1
                continue
            if section.status != "pending":
                index += 1
                continue
            run = [i for i in range(index, len(sections)) if sections[i].status in ("pending", "unknown")]
            end = next((i for i in range(index, len(sections)) if sections[i].status == "read"), len(sections))
            run = [i for i in run if i < end and sections[i].status == "pending"]
            nxt = sections[end] if end < len(sections) else None
            upper = nxt.spec.order if nxt is not None and nxt.spec.order > cursor else len(specs)
            window = [s for s in specs if cursor < s.order < upper and s.key not in used and s.infer != "never"]
            following = f"'{nxt.heading}'" if nxt is not None else "the end"
            assignment = _assign([sections[i] for i in run], window)
            for i, choice in zip(run, assignment):
                block = sections[i]
                if choice is None:
                    block.key, block.heading, block.status = "unplaced", "Unplaced text", "unplaced"
                    self.warn(block.start_line, "text after a lost heading matches no template section "
                              f"between {previous} and {following}; kept as unplaced text")
                    continue
                spec, reason = choice
                block.key, block.heading, block.status, block.spec = spec.key, self._heading(spec), "inferred", spec
                block.reason = reason or f"position: after {previous}, before {following}"
                used.add(spec.key)
                previous = f"'{block.heading}'"
            index = end

    # -- pass 3: facts --------------------------------------------------------------------------
    def _facts(self, section: Section) -> list[Fact]:
        spec = section.spec
        if spec is None:
            return self._mention_facts(section)
        if spec.parse == "named":
            return self._named(section)
        if spec.parse == "distinction":
            return self._distinctions(section)
        if spec.parse == "subheadings":
            return self._subtypes(section)
        facts: list[Fact] = []
        if spec.items:
            for item in section.items:
                facts.extend(self._item_facts(section, item))
        else:
            facts.extend(self._mention_facts(section))
        return facts

    def _item_facts(self, section: Section, item: Item) -> list[Fact]:
        for rule in section.spec.items:
            text = item.text
            if rule.when is not None:
                match = rule.when.search(text)
                if not match:
                    continue
                text = text[: match.start()] + text[match.end():]
            parts = _split_commas(text) if rule.split == "comma" else [text]
            for part in parts:
                if not _has_word(part):
                    self.warn(item.line, f"{rule.kind} name {part!r} has no letters or digits; no node made")
            return [Fact(rule.edge, rule.kind, p, item.line, item.raw, section.key) for p in parts if _has_word(p)]
        return []

    def _named(self, section: Section) -> list[Fact]:
        facts = []
        for item in section.items:
            match = _NAMED.match(item.text)
            if not match or len(match.group("name").split()) > 4:
                self.warn(item.line, f"combination line is not 'Pattern: description'; kept as text: {item.text[:60]!r}")
                continue
            facts.append(Fact("COMBINES_WITH", "Pattern", match.group("name"), item.line, item.raw, section.key,
                              description=match.group("desc").strip()))
        return facts

    def _distinctions(self, section: Section) -> list[Fact]:
        facts = []
        for item in section.items:
            found, _ = find_mentions(item.text, self.vocab, self.known)
            others = [s for s, _ in found if s != self.self_slug]
            if not others:
                self.warn(item.line, "distinction names no other pattern; kept as text")
                continue
            facts.append(Fact("DISTINGUISHED_FROM", "Pattern", others[0], item.line, item.raw, section.key,
                              description=item.text))
        return facts

    def _subtypes(self, section: Section) -> list[Fact]:
        facts: list[Fact] = []
        for item in section.items:
            if item.subheading:
                facts.append(Fact("HAS_SUBTYPE", "Subtype", item.text, item.line, item.raw, section.key))
            elif facts:
                fact = facts[-1]
                desc = fact.node_attrs.get("description")
                fact.node_attrs["description"] = f"{desc} {item.text}" if desc else item.text
                fact.end_line = item.line
                fact.text = f"{fact.text}\n{item.raw}"
            else:
                self.warn(item.line, "subtype text before any subtype name; kept as text")
        return facts

    def _mention_facts(self, section: Section) -> list[Fact]:
        facts = []
        for item in section.items:
            found, unknown = find_mentions(item.text, self.vocab, self.known)
            for word in unknown:
                self.warn(item.line, f"'{word} pattern' names no known pattern; no edge made")
            for slug, offset in found:
                if slug == self.self_slug:
                    continue
                before = item.text[:offset]
                rule = next((r for r in self.vocab.mention_rules if r.cue.search(before)), self.vocab.mention_default)
                direction = "in" if rule.direction == "to_pattern" else "out"
                facts.append(Fact(rule.edge, "Pattern", slug, item.line, item.raw, section.key,
                                  direction=direction, description=item.text))
        return facts


_POSITION_SCORE = 0.05
_UNPLACED_SCORE = -1.0


def _score(block: Section, spec: SectionSpec) -> tuple[float, str | None] | None:
    """How well a block fits a section: cue share (0..1], a small score for position, or None."""
    if spec.subheading_cue and block.items and block.items[0].subheading:
        return 1.0, f"cue: line {block.items[0].line} is a Title Case sub-heading"
    if spec.cues and block.items:
        hits = [item for item in block.items if any(c.search(item.text) for c in spec.cues)]
        if hits:
            cue = next(c for c in spec.cues if c.search(hits[0].text))
            return len(hits) / len(block.items), f"cue: /{cue.pattern}/ matches line {hits[0].line}"
    if spec.infer == "position":
        return _POSITION_SCORE, None
    return None


def _assign(blocks: list[Section], window: list[SectionSpec]) -> list[tuple[SectionSpec, str | None] | None]:
    """Order-preserving assignment of blocks to template slots with the best total score."""
    from functools import lru_cache

    @lru_cache(maxsize=None)
    def best(i: int, j: int) -> tuple[float, tuple]:
        if i == len(blocks):
            return 0.0, ()
        skip_score, skip_rest = best(i + 1, j)
        top = (skip_score + _UNPLACED_SCORE, (None, *skip_rest))
        for k in range(j, len(window)):
            fit = _score(blocks[i], window[k])
            if fit is None:
                continue
            rest_score, rest = best(i + 1, k + 1)
            total = fit[0] + rest_score
            if total > top[0] + 1e-9:
                top = (total, ((window[k], fit[1]), *rest))
        return top

    return list(best(0, 0)[1])


def _split_commas(text: str) -> list[str]:
    parts = [re.sub(r"^(?:and|or)\s+", "", p.strip(), flags=re.IGNORECASE) for p in text.split(",")]
    return [p.strip(" .;") for p in parts if p.strip(" .;")]


def _has_word(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def parse_card(doc: Document, vocab: Vocabulary, known_patterns: set[str] = frozenset()) -> ParsedCard:
    """Parse a decoded pattern card. Raises LoadError when the document is not a card."""
    return _CardParser(doc, vocab, known_patterns).parse()


class _WithOne:
    """A set plus one more member, for `in` only (the known patterns plus the card's own)."""

    __slots__ = ("base", "one")

    def __init__(self, base: set[str] | frozenset[str], one: str) -> None:
        self.base, self.one = base, one

    def __contains__(self, item: object) -> bool:
        return item == self.one or item in self.base
