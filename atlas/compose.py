"""Opening stores: the one place a front end (the CLIs, the app, the benchmark, notebooks) gets a store.

The embedded store is built from a corpus folder and saved beside it (`graph.snapshot`, with the parse
cache `graph.parsed`), and reused while its sources are unchanged; the Neo4j store is connected from
`atlas.settings`. This module sits above `graph/` and `loaders/` (it composes them), so neither of those
imports it.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Sequence

from graph import snapshot
from graph.atomic import write_atomic
from graph.embedded import EmbeddedStore
from graph.errors import AtlasError
from graph.store import GraphStore
from loaders.corpus import load_paths, sources_digest
from loaders.parsecache import ParseCache

from .settings import Neo4jSettings, Settings, read_settings

log = logging.getLogger(__name__)
#: The saved graph (`graph.snapshot`) and the parse cache (`graph.parsed`) beside it, in the corpus folder.
CACHE_NAME = "graph.snapshot"
PARSED_SUFFIX = ".parsed"
STORES = ("embedded", "neo4j")


def open_embedded(data_dir: Path | None = None, cache: Path | None = None,
                  rebuild: bool = False) -> tuple[EmbeddedStore, dict[str, Any]]:
    """The embedded store for `data_dir` (default: the settings' corpus folder) and its load report (as a dict).

    The snapshot (`data/graph.snapshot`, `graph.snapshot`) is used when it was saved for these sources
    (its header's digest), is this version, its checksum matches, every node and edge has the fields and
    types the loaders give, and its load report is whole and counts what the graph holds. Anything else
    (missing, stale, truncated, corrupted, edited by hand) is rebuilt from the sources, with a warning
    unless it was only stale or missing (never the reverse: the sources in `data/` are only read). A
    rebuild reads only the cards that changed since the last one (the parse cache beside the snapshot,
    `graph.parsed`, see `loaders.parsecache`).
    """
    data_dir = data_dir or read_settings().data_dir
    cache = cache or data_dir / CACHE_NAME
    digest = sources_digest([data_dir])
    if not rebuild:
        store = _saved_store(cache, digest, data_dir)
        if store is not None:
            return store, dict(store.meta["report"])
    # the loaders' copy of the graph is freed when load_documents returns, before the snapshot is encoded
    store, report = load_documents([data_dir], ParseCache(cache.with_suffix(PARSED_SUFFIX)))
    meta = {"sources_digest": digest, "report": report}
    store.meta.update(meta)
    try:
        write_atomic(cache, snapshot.encode(store.compact, meta, digest))
    except OSError as exc:  # a read-only checkout still works, it just rebuilds each time
        log.warning("cannot save %s (%s)", cache, exc)
    return store, report


def _saved_store(cache: Path, digest: str, data_dir: Path) -> EmbeddedStore | None:
    """The store the snapshot at `cache` holds when it is sound and saved for `digest`, else None (with a
    warning saying why, unless it is only missing or stale)."""
    try:
        compact = snapshot.read(cache, digest)
    except snapshot.SnapshotMissing:
        return None
    except snapshot.SnapshotStale:
        log.info("%s is stale; rebuilding from %s", cache, data_dir)
        return None
    except snapshot.SnapshotError as exc:
        log.warning("%s; rebuilding from %s", exc, data_dir)
        return None
    store = EmbeddedStore(compact)
    problem = report_problem(compact.meta.get("report"), store)
    if problem is None:
        return store
    log.warning("%s: %s; rebuilding from %s", cache, problem, data_dir)
    return None


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


def load_documents(paths: Sequence[Path], cache: ParseCache | None = None) -> tuple[EmbeddedStore, dict[str, Any]]:
    """A new embedded store (and its load report) from documents and folders, not saved (the app's uploads
    loaded with the corpus; `open_embedded`'s rebuild, with its parse cache). LoadError (an AtlasError)
    for bad input."""
    result = load_paths(list(paths), cache)
    store = EmbeddedStore()
    store.replace_all(result.graph)
    return store, result.report.to_dict()


def open_neo4j(settings: Neo4jSettings | None, retry_seconds: float = 30.0) -> GraphStore:
    """The Neo4j store for `settings`, connected and checked; Neo4jConfigError (no secrets) when it is
    not configured, not reachable or refuses the credentials."""
    from graph.neo4j_store import Neo4jConfigError, Neo4jStore  # noqa: PLC0415 - needs a server

    if settings is None:
        raise Neo4jConfigError("Neo4j is not configured: set NEO4J_URI, NEO4J_USER and NEO4J_PASSWORD")
    return Neo4jStore.from_settings(settings.uri, settings.user, settings.password, settings.database,
                                    retry_seconds=retry_seconds)


def open_store(store: str = "embedded", data: str | Path | None = None,
               settings: Settings | None = None) -> GraphStore:
    """A store whose queries return plain dicts and lists (close it when done; it is a context manager):
    `"embedded"`, built from `data` (default: the settings' corpus folder, `PATTERN_ATLAS_DATA` or the
    repository's `data/`), or `"neo4j"`, connected from the settings (`NEO4J_*`)."""
    settings = settings or read_settings()
    if store == "neo4j":
        return open_neo4j(settings.neo4j)
    if store != "embedded":
        raise AtlasError(f"unknown store {store!r}; known: {', '.join(STORES)}")
    return open_embedded(Path(data) if data is not None else settings.data_dir)[0]
