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
                           "Pattern to the Pattern (or healthy Capacity) it is told apart from, with the distinction sentence"),
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
    "CORRESPONDS_TO": ("corresponds to", "an article term, or an Origin, to the card node or Wound it matches (alias table)"),
    "DESCRIBES": ("describes", "Source document to the Pattern it is about"),
    "IN_GROUP": ("belongs to the dimension group", "Dimension to DimensionGroup"),
    "IN_DIMENSION": ("sits on the dimension", "Pattern to Dimension, with side (soft or hard)"),
    "HAS_CAPACITY": ("has the capacity", "Dimension to Capacity"),
    "TRANSFORMED_BY": ("is transformed by", "Pattern to the Capacity that transforms it"),
}

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " "})
_LEADING_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
_NON_WORD = re.compile(r"[^0-9a-z]+")
_NON_UNICODE_WORD = re.compile(r"[\W_]+")


def clean_text(text: str) -> str:
    """Normalise Unicode (NFKC), smart quotes and no-break spaces; fold white space."""
    if not text.isascii():  # NFKC and the quote table change nothing in ASCII text (most lines)
        text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    return " ".join(text.split())


@lru_cache(maxsize=1 << 16)  # pure; the loaders call it for every fact
def display_name(text: str) -> str:
    """A node's display name: cleaned, outer quotes and a leading article dropped, first letter upper."""
    name = clean_text(text).strip(" \"'.;:,")
    name = _LEADING_ARTICLE.sub("", name)
    return name[:1].upper() + name[1:]


@lru_cache(maxsize=1 << 16)  # pure; the loaders call it for every fact
def slug(text: str) -> str:
    """The id part of a name: 'The silent member' and 'silent  Member' give 'silent-member'."""
    name = display_name(text).lower()
    folded = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    ascii_slug = _NON_WORD.sub("-", folded).strip("-")
    # names with no Latin letters keep their own letters rather than vanishing
    return ascii_slug if ascii_slug else _NON_UNICODE_WORD.sub("-", name).strip("-")


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
    """Display name of a pattern: 'passive-aggressive' -> 'Passive-Aggressive'."""
    base = re.sub(r"\s+patterns?\s*$", "", clean_text(name), flags=re.IGNORECASE).strip(" \"'")
    return "-".join(" ".join(w[:1].upper() + w[1:] for w in part.split(" ")) for part in base.split("-"))


def kind_of(node_id_: str) -> str:
    """The kind encoded in an id ('pattern:insecure' -> 'Pattern')."""
    prefix = node_id_.split(":", 1)[0]
    for kind in NODE_KINDS:
        if kind.lower() == prefix:
            return kind
    raise ValueError(f"not a node id: {node_id_!r}")
