"""Pattern-card reader: a card of the published collection -> its pattern, sections and facts.

The reader returns data only (`ParsedCard`); `loaders.build` turns it into graph nodes and edges.

Cards lose headings when they are extracted from other formats. A lost heading leaves a wider gap of
blank lines than a present one; how wide is measured per document (`lost_heading_gap`), since some
extractions put one blank line before a heading and two where one was lost, others two and three or
four. Each block whose heading was lost is placed in the template (`data/vocabulary/sections.yaml`)
by its content and its order between the headings around it (`_assign`), with a confidence and a
reason in plain words. A block placed by position alone keeps its lines as text: facts are read only
where the content supports them. Corrections from a sidecar file (`loaders.corrections`) override
the placement of the lines they name.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from graph.schema import clean_text, pattern_slug, slug

from .corrections import Correction
from .errors import LoadError, Warning_
from .text import Document
from .vocabulary import SectionSpec, Vocabulary

_BULLET = re.compile(r"^(?:[-*\u2022\u00b7\u25aa\u2023\u2043]\s+)+")
_NUMBER = re.compile(r"^\(?\d{1,2}[.)]\s+")
_MD_HASHES = re.compile(r"^#{1,6}\s")
_PATTERN_WORD = re.compile(r"\bpatterns?\b", re.IGNORECASE)
_NAME_WORD = re.compile(r"[A-Za-z][\w-]*")
_MINOR_WORDS = {"a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "of", "on", "or",
                "the", "to", "with", "about", "vs", "versus", "after", "before", "under", "over", "without",
                "within", "through", "during", "against", "among", "toward", "towards", "but", "nor", "upon",
                "like", "than", "around", "behind", "between", "beyond"}
_NAMED = re.compile(r"^(?P<name>[A-Za-z][\w' -]{0,40}?)\s*:\s*(?P<desc>\S.*)$")
#: At most this many names in a list before "pattern" ("victim, needy or passive-aggressive pattern"): the
#: backward scan that reads a list is bounded, so every line is read in linear time.
_MAX_LIST_NAMES = 12
#: How far before a mention its cue ('combined with', 'underlying') is looked for, in characters.
_CUE_WINDOW = 160
# "the needy client", "the insecure person": a pattern named by its client (known names only)
_PERSON = re.compile(r"(?<![\w-])(?P<name>[A-Za-z][\w-]*+)\s++(?:clients?|persons?|people|individuals?|types?)\b(?!-)",
                     re.IGNORECASE)
_CAPACITY_DISTINCTION = re.compile(
    r"^(?P<cap>[A-Z]\w*+(?:[ -]\w++){0,3}?)\s+is\s+(?:a|the)\s+(?:healthy\s+)?capacity\b", re.IGNORECASE)
_CONTRAST = re.compile(r"\b(?:while|whereas|but|rather than|unlike|instead|however|in contrast|differs?|different|"
                       r"distinguish\w*)\b|;", re.IGNORECASE)
_STARTS_WITH_OTHER = re.compile(r"^(?:the\s+)?[A-Za-z][\w-]*\s+(?:pattern|clients?|persons?|people|individuals?)\b",
                                re.IGNORECASE)
_ORIGIN_LEAD = re.compile(
    r"^(?:(?:it|this|the pattern)\s+)?(?:(?:can|may|could|often|usually|also|sometimes|can also|may also|"
    r"could also)\s+)?(?:(?:derives?|comes?|stems?|originates?|arises?|develops?|results?)\s+(?:from|out of|in)|"
    r"be\s+internali[sz]ed\s+from|internali[sz]ed\s+from|internali[sz]ation\s+of)\s+",
    re.IGNORECASE)
_ORIGIN_LINE = re.compile(
    r"^(?:parents?|parent\(s\)|mother|father|mothers|fathers|child|children|sibling|siblings|brother|sister|family|"
    r"caretakers?|caregivers?|internali[sz]ation|(?:can|may|could)\s+(?:also\s+)?be\s+internali[sz]ed|"
    r"internali[sz]ed|learned helplessness|grew up|growing up|early (?:childhood|life|experiences?))\b",
    re.IGNORECASE)
_MOTIVE = re.compile(r"^(?:afraid|fearful|wants?|wishes|needs? to|trying to|tries to|hopes?|longs?|"
                    r"so as not to|to avoid|in order to)\b", re.IGNORECASE)
_LABELLED = re.compile(r"^(?!(?:self|others?)\s*:)(?P<label>[A-Z][\w'-]*(?: [\w'-]+){0,3})\s*:\s+(?P<text>\S.*)$",
                       re.IGNORECASE)
_FIRST_PERSON = re.compile(r"\b(?:i|me|my|i'm|mine|myself)\b", re.IGNORECASE)

#: A block that fits a section by content scores its share of matching lines; by position alone it
#: scores this little (so any content cue wins), out of the template's order it loses this much.
_POSITION_SCORE = 0.05
_IN_WINDOW_BONUS = 0.3
_WEAK_SHARE = 0.34  # fewer lines than this matching a section's cues is noise, not content
_OUT_OF_ORDER_PENALTY = 0.25
_STRONG_SHARE = 0.5
_CUE_SHARE = 0.6
_UNPLACED_SCORE = -1.0
_CONTINUE_PENALTY = 0.1  # a second block in the section the block before it took


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


@dataclass
class _Line:
    number: int
    raw: str
    text: str
    marked: bool
    gap: int
    spec: SectionSpec | None


def clean_line(raw: str) -> tuple[str, bool]:
    """The line's text without bullets or Markdown, and whether it was marked up as a heading.
    String operations, not regular expressions with nested repeats: linear in the line's length."""
    text = clean_text(raw)
    if text.startswith("#") and _MD_HASHES.match(text):
        return text.lstrip("#").strip().rstrip("#").strip().strip("*_").strip(), True
    for mark in ("**", "__"):
        body = text.rstrip(":").rstrip()
        if len(body) > 4 and body.startswith(mark) and body.endswith(mark) and mark not in body[2:-2]:
            return body[2:-2].strip(), True
    return _BULLET.sub("", text), False


