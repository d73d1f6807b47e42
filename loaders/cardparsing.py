"""Parsing a corpus's cards, in document order: from the parse cache, in worker processes, or here.

A full build of a big corpus spends most of its time in `parse_card`. Cards the parse cache does not
hold are parsed in forked worker processes when there are enough of them (`PARALLEL_MIN`): the
workers inherit the documents, the vocabulary and the pattern names through the fork (nothing sent to
them but two numbers per chunk) and send each card back as the parse cache's compact row in orjson
bytes (`parsecache.encode_card`), which costs far less than pickling the objects. This process decodes
and assembles the cards in order as the chunks arrive, so assembly overlaps the parsing. Small inputs,
a warm cache and multi-threaded processes (the app's server: forking a process with threads can copy
a lock held by another thread) parse here, serially. Both paths give the same cards in the same order
(`tests/test_card_parsing.py`) and the same first error: a worker returns a card's LoadError as data and
this process raises it when it reaches that card.
"""
from __future__ import annotations

import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Generator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Union

import orjson

from .card import parse_card
from .cardmodel import ParsedCard
from .corrections import Correction
from .errors import LoadError
from .parsecache import ParseCache, card_key, decode_card, encode_card
from .text import Document
from .vocabulary import Vocabulary

#: Fewer cards to parse than this are parsed here: starting workers costs more than they save.
PARALLEL_MIN = 200
#: Chunks each worker may have parsed ahead of the assembly (bounds the rows held at once).
AHEAD = 3
#: Environment variable setting the number of worker processes (0 or 1: parse here, serially).
WORKERS_ENV = "PATTERN_ATLAS_PARSE_WORKERS"

Job = tuple[Document, Sequence[Correction]]
#: What a worker returns per card: its row as orjson bytes, or its LoadError as (file, line, message).
Result = Union[bytes, tuple[str, int, str]]

# What the workers parse: set before the pool forks them, so they inherit it instead of receiving it.
_WORK: tuple[Sequence[Job], Vocabulary, frozenset[str]] | None = None


def worker_count(cards: int) -> int:
    """How many worker processes parse `cards` cards: none below `PARALLEL_MIN`, in a process with other
    threads or on one CPU; else the CPUs this process may use (or `PATTERN_ATLAS_PARSE_WORKERS`)."""
    configured = os.environ.get(WORKERS_ENV, "").strip()
    if configured.isdigit():
        wanted = int(configured)
    else:
        wanted = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if (cards < PARALLEL_MIN or wanted < 1 or threading.active_count() > 1
            or multiprocessing.current_process().daemon or "fork" not in multiprocessing.get_all_start_methods()):
        return 0
    return wanted


def parse_cards(jobs: list[Job], vocab: Vocabulary, known: frozenset[str], cache: ParseCache | None = None,
                keys: tuple[str, str] | None = None, workers: int | None = None) -> Generator[ParsedCard, None, None]:
    """Each job's card, in order: from `cache` when it holds it (with `keys`: the pattern names' and the
    reader's digests), else parsed (in `workers` processes, by default `worker_count`) and put in it.
    Raises the LoadError of the first card, in order, that is not one. Consumes `jobs`: each is set to
    None once its card is given, so a document's lines are freed as the graph grows."""
    use_cache = cache is not None and keys is not None
    card_keys = [card_key(doc, fixes, *keys) for doc, fixes in jobs] if use_cache and keys else []
    todo = [i for i in range(len(jobs)) if not use_cache or card_keys[i] not in cache]  # type: ignore[operator]
    count = worker_count(len(todo)) if workers is None else workers
    rows = _parsed_rows([jobs[i] for i in todo], vocab, known, count) if count >= 1 and len(todo) > 1 else None
    pending = iter(todo)  # the jobs the workers parse, in order
    upcoming = next(pending, None)
    try:
        for i in range(len(jobs)):
            doc, fixes = jobs[i]
            jobs[i] = None  # type: ignore[call-overload]
            key = card_keys[i] if use_cache else ""
            card = cache.get(key, vocab) if cache is not None and use_cache and key in cache else None
            if card is None and rows is not None and upcoming == i:
                upcoming = next(pending, None)
                card = _from_worker(next(rows), key if use_cache else None, cache, vocab)
            elif card is None:
                card = parse_card(doc, vocab, known, corrections=fixes)
                if cache is not None and use_cache:
                    cache.put(key, card)
            yield card
    finally:  # an error here or in the caller: the workers stop now, not when the traceback is freed
        if rows is not None:
            rows.close()


def _from_worker(result: Result, key: str | None, cache: ParseCache | None, vocab: Vocabulary) -> ParsedCard:
    """The card a worker sent (kept in the cache under `key`), or its LoadError raised."""
    if not isinstance(result, bytes):
        raise LoadError(*result)
    if cache is not None and key is not None:
        cache.put_row(key, result)
    return decode_card(orjson.loads(result), vocab)


def _parsed_rows(jobs: list[Job], vocab: Vocabulary, known: frozenset[str],
                 workers: int) -> Generator[Result, None, None]:
    """Each job's result, in order, parsed by `workers` forked processes in chunks; the rest parsed here
    if the workers cannot start or die (a worker killed for memory must not stop the load). Consumes
    `jobs` here as `parse_cards` does (the workers have their own copies)."""
    global _WORK
    size = max(10, min(100, len(jobs) // (workers * 8) or 1))
    chunks = [(start, min(start + size, len(jobs))) for start in range(0, len(jobs), size)]
    done = 0
    _WORK = (jobs, vocab, known)
    try:
        pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
    except (OSError, ValueError):
        pool = None
    try:
        if pool is not None:
            waiting: deque[Future[list[Result]]] = deque()
            for bounds in chunks:  # a few chunks ahead: results do not pile up while this process assembles
                waiting.append(pool.submit(_parse_chunk, bounds))
                if len(waiting) > AHEAD * workers:
                    for result in waiting.popleft().result():
                        jobs[done] = None  # type: ignore[call-overload]
                        done += 1
                        yield result
            while waiting:
                for result in waiting.popleft().result():
                    jobs[done] = None  # type: ignore[call-overload]
                    done += 1
                    yield result
    except (BrokenProcessPool, OSError):
        pass  # the rest below, here
    finally:
        _WORK = None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
    for doc, fixes in jobs[done:]:
        yield _parse_one(doc, fixes, vocab, known)


def _parse_chunk(bounds: tuple[int, int]) -> list[Result]:
    """In a worker: the results of the inherited jobs from `bounds[0]` up to `bounds[1]`."""
    assert _WORK is not None, "the jobs are set before the workers are forked"
    jobs, vocab, known = _WORK
    return [_parse_one(doc, fixes, vocab, known) for doc, fixes in jobs[bounds[0]:bounds[1]]]


def _parse_one(doc: Document, fixes: Sequence[Correction], vocab: Vocabulary, known: frozenset[str]) -> Result:
    """One card as its row in orjson bytes, or its LoadError as data."""
    try:
        return orjson.dumps(encode_card(parse_card(doc, vocab, known, corrections=fixes)))
    except LoadError as exc:
        return (exc.file, exc.line, exc.message)
