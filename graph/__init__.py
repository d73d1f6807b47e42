"""Graph model, schema and stores of Pattern Atlas.

For notebooks and scripts::

    from graph import open_store
    from graph import algorithms

    store = open_store()                         # the embedded store built from data/ (or "neo4j")
    store.shortest_path("pattern:insecure", "pattern:self-judging")     # plain dicts and lists
    algorithms.centrality(store, "pagerank", top=5)
    g = algorithms.projection(store)             # a networkx MultiDiGraph of the same graph
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .store import GraphStore

__all__ = ["open_store"]


def open_store(store: str = "embedded", data: str | Path | None = None) -> "GraphStore":
    """Open a store the way `python -m graph` does (`graph.default.open_store`): `"embedded"` (built
    from `data`, default the repository's `data/` or `PATTERN_ATLAS_DATA`) or `"neo4j"` (from the
    `NEO4J_*` environment variables). Its queries return plain dicts and lists; close it when done
    (it is a context manager)."""
    from .default import open_store as _open  # noqa: PLC0415 - keeps `import graph` light

    return _open(store, Path(data) if data is not None else None)
