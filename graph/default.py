"""Opening the default embedded store: load the saved graph, or rebuild it from `data/` when the
sources changed or the saved file is missing or unreadable."""
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

    The saved graph (`data/graph.json`) is used when its recorded digest matches the sources; a
    missing, stale, truncated or corrupted file is rebuilt from the sources (never the reverse:
    the sources in `data/` are only read).
    """
    data_dir = data_dir or default_data_dir()
    cache = cache or data_dir / CACHE_NAME
    digest = sources_digest([data_dir])
    if not rebuild and cache.exists():
        try:
            store = EmbeddedStore.load(cache)
            meta = store.graph.graph
            if meta.get("sources_digest") == digest:
                return store, dict(meta.get("report") or {})
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