def title_name(text: str) -> str | None:
    """The pattern name of a title line '<Name> Pattern' (a trailing colon allowed), else None."""
    body = text.rstrip(":").rstrip()
    if len(body) <= 8 or body[-7:].lower() != "pattern" or not body[-8].isspace():
        return None
    name = body[:-8].strip()
    return name or None


def card_title(doc: Document) -> tuple[int, str] | None:
    """(line, pattern name) when the first non-blank line is '<Name> Pattern', else None."""
    for number, raw in enumerate(doc.lines, 1):
        if raw.strip():
            text, _ = clean_line(raw)
            name = title_name(text)
            return (number, name) if name else None
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
    return len(text.split()) <= 12 and text[-1:] not in ".!?;"


def lost_heading_gap(gaps_before_headings: Sequence[int], all_gaps: Sequence[int]) -> int:
    """The smallest run of blank lines that marks a lost heading in this document.

    Present headings follow the document's usual heading gap (the most common gap before a line that is
    a heading; the smaller on a tie); a lost heading leaves at least one blank line more. A document
    with no heading left is read from its item gap: headings sit one blank line wider, lost ones two.
    """
    if gaps_before_headings:
        counts: dict[int, int] = {}
        for g in gaps_before_headings:
            counts[g] = counts.get(g, 0) + 1
        heading_gap = max(sorted(counts), key=lambda g: counts[g])
        return max(heading_gap + 1, 2)
    if all_gaps:
        counts = {}
        for g in all_gaps:
            counts[g] = counts.get(g, 0) + 1
        # the two commonest gaps are the items' and the lost headings'; the items' is the smaller
        common = sorted(counts, key=lambda g: (-counts[g], g))[:2]
        return max(min(common) + 2, 2)
    return 3


def _mention_names(text: str) -> list[tuple[str, int]]:
    """(word, offset of the list) for every name of a list written before 'pattern(s)': 'victim or
    passive-aggressive pattern', 'the compliant, needy and defiant patterns'. Each list is read backwards
    from the word 'pattern', at most `_MAX_LIST_NAMES` names: linear in the line's length."""
    if "pattern" not in text.lower():  # most lines do not have the word
        return []
    out: list[tuple[str, int]] = []
    for hit in _PATTERN_WORD.finditer(text):
        names: list[tuple[str, int]] = []
        end = _skip_space_back(text, hit.start())
        if end == hit.start():  # 'pattern' must follow a name and white space
            continue
        while len(names) < _MAX_LIST_NAMES:
            start = end
            while start > 0 and (text[start - 1].isalnum() or text[start - 1] in "_-"):
                start -= 1
            word = _NAME_WORD.fullmatch(text, start, end) if start < end else None
            if word is None:
                break
            names.append((word.group(0), start))
            sep = _list_separator_back(text, start)
            if sep is None:
                break
            end = _skip_space_back(text, sep)
        if names:
            offset = names[-1][1]
            out.extend((w, offset) for w, _ in reversed(names))
    return out


