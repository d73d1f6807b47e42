"""The card vocabulary (sections, headings, cues, mention rules), read from `data/vocabulary/`."""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from graph.schema import EDGE_TYPES, NODE_KINDS, clean_text, pattern_slug, slug
from graph.shipped import SHIPPED_DATA

from .catalogue import check_shape, read_catalogue
from .errors import LoadError
from .text import display_path
from .yamlio import LINE_KEY, load_yaml

VOCABULARY_DIR = SHIPPED_DATA / "vocabulary"
CATALOGUE_DIR = SHIPPED_DATA / "catalogue"


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
        self._near_keys = tuple(sorted(k for k in self._literal if len(k) >= 8))
        self._by_key: dict[str, SectionSpec] = {}  # get: the first section with each key
        for spec in self.sections:
            self._by_key.setdefault(spec.key, spec)
        # one pass over all "{pattern}" headings first: most lines match none, and then the loop is skipped
        self._any_template = re.compile("|".join(f"(?:{r.pattern})" for r, _ in self._templates) or "(?!)")

    def get(self, key: str) -> SectionSpec | None:
        """The section with this key, or None."""
        return self._by_key.get(key)

    def match_heading(self, text: str) -> SectionSpec | None:
        """The section a heading names, or None. `text` is already stripped of Markdown."""
        norm = normalise_heading(text)
        found = self._literal.get(norm)
        if self._any_template.fullmatch(norm) is None:
            return found
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
        found = _near(self._near_keys, norm)
        return self._literal[found] if found else None


@lru_cache(maxsize=4096)
def _near(headings: tuple[str, ...], norm: str) -> str | None:
    """The heading closest to `norm` with a similarity of at least 0.9 (difflib), among those of a similar
    length; None if there is none."""
    size = len(norm)
    candidates = [h for h in headings if abs(len(h) - size) <= 2
                  and 2 * (size - len(norm.translate(_dropper(h)))) >= 0.9 * (size + len(h))]
    found = difflib.get_close_matches(norm, candidates, n=1, cutoff=0.9)
    return found[0] if found else None


@lru_cache(maxsize=None)
def _dropper(heading: str) -> dict[int, None]:
    """A str.translate table deleting every letter of `heading`: what survives of a text cannot match it,
    so `len(text) - len(survivors)` bounds difflib's matching characters from above (a filter that
    keeps every candidate whose ratio could reach the cutoff, in C instead of difflib's counting)."""
    return dict.fromkeys(map(ord, heading))


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
        MentionRule(re.compile(r["cue"], re.IGNORECASE), _check(r["edge"], EDGE_TYPES, "edge type", "mentions.yaml"),
                    r["direction"])
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


_TEXT = {"type": "string"}
_TEXTS = {"type": "array", "items": _TEXT}
_DIRECTION = {"enum": ["from_pattern", "to_pattern"]}
#: The shapes of the vocabulary files (only the keys the code reads; other keys are left to their authors).
SECTIONS_SCHEMA = {"type": "object", "required": ["sections"], "properties": {"sections": {
    "type": "array", "minItems": 1, "items": {
        "type": "object", "required": ["key", "headings"],
        "properties": {"key": {"type": "string", "minLength": 1},
                       "headings": {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1}},
                       "infer": {"enum": ["position", "cue", "never"]}, "strong": {"type": "boolean"},
                       "looks_like": _TEXT, "cues": _TEXTS,
                       "parse": {"enum": [None, "core", "origins", "list", "line", "distinction", "named",
                                          "subheadings"]},
                       "kind": {"enum": [None, "", *sorted(NODE_KINDS)]},
                       "edge": {"enum": [None, "", *sorted(EDGE_TYPES)]}}}}}}
MENTIONS_SCHEMA = {"type": "object", "properties": {
    "rules": {"type": "array", "items": {"type": "object", "required": ["cue", "edge", "direction"],
                                         "properties": {"cue": _TEXT, "edge": {"enum": sorted(EDGE_TYPES)},
                                                        "direction": _DIRECTION}}},
    "default": {"type": "object", "required": ["edge", "direction"],
                "properties": {"edge": {"enum": sorted(EDGE_TYPES)}, "direction": _DIRECTION}},
    "not_names": _TEXTS}}


