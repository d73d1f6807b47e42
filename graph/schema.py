"""The graph schema: the fixed node kinds and edge types, and how ids are made.

Queries, stores and checks rely on these names, so they live in one place. The Neo4j store uses
these lists as the only allowed labels and relationship types (they are never taken from input).
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

#: Node kinds, with a one-line meaning each (shown in the README and the app's legend).
NODE_KINDS: dict[str, str] = {
    "Pattern": "a psychological pattern (with a card, from the catalogue only, or referenced but unresolved)",
    "Subtype": "a named variant of a pattern",
    "Capacity": "a healthy capacity (blocked by patterns, developed in therapy, paired on a dimension)",
    "CoreIssue": "a core issue of a pattern",
    "Origin": "where a pattern derives from",
    "Condition": "an activating condition",
    "Concept": "a related technical concept (diagnosis or construct)",
    "Role": "a group role or position",
    "Mechanism": "a psychological mechanism from an article (a cause)",
    "Strategy": "a strategy from an article",
    "Example": "a case example illustrating a mechanism",
    "Source": "a loaded document",
    "DimensionGroup": "a group of the Pattern System's dimensions",
    "Dimension": "a dimension of the Pattern System",
    "Wound": "an emotional wound",
}

#: Edge types: (verb used when a path is told as sentences, meaning).
EDGE_TYPES: dict[str, tuple[str, str]] = {
    "COMBINES_WITH": ("combines with", "Pattern to Pattern, with the combination's description"),
    "DISTINGUISHED_FROM": ("is distinguished from",
                           "Pattern to the Pattern (or healthy Capacity) it is told apart from, "
                           "with the distinction sentence"),
    "HAS_SUBTYPE": ("has the subtype", "Pattern to Subtype"),
    "BLOCKS": ("blocks", "Pattern to the healthy Capacity it blocks"),
    "DEVELOPS": ("develops in therapy", "Pattern to a Capacity accessed in therapy"),
    "HAS_CORE_ISSUE": ("has the core issue", "Pattern to CoreIssue"),
    "ORIGINATES_IN": ("originates in", "Pattern to Origin"),
    "ACTIVATED_BY": ("is activated by", "Pattern to Condition"),
    "RELATED_CONCEPT": ("relates to the technical concept", "Pattern to Concept"),
    "PLAYS_ROLE": ("plays the group role", "Pattern to Role"),
    "MAY_UNDERLIE": ("may underlie", "Pattern to look for underneath, to the Pattern it lies under"),
    "MENTIONS": ("mentions", "Pattern to a Pattern named in its card's free text with no stronger cue"),
    "CONTRIBUTES_TO": ("contributes to", "Mechanism to Pattern"),
    "ILLUSTRATES": ("illustrates", "Example to Mechanism"),
    "ADDRESSES": ("addresses", "Strategy to Pattern"),
    "CORRESPONDS_TO": ("corresponds to",
                       "an article term, or an Origin, to the card node or Wound it matches (alias table)"),
    "DESCRIBES": ("describes", "Source document to the Pattern it is about"),
    "IN_GROUP": ("belongs to the dimension group", "Dimension to DimensionGroup"),
    "IN_DIMENSION": ("sits on the dimension", "Pattern to Dimension, with side (soft or hard)"),
    "HAS_CAPACITY": ("has the capacity", "Dimension to Capacity"),
    "TRANSFORMED_BY": ("is transformed by", "Pattern to the Capacity that transforms it"),
}

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " "})
_LEADING_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
_NON_WORD = re.compile(r"[^0-9a-z]+")

#: Bidi embedding, override and isolate controls: they reorder how text is shown, never part of a name.
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
#: Characters that show as nothing: zero-width spaces and joiners, the word joiner and invisible operators,
#: the BOM, the soft hyphen, bidi marks and the bidi controls. Ids never contain them.
INVISIBLE = "\u00ad\u061c\u180e\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff" + BIDI_CONTROLS
_DROP_BIDI = dict.fromkeys(map(ord, BIDI_CONTROLS))
_DROP_INVISIBLE = dict.fromkeys(map(ord, INVISIBLE))


def clean_text(text: str) -> str:
    """Normalise Unicode (NFKC), smart quotes and no-break spaces; fold white space."""
    if not text.isascii():  # NFKC and the quote table change nothing in ASCII text (most lines)
        text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    return " ".join(text.split())


@lru_cache(maxsize=1 << 16)  # pure; the loaders call it for every fact
def display_name(text: str) -> str:
    """A node's display name: cleaned, bidi controls, outer quotes and a leading article dropped, first
    letter upper."""
    name = clean_text(text)
    if not name.isascii():
        name = name.translate(_DROP_BIDI)
    name = name.strip(" \"'.;:,")
    name = _LEADING_ARTICLE.sub("", name)
    return name[:1].upper() + name[1:]


@lru_cache(maxsize=1 << 16)  # pure; the loaders call it for every fact
def slug(text: str) -> str:
    """The id part of a name: 'The silent member' and 'silent  Member' give 'silent-member'.

    The display name, case-folded; runs of letters and digits (of any script, with their combining
    marks) joined by '-'. Latin letters lose their diacritics ('Café' gives 'cafe', as ASCII ids always
    did); other scripts keep theirs ('Self-доверие' gives 'self-доверие'). Invisible characters are
    removed, not read as separators ('Bel<zero-width space>onging' gives 'belonging')."""
    name = display_name(text)
    if name.isascii():  # most names: the ASCII rule, unchanged
        return _NON_WORD.sub("-", name.lower()).strip("-")
    name = unicodedata.normalize("NFKC", name.translate(_DROP_INVISIBLE).casefold())
    out: list[str] = []
    marks = False  # a mark is kept only on a non-ASCII letter: on a Latin one it is a diacritic
    for char in unicodedata.normalize("NFKD", name):
        major = unicodedata.category(char)[0]
        if major == "M":
            if marks:
                out.append(char)
        elif major in "LN":
            out.append(char)
            marks = not char.isascii()
        else:
            out.append(" ")
            marks = False
    return "-".join(unicodedata.normalize("NFC", "".join(out)).split())


@lru_cache(maxsize=1 << 16)  # pure; called when two names of one node differ
def name_key(name: str) -> str:
    """The letters, digits and marks of a name, case-folded: two names with the same key differ only in
    case, punctuation and spacing ('Self-worth', 'self worth'); 'Café' and 'Cafe' differ in more."""
    if name.isascii():
        return "".join(filter(str.isalnum, name.lower()))
    folded = unicodedata.normalize("NFKC", name.translate(_DROP_INVISIBLE).casefold())
    return "".join(c for c in folded if c.isalnum() or unicodedata.category(c)[0] == "M")


#: Scripts whose letters are written together in one word (Japanese mixes kanji and kana).
_SCRIPT_FAMILY = {"CJK": "HAN", "HIRAGANA": "HAN", "KATAKANA": "HAN"}


@lru_cache(maxsize=1 << 14)  # pure; the loaders ask for every name that is not ASCII
def lookalike(name: str) -> str:
    """Why a name as written could pass for another, in words ('' if nothing): invisible characters
    (zero-width, bidi marks), bidi embedding/override/isolate controls, or a word mixing scripts
    ('Trаst' with a Cyrillic 'а')."""
    if name.isascii():
        return ""
    reasons = []
    bidi = sorted({f"U+{ord(c):04X}" for c in name if c in BIDI_CONTROLS})
    hidden = sorted({f"U+{ord(c):04X}" for c in name if c in INVISIBLE and c not in BIDI_CONTROLS})
    if hidden:
        reasons.append("invisible characters " + ", ".join(hidden))
    if bidi:
        reasons.append("bidi control characters " + ", ".join(bidi))
    word, scripts = [], set()
    for char in unicodedata.normalize("NFKC", name.translate(_DROP_INVISIBLE)) + " ":
        category = unicodedata.category(char)
        if category[0] == "L" and category != "Lm":
            script = unicodedata.name(char, "?").split(" ", 1)[0]
            scripts.add(_SCRIPT_FAMILY.get(script, script))
            word.append(char)
        elif category[0] == "M":
            word.append(char)
        else:
            if len(scripts) > 1:
                reasons.append(f"the word {''.join(word)!r} mixes {' and '.join(sorted(s.title() for s in scripts))} "
                               "letters")
            word, scripts = [], set()
    return "; ".join(reasons)


@lru_cache(maxsize=1 << 16)  # pure; the loaders call it for every fact
def pattern_slug(name: str) -> str:
    """Slug of a pattern name, ignoring a trailing 'pattern' ('Self-Judging Pattern' -> 'self-judging')."""
    return slug(re.sub(r"\s+patterns?\s*$", "", clean_text(name), flags=re.IGNORECASE))


def node_id(kind: str, name: str) -> str:
    """Stable id of a node: 'pattern:insecure', 'capacity:belonging', 'role:silent-member'."""
    if kind not in NODE_KINDS:
        raise ValueError(f"unknown node kind {kind!r}")
    part = pattern_slug(name) if kind == "Pattern" else slug(name)
    if not part:
        raise ValueError(f"empty name for a {kind} node")
    return f"{kind.lower()}:{part}"


@lru_cache(maxsize=1 << 16)  # pure; the loaders call it for every fact
def pattern_display(name: str) -> str:
    """Display name of a pattern: 'passive-aggressive' -> 'Passive-Aggressive' (bidi controls dropped)."""
    base = clean_text(name)
    if not base.isascii():
        base = base.translate(_DROP_BIDI)
    base = re.sub(r"\s+patterns?\s*$", "", base, flags=re.IGNORECASE).strip(" \"'")
    return "-".join(" ".join(w[:1].upper() + w[1:] for w in part.split(" ")) for part in base.split("-"))


def kind_of(node_id_: str) -> str:
    """The kind encoded in an id ('pattern:insecure' -> 'Pattern')."""
    prefix = node_id_.split(":", 1)[0]
    for kind in NODE_KINDS:
        if kind.lower() == prefix:
            return kind
    raise ValueError(f"not a node id: {node_id_!r}")