def _skip_space_back(text: str, pos: int) -> int:
    while pos > 0 and text[pos - 1].isspace():
        pos -= 1
    return pos


def _list_separator_back(text: str, start: int) -> int | None:
    """Where the name before a list separator (',', ', and', ', or', ' and ', ' or ') ends, or None."""
    pos = _skip_space_back(text, start)
    for joiner in ("and", "or"):
        n = len(joiner)
        if pos >= n and text[pos - n:pos].lower() == joiner and pos < start and (pos == n or not text[pos - n - 1].isalnum()):
            before = _skip_space_back(text, pos - n)
            if before < pos - n or (before > 0 and text[before - 1] == ","):
                pos = before
                if pos > 0 and text[pos - 1] == ",":
                    pos -= 1
                return pos
    if pos > 0 and text[pos - 1] == ",":
        return pos - 1
    return None


def find_mentions(text: str, vocab: Vocabulary,
                  known: Iterable[str] | _WithOne) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """Pattern names written before 'pattern' in free text: ([(slug, offset)], [(unknown word, offset)])."""
    found: list[tuple[str, int]] = []
    unknown: list[tuple[str, int]] = []
    for word, offset in _mention_names(text):
        low = word.lower()
        if low in vocab.not_names:
            continue
        name_slug = pattern_slug(low)
        if name_slug and (name_slug in known or name_slug in vocab.known_patterns):
            found.append((name_slug, offset))
        else:
            unknown.append((word, offset))
    return found, unknown


def list_parts(text: str, max_words: int = 5, phrases: bool = False) -> list[str]:
    """A comma-separated list of short phrases as its parts ("Inadequacy, shame"); any other line, a
    sentence whose commas are part of it, as one part. `phrases`: the parts are noun phrases ("a lack of
    realistic, dependable adults"), so a part ending in an adjective runs on into the next one."""
    body = text.strip().rstrip(".;")
    if "," not in body:
        return [body.strip()] if body.strip() else []
    parts = [re.sub(r"^(?:and|or)\s+", "", p.strip(), flags=re.IGNORECASE).strip(" .;") for p in body.split(",")]
    parts = [p for p in parts if p]
    if (all(len(p.split()) <= max_words for p in parts) and not re.search(r"[.;!?]\s", body)
            and not any(_CLAUSE.match(p) for p in parts[1:]) and not (phrases and any(_ADJECTIVE_END.search(p) for p in parts[:-1]))):
        return parts
    return [body.strip()]


_CLAUSE = re.compile(r"^(?:which|who|whom|whose|that|where|when|while|because|so|then|but|and then|yet|although|"
                     r"though|as|until|unless|even)\b", re.IGNORECASE)


# "a lack of realistic, dependable adults": a part ending in an adjective continues into the next one
_ADJECTIVE_END = re.compile(r"\w(?:ic|ous|ful|ive|able|ible|less)$", re.IGNORECASE)


def _is_short_list(text: str) -> bool:
    """A short list of names (capacities): at most ten words, no sentence, each part at most four words."""
    if text[-1:] in ".!?" or len(text.split()) > 10 or ":" in text:
        return False
    parts = [p.strip() for p in text.split(",")]
    return all(p and len(p.split()) <= 4 for p in parts) and text[:1].isupper()


_VERB_START = re.compile(r"^(?:i|she|he|they|we|you|it|is|are|was|has|have|can|may|might|will|would|feels|looks|"
                         r"tends|seems|acts|gets|does|makes|takes|keeps|goes|says|wants|needs|tries|finds|sees|"
                         r"expects|becomes|avoids|uses|found|seen|more|less|most|common|usually|often|rarely|"
                         r"sometimes|used|also|over-\w+|overly|difficulty|frustration|harsh|needing|feeling|"
                         r"taking|being overly)\b", re.IGNORECASE)


