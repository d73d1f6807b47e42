"""Named queries of the algorithm kind: `algorithm: centrality | communities | similar` in data/queries.yaml.

Such an entry has typed parameters instead of Cypher and runs `graph.algorithms` through the store
interface, so both stores give the same rows. The answer has columns and rows like a Cypher named
query: scalars and lists of names, which the CLI prints as a table and the Query page shows and draws
(the nodes the names denote).

Parameters each algorithm reads (any it does not name keep their library defaults):

- centrality: `measure` (degree, betweenness, pagerank), `top` (0: all), `kinds` (comma-separated
  node kinds to rank; empty: all), `types` (comma-separated edge types; empty: all but DESCRIBES);
- communities: `top` (the N largest; 0: all), `types`;
- similar: `pattern` (a Pattern, by name or id), `top`, `types`.
"""
from __future__ import annotations

from typing import Any, Callable

from . import algorithms
from .cypher import CypherError
from .store import GraphStore

Answer = tuple[list[str], list[list[Any]]]


def _names(value: Any) -> list[str] | None:
    """A comma-separated parameter as a list (None when empty: the algorithm's default)."""
    names = [v.strip() for v in str(value or "").split(",") if v.strip()]
    return names or None


def _top(bound: dict[str, Any]) -> int | None:
    top = bound.get("top")
    return int(top) if top and int(top) > 0 else None


def _centrality(store: GraphStore, bound: dict[str, Any]) -> Answer:
    rows = algorithms.centrality(store, str(bound.get("measure") or "degree"), _top(bound), _names(bound.get("kinds")),
                                 _names(bound.get("types")))
    return (["rank", "name", "id", "kind", "score"],
            [[r["rank"], r["name"], r["id"], r["kind"], round(r["score"], 6)] for r in rows])


def _communities(store: GraphStore, bound: dict[str, Any]) -> Answer:
    found = algorithms.communities(store, _names(bound.get("types")))
    top = _top(bound)
    return (["community", "size", "label", "members"],
            [[c["index"], c["size"], c["label"], [m["name"] for m in c["members"]]] for c in found[:top]])


def _similar(store: GraphStore, bound: dict[str, Any]) -> Answer:
    rows = algorithms.similar(store, str(bound["pattern"]), _top(bound), _names(bound.get("types")))
    return (["rank", "name", "id", "score", "shared"],
            [[r["rank"], r["name"], r["id"], round(r["score"], 6), [s["name"] for s in r["shared"]]] for r in rows])


ALGORITHMS: dict[str, Callable[[GraphStore, dict[str, Any]], Answer]] = {
    "centrality": _centrality, "communities": _communities, "similar": _similar}


def run_algorithm(store: GraphStore, algorithm: str, bound: dict[str, Any]) -> Answer:
    """(columns, rows) of an algorithm named query with its bound parameters; a bad kind, edge type or
    measure is a CypherError naming it (the project's AtlasError), not a traceback."""
    if algorithm not in ALGORITHMS:
        raise CypherError(f"unknown algorithm {algorithm!r}; known: {', '.join(ALGORITHMS)}")
    try:
        return ALGORITHMS[algorithm](store, bound)
    except ValueError as exc:
        raise CypherError(str(exc)) from None
