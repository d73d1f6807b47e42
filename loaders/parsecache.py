"""The per-document parse cache: a card read once is not read again until it, its corrections or the
reader change.

An entry is keyed by a SHA-256 of what `parse_card` reads: the decoded document (path, encoding, lines and
decoding warnings), the corrections that apply to it, the pattern names the reader knows, and the reader
itself (`reader_digest`: the code of `loaders/` and the `graph` modules it imports, the vocabulary and the
shipped catalogue names). A reload then re-reads only the cards that changed; name resolution and graph
assembly (`loaders.build`) run over every card again, so the graph is the one a full rebuild gives.

The file holds one line per card, its key and its compact row (orjson of lists, not dicts), with a
SHA-256 of the body in front: a truncated,
damaged or hand-edited file is detected and the cache starts empty (with a warning), never trusted. Data
only, never pickle: the file lives in the user's corpus folder and loading it runs no code.
"""
from __future__ import annotations

import hashlib
import logging
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import orjson

from graph.atomic import replacing

from .cardmodel import Fact, Item, ParsedCard, Section
from .corrections import Correction
from .errors import Warning_
from .text import Document, display_path
from .vocabulary import CATALOGUE_DIR, VOCABULARY_DIR, Vocabulary

log = logging.getLogger(__name__)

#: Bump when the encoding below changes (the reader's own changes are caught by `reader_digest`).
FORMAT = b"pattern-atlas parse cache 2\n"
#: The `graph` modules the loaders import (directly or through each other): their code decides the built
#: graph as much as `loaders/` does. tests/test_parse_cache.py checks this list against the imports.
GRAPH_MODULES = ("atomic.py", "errors.py", "model.py", "schema.py", "shipped.py")


def reader_files() -> list[Path]:
    """Every file whose change can alter what the loaders build from the same documents: the code of
    `loaders/` and of the graph modules it imports, the vocabulary, and the catalogue names the card
    reader always uses."""
    code = sorted(Path(__file__).parent.rglob("*.py"))  # subpackages (loaders/corrections/) too
    code += [Path(__file__).parents[1] / "graph" / name for name in GRAPH_MODULES]
    vocab = sorted(VOCABULARY_DIR.glob("*.yaml"))
    vocab += [f for f in (CATALOGUE_DIR / "pattern-names.yaml", CATALOGUE_DIR / "dimensions.yaml") if f.is_file()]
    return code + vocab


def reader_digest() -> str:
    """A SHA-256 of `reader_files()`, names and bytes."""
    digest = hashlib.sha256()
    for file in reader_files():
        digest.update(display_path(file).encode() + b"\0")
        digest.update(file.read_bytes())
    return digest.hexdigest()