def _is_term(text: str) -> bool:
    """A noun phrase standing alone (a condition, a concept, a role): at most ten words, no sentence end,
    not starting with a pronoun or a verb."""
    return (len(text.split()) <= 6 and text[-1:] not in ".!?;" and not any(c in text for c in ":,;")
            and not _VERB_START.match(text)
            and not _FIRST_PERSON.search(text) and "pattern" not in text.lower())


class _CardReader:
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
            first = next((n for n, l in enumerate(self.doc.lines, 1) if l.strip()), 1)
            raise LoadError(self.doc.path, first, "not a pattern card: the first line must be '<Name> Pattern'")
        title_line, name = title
        if not pattern_slug(name):
            raise LoadError(self.doc.path, title_line, f"the title {name!r} names no pattern (no letters or digits)")
        self.name = name
        self.self_slug = pattern_slug(name)
        self.self_words = {w.lower() for w in re.split(r"[\s-]+", name) if w}
        names = self.extra_known if self.extra_known else self.vocab.known_patterns
        self.known = _WithOne(names, self.self_slug)
        sections = self._blocks(self._lines(title_line))
        self._infer(sections)
        facts: list[Fact] = []
        for section in sections:
            facts.extend(self._facts(section))
        facts = self._drop_corrected(facts)
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
            spec = self.vocab.match_heading(text) if (marked or _looks_like_heading(text)) else None
            if spec is None and (marked or is_subheading(text) or text.isupper()):
                spec = self.vocab.near_heading(text)
                if spec is not None:
                    self.warn(number, f"heading {text!r} read as '{self._heading(spec)}' (a letter or two differ)")
            out.append(_Line(number, raw.strip(), text, marked, gap, spec))
        return out

    def _blocks(self, lines: list[_Line]) -> list[Section]:
        threshold = lost_heading_gap([l.gap for l in lines if l.spec is not None],
                                     [l.gap for l in lines[1:]])
        heading_gap = threshold - 1
        # a Title Case line after a heading's gap is an unknown heading only where items sit closer
        # together than headings, and headings are not marked up (in Markdown, only '#' lines are)
        item_gaps = [l.gap for l in lines[1:] if l.spec is None and l.gap < threshold]
        item_gap = max(sorted(set(item_gaps)), key=item_gaps.count) if item_gaps else 0
        bare_headings = item_gap < heading_gap and not any(l.marked for l in lines)
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
                    if cursor < section.spec.order < (nxt.spec.order if nxt is not None else len(specs)):
                        cursor = section.spec.order
                previous = f"'{_as_written(section)}'"
                index += 1
                continue
            if section.status != "pending":
                index += 1
                continue
            end = next((i for i in range(index, len(sections)) if sections[i].status in ("read", "corrected")),
                       len(sections))
            run = [i for i in range(index, end) if sections[i].status == "pending"]
            nxt = sections[end] if end < len(sections) else None
            upper = nxt.spec.order if nxt is not None and nxt.spec is not None and nxt.spec.order > cursor else len(specs)
            window = [s for s in specs if cursor < s.order < upper and s.key not in used and s.infer != "never"]
            strong = [s for s in specs if s.strong and s.key not in used and s not in window]
            following = f"'{_as_written(nxt)}'" if nxt is not None else "the end"
            assignment = _assign([sections[i] for i in run], window, strong, self)
            for i, choice in zip(run, assignment):
                block = sections[i]
                if choice is None:
                    block.key, block.heading, block.status = "unplaced", "Unplaced text", "unplaced"
                    block.reason = f"fits no section of the template between {previous} and {following}"
                    self.warn(block.start_line, "text after a lost heading matches no template section "
                              f"between {previous} and {following}; kept as unplaced text")
                    continue
                spec, share, hits, in_order = choice
                block.key, block.heading, block.status, block.spec = spec.key, self._heading(spec), "inferred", spec
                n = len(block.items)
                where = f"after {previous}, before {following}"
                if hits == 0:
                    block.by_position = True
                    block.confidence = round(_POSITION_SCORE + _IN_WINDOW_BONUS, 2)
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
                used.add(spec.key)
                previous = f"'{block.heading}'"
            index = end

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
            if first is not None and first.subheading and (len(block.items) == 1 or not all(i.subheading for i in block.items)):
                return len(block.items)
            return 0
        hits = 0
        core_lines = 0
        for item in block.items:
            text = item.text
            if any(c.search(text) for c in spec.cues) or any(self._special(s, text) for s in spec.special):
                hits += 1
                if spec.parse == "core" and not _is_origin(text):
                    core_lines += 1
        if spec.parse == "core" and core_lines == 0:  # origins alone are an origins block
            return 0
        return hits

    def _special(self, cue: str, text: str) -> bool:
        if cue == "@capacities":  # a list of two or more, or a capacity the catalogue names
            return _is_short_list(text) and ("," in text or slug(text) in self.vocab.known_capacities)
        if cue == "@term":
            return _is_term(text)
        if cue == "@distinction":
            return bool(self._distinction_targets(text, strict=True))
        if cue == "@named-pattern":
            match = _NAMED.match(text)
            return bool(match) and pattern_slug(match.group("name")) in self.known
        return False

    # -- pass 3: facts --------------------------------------------------------------------------
    def _facts(self, section: Section) -> list[Fact]:
        spec = section.spec
        if spec is None or section.by_position:
            return self._mention_facts(section)
        parse = spec.parse
        if parse == "named":
            return self._named(section)
        if parse == "distinction":
            return self._distinctions(section)
        if parse == "subheadings":
            return self._subtypes(section)
        if parse in ("core", "origins"):
            return [f for item in section.items for f in self._core_line(section, item, parse == "origins")]
        if parse in ("list", "line"):
            facts: list[Fact] = []
            for item in section.items:
                text = _NUMBER.sub("", item.text)
                parts = list_parts(text, max_words=6) if parse == "list" else [text.rstrip(".;")]
                for part in parts:
                    if not _has_word(part):
                        self.warn(item.line, f"{spec.kind} name {part!r} has no letters or digits; no node made")
                        continue
                    facts.append(Fact(spec.edge, spec.kind, part, item.line, item.raw, section.key))
            return facts
        return self._mention_facts(section)

    def _core_line(self, section: Section, item: Item, origins_only: bool) -> list[Fact]:
        """A line of a core-issues block: origins ('Derives from ...', 'Parents ...'), a labelled core issue
        ('Betrayal: the parent ...'), or core issues ('Inadequacy, shame')."""
        numbered = bool(_NUMBER.match(item.text))
        text = _NUMBER.sub("", item.text).strip()
        lead = _ORIGIN_LEAD.match(text)
        if lead:
            return [Fact("ORIGINATES_IN", "Origin", p, item.line, item.raw, section.key)
                    for p in list_parts(text[lead.end():], max_words=8, phrases=True) if _has_word(p)]
        if not origins_only and (numbered or _MOTIVE.match(text)):  # a motivation line ("Motivation/Core Issues")
            return []
        if origins_only or _ORIGIN_LINE.match(text):
            name = text.rstrip(".;")
            return [Fact("ORIGINATES_IN", "Origin", name, item.line, item.raw, section.key)] if _has_word(name) else []
        labelled = _LABELLED.match(text)
        if labelled:
            return [Fact("HAS_CORE_ISSUE", "CoreIssue", labelled.group("label"), item.line, item.raw, section.key,
                         node_attrs={"description": labelled.group("text").strip()})]
        facts = []
        for part in list_parts(text):
            if _has_word(part):
                facts.append(Fact("HAS_CORE_ISSUE", "CoreIssue", part, item.line, item.raw, section.key))
            else:
                self.warn(item.line, f"CoreIssue name {part!r} has no letters or digits; no node made")
        return facts

    def _named(self, section: Section) -> list[Fact]:
        facts = []
        for item in section.items:
            match = _NAMED.match(item.text)
            if not match or len(match.group("name").split()) > 4:
                mentions = self._mention_facts(Section(section.key, section.heading, section.status, [item]))
                if not mentions:
                    self.warn(item.line, "combination line is not 'Pattern: description'; kept as text: "
                              f"{item.text[:60]!r}")
                facts.extend(mentions)
                continue
            facts.append(Fact("COMBINES_WITH", "Pattern", match.group("name"), item.line, item.raw, section.key,
                              description=match.group("desc").strip()))
        return facts

    def _distinction_targets(self, text: str, strict: bool = False) -> list[tuple[str, str]]:
        """[(kind, name)] of what a distinction sentence tells this pattern apart from; empty if none.

        'Belonging is a healthy capacity where ...' names a capacity; otherwise the first pattern, or list
        of patterns, named other than this one ('the needy pattern', 'the compliant and passive-aggressive
        patterns', 'the insecure client'). `strict` (for placing a block whose heading was lost) also asks
        that the sentence reads as a distinction: it starts with the other pattern, or contrasts ('while',
        'but', 'rather than', ';' ...), and no cue makes it a mention ('often underlies the X pattern')."""
        cap = _CAPACITY_DISTINCTION.match(text)
        if cap:
            return [("Capacity", cap.group("cap"))]
        targets: list[str] = []
        first_offset = None
        for word, offset in _mention_names(text):
            if first_offset is not None and offset != first_offset:
                break  # only the first list of names: a later mention is part of the explanation
            low = word.lower()
            name_slug = pattern_slug(low)
            if low in self.vocab.not_names or not name_slug or name_slug == self.self_slug or low in self.self_words:
                continue
            if strict and self._mention_rule(text, offset) is not self.vocab.mention_default:
                return []  # "Often underlies the X pattern", "combined with X pattern": not a distinction
            if name_slug in self.known or not strict:
                targets.append(word)
                first_offset = offset
        if not targets:
            for match in _PERSON.finditer(text):
                name_slug = pattern_slug(match.group("name"))
                if name_slug in self.known and name_slug != self.self_slug:
                    targets.append(match.group("name"))
                    break
        if not targets or (strict and not (_STARTS_WITH_OTHER.match(text) or _CONTRAST.search(text))):
            return []
        return [("Pattern", t) for t in targets]

    def _distinctions(self, section: Section) -> list[Fact]:
        facts = []
        for item in section.items:
            found = self._distinction_targets(item.text)
            if not found:
                self.warn(item.line, "distinction names no other pattern or capacity; kept as text")
            for kind, name in found:
                if kind == "Pattern" and pattern_slug(name) not in self.known:
                    self.warn(item.line, f"'{name} pattern' is not in the Pattern System catalogue; kept as an "
                              "unresolved pattern")
                facts.append(Fact("DISTINGUISHED_FROM", kind, name, item.line, item.raw, section.key,
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
            for word, offset in unknown:
                if self._mention_rule(item.text, offset) is self.vocab.mention_default:
                    self.warn(item.line, f"'{word} pattern' names no known pattern; no edge made")
                else:  # "combined with X pattern", "underlying X pattern": a pattern, if an unknown one
                    self.warn(item.line, f"'{word} pattern' is not in the Pattern System catalogue; kept as an "
                              "unresolved pattern")
                    found.append((pattern_slug(word), offset))
            for name_slug, offset in found:
                if name_slug == self.self_slug:
                    continue
                rule = self._mention_rule(item.text, offset)
                direction = "in" if rule.direction == "to_pattern" else "out"
                facts.append(Fact(rule.edge, "Pattern", name_slug, item.line, item.raw, section.key,
                                  direction=direction, description=item.text))
        return facts

    def _mention_rule(self, text: str, offset: int):
        """The first mention rule whose cue occurs in the words before the mention at `offset`, else the
        default. Only a bounded stretch before it is searched, so a line of many mentions stays linear."""
        before = text[max(0, offset - _CUE_WINDOW):offset]
        return next((r for r in self.vocab.mention_rules if r.cue.search(before)), self.vocab.mention_default)

    def _drop_corrected(self, facts: list[Fact]) -> list[Fact]:
        """Facts without those a correction says a line does not state."""
        drops = [(c.start, c.end, c.not_edge) for c in self.corrections if c.not_edge]
        if not drops:
            return facts
        return [f for f in facts if not any(a <= f.line <= b and f.edge == edge for a, b, edge in drops)]


def _assign(blocks: list[Section], window: list[SectionSpec], strong: list[SectionSpec],
            reader: _CardReader) -> list[tuple[SectionSpec, float, int, bool] | None]:
    """Blocks to template sections with the best total score: in order into the window's slots (content
    share plus a bonus for the right place; position alone scores little), out of order into a strong
    section when most of the block's lines say so, or unplaced. Iterative dynamic programme over
    (block, next free slot): O(blocks x slots^2), no recursion."""
    nb, nw = len(blocks), len(window)
    fits: list[list[tuple[float, int] | None]] = []
    for block in blocks:
        row: list[tuple[float, int] | None] = []
        n = max(1, len(block.items))
        for spec in window:
            hits = reader.content(block, spec)
            share = hits / n
            if share < _WEAK_SHARE:
                hits = 0
            if hits == 0:
                row.append((_POSITION_SCORE + _IN_WINDOW_BONUS, 0) if spec.infer == "position" else None)
            elif spec.infer == "cue" and share < _CUE_SHARE:
                row.append(None)
            else:
                row.append((share + _IN_WINDOW_BONUS, hits))
        fits.append(row)
    outside: list[tuple[float, SectionSpec, int] | None] = []
    for block in blocks:
        n = max(1, len(block.items))
        best = None
        for spec in strong:
            hits = reader.content(block, spec)
            if hits / n >= _STRONG_SHARE and (best is None or hits / n > best[0]):
                best = (hits / n, spec, hits)
        outside.append(best)
    # best[i][j]: the best score for blocks i.. with window slots j.. still free
    NEG = float("-inf")
    best = [[0.0] * (nw + 1) for _ in range(nb + 1)]
    choice: list[list[tuple | None]] = [[None] * (nw + 1) for _ in range(nb + 1)]
    for i in range(nb - 1, -1, -1):
        for j in range(nw, -1, -1):
            top, pick = best[i + 1][j] + _UNPLACED_SCORE, ("none", j)
            if outside[i] is not None:
                score = outside[i][0] - _OUT_OF_ORDER_PENALTY + best[i + 1][j]
                if score > top + 1e-9:
                    top, pick = score, ("out", j)
            for k in range(max(0, j - 1), nw):
                fit = fits[i][k]
                if fit is None:
                    continue
                if k < j:  # the slot the block before took: this block continues that section
                    score = fit[0] - _CONTINUE_PENALTY + best[i + 1][j]
                else:
                    score = fit[0] + best[i + 1][k + 1]
                if score > top + 1e-9:
                    top, pick = score, ("in", k)
            best[i][j] = top if top != NEG else 0.0
            choice[i][j] = pick
    out: list[tuple[SectionSpec, float, int, bool] | None] = []
    j = 0
    for i in range(nb):
        how, k = choice[i][j]
        n = max(1, len(blocks[i].items))
        if how == "in":
            hits = fits[i][k][1]
            out.append((window[k], hits / n, hits, True))
            j = max(j, k + 1)
        elif how == "out":
            share, spec, hits = outside[i]
            out.append((spec, share, hits, False))
        else:
            out.append(None)
    return out


def _as_written(section: Section) -> str:
    """A section's heading as the card writes it (for reasons), else its template heading."""
    if section.heading_text:
        text, _ = clean_line(section.heading_text)
        return text.rstrip(":").strip() or section.heading
    return section.heading


def _is_origin(text: str) -> bool:
    """An origin line: 'Derives from ...', 'Parents ...', 'Internalization of ...'."""
    text = _NUMBER.sub("", text).strip()
    return bool(_ORIGIN_LEAD.match(text) or _ORIGIN_LINE.match(text))


def _has_word(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def parse_card(doc: Document, vocab: Vocabulary, known_patterns: Iterable[str] = frozenset(),
               corrections: Sequence[Correction] = ()) -> ParsedCard:
    """Read a decoded pattern card. Raises LoadError when the document is not a card.

    Pattern names are recognised from `known_patterns` (the catalogues' names: `loaders.corpus` passes the
    shipped catalogue's and those of catalogues loaded with the card; default the shipped catalogue's)
    and the card's own title, never from other cards, so a card yields the same facts whichever cards
    are loaded with it. `corrections` are those of this document."""
    return _CardReader(doc, vocab, known_patterns, corrections).parse()


class _WithOne:
    """A set plus one more member, for `in` only (the known patterns plus the card's own)."""

    __slots__ = ("base", "one")

    def __init__(self, base: Iterable[str], one: str) -> None:
        self.base, self.one = base, one

    def __contains__(self, item: object) -> bool:
        return item == self.one or item in self.base
