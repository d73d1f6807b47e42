"""The card vocabulary (sections, headings, cues, mention rules), read from `data/vocabulary/`."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from graph.schema import EDGE_TYPES, NODE_KINDS, clean_text, pattern_slug

VOCABULARY_DIR = Path(__file__).resolve().parents[1] / "data" / "vocabulary"


@dataclass(frozen=True)
class ItemRule:
    """How a section line becomes nodes: optional prefix regex, node kind, edge type, split."""

    kind: str
    edge: str
    split: str = "line"
    when: re.Pattern[str] | None = None


@dataclass(frozen=True)
class SectionSpec:
    key: str
    heading: str
    order: int
    infer: str
    headings: tuple[re.Pattern[str], ...]
    cues: tuple[re.Pattern[str], ...] = ()
    subheading_cue: bool = False
    items: tuple[ItemRule, ...] = ()
    parse: str | None = None


@dataclass(frozen=True)
class MentionRule:
    cue: re.Pattern[str]
    edge: str
    direction: str


@dataclass
class Vocabulary:
    sections: list[SectionSpec]
    mention_rules: list[MentionRule]
    mention_default: MentionRule
    not_names: frozenset[str]
    known_patterns: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        # match_heading runs on almost every line of every card: literal headings are looked up in a
        # dict; only the few "{pattern}" headings are regular expressions
        self._literal: dict[str, SectionSpec] = {}
        self._templates: list[tuple[re.Pattern[str], SectionSpec]] = []
        for spec in self.sections:
            for h in spec.headings:
                if _TEMPLATE_PART in h.pattern:
                    self._templates.append((h, spec))
                else:
                    self._literal.setdefault(re.sub(r"\\(.)", r"\1", h.pattern), spec)

    def by_key(self, key: str) -> SectionSpec:
        return next(s for s in self.sections if s.key == key)

    def match_heading(self, text: str) -> SectionSpec | None:
        """The section a heading names, or None. `text` is already stripped of Markdown."""
        norm = normalise_heading(text)
        found = self._literal.get(norm)
        for regex, spec in self._templates:
            if found is not None and spec.order >= found.order:
                break
            if regex.fullmatch(norm):
                return spec
        return found


def normalise_heading(text: str) -> str:
    """Lower-case, folded white space, no trailing colon, '&' as 'and', no spaces around '/'."""
    text = clean_text(text).lower().rstrip(":").strip()
    if "&" in text:
        text = text.replace("&", "and")
    if "/" in text:
        text = _SLASH.sub("/", text)
    return text


_SLASH = re.compile(r"\s*/\s*")


_TEMPLATE_PART = r"[\w' -]+?"


def _heading_regex(heading: str) -> re.Pattern[str]:
    norm = normalise_heading(heading)
    escaped = re.escape(norm).replace(re.escape("{pattern}"), _TEMPLATE_PART)
    return re.compile(escaped)


def _check(value: str, allowed: dict, what: str, where: str) -> str:
    if value not in allowed:
        raise ValueError(f"{where}: unknown {what} {value!r}")
    return value


def parse_vocabulary(sections_doc: dict, mentions_doc: dict) -> Vocabulary:
    """Build a Vocabulary from the two YAML documents, validating kinds and edge types."""
    specs: list[SectionSpec] = []
    for order, raw in enumerate(sections_doc["sections"]):
        where = f"sections.yaml: {raw.get('key')}"
        items = tuple(
            ItemRule(
                kind=_check(r["kind"], NODE_KINDS, "node kind", where),
                edge=_check(r["edge"], EDGE_TYPES, "edge type", where),
                split=r.get("split", "line"),
                when=re.compile(r["when"], re.IGNORECASE) if r.get("when") else None,
            )
            for r in raw.get("items", [])
        )
        cues = [c for c in raw.get("cues", []) if c != "@subheading"]
        specs.append(
            SectionSpec(
                key=raw["key"],
                heading=raw["headings"][0],
                order=order,
                infer=raw.get("infer", "never"),
                headings=tuple(_heading_regex(h) for h in raw["headings"]),
                cues=tuple(re.compile(c, re.IGNORECASE) for c in cues),
                subheading_cue="@subheading" in raw.get("cues", []),
                items=items,
                parse=raw.get("parse"),
            )
        )
    rules = [
        MentionRule(re.compile(r["cue"], re.IGNORECASE), _check(r["edge"], EDGE_TYPES, "edge type", "mentions.yaml"), r["direction"])
        for r in mentions_doc.get("rules", [])
    ]
    default = mentions_doc.get("default", {"edge": "MENTIONS", "direction": "from_pattern"})
    return Vocabulary(
        sections=specs,
        mention_rules=rules,
        mention_default=MentionRule(re.compile(""), default["edge"], default["direction"]),
        not_names=frozenset(w.lower() for w in mentions_doc.get("not_names", [])),
        known_patterns=frozenset(pattern_slug(p) for p in mentions_doc.get("known_patterns", [])),
    )


@lru_cache(maxsize=4)
def load_vocabulary(directory: Path = VOCABULARY_DIR) -> Vocabulary:
    """Read `sections.yaml` and `mentions.yaml` from the vocabulary folder (cached)."""
    with open(directory / "sections.yaml", encoding="utf-8") as fh:
        sections_doc = yaml.safe_load(fh)
    with open(directory / "mentions.yaml", encoding="utf-8") as fh:
        mentions_doc = yaml.safe_load(fh)
    return parse_vocabulary(sections_doc, mentions_doc)
