"""Pattern-card reader: a card of the published collection -> its pattern, sections and facts.

The reader returns data only (`ParsedCard`, `loaders.cardmodel`); `loaders.build` turns it into graph nodes
and edges. Line-level reading is in `loaders.cardtext`, the facts of each section in `loaders.cardfacts`.

Cards lose headings when they are extracted from other formats. A lost heading leaves a wider gap of
blank lines than a present one; how wide is measured per document (`lost_heading_gap`), since some
extractions put one blank line before a heading and two where one was lost, others two and three or
four. Each block whose heading was lost is placed in the template (`data/vocabulary/sections.yaml`)
by its content and its order between the headings around it (`loaders.placement`), with a confidence
and a reason in plain words. A block placed by position alone keeps its lines as text: facts are read only
where the content supports them. Corrections from a sidecar file (`loaders.corrections`) override
the placement of the lines they name.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Sequence

from graph.schema import pattern_slug, slug

from . import placement
from .cardfacts import FactReader
from .cardmodel import Fact, Item, ParsedCard, Section
from .cardtext import (
    NUMBER,
    WithOne,
    card_title,
    clean_line,
    commonest_gaps,
    find_mentions,
    is_origin,
    is_short_list,
    is_subheading,
    is_term,
    list_parts,
    looks_like_heading,
    lost_heading_gap,
    title_name,
)
from .corrections import Correction
from .errors import LoadError, Warning_
from .placement import assign
from .text import Document
from .vocabulary import SectionSpec, Vocabulary

__all__ = ["Fact", "Item", "ParsedCard", "Section", "card_title", "clean_line", "find_mentions", "is_subheading",
           "list_parts", "lost_heading_gap", "parse_card"]


@dataclass
class _Line:
    number: int
    raw: str
    text: str
    marked: bool
    gap: int
    spec: SectionSpec | None


class _CardReader:
    """One card: its lines, blocks and sections (read, inferred, corrected), then its facts."""

    def __init__(self, doc: Document, vocab: Vocabulary, known_patterns: Iterable[str],
                 corrections: Sequence[Correction]) -> None:
        self.doc = doc
        self.vocab = vocab
        self.extra_known = known_patterns
        self.corrections = sorted(corrections, key=lambda c: c.start)
        self.warnings: list[Warning_] = list(doc.warnings)

    def warn(self, line: int, message: str) -> None:
        self.warnings.append(Warning_(self.doc.path, line, message))

    def parse(self) -> ParsedCard:
        title = card_title(self.doc)
        if title is None:
            first = next((n for n, ln in enumerate(self.doc.lines, 1) if ln.strip()), 1)
            raise LoadError(self.doc.path, first, "not a pattern card: the first line must be '<Name> Pattern'")
        title_line, name = title
        if not pattern_slug(name):
            raise LoadError(self.doc.path, title_line, f"the title {name!r} names no pattern (no letters or digits)")
        self.name = name
        self.self_slug = pattern_slug(name)
        self.self_words = {w.lower() for w in re.split(r"[\s-]+", name) if w}
        names = self.extra_known if self.extra_known else self.vocab.known_patterns
        self.known = WithOne(names, self.self_slug)
        self.fact_reader = FactReader(self.vocab, self.known, self.self_slug, self.self_words, self.warn)
        sections = self._blocks(self._lines(title_line))
        self._infer(sections)
        facts = self._drop_corrected([fact for section in sections for fact in self.fact_reader.facts(section)])
        return ParsedCard(
            path=self.doc.path,
            pattern=name,
            title_line=title_line,
            title_text=self.doc.lines[title_line - 1].strip(),
            sections=sections,
            facts=facts,
            warnings=self.warnings,
        )

    # -- pass 1: lines and blocks ---------------------------------------------------------------
    def _lines(self, title_line: int) -> list[_Line]:
        """The non-blank lines after the title, with the blank lines before each and any heading they are."""
        out: list[_Line] = []
        blank_run = 0
        for number in range(title_line + 1, len(self.doc.lines) + 1):
            raw = self.doc.lines[number - 1]
            if not raw.strip():
                blank_run += 1
                continue
            text, marked = clean_line(raw)
            gap, blank_run = blank_run, 0
            if not text:
                continue
            spec = self.vocab.match_heading(text) if (marked or looks_like_heading(text)) else None
            if spec is None and (marked or is_subheading(text) or text.isupper()):
                spec = self.vocab.near_heading(text)
                if spec is not None:
                    self.warn(number, f"heading {text!r} read as '{self._heading(spec)}' (a letter or two differ)")
            if spec is None and NUMBER.match(text) and looks_like_heading(text):  # "3. Core Issues/Origins"
                spec = self.vocab.match_heading(NUMBER.sub("", text))
            if spec is None and ":" in text:  # "Statement: No one sees me." - a heading and its first line
                head, _, rest = text.partition(":")
                inline = self._inline_heading(head, rest)
                if inline is not None:
                    out.append(_Line(number, raw.strip(), head.strip(), marked, gap, inline))
                    out.append(_Line(number, raw.strip(), rest.strip(), False, 0, None))
                    continue
            out.append(_Line(number, raw.strip(), text, marked, gap, spec))
        return out

    def _inline_heading(self, head: str, rest: str) -> SectionSpec | None:
        """The section a line's words before a colon name ('Statement: …'), when they are a heading of the
        template (never 'Self:' or 'Other:', the Representations lines) and text follows."""
        head = NUMBER.sub("", head.strip())
        if not head or not rest.strip() or len(head.split()) > 8 or head.lower() in ("self", "other", "others"):
            return None
        return self.vocab.match_heading(head)

    def _blocks(self, lines: list[_Line]) -> list[Section]:
        threshold = lost_heading_gap([ln.gap for ln in lines if ln.spec is not None], [ln.gap for ln in lines[1:]])
        heading_gap = threshold - 1
        # a Title Case line after a heading's gap is an unknown heading only where items sit closer
        # together than headings, and headings are not marked up (in Markdown, only '#' lines are)
        item_gaps = [ln.gap for ln in lines[1:] if ln.spec is None and ln.gap < threshold]
        item_gap = commonest_gaps(item_gaps)[0] if item_gaps else 0
        bare_headings = item_gap < heading_gap and not any(ln.marked for ln in lines)
        corrected = self._corrected_ranges()
        sections: list[Section] = []
        current: Section | None = None
        resume: Section | None = None  # the section a corrected range interrupted
        for index, line in enumerate(lines):
            fix = corrected.get(line.number)
            if fix is not None:
                if current is None or current.status != "corrected" or current.reason != fix[1]:
                    if current is not None and current.status != "corrected":
                        resume = current
                    current = Section(fix[0].key, self._heading(fix[0]), "corrected", [], spec=fix[0], reason=fix[1],
                                      confidence=1.0)
                    sections.append(current)
                current.items.append(self._item(line))
                continue
            if current is not None and current.status == "corrected":
                current = resume if (line.gap < threshold and line.spec is None and not line.marked) else None
                resume = None
            if line.spec is not None:
                current = Section(line.spec.key, self._heading(line.spec), "read", [], heading_text=line.raw,
                                  heading_line=line.number, spec=line.spec)
                sections.append(current)
                continue
            item = self._item(line)
            if line.marked:
                if self._names_variant(line.text, current):
                    item.subheading = True
                    if current is not None and self._takes_subheadings(current) and line.gap < threshold:
                        current.items.append(item)
                    else:
                        current = Section("pending", "", "pending", [item])
                        sections.append(current)
                    continue
                self.warn(line.number, f"unknown heading {line.text!r}; its lines are kept as a section of that name")
                current = Section(f"other:{line.text.lower()}", line.text, "unknown", [], heading_text=line.raw,
                                  heading_line=line.number)
                sections.append(current)
                continue
            if current is None or line.gap >= threshold:
                current = Section("pending", "", "pending", [item])
                sections.append(current)
                continue
            nxt = lines[index + 1].gap if index + 1 < len(lines) else 0
            if (bare_headings and line.gap == heading_gap and item.subheading and nxt < heading_gap
                    and not self._takes_subheadings(current) and current.status != "pending"):
                self.warn(line.number, f"unknown heading {line.text!r}; its lines are kept as a section of that name")
                current = Section(f"other:{line.text.lower()}", line.text, "unknown", [], heading_text=line.raw,
                                  heading_line=line.number)
                sections.append(current)
                continue
            current.items.append(item)
        return sections

    @staticmethod
    def _item(line: _Line) -> Item:
        return Item(text=line.text, raw=line.raw, line=line.number, subheading=is_subheading(line.text))

    def _corrected_ranges(self) -> dict[int, tuple[SectionSpec, str]]:
        """Line number -> (section, reason) for every line a correction places."""
        out: dict[int, tuple[SectionSpec, str]] = {}
        for fix in self.corrections:
            if not fix.section:
                continue
            spec = self.vocab.get(fix.section)
            if spec is None:
                raise LoadError(fix.source, fix.source_line, f"unknown section {fix.section!r}")
            reason = f"corrected in {fix.source}:{fix.source_line}"
            for number in range(fix.start, fix.end + 1):
                out[number] = (spec, reason)
        return out

    def _names_variant(self, text: str, current: Section | None) -> bool:
        """A Markdown sub-heading that is a variant's name: it names the card's own pattern ('Socially
        Insecure'), or it follows other variant names."""
        if self.vocab.match_heading(text) is not None or len(text.split()) > 6:
            return False
        words = {w.lower() for w in re.split(r"[\s-]+", text) if w}
        if self.self_words & words and not title_name(text):
            return True
        if current is None or not is_subheading(text):
            return False
        if self._takes_subheadings(current):
            return True
        # right after the parts that precede the variants (activating conditions, distinctions)
        subtypes = self.vocab.get("subtypes")
        conditions = self.vocab.get("activating_conditions")
        return (current.spec is not None and subtypes is not None and conditions is not None
                and conditions.order <= current.spec.order < subtypes.order)

    def _heading(self, spec: SectionSpec) -> str:
        return spec.heading.replace("{pattern}", self.name)

    @staticmethod
    def _takes_subheadings(section: Section) -> bool:
        if section.status == "pending":
            return bool(section.items) and section.items[0].subheading
        return section.spec is not None and section.spec.parse == "subheadings"

    # -- pass 2: place unheaded blocks in the template ------------------------------------------
    def _infer(self, sections: list[Section]) -> None:
        """Place each run of unheaded blocks between two read headings: in order into the template slots
        between them, by content and position, or, for a block whose content is unmistakable (`strong`
        sections), anywhere. The best total score wins (`_assign`)."""
        self._split_strong_tails(sections)
        specs = self.vocab.sections
        used: set[str] = set()  # keys placed so far; a heading read later does not block a slot
        index = 0
        cursor, previous = -1, "the title"
        while index < len(sections):
            section = sections[index]
            if section.status in ("read", "corrected") and section.spec is not None:
                used.add(section.key)
                if section.status == "read":
                    cursor = section.spec.order
                else:  # a correction moves the template position only when it is in order with the headings
                    nxt = next((s for s in sections[index + 1:] if s.status == "read" and s.spec is not None), None)
                    bound = nxt.spec.order if nxt is not None and nxt.spec is not None else len(specs)
                    if cursor < section.spec.order < bound:
                        cursor = section.spec.order
                previous = f"'{section.as_written()}'"
                index += 1
                continue
            if section.status != "pending":
                index += 1
                continue
            end = next((i for i in range(index, len(sections)) if sections[i].status in ("read", "corrected")),
                       len(sections))
            run = [i for i in range(index, end) if sections[i].status == "pending"]
            nxt = sections[end] if end < len(sections) else None
            upper = (nxt.spec.order if nxt is not None and nxt.spec is not None and nxt.spec.order > cursor
                     else len(specs))
            window = [s for s in specs if cursor < s.order < upper and s.key not in used and s.infer != "never"]
            strong = [s for s in specs if s.strong and s.key not in used and s not in window]
            following = f"'{nxt.as_written()}'" if nxt is not None else "the end"
            assignment = assign([sections[i] for i in run], window, strong, self.content)
            for i, choice in zip(run, assignment, strict=False):
                block = sections[i]
                if self._place(block, choice, previous, following):
                    used.add(block.key)
                    previous = f"'{block.heading}'"
            index = end

    def _place(self, block: Section, choice: placement.Placement | None, previous: str, following: str) -> bool:
        """Give `block` the section `assign` chose for it (with confidence and reason), or mark it unplaced
        with a warning (False). `previous` and `following` name the headings around it."""
        if choice is None:
            block.key, block.heading, block.status = "unplaced", "Unplaced text", "unplaced"
            block.reason = f"fits no section of the template between {previous} and {following}"
            self.warn(block.start_line, "text after a lost heading matches no template section "
                      f"between {previous} and {following}; kept as unplaced text")
            return False
        spec, share, hits, in_order = choice
        block.key, block.heading, block.status, block.spec = spec.key, self._heading(spec), "inferred", spec
        n = len(block.items)
        where = f"after {previous}, before {following}"
        if hits == 0:
            block.by_position = True
            block.confidence = round(placement.POSITION_SCORE + placement.IN_WINDOW_BONUS, 2)
            block.reason = (f"placed by position alone ({where}); no line says what it is, so its lines "
                            "are kept as text")
            if spec.states_facts:
                self.warn(block.start_line, f"lines {block.start_line}-{block.end_line} were placed in "
                          f"'{block.heading}' by position alone; no facts were read from them (correct "
                          "the section in the corrections file if it is wrong)")
        else:
            block.confidence = round(min(1.0, share * (1.0 if in_order else 0.8)), 2)
            order = where if in_order else f"out of the template's order, {where}"
            block.reason = f"{hits} of {n} lines look like {spec.looks_like}; {order}"
        return True

    def _split_strong_tails(self, sections: list[Section]) -> None:
        """Split off the last lines of a block when they unmistakably belong to another section and the
        gap that would have told them apart was lost too (gender lines right after 'Sees Others As',
        distinctions after the activating conditions). The split-off lines become a block to place."""
        read = {s.key for s in sections if s.status in ("read", "corrected")}
        strong = [s for s in self.vocab.sections if s.strong and "@subheading" not in s.special and s.key not in read]
        out: list[Section] = []
        for section in sections:
            out.append(section)
            if section.status not in ("read", "pending") or len(section.items) < 2 or self._takes_subheadings(section):
                continue
            for spec in strong:
                if spec.key == section.key or spec.parse == "origins":  # origins sit with core issues
                    continue
                match = [self.content(Section("", "", "pending", [item]), spec) > 0 for item in section.items]
                m = len(match)
                while m > 0 and match[m - 1]:
                    m -= 1
                if m == 0 or m == len(match):
                    continue
                own = section.spec
                tail = section.items[m:]
                if own is not None and any(c.search(i.text) for i in tail for c in own.cues):
                    continue
                section.items = section.items[:m]
                out.append(Section("pending", "", "pending", tail))
                break
        sections[:] = out

    def content(self, block: Section, spec: SectionSpec) -> int:
        """How many of the block's lines look like the section (its cues and special tests)."""
        if "@subheading" in spec.special:
            first = block.items[0] if block.items else None
            if first is not None and first.subheading and (
                    len(block.items) == 1 or not all(i.subheading for i in block.items)):
                return len(block.items)
            return 0
        hits = 0
        core_lines = 0
        for item in block.items:
            text = item.text
            if any(c.search(text) for c in spec.cues) or any(self._special(s, text) for s in spec.special):
                hits += 1
                if spec.parse == "core" and not is_origin(text):
                    core_lines += 1
        if spec.parse == "core" and core_lines == 0:  # origins alone are an origins block
            return 0
        return hits

    def _special(self, cue: str, text: str) -> bool:
        if cue == "@capacities":  # a list of two or more, or a capacity the catalogue names
            return is_short_list(text) and ("," in text or slug(text) in self.vocab.known_capacities)
        if cue == "@term":
            return is_term(text)
        if cue == "@distinction":
            return bool(self.fact_reader.distinction_targets(text, strict=True))
        if cue == "@named-pattern":
            return self.fact_reader.names_known_pattern(text)
        return False

    def _drop_corrected(self, facts: list[Fact]) -> list[Fact]:
        """Facts without those a correction says a line does not state."""
        drops = [(c.start, c.end, c.not_edge) for c in self.corrections if c.not_edge]
        if not drops:
            return facts
        return [f for f in facts if not any(a <= f.line <= b and f.edge == edge for a, b, edge in drops)]


def parse_card(doc: Document, vocab: Vocabulary, known_patterns: Iterable[str] = frozenset(),
               corrections: Sequence[Correction] = ()) -> ParsedCard:
    """Read a decoded pattern card. Raises LoadError when the document is not a card.

    Pattern names are recognised from `known_patterns` (the catalogues' names: `loaders.corpus` passes the
    shipped catalogue's and those of catalogues loaded with the card; default the shipped catalogue's)
    and the card's own title, never from other cards, so a card yields the same facts whichever cards
    are loaded with it. `corrections` are those of this document."""
    return _CardReader(doc, vocab, known_patterns, corrections).parse()