def card_key(doc: Document, fixes: Sequence[Correction], known_digest: str, reader: str) -> str:
    """The cache key of one card: everything `parse_card` reads, hashed."""
    digest = hashlib.sha256(reader.encode() + known_digest.encode())
    head = [doc.path, doc.encoding, [[w.file, w.line, w.message] for w in doc.warnings],
            [[f.file, f.start, f.end, f.section, f.not_edge, f.source, f.source_line] for f in fixes]]
    digest.update(orjson.dumps(head))
    digest.update("\n".join(doc.lines).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def known_digest(known: Iterable[str]) -> str:
    """A SHA-256 of the pattern names the card reader recognises (they change what a card states)."""
    return hashlib.sha256("\n".join(sorted(known)).encode()).hexdigest()


def encode_card(card: ParsedCard) -> list[Any]:
    """A parsed card as compact rows (its sections' template entries by key)."""
    sections = [[s.key, s.heading, s.status, s.heading_text, s.heading_line, s.reason,
                 s.spec.key if s.spec is not None else None, s.confidence, s.by_position,
                 [[i.text, i.raw, i.line, i.subheading] for i in s.items]] for s in card.sections]
    facts = [[f.edge, f.kind, f.name, f.line, f.text, f.section, f.direction, f.end_line, f.description,
              f.node_attrs] for f in card.facts]
    return [card.path, card.pattern, card.title_line, card.title_text, sections, facts,
            [[w.file, w.line, w.message] for w in card.warnings]]


def decode_card(row: list[Any], vocab: Vocabulary) -> ParsedCard:
    """The card `encode_card` wrote. TypeError, ValueError or KeyError if the row is not one. A text the
    card repeats (a line's cleaned text and its raw text, a fact's quoted line) is kept once, and the
    template's words (kinds, edge types, section keys) are interned, as the reader shares them: decoded
    rows would otherwise make the built graph a sixth bigger."""
    path, pattern, title_line, title_text, sections, facts, warnings = row
    texts: dict[str, str] = {}
    once = texts.setdefault
    intern = sys.intern
    out = []
    for key, heading, status, text, line, reason, spec_key, confidence, by_position, items in sections:
        spec = vocab.get(spec_key) if spec_key is not None else None
        if spec_key is not None and spec is None:
            raise KeyError(spec_key)
        lines = [Item(once(i[0], i[0]), once(i[1], i[1]), *i[2:]) for i in items]
        out.append(Section(intern(key), intern(heading), intern(status), lines, text, line, reason, spec, confidence,
                           by_position))
    read = [Fact(intern(edge), intern(kind), once(name, name), line, once(text, text), intern(section), *rest)
            for edge, kind, name, line, text, section, *rest in facts]
    return ParsedCard(path, pattern, title_line, title_text, out, read, [Warning_(*w) for w in warnings])


class ParseCache:
    """Parsed cards by `card_key`, read from and written to one file (or kept in memory: `path` None).
    `hits` counts the cards this load took from it, `misses` those it read again and put; `save` keeps
    only the entries this load used. Each entry is kept as its orjson bytes, decoded only when used:
    a fifth of the memory of the rows as Python lists (a full build holds every card's entry)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.hits = 0
        self.misses = 0
        self._rows: dict[str, bytes] = {}
        self._used: dict[str, bytes] = {}
        if path is not None:
            self._rows = _read(path)

    def get(self, key: str, vocab: Vocabulary) -> ParsedCard | None:
        """The cached card for `key`, or None (also when its row does not decode: it is read again)."""
        row = self._rows.pop(key, None)  # taken, not copied: held once, in `_used`
        if row is not None:
            try:
                card = decode_card(orjson.loads(row), vocab)
            except (TypeError, ValueError, KeyError):  # orjson.JSONDecodeError is a ValueError
                log.warning("%s: an entry does not decode; that card is read again", self.path)
            else:
                self.hits += 1
                self._used[key] = row
                return card
        return None  # a miss: counted when the card read again is put

    def __contains__(self, key: str) -> bool:
        return key in self._rows

    def put(self, key: str, card: ParsedCard) -> None:
        self.put_row(key, orjson.dumps(encode_card(card)))

    def put_row(self, key: str, row: bytes) -> None:
        """Keep a card already encoded (orjson of `encode_card`), as a worker process sends it."""
        self.misses += 1
        self._used[key] = row

    def save(self) -> None:
        """Write the entries this load used (cards since removed drop out), when anything changed: one
        line per entry, its key and its row, streamed (no second copy of the body), the body's SHA-256
        written into the header last. Then let go of them: a cache serves one load, and a full build
        at 10,000 cards would hold 200 MiB of rows while the store is made from the graph."""
        try:
            self._write()
        finally:
            self._rows, self._used = {}, {}

    def _write(self) -> None:
        if self.path is None or (not self.misses and not self._rows):
            return
        digest = hashlib.sha256()
        try:
            with replacing(self.path) as temporary, open(temporary, "wb") as out:
                out.write(FORMAT + b"0" * 64 + b"\n")
                for key, row in self._used.items():
                    line = key.encode() + b" " + row + b"\n"
                    digest.update(line)
                    out.write(line)
                out.seek(len(FORMAT))
                out.write(digest.hexdigest().encode())
        except OSError as exc:  # a read-only corpus still loads; it just reads every card each time
            log.warning("cannot save %s (%s)", self.path, exc)


def _read(path: Path) -> dict[str, bytes]:
    """The entries of a cache file, read line by line (never the whole file at once); empty when it is
    missing, and empty with a warning when it is not whole."""
    rows: dict[str, bytes] = {}
    problem = None
    try:
        with open(path, "rb") as file:
            head, stated = file.readline(), file.readline().rstrip(b"\n")
            digest = hashlib.sha256()
            for line in file if head == FORMAT else ():
                digest.update(line)
                key, space, row = line.partition(b" ")
                if problem is None and (len(key) != 64 or not space or not row.startswith(b"[")
                                        or not row.endswith(b"\n")):
                    problem = "not lines of a key and a row"
                if problem is None:
                    rows[key.decode("ascii")] = row[:-1]
    except FileNotFoundError:
        return {}
    except OSError as exc:
        log.warning("%s: cannot read the parse cache (%s); every card is read", path, exc)
        return {}
    if head != FORMAT:
        problem = "another format"
    elif digest.hexdigest().encode() != stated:
        problem = "its checksum does not match (damaged or edited)"
    if problem is None:
        return rows
    log.warning("%s: %s; every card is read again", path, problem)
    return {}
