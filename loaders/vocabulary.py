"""The card vocabulary (sections, headings, cues, mention rules), read from `data/vocabulary/`."""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable

import yaml

from graph.schema import EDGE_TYPES, NODE_KINDS, clean_text, pattern_slug, slug

VOCABULARY_DIR = Path(__file__).resolve().parents[1] / "data" / "vocabulary"
CATALOGUE_DIR = Path(__file__).resolve().parents[1] / "data" / "catalogue"


#: Special cues: tests done in code, named in sections.yaml (see loaders.card for what each means).
SPECIAL_CUES = ("@subheading", "@capacities", "@distinction", "@named-pattern", "@term")


@dataclass(frozen=True)
class SectionSpec:
    """One section of the template: its headings, how a lost heading is recognised, how lines become facts."""

    key: str
    heading: str
    order: int
    infer: str
    headings: tuple[re.Pattern[str], ...]
    cues: tuple[re.Pattern[str], ...] = ()
    special: tuple[str, ...] = ()
    strong: bool = False
    looks_like: str = ""
    parse: str | None = None
    kind: str | None = None
    edge: str | None = None

    @property
    def states_facts(self) -> bool:
        return self.parse is not None


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
    known_capacities: frozenset[str] = field(default_factory=frozenset)

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

    def get(self, key: str) -> SectionSpec | None:
        """The section with this key, or None."""
        return next((s for s in self.sections if s.key == key), None)

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


    def near_heading(self, text: str) -> SectionSpec | None:
        """The section whose heading `text` misspells by a letter or two ('Activating Condtions'), or None.
        Only headings of eight letters or more, so short words do not match by chance."""
        norm = normalise_heading(text)
        if len(norm) < 8:
            return None
        return _near(self._literal_keys(), norm, id(self)) and self._literal.get(
            _near(self._literal_keys(), norm, id(self)))

    def _literal_keys(self) -> tuple[str, ...]:
        keys = self.__dict__.get("_keys")
        if keys is None:
            keys = tuple(sorted(k for k in self._literal if len(k) >= 8))
            self.__dict__["_keys"] = keys
        return keys


@lru_cache(maxsize=4096)
def _near(headings: tuple[str, ...], norm: str, _owner: int) -> str | None:
    """The heading closest to `norm` with a similarity of at least 0.9 (difflib), among those of a similar
    length; None if there is none."""
    candidates = [h for h in headings if abs(len(h) - len(norm)) <= 2]
    found = difflib.get_close_matches(norm, candidates, n=1, cutoff=0.9)
    return found[0] if found else None


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


def parse_vocabulary(sections_doc: dict, mentions_doc: dict, pattern_names: Iterable[str] = (),
                     capacity_names: Iterable[str] = ()) -> Vocabulary:
    """Build a Vocabulary from the two YAML documents and the catalogue's names, validating kinds and
    edge types."""
    specs: list[SectionSpec] = []
    for order, raw in enumerate(sections_doc["sections"]):
        where = f"sections.yaml: {raw.get('key')}"
        cues = raw.get("cues", [])
        special = tuple(c for c in cues if c.startswith("@"))
        for c in special:
            if c not in SPECIAL_CUES:
                raise ValueError(f"{where}: unknown special cue {c!r}")
        parse = raw.get("parse")
        if parse not in (None, "core", "origins", "list", "line", "distinction", "named", "subheadings"):
            raise ValueError(f"{where}: unknown parse {parse!r}")
        specs.append(
            SectionSpec(
                key=raw["key"],
                heading=raw["headings"][0],
                order=order,
                infer=_check(raw.get("infer", "never"), {"position": 1, "cue": 1, "never": 1}, "infer", where),
                headings=tuple(_heading_regex(h) for h in raw["headings"]),
                cues=tuple(re.compile(c, re.IGNORECASE) for c in cues if not c.startswith("@")),
                special=special,
                strong=bool(raw.get("strong", False)),
                looks_like=raw.get("looks_like", raw["headings"][0].lower()),
                parse=parse,
                kind=_check(raw["kind"], NODE_KINDS, "node kind", where) if raw.get("kind") else None,
                edge=_check(raw["edge"], EDGE_TYPES, "edge type", where) if raw.get("edge") else None,
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
        known_patterns=frozenset(pattern_slug(p) for p in pattern_names),
        known_capacities=frozenset(slug(c) for c in capacity_names),
    )


@lru_cache(maxsize=4)
def load_vocabulary(directory: Path = VOCABULARY_DIR, catalogue: Path = CATALOGUE_DIR) -> Vocabulary:
    """Read `sections.yaml` and `mentions.yaml` from the vocabulary folder, and the pattern and capacity
    names of the shipped catalogue (cached). The names come from the whole Pattern System's catalogue,
    never from the documents being loaded, so what a card yields does not depend on its neighbours."""
    with open(directory / "sections.yaml", encoding="utf-8") as fh:
        sections_doc = yaml.safe_load(fh)
    with open(directory / "mentions.yaml", encoding="utf-8") as fh:
        mentions_doc = yaml.safe_load(fh)
    patterns: list[str] = []
    capacities: list[str] = []
    names_file = catalogue / "pattern-names.yaml"
    if names_file.is_file():
        with open(names_file, encoding="utf-8") as fh:
            for row in (yaml.safe_load(fh) or {}).get("pattern_names", []) or []:
                patterns.extend(row.get("names", []) or [])
    dims_file = catalogue / "dimensions.yaml"
    if dims_file.is_file():
        with open(dims_file, encoding="utf-8") as fh:
            dims = yaml.safe_load(fh) or {}
        for row in dims.get("dimensions", []) or []:
            capacities.extend(row.get("capacities", []) or [])
            patterns.extend(m["name"] for m in row.get("patterns", []) or [] if isinstance(m, dict) and "name" in m)
        for row in dims.get("patterns", []) or []:
            patterns.append(row["name"])
            capacities.extend(row.get("transformed_by", []) or [])
    return parse_vocabulary(sections_doc, mentions_doc, patterns, capacities)
