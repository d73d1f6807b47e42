"""Parsing cards in worker processes (issue 17, item 3): the same cards, graph, report, parse cache and first
error as parsing them here, serially; the serial path for small inputs and threaded processes."""
from __future__ import annotations

import gc
import os
import resource
import subprocess
import sys
import threading
import weakref
from pathlib import Path

import pytest
from conftest import REPO

from bench.generate import generate
from graph.model import gc_paused
from loaders import cardparsing
from loaders.build import _first_word
from loaders.corpus import load_paths
from loaders.errors import LoadError
from loaders.parsecache import ParseCache


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("synthetic")
    generate(40, root)
    return root


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _load(paths: list[Path], workers: int, monkeypatch, cache: ParseCache | None = None):
    """load_paths with `workers` parse processes from the first card on (0: serially, here)."""
    monkeypatch.setattr(cardparsing, "PARALLEL_MIN", 1)
    monkeypatch.setenv(cardparsing.WORKERS_ENV, str(workers))
    if workers:
        assert cardparsing.worker_count(40) == workers, "the workers must really run in this test"
    return load_paths(paths, cache)


def test_workers_give_the_serial_graph_report_and_cache(corpus, tmp_path, monkeypatch):
    serial = _load([corpus], 0, monkeypatch, ParseCache(tmp_path / "serial.cache"))
    before = _children_cpu()
    parallel = _load([corpus], 2, monkeypatch, ParseCache(tmp_path / "parallel.cache"))
    assert _children_cpu() > before, "the cards were parsed in worker processes"
    assert list(parallel.graph.nodes.items()) == list(serial.graph.nodes.items())
    assert list(parallel.graph.edges.items()) == list(serial.graph.edges.items())
    assert parallel.report.to_dict() == serial.report.to_dict()
    # the rows the workers sent are the rows a serial parse caches, so either cache serves the other
    assert (tmp_path / "parallel.cache").read_bytes() == (tmp_path / "serial.cache").read_bytes()
    warm = ParseCache(tmp_path / "parallel.cache")
    again = _load([corpus], 2, monkeypatch, warm)
    assert (warm.hits, warm.misses) == (40, 0)
    assert list(again.graph.edges.items()) == list(serial.graph.edges.items())


def test_a_bad_card_is_the_same_first_error_in_workers(corpus, tmp_path, monkeypatch):
    bad = tmp_path / "bad"
    bad.mkdir()
    for number, card in enumerate(sorted((corpus / "cards").glob("*.txt"))[:30]):
        text = card.read_text(encoding="utf-8")
        if number in (12, 25):  # two bad titles: the first in document order is the error
            text = "!!! Pattern" + text[text.index("\n"):]
        (bad / card.name).write_text(text, encoding="utf-8")
    errors = []
    for workers in (0, 2):
        with pytest.raises(LoadError) as err:
            _load([bad], workers, monkeypatch)
        errors.append(str(err.value))
    assert errors[0] == errors[1]
    assert errors[0].endswith(":1: the title '!!!' names no pattern (no letters or digits)"), errors[0]
    first = sorted(bad.glob("*.txt"))[12].name
    assert first in errors[0]


def test_the_command_line_gives_the_one_line_error_and_exit_2_with_workers(corpus, tmp_path):
    bad = tmp_path / "cli"
    bad.mkdir()
    cards = sorted((corpus / "cards").glob("*.txt"))
    for number in range(cardparsing.PARALLEL_MIN + 10):  # enough cards for the workers
        text = cards[number % len(cards)].read_text(encoding="utf-8").replace("Synth-", f"Copy{number}-", 1)
        if number == 150:
            text = "!!! Pattern" + text[text.index("\n"):]
        (bad / f"card-{number:03d}.txt").write_text(text, encoding="utf-8")
    env = {**os.environ, cardparsing.WORKERS_ENV: "2"}
    run = subprocess.run([sys.executable, "-m", "loaders", str(bad), "-o", str(tmp_path / "out.json")], cwd=REPO,
                         env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 2, run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "card-150.txt:1: the title '!!!'" in lines[0]
    assert not (tmp_path / "out.json").exists()


def test_small_inputs_and_threaded_processes_parse_here(monkeypatch):
    monkeypatch.setenv(cardparsing.WORKERS_ENV, "2")
    assert cardparsing.worker_count(cardparsing.PARALLEL_MIN - 1) == 0
    assert cardparsing.worker_count(cardparsing.PARALLEL_MIN) == 2, threading.enumerate()
    monkeypatch.setenv(cardparsing.WORKERS_ENV, "0")
    assert cardparsing.worker_count(10_000) == 0
    monkeypatch.setenv(cardparsing.WORKERS_ENV, "2")
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:  # forking a process with other threads could copy a lock one of them holds
        assert cardparsing.worker_count(10_000) == 0
    finally:
        stop.set()
        other.join()


def test_what_a_paused_collection_made_is_still_collected():
    class Node:
        pass

    with gc_paused():
        ring = Node()
        ring.self = ring  # type: ignore[attr-defined]  # a reference cycle: only the collector frees it
        alive = weakref.ref(ring)
    assert gc.isenabled()
    del ring
    gc.collect()
    assert alive() is None


def test_the_alias_prefilter_keeps_every_case_blind_match():
    assert _first_word("Lack of Support") == "lack"
    assert _first_word("Égalité des chances") is None  # not ASCII: the regex alone decides
    assert _first_word("   ") is None


def test_a_finished_graph_drops_its_merge_state_and_still_merges(corpus):
    graph = load_paths([corpus]).graph
    assert not graph._seen and not graph._named_at  # the provenance key sets: build state, not the graph
    nid = next(iter(graph.nodes))
    node = graph.nodes[nid]
    places = list(node["provenance"])
    graph.add_node(node["kind"], node["name"], places[:1], id=nid)  # a place it has: not added again
    assert node["provenance"] == places


def test_documents_and_cache_rows_are_let_go_of_once_used(corpus, tmp_path, monkeypatch):
    from loaders.corpus import discover
    from loaders.text import read_document
    from loaders.vocabulary import load_vocabulary

    vocab = load_vocabulary()
    jobs = [(read_document(f), []) for f in discover([corpus / "cards"])][:3]
    cards = cardparsing.parse_cards(jobs, vocab, frozenset(vocab.known_patterns), workers=0)
    next(cards)
    assert jobs[0] is None and jobs[1] is not None  # a document's lines go once its card is given
    cards.close()
    cache = ParseCache(tmp_path / "parsed.cache")
    _load([corpus], 2, monkeypatch, cache)
    assert cache.misses == 40 and not cache._used and not cache._rows  # saved, then let go of
