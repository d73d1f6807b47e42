"""The composition layer of Pattern Atlas: settings read once, stores opened in one place, and the
command-line front ends. It sits above `graph/` (model, stores, queries) and `loaders/` (documents to
graph); the app (`app.py`, `explorer/`) and the benchmark sit above it.

For notebooks and scripts::

    from atlas import open_store
    from graph import algorithms

    store = open_store()                         # the embedded store built from data/ (or "neo4j")
    store.shortest_path("pattern:insecure", "pattern:self-judging")     # plain dicts and lists
    algorithms.centrality(store, "pagerank", top=5)
    g = algorithms.projection(store)             # a networkx MultiDiGraph of the same graph
"""
from __future__ import annotations

from .compose import load_documents, open_embedded, open_neo4j, open_store
from .settings import Neo4jSettings, Settings, read_settings

__all__ = ["Neo4jSettings", "Settings", "load_documents", "open_embedded", "open_neo4j", "open_store",
           "read_settings"]
