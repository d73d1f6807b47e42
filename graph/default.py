"""Opening the default embedded store: load the saved graph, or rebuild it from `data/` when the
sources changed or the saved file is missing, unreadable or not exactly what was saved."""
from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from loaders.corpus import DEFAULT_DATA, load_paths, sources_digest

from .embedded import EmbeddedStore

log = logging.getLogger(__name__)
CACHE_NAME = "graph.json"


def default_data_dir() -> Path:
    """The corpus folder: `PATTERN_ATLAS_DATA` if set (e.g. a benchmark corpus), else the repo's data/."""
    return Path(os.environ.get("PATTERN_ATLAS_DATA") or DEFAULT_DATA)


def open_embedded(data_dir: Path | None = None, cache: Path | None = None,
                  rebuild: bool = False) -> tuple[EmbeddedStore, dict[str, Any]]:
    """The embedded store for `data_dir` (default: `default_data_dir()`) and its load report (as a dict).

    The saved graph (`data/graph.json`) is used when it is this format version, its content checksum
    matches, every node and edge has the fields and types the loaders give, its load report is whole
    and counts what the graph holds, and its recorded digest matches the sources. Anything else (missing,
    stale, truncated, corrupted, edited by hand) is rebuilt from the sources, with a warning unless it
    was only stale (never the reverse: the sources in `data/` are only read).
    """
    data_dir = data_dir or default_data_dir()
    cache = cache or data_dir / CACHE_NAME
    digest = sources_digest([data_dir])
    if not rebuild and cache.exists():
        try:
            store = EmbeddedStore.load(cache, sealed=True)
            meta = store.graph.graph
            if meta.get("sources_digest") == digest:
                problem = report_problem(meta.get("report"), store)
                if problem is None:
                    return store, dict(meta["report"])
                log.warning("%s: %s; rebuilding from %s", cache, problem, data_dir)
            else:
                log.info("%s is stale; rebuilding from %s", cache, data_dir)
        except ValueError as exc:
            log.warning("%s; rebuilding from %s", exc, data_dir)
    result = load_paths([data_dir])
    store = EmbeddedStore()
    store.replace_all(result.graph)
    report = result.report.to_dict()
    store.graph.graph.update({"sources_digest": digest, "report": report})
    try:
        store.save(cache, {"sources_digest": digest, "report": report})
    except OSError as exc:  # a read-only checkout still works, it just rebuilds each time
        log.warning("cannot save %s (%s)", cache, exc)
    return store, report


_REPORT_LISTS = {"documents": dict, "warnings": dict, "inferred": dict, "corrections": dict, "alias_links": dict,
                 "skipped": str, "unresolved": str}


def report_problem(report: Any, store: EmbeddedStore) -> str | None:
    """What is wrong with a saved load report (None: nothing): the pages read its lists, and its counts
    must be the graph's own (a graph with nodes taken out under the same digest does not pass)."""
    if type(report) is not dict:
        return f"the load report has type {type(report).__name__}"
    for key, entry in _REPORT_LISTS.items():
        value = report.get(key, [])
        if type(value) is not list or any(type(v) is not entry for v in value):
            return f"the load report's {key!r} is not a list of {entry.__name__}"
    for w in report.get("warnings", []):
        if type(w.get("file")) is not str or type(w.get("line")) is not int or type(w.get("message")) is not str:
            return "a warning in the load report is not {file, line, message}"
    nodes, edges = store.counts()
    if report.get("node_counts") != nodes or report.get("edge_counts") != edges:
        return "the load report counts other nodes or edges than the graph holds"
    return None


def open_store(store: str = "embedded", data_dir: Path | None = None) -> Any:
    """A `GraphStore`: the embedded store for `data_dir` (`open_embedded`), or with `store="neo4j"`
    the Neo4j store from `NEO4J_URI`, `NEO4J_USER`, `NEO4J_PASSWORD` and `NEO4J_DATABASE`. The one
    way stores are opened by `python -m graph` and by `graph.open_store`."""
    if store == "neo4j":
        from .neo4j_store import Neo4jStore  # noqa: PLC0415 - needs a server

        return Neo4jStore.from_env()
    if store != "embedded":
        raise ValueError(f"unknown store {store!r}; known: embedded, neo4j")
    return open_embedded(data_dir)[0]
