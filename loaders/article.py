"""Article parser: a prose article -> its mechanisms (numbered causes), case examples and strategies.

Returns data only (`ParsedArticle`); `loaders.build` links it to the pattern the article is about.
Every non-blank line has a place: the title, a mechanism's heading or body, a strategy, the `context` of
the mechanisms and strategies a headed section holds (its heading and the lines in it that are no one
item's), or the article's `frame` (its introduction, closing paragraphs, sections with no item).
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from graph.schema import clean_text, slug

from .errors import LoadError, Warning_
from .text import Document
from .vocabulary import VOCABULARY_DIR, compile_cue, read_vocabulary_file

_NUMBERED = re.compile(r"^(?P<num>\d{1,3})[.)]\s+(?P<name>\S.{0,100}?)\s*$")
_STRATEGY = re.compile(r"^(?P<name>[A-Z][^:]{1,60}?):\s+(?P<text>\S.*)$")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\u201c\"])")


@dataclass
class Paragraph:
    line: int
    text: str
    raw: str


@dataclass
class Example:
    name: str
    role: str | None
    line: int
    sentence: str
    raw: str


@dataclass
class Mechanism:
    name: str
    line: int
    raw: str
    body: list[Paragraph] = field(default_factory=list)
    examples: list[Example] = field(default_factory=list)
    context: list[Paragraph] = field(default_factory=list)  # its section's heading and lead lines

    @property
    def end_line(self) -> int:
        return self.body[-1].line if self.body else self.line


@dataclass
class Strategy:
    name: str
    text: str
    line: int
    raw: str
    context: list[Paragraph] = field(default_factory=list)  # its section's heading and lead lines


@dataclass
class _Section:
    """A run of the article from a heading (or its start) to the next heading that is not a mechanism."""

    context: list[Paragraph]  # heading, then the lines before and between its items
    headed: bool
    pending: list[Paragraph] = field(default_factory=list)  # lines since its last item
    items: int = 0

    def take(self, item: Mechanism | Strategy, frame: list[Paragraph]) -> None:
        """`item` belongs to this section: the lines before it are the section's, or the article's
        introduction when no heading came yet."""
        (self.context if self.headed else frame).extend(self.pending)
        self.pending = []
        self.items += 1
        item.context = self.context  # one list for the section's items: later lead lines reach all

    def close(self, frame: list[Paragraph]) -> None:
        """Lines after the last item (or a section with no item at all) belong to the article."""
        if not self.items:
            frame.extend(self.context)
        frame.extend(self.pending)


@dataclass
class ParsedArticle:
    path: str
    title: str
    title_line: int
    mechanisms: list[Mechanism]
    strategies: list[Strategy]
    paragraphs: list[Paragraph]
    warnings: list[Warning_]
    frame: list[Paragraph] = field(default_factory=list)  # introduction, closing, item-less sections


@dataclass(frozen=True)
class ArticleVocabulary:
    strategy_headings: tuple[re.Pattern[str], ...]
    example_intro: re.Pattern[str]


ARTICLE_SCHEMA = {"type": "object", "required": ["strategy_headings", "example_intro"],
                  "properties": {"strategy_headings": {"type": "array", "items": {"type": "string"}},
                                 "example_intro": {"type": "string"}}}


@lru_cache(maxsize=2)
def load_article_vocabulary(directory: Path = VOCABULARY_DIR) -> ArticleVocabulary:
    """`article.yaml`, read by the one YAML reader and checked (LoadError naming file and line)."""
    doc, shown = read_vocabulary_file(directory / "article.yaml", ARTICLE_SCHEMA)
    headings = doc["strategy_headings"]
    lines = getattr(headings, "item_lines", [])
    strategy = tuple(compile_cue(p, re.IGNORECASE, shown, lines[i] if i < len(lines) else 1)
                     for i, p in enumerate(headings))
    line = doc.key_lines.get("example_intro", 1) if hasattr(doc, "key_lines") else 1
    intro = compile_cue(doc["example_intro"], 0, shown, line)
    if "name" not in intro.groupindex:
        raise LoadError(shown, line, "example_intro needs a group named 'name': (?P<name>...)")
    return ArticleVocabulary(strategy_headings=strategy, example_intro=intro)


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(text) if s.strip()]


def _is_heading(text: str) -> bool:
    return len(text.split()) <= 10 and text[-1:] not in ".!?,;:" and text[:1].isupper()


def parse_article(doc: Document, vocab: ArticleVocabulary | None = None) -> ParsedArticle:
    """Split an article into title, mechanisms with their examples, strategies and paragraphs."""
    vocab = vocab or load_article_vocabulary()
    warnings = list(doc.warnings)
    title_line = next((n for n, line in enumerate(doc.lines, 1) if line.strip()), None)
    if title_line is None:
        raise LoadError(doc.path, 1, "the file is empty")
    title = clean_text(doc.lines[title_line - 1])
    mechanisms: list[Mechanism] = []
    strategies: list[Strategy] = []
    paragraphs: list[Paragraph] = []
    frame: list[Paragraph] = []
    section = _Section([], headed=False)
    mode = "intro"
    for number in range(title_line + 1, len(doc.lines) + 1):
        raw = doc.lines[number - 1].strip()
        if not raw:
            continue
        text = clean_text(raw)
        numbered = _NUMBERED.match(text)
        if numbered and _is_heading(numbered.group("name")):
            mechanisms.append(Mechanism(numbered.group("name"), number, raw))
            section.take(mechanisms[-1], frame)
            mode = "mechanism"
            continue
        if _is_heading(text):
            mode = "strategies" if any(p.search(text) for p in vocab.strategy_headings) else "other"
            section.close(frame)
            section = _Section([Paragraph(number, text, raw)], headed=True)
            continue
        paragraph = Paragraph(number, text, raw)
        paragraphs.append(paragraph)
        if mode == "mechanism":
            mechanism = mechanisms[-1]
            mechanism.body.append(paragraph)
            for sentence in sentences(text):
                for match in vocab.example_intro.finditer(sentence):
                    if all(e.name != match.group("name") for e in mechanism.examples):
                        role = match.groupdict().get("role")
                        mechanism.examples.append(Example(match.group("name"), role.strip() if role else None,
                                                          number, sentence, raw))
        elif mode == "strategies":
            found = _STRATEGY.match(text)
            if found:
                strategies.append(Strategy(found.group("name").strip(), found.group("text").strip(), number, raw))
                section.take(strategies[-1], frame)
                continue
        if mode != "mechanism":
            section.pending.append(paragraph)
    section.close(frame)
    for mechanism in mechanisms:
        if not mechanism.body:
            warnings.append(Warning_(doc.path, mechanism.line, f"mechanism {mechanism.name!r} has no text"))
        elif not mechanism.examples:
            warnings.append(Warning_(doc.path, mechanism.line, f"mechanism {mechanism.name!r} has no case example"))
    return ParsedArticle(doc.path, title, title_line, mechanisms, strategies, paragraphs, warnings, frame)


def _stem(path: str) -> str:
    return path.rsplit("/", 1)[-1].rsplit(".", 1)[0]


def article_scopes(paths: list[str]) -> list[str]:
    """For each article path, the part of it that starts its case examples' ids: the file stem
    ('roots-of-insecurity'), with as many of its folders as make it unique among the loaded articles
    ('x/roots', 'y/roots'); articles whose whole paths still make one id are numbered in load order."""
    parts = [[*path.split("/")[:-1], _stem(path)] for path in paths]
    depth = [1] * len(paths)
    growing = True
    while growing:  # each round lengthens at least one scope, so it ends within the deepest path
        growing = False
        groups: dict[str, list[int]] = defaultdict(list)
        for i, names in enumerate(parts):
            groups[slug(" ".join(names[-depth[i]:]))].append(i)
        for group in groups.values():
            for i in group if len(group) > 1 else ():
                if depth[i] < len(parts[i]):
                    depth[i] += 1
                    growing = True
    scopes: list[str] = []
    taken: dict[str, int] = {}
    for i, names in enumerate(parts):
        scope = " ".join(names[-depth[i]:])
        number = taken[slug(scope)] = taken.get(slug(scope), 0) + 1
        scopes.append(scope if number == 1 else f"{scope} {number}")
    return scopes
