"""Line-level reading of a pattern card: cleaning a line, titles, sub-headings, gaps, lists and the
pattern names written before 'pattern'. Pure functions on strings, each linear in its input (no
regular expression with nested repeats runs on document text)."""
from __future__ import annotations

import re
from collections import Counter
from typing import Iterable, Sequence

from graph.schema import clean_text, pattern_slug

from .text import Document
from .vocabulary import Vocabulary

_BULLET = re.compile(r"^(?:[-*\u2022\u00b7\u25aa\u2023\u2043]\s+)+")
NUMBER = re.compile(r"^\(?\d{1,2}[.)]\s+")
_MD_HASHES = re.compile(r"^#{1,6}\s")
_PATTERN_WORD = re.compile(r"\bpatterns?\b", re.IGNORECASE)
_NAME_WORD = re.compile(r"[A-Za-z][\w-]*")
_MINOR_WORDS = {"a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "of", "on", "or",
                "the", "to", "with", "about", "vs", "versus", "after", "before", "under", "over", "without",
                "within", "through", "during", "against", "among", "toward", "towards", "but", "nor", "upon",
                "like", "than", "around", "behind", "between", "beyond"}
#: At most this many names in a list before "pattern" ("victim, needy or passive-aggressive pattern"): the
#: backward scan that reads a list is bounded, so every line is read in linear time.
_MAX_LIST_NAMES = 12
#: How far before a mention its cue ('combined with', 'underlying') is looked for, in characters.
CUE_WINDOW = 160
ORIGIN_LEAD = re.compile(
    r"^(?:(?:it|this|the pattern)\s+)?(?:(?:can|may|could|often|usually|also|sometimes|can also|may also|"
    r"could also)\s+)?(?:(?:derives?|comes?|stems?|originates?|arises?|develops?|results?)\s+(?:from|out of|in)|"
    r"be\s+internali[sz]ed\s+from|internali[sz]ed\s+from|internali[sz]ation\s+of)\s+",
    re.IGNORECASE)
ORIGIN_LINE = re.compile(
    r"^(?:parents?|parent\(s\)|mother|father|mothers|fathers|child|children|sibling|siblings|brother|sister|family|"
    r"caretakers?|caregivers?|internali[sz]ation|(?:can|may|could)\s+(?:also\s+)?be\s+internali[sz]ed|"
    r"internali[sz]ed|learned helplessness|grew up|growing up|early (?:childhood|life|experiences?))\b",
    re.IGNORECASE)
_FIRST_PERSON = re.compile(r"\b(?:i|me|my|i'm|mine|myself)\b", re.IGNORECASE)



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


def looks_like_heading(text: str) -> bool:
    return len(text.split()) <= 12 and text[-1:] not in ".!?;"


def commonest_gaps(gaps: Iterable[int]) -> list[int]:
    """The distinct gaps, commonest first (the smaller first on a tie)."""
    counts = Counter(gaps)
    return sorted(counts, key=lambda g: (-counts[g], g))


def lost_heading_gap(gaps_before_headings: Sequence[int], all_gaps: Sequence[int]) -> int:
    """The smallest run of blank lines that marks a lost heading in this document.

    Present headings follow the document's usual heading gap (the most common gap before a line that is
    a heading; the smaller on a tie); a lost heading leaves at least one blank line more. A document
    with no heading left is read from its item gap: headings sit one blank line wider, lost ones two.
    """
    if gaps_before_headings:
        return max(commonest_gaps(gaps_before_headings)[0] + 1, 2)
    if all_gaps:
        # the two commonest gaps are the items' and the lost headings'; the items' is the smaller
        return max(min(commonest_gaps(all_gaps)[:2]) + 2, 2)
    return 3


def mention_names(text: str) -> list[tuple[str, int]]:
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
        if (pos >= n and text[pos - n:pos].lower() == joiner and pos < start
                and (pos == n or not text[pos - n - 1].isalnum())):
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
                  known: Iterable[str] | WithOne) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """Pattern names written before 'pattern' in free text: ([(slug, offset)], [(unknown word, offset)])."""
    found: list[tuple[str, int]] = []
    unknown: list[tuple[str, int]] = []
    for word, offset in mention_names(text):
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
            and not any(_CLAUSE.match(p) for p in parts[1:])
            and not (phrases and any(_ADJECTIVE_END.search(p) for p in parts[:-1]))):
        return parts
    return [body.strip()]


_CLAUSE = re.compile(r"^(?:which|who|whom|whose|that|where|when|while|because|so|then|but|and then|yet|although|"
                     r"though|as|until|unless|even)\b", re.IGNORECASE)


# "a lack of realistic, dependable adults": a part ending in an adjective continues into the next one
_ADJECTIVE_END = re.compile(r"\w(?:ic|ous|ful|ive|able|ible|less)$", re.IGNORECASE)


def is_short_list(text: str) -> bool:
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


def is_term(text: str) -> bool:
    """A noun phrase standing alone (a condition, a concept, a role): at most ten words, no sentence end,
    not starting with a pronoun or a verb."""
    return (len(text.split()) <= 6 and text[-1:] not in ".!?;" and not any(c in text for c in ":,;")
            and not _VERB_START.match(text)
            and not _FIRST_PERSON.search(text) and "pattern" not in text.lower())


def is_origin(text: str) -> bool:
    """An origin line: 'Derives from ...', 'Parents ...', 'Internalization of ...'."""
    text = NUMBER.sub("", text).strip()
    return bool(ORIGIN_LEAD.match(text) or ORIGIN_LINE.match(text))


def has_word(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


class WithOne:
    """A set plus one more member, for `in` only (the known patterns plus the card's own)."""

    __slots__ = ("base", "one")

    def __init__(self, base: Iterable[str], one: str) -> None:
        self.base, self.one = base, one

    def __contains__(self, item: str) -> bool:
        return item == self.one or item in self.base
