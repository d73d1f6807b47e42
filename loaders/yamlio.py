"""The one YAML reader: every YAML file the loaders read (catalogues, `corpus.yaml` manifests,
`corrections.yaml`, the vocabulary files) goes through `load_yaml` or `parse_yaml`.

It builds the data from the parser's events in a loop (never recursing on the input's nesting) and
refuses, with a LoadError naming the file and line:

- a file over MAX_YAML_BYTES (checked before it is read; `read_document` reads regular files only);
- anchors and aliases (`&name`, `*name`, also merge keys `<<`): an alias table of a few hundred bytes
  can stand for gigabytes once something walks it;
- nesting deeper than MAX_DEPTH lists and mappings;
- a key written twice in one mapping (the message names both lines);
- explicit tags other than the plain ones (`!!str`, `!!int`, `!!float`, `!!bool`, `!!null`, `!!seq`,
  `!!map`), more than one document, numbers longer than MAX_NUMBER_CHARS, and keys that are lists or
  mappings.

Mappings come back as `YamlMap` (a dict) with `__line__` (LINE_KEY) set to the mapping's 1-based line
and `key_lines` giving each key's line; lists as `YamlList` with `line` and `item_lines`.
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import yaml

from . import text as _text
from .errors import LoadError

LINE_KEY = "__line__"

#: Largest YAML file read (bytes). The shipped catalogues are about 10 KB each.
MAX_YAML_BYTES = int(os.environ.get("PATTERN_ATLAS_MAX_YAML_BYTES", 1024 * 1024))
#: Deepest nesting of lists and mappings (the catalogues need five levels).
MAX_DEPTH = 32
#: Longest plain scalar read as a number (longer ones would make slow or refused big integers).
MAX_NUMBER_CHARS = 100

# libyaml's event parser when PyYAML has it (about 15 times faster); the same events either way.
_LOADER = yaml.CSafeLoader if getattr(yaml, "__with_libyaml__", False) else yaml.SafeLoader

_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_TAG + t for t in ("str", "int", "float", "bool", "null", "timestamp")}
_EXPLICIT_SCALAR_TAGS = {_TAG + t for t in ("str", "int", "float", "bool", "null")}
_NUMBER_TAGS = {_TAG + "int", _TAG + "float"}
# what PyYAML's reader refuses, found here first so the line is the same with either parser
_NON_PRINTABLE = re.compile("[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010ffff]")
_NO_KEY = object()
_EXTRA_BREAK = re.compile("[\x85\u2028\u2029]")
_ANY_BREAK = re.compile("[\n\x85\u2028\u2029]")


class YamlMap(dict):
    """A mapping as read: LINE_KEY holds its own line; `key_lines` maps each key to its line."""

    __slots__ = ("key_lines",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.key_lines: dict[Any, int] = {}


class YamlList(list):
    """A list as read: `line` is where it starts, `item_lines[i]` where item i starts."""

    __slots__ = ("line", "item_lines")

    def __init__(self, *args: Any, line: int = 1) -> None:
        super().__init__(*args)
        self.line = line
        self.item_lines: list[int] = []


def load_yaml(path: Path) -> tuple[Any, str, list[str]]:
    """(data with `__line__` on every mapping, display path, the file's lines); LoadError for a file
    that is too big, is not valid YAML or uses what `parse_yaml` refuses."""
    try:
        size = os.stat(path).st_size
    except OSError:
        size = 0  # read_document says why the file cannot be read
    if size > MAX_YAML_BYTES:
        raise LoadError(_text.display_path(path), 1, f"the file is {size:,} bytes; the limit for a YAML file is "
                                                     f"{MAX_YAML_BYTES:,} bytes")
    doc = _text.read_document(path)  # regular files only, never more than its own limit read
    source = "\n".join(doc.lines)
    if len(source) > MAX_YAML_BYTES:  # it grew since it was measured
        raise LoadError(doc.path, 1, f"the file is over {MAX_YAML_BYTES:,} bytes, the limit for a YAML file")
    return parse_yaml(source, doc.path), doc.path, doc.lines


def parse_yaml(source: str, shown: str) -> Any:
    """The data of one YAML document (None for a file of comments), built iteratively from the
    parser's events; LoadError(shown, line, ...) for anything the module docstring lists."""
    bad = _NON_PRINTABLE.search(source)
    if bad:
        line = source.count("\n", 0, bad.start()) + 1
        raise LoadError(shown, line, f"invalid YAML: the character U+{ord(bad.group()):04X} is not allowed")
    to_line = _line_map(source)
    loader = _LOADER(source)
    try:
        return _build(loader, shown, to_line)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = to_line(mark.line) if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise LoadError(shown, line, f"invalid YAML: {problem}") from None
    finally:
        loader.dispose()


def _line_map(source: str) -> Callable[[int], int]:
    """The file's 1-based line from a YAML mark's 0-based line. YAML also breaks lines at U+0085,
    U+2028 and U+2029, which are ordinary characters in the file's lines; where the text has them,
    the YAML line is mapped back by counting the real line breaks before it."""
    last = source.count("\n") + 1  # a mark at the end of a file without a final newline is one line past it
    if not _EXTRA_BREAK.search(source):
        return lambda line: min(line, last - 1) + 1
    real = [0]  # real[k]: the newlines among the first k YAML line breaks
    for match in _ANY_BREAK.finditer(source):
        real.append(real[-1] + (match.group() == "\n"))
    return lambda line: real[min(line, len(real) - 1)] + 1


class _Builder:
    """The values of one YAML document built from parser events, with an explicit stack of the open
    collections (no recursion on nesting), refusing what the safe reader does not allow."""

    def __init__(self, shown: str) -> None:
        self.shown = shown
        self.root: Any = None
        self.stack: list[YamlMap | YamlList] = []  # the open collections, outermost first
        self.keys: list[Any] = []  # per open collection: the mapping's pending key, or _NO_KEY
        self.lines: list[int] = []  # per open collection: its start line

    def fail(self, line: int, message: str) -> LoadError:
        return LoadError(self.shown, line, message)

    def add(self, value: Any, line: int, collection: bool) -> None:
        """Put a value where the document is: the root, a list's next item, a mapping's key or value."""
        if not self.stack:
            self.root = value
            return
        top = self.stack[-1]
        if isinstance(top, YamlList):
            top.append(value)
            top.item_lines.append(line)
        elif self.keys[-1] is _NO_KEY:
            self.add_key(top, value, line, collection)
        else:
            top[self.keys[-1]] = value
            self.keys[-1] = _NO_KEY

    def add_key(self, top: YamlMap, value: Any, line: int, collection: bool) -> None:
        if collection:
            raise self.fail(line, "a mapping key must be plain text or a number, not a list or mapping")
        if value == LINE_KEY:
            raise self.fail(line, f"the key {LINE_KEY!r} is reserved")
        try:
            first = top.key_lines.get(value)
        except TypeError:  # unhashable: cannot be a key
            raise self.fail(line, f"{_short(value)} cannot be a mapping key") from None
        if first is not None:
            raise self.fail(line, f"duplicate key {_short(value)}: it is also at line {first}; "
                                  "a key may appear once in a mapping")
        top.key_lines[value] = line
        self.keys[-1] = value

    def open(self, event: yaml.CollectionStartEvent, line: int) -> None:
        """The start of a list or mapping."""
        mapping = isinstance(event, yaml.MappingStartEvent)
        if event.tag not in (None, "!", _TAG + ("map" if mapping else "seq")):
            raise self.fail(line, f"the tag {_tag(event.tag)} is not allowed here")
        if len(self.stack) >= MAX_DEPTH:
            raise self.fail(line, f"lists and mappings nested more than {MAX_DEPTH} deep")
        new: YamlMap | YamlList = YamlMap() if mapping else YamlList(line=line)
        self.add(new, line, True)
        self.stack.append(new)
        self.keys.append(_NO_KEY)
        self.lines.append(line)

    def close(self) -> None:
        """The end of the innermost list or mapping (a mapping records its own line)."""
        done = self.stack.pop()
        self.keys.pop()
        start = self.lines.pop()
        if isinstance(done, YamlMap):
            done[LINE_KEY] = start


def _build(loader: Any, shown: str, to_line: Callable[[int], int]) -> Any:
    """The document's value from the loader's events; LoadError for a second document, an alias or
    anchor, a tag, a bad key, or nesting deeper than MAX_DEPTH."""
    builder = _Builder(shown)
    documents = 0
    while loader.check_event():
        event = loader.get_event()
        line = to_line(event.start_mark.line) if event.start_mark is not None else 1
        if isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise builder.fail(line, "a second YAML document ('---'); the file must hold one")
        elif isinstance(event, yaml.AliasEvent):
            raise builder.fail(line, f"aliases (*{event.anchor}) are not allowed; write the value out in full")
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            builder.close()
        elif isinstance(event, yaml.NodeEvent):  # (stream start and end, document end: nothing to do)
            if event.anchor is not None:
                raise builder.fail(line, f"anchors (&{event.anchor}) are not allowed; write the value out in full")
            if isinstance(event, yaml.ScalarEvent):
                builder.add(_scalar(loader, event, line, builder.fail), line, False)
            elif isinstance(event, yaml.CollectionStartEvent):
                builder.open(event, line)
    return builder.root


def _scalar(loader: Any, event: yaml.ScalarEvent, line: int, fail: Callable[[int, str], LoadError]) -> Any:
    """A scalar's value as PyYAML's safe loader gives it, for the plain tags only."""
    tag = event.tag
    if tag is None or tag == "!":
        tag = loader.resolve(yaml.ScalarNode, event.value, event.implicit)
        if tag == _TAG + "merge":
            raise fail(line, "merge keys ('<<') are not allowed; write the keys out in full")
        if tag not in _SCALAR_TAGS:
            raise fail(line, f"{_short(event.value)} is not a plain value; quote it if it is text")
    elif tag not in _EXPLICIT_SCALAR_TAGS:
        raise fail(line, f"the tag {_tag(tag)} is not allowed here")
    if tag in _NUMBER_TAGS and len(event.value) > MAX_NUMBER_CHARS:
        raise fail(line, f"a number of {len(event.value):,} characters; quote it if it is text")
    node = yaml.ScalarNode(tag, event.value, None, None, event.style)  # marks: not read by the constructors
    try:
        return loader.yaml_constructors[tag](loader, node)
    except (yaml.YAMLError, ValueError, OverflowError, TypeError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise fail(line, f"bad value {_short(event.value)}: {reason}") from None


def _tag(tag: str) -> str:
    """A tag as it is written: '!!python/object', '!mine'."""
    return "!!" + tag[len(_TAG):] if tag.startswith(_TAG) else tag


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def rows_under(data: Any, shown: str, key: str, what: str, row_hint: str) -> tuple[list, int] | None:
    """The rows of a file that is a mapping with one key holding a list (a manifest's `documents`, a
    corrections file's `corrections`): (rows, the key's line), or None when the file or the key is empty.
    Anything else is a LoadError naming the file and line. `what` names the file ("a manifest") and
    `row_hint` what each row holds."""
    if data is None:
        return None
    if not isinstance(data, YamlMap):  # what the safe reader gives for every mapping
        raise LoadError(shown, 1, f"{what} is a mapping with one key, '{key}' (a list of rows)")
    check_keys(data, shown, 1, (key,), lambda name: f"unknown key {name!r}; {what} has one key, '{key}'")
    rows = data.get(key)
    if rows is None:
        return None
    line = data.key_lines.get(key, 1)
    if not isinstance(rows, list):
        raise LoadError(shown, line, f"'{key}' must be a list of rows, {row_hint}")
    return rows, line


def strip_lines(value: Any) -> Any:
    """A plain copy of loaded YAML without the `__line__` keys (for schema validation and storage);
    iterative, so no nesting depth is too deep for it."""
    def fresh(item: Any) -> Any:
        if isinstance(item, dict):
            return {}
        if isinstance(item, list):
            return []
        return item

    root = fresh(value)
    todo = [(value, root)] if root is not value else []
    while todo:
        source, copy = todo.pop()
        if isinstance(source, dict):
            for key, item in source.items():
                if key != LINE_KEY:
                    copy[key] = new = fresh(item)
                    if new is not item:
                        todo.append((item, new))
        else:
            for item in source:
                new = fresh(item)
                copy.append(new)
                if new is not item:
                    todo.append((item, new))
    return root


def known_items(row: YamlMap, shown: str, line: int, known: Iterable[Any],
                unknown: Callable[[Any], str]) -> Iterator[tuple[Any, Any, int]]:
    """(key, value, the key's line) of a mapping as read, its own line key left out; a key not in `known`
    is a LoadError at its line, worded by `unknown(key)` (`line`: where a key without a line is)."""
    allowed = set(known)
    for key, value in row.items():
        if key == LINE_KEY:
            continue
        where = row.key_lines.get(key, line)
        if key not in allowed:
            raise LoadError(shown, where, unknown(key))
        yield key, value, where


def check_keys(row: YamlMap, shown: str, line: int, known: Iterable[Any], unknown: Callable[[Any], str]) -> None:
    """A LoadError at the line of the first key of `row` not in `known` (see `known_items`)."""
    for _ in known_items(row, shown, line, known, unknown):
        pass