def read_vocabulary_file(path: Path, schema: dict) -> tuple[dict, str]:
    """A vocabulary file read by the one YAML reader and checked against its shape: (data with lines,
    display path); LoadError naming the file and line otherwise."""
    data, shown, _ = load_yaml(path)
    check_shape(schema, data, shown, "bad vocabulary entry")
    return data, shown


def compile_cue(pattern: str, flags: int, shown: str, line: int) -> re.Pattern[str]:
    """A regular expression from a vocabulary file; LoadError at its line when it does not compile."""
    try:
        return re.compile(pattern, flags)
    except (re.error, RecursionError, OverflowError) as exc:
        raise LoadError(shown, line, f"bad regular expression {pattern[:60]!r}: {exc}") from None


def _item_line(items: Any, index: int, default: int) -> int:
    lines = getattr(items, "item_lines", ())
    return lines[index] if index < len(lines) else default


def _check_sections(doc: dict, shown: str) -> None:
    """What parse_vocabulary would refuse, at its line: a key used twice, unknown special cues, cues that
    are not regular expressions."""
    keys: dict[str, int] = {}
    for row in doc["sections"]:
        line = row[LINE_KEY]
        if row["key"] in keys:
            raise LoadError(shown, line, f"section key {row['key']!r} is also at line {keys[row['key']]}")
        keys[row["key"]] = line
        cues = row.get("cues") or []
        for index, cue in enumerate(cues):
            at = _item_line(cues, index, line)
            if cue.startswith("@"):
                if cue not in SPECIAL_CUES:
                    raise LoadError(shown, at, f"unknown special cue {cue!r}; one of {', '.join(SPECIAL_CUES)}")
            else:
                compile_cue(cue, re.IGNORECASE, shown, at)


@lru_cache(maxsize=4)
def load_vocabulary(directory: Path = VOCABULARY_DIR, catalogue: Path = CATALOGUE_DIR) -> Vocabulary:
    """Read `sections.yaml` and `mentions.yaml` from the vocabulary folder, and the pattern and capacity
    names of the shipped catalogue (cached). The names come from the whole Pattern System's catalogue,
    never from the documents being loaded, so what a card yields does not depend on its neighbours.
    Every file goes through the one YAML reader and is checked (LoadError naming file and line)."""
    sections_doc, sections_shown = read_vocabulary_file(directory / "sections.yaml", SECTIONS_SCHEMA)
    _check_sections(sections_doc, sections_shown)
    mentions_doc, mentions_shown = read_vocabulary_file(directory / "mentions.yaml", MENTIONS_SCHEMA)
    rules = mentions_doc.get("rules") or []
    for index, rule in enumerate(rules):
        compile_cue(rule["cue"], re.IGNORECASE, mentions_shown, _item_line(rules, index, 1))
    patterns: list[str] = []
    capacities: list[str] = []
    for name, kind in (("pattern-names.yaml", "pattern_names"), ("dimensions.yaml", "dimensions")):
        file = catalogue / name
        if not file.is_file():
            continue
        cat = read_catalogue(file)  # validated: the rows below have the shape the schema says
        if cat is None or cat.kind != kind:
            raise LoadError(cat.path if cat else display_path(file), 1,
                            f"{name} must be a {kind.replace('_', '-')} catalogue (a mapping with '{kind}')")
        if kind == "pattern_names":
            for row in cat.data["pattern_names"]:
                patterns.extend(row.get("names") or [])
            continue
        for row in cat.data["dimensions"]:
            capacities.extend(row.get("capacities") or [])
            patterns.extend(m["name"] for m in row.get("patterns") or [])
        for row in cat.data.get("patterns") or []:
            patterns.append(row["name"])
            capacities.extend(row.get("transformed_by") or [])
    try:
        return parse_vocabulary(sections_doc, mentions_doc, patterns, capacities)
    except (ValueError, re.error) as exc:  # not expected after the checks above; still a file's fault
        raise LoadError(sections_shown, 1, f"bad vocabulary: {exc}") from None
