"""Reading the facts a card states, section by section: core issues and origins, capacities,
conditions, concepts, roles, variants, combinations, distinctions in all their phrasings, and pattern
names mentioned in free text. Returns `Fact`s; placing sections is `loaders.card`'s work."""
from __future__ import annotations

import re
from typing import Callable, cast

from graph.schema import pattern_slug

from .cardmodel import Fact, Item, Section
from .cardtext import (
    CUE_WINDOW,
    NUMBER,
    ORIGIN_LEAD,
    ORIGIN_LINE,
    WithOne,
    find_mentions,
    has_word,
    list_parts,
    mention_names,
)
from .vocabulary import MentionRule, Vocabulary

_NAMED = re.compile(r"^(?P<name>[A-Za-z][\w' -]{0,40}?)\s*:\s*(?P<desc>\S.*)$")
# "the needy client", "the insecure person": a pattern named by its client (known names only)
_PERSON = re.compile(r"(?<![\w-])(?P<name>[A-Za-z][\w-]*+)\s++(?:clients?|persons?|people|individuals?|types?)\b(?!-)",
                     re.IGNORECASE)
_CAPACITY_DISTINCTION = re.compile(
    r"^(?P<cap>[A-Z]\w*+(?:[ -]\w++){0,3}?)\s+is\s+(?:a|the)\s+(?:healthy\s+)?capacity\b", re.IGNORECASE)
_CONTRAST = re.compile(r"\b(?:while|whereas|but|rather than|unlike|instead|however|in contrast|differs?|different|"
                       r"distinguish\w*)\b|;", re.IGNORECASE)
_STARTS_WITH_OTHER = re.compile(r"^(?:the\s+)?[A-Za-z][\w-]*\s+(?:pattern|clients?|persons?|people|individuals?)\b",
                                re.IGNORECASE)
_MOTIVE = re.compile(r"^(?:afraid|fearful|wants?|wishes|needs? to|trying to|tries to|hopes?|longs?|"
                    r"so as not to|to avoid|in order to)\b", re.IGNORECASE)
_LABELLED = re.compile(r"^(?!(?:self|others?)\s*:)(?P<label>[A-Z][\w'-]*(?: [\w'-]+){0,3})\s*:\s+(?P<text>\S.*)$",
                       re.IGNORECASE)


class FactReader:
    """The facts of one card's sections. `known`: the pattern names recognised (catalogue and own title);
    `warn(line, message)` records what was noticed and kept going past."""

    def __init__(self, vocab: Vocabulary, known: WithOne, self_slug: str, self_words: set[str],
                 warn: Callable[[int, str], None]) -> None:
        self.vocab = vocab
        self.known = known
        self.self_slug = self_slug
        self.self_words = self_words
        self.warn = warn

    def names_known_pattern(self, text: str) -> bool:
        """A 'Pattern: description' line naming a known pattern (a combination line)."""
        match = _NAMED.match(text)
        return match is not None and pattern_slug(match.group("name")) in self.known

    def facts(self, section: Section) -> list[Fact]:
        """The facts a section states: by its parse mode, and only where a block's content supports it."""
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
                text = NUMBER.sub("", item.text)
                parts = list_parts(text, max_words=6) if parse == "list" else [text.rstrip(".;")]
                for part in parts:
                    if not has_word(part):
                        self.warn(item.line, f"{spec.kind} name {part!r} has no letters or digits; no node made")
                        continue
                    facts.append(Fact(cast(str, spec.edge), cast(str, spec.kind), part, item.line, item.raw,
                                      section.key))  # list and line sections name their edge and kind
            return facts
        return self._mention_facts(section)

    def _core_line(self, section: Section, item: Item, origins_only: bool) -> list[Fact]:
        """A line of a core-issues block: origins ('Derives from ...', 'Parents ...'), a labelled core issue
        ('Betrayal: the parent ...'), or core issues ('Inadequacy, shame')."""
        numbered = bool(NUMBER.match(item.text))
        text = NUMBER.sub("", item.text).strip()
        lead = ORIGIN_LEAD.match(text)
        if lead:
            return [Fact("ORIGINATES_IN", "Origin", p, item.line, item.raw, section.key)
                    for p in list_parts(text[lead.end():], max_words=8, phrases=True) if has_word(p)]
        if not origins_only and (numbered or _MOTIVE.match(text)):  # a motivation line ("Motivation/Core Issues")
            return []
        if origins_only or ORIGIN_LINE.match(text):
            name = text.rstrip(".;")
            return [Fact("ORIGINATES_IN", "Origin", name, item.line, item.raw, section.key)] if has_word(name) else []
        labelled = _LABELLED.match(text)
        if labelled:
            return [Fact("HAS_CORE_ISSUE", "CoreIssue", labelled.group("label"), item.line, item.raw, section.key,
                         node_attrs={"description": labelled.group("text").strip()})]
        facts = []
        for part in list_parts(text):
            if has_word(part):
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

    def distinction_targets(self, text: str, strict: bool = False) -> list[tuple[str, str]]:
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
        for word, offset in mention_names(text):
            if first_offset is not None and offset != first_offset:
                break  # only the first list of names: a later mention is part of the explanation
            low = word.lower()
            name_slug = pattern_slug(low)
            if low in self.vocab.not_names or not name_slug or name_slug == self.self_slug or low in self.self_words:
                continue
            if strict and self.mention_rule(text, offset) is not self.vocab.mention_default:
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
            found = self.distinction_targets(item.text)
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
                if self.mention_rule(item.text, offset) is self.vocab.mention_default:
                    self.warn(item.line, f"'{word} pattern' names no known pattern; no edge made")
                else:  # "combined with X pattern", "underlying X pattern": a pattern, if an unknown one
                    self.warn(item.line, f"'{word} pattern' is not in the Pattern System catalogue; kept as an "
                              "unresolved pattern")
                    found.append((pattern_slug(word), offset))
            for name_slug, offset in found:
                if name_slug == self.self_slug:
                    continue
                rule = self.mention_rule(item.text, offset)
                direction = "in" if rule.direction == "to_pattern" else "out"
                facts.append(Fact(rule.edge, "Pattern", name_slug, item.line, item.raw, section.key,
                                  direction=direction, description=item.text))
        return facts

    def mention_rule(self, text: str, offset: int) -> MentionRule:
        """The first mention rule whose cue occurs in the words before the mention at `offset`, else the
        default. Only a bounded stretch before it is searched, so a line of many mentions stays linear."""
        before = text[max(0, offset - CUE_WINDOW):offset]
        return next((r for r in self.vocab.mention_rules if r.cue.search(before)), self.vocab.mention_default)
