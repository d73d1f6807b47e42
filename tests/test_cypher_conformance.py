"""Cypher conformance (issue 15): the queries of tests/cypher_conformance.yaml on both stores.

For every query the embedded store accepts, its rows equal Neo4j's (as multisets of normalised rows;
queries with `ordered: true` as sequences). A query it refuses gets a message that names what it
lacks and points at `--store neo4j`. Each query's outcome and latency on each store is printed
(`pytest -s`) and summed up at the end of the module.
"""
from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from graph.cypher import CypherError, UnsupportedQuery

CASES = yaml.safe_load((Path(__file__).with_name("cypher_conformance.yaml")).read_text(encoding="utf-8"))["queries"]
RESULTS: dict[str, dict[str, Any]] = {}


def normalise(value: Any, sort_lists: bool = False) -> Any:
    """One form for a value from either store: a node as its id, a path as its node ids, a float
    rounded; maps and lists element by element (lists sorted if `sort_lists`: collect() has no order)."""
    if isinstance(value, dict):
        if "id" in value and "kind" in value:
            return value["id"]
        if set(value) == {"nodes", "relationships"}:  # a path: its nodes and its steps
            return {"nodes": [normalise(n) for n in value["nodes"]],
                    "relationships": [normalise(r) for r in value["relationships"]]}
        return {str(k): normalise(v, sort_lists) for k, v in sorted(value.items())}
    if isinstance(value, (list, tuple)):
        items = [normalise(v, sort_lists) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, default=str)) if sort_lists else items
    if isinstance(value, float):
        return round(value, 9)
    return value


def _key(row: list[Any], sort_lists: bool = False) -> str:
    return json.dumps([normalise(v, sort_lists) for v in row], sort_keys=True, default=str)


def _run(store: Any, query: str) -> tuple[str, Any, float]:
    start = time.perf_counter()
    try:
        answer = store.cypher(query, limit=10_000, timeout=20.0)
        outcome: tuple[str, Any] = ("ok", (answer["columns"], answer["rows"]))
    except CypherError as exc:
        outcome = ("refused", exc)
    return outcome[0], outcome[1], time.perf_counter() - start


def test_the_suite_is_large_enough():
    assert len(CASES) >= 40
    assert len({c["name"] for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_conformance(case, corpus_store, neo4j_corpus_store, corpus_result):
    query = case["query"]
    if neo4j_corpus_store.counts() != corpus_store.counts():  # another test replaced the graph: restore it
        neo4j_corpus_store.replace_all(corpus_result.graph)
    corpus_store.cypher("MATCH (n:Pattern) RETURN n.id LIMIT 1")  # warm: the first query starts the worker
    n_status, n_rows, n_time = _run(neo4j_corpus_store, query)
    e_status, e_rows, e_time = _run(corpus_store, query)
    RESULTS[case["name"]] = {"accepted": e_status == "ok", "embedded_ms": e_time * 1000, "neo4j_ms": n_time * 1000,
                             "same": None}
    print(f"\n{case['name']}: embedded {'yes' if e_status == 'ok' else 'no'} {e_time * 1000:.0f} ms, "
          f"neo4j {n_time * 1000:.0f} ms")
    assert n_status == "ok", f"Neo4j refused a conformance query: {n_rows}"
    if case.get("construct"):
        assert e_status == "refused", "the embedded store now runs it: drop `construct` from the case"
    else:
        assert e_status == "ok", f"the embedded store refused a query it should run: {e_rows}"
    if e_status == "refused":
        message = str(e_rows)
        assert isinstance(e_rows, UnsupportedQuery), message
        assert "--store neo4j" in message, message
        assert "could not read" not in message, f"the refusal names no construct: {message}"
        if case.get("construct"):
            assert case["construct"] in message, message
        return
    (e_columns, e_rows), (n_columns, n_rows) = e_rows, n_rows
    assert e_columns == n_columns
    sort_lists = bool(case.get("sort_lists"))
    e_keys, n_keys = [_key(r, sort_lists) for r in e_rows], [_key(r, sort_lists) for r in n_rows]
    same = e_keys == n_keys if case.get("ordered") else Counter(e_keys) == Counter(n_keys)
    RESULTS[case["name"]]["same"] = same
    assert same, (f"embedded and Neo4j differ\nembedded: {sorted(e_keys)[:20]}\n"
                  f"neo4j:    {sorted(n_keys)[:20]}")


def test_summary():
    """Printed with -s: accepted and same-row counts, median latencies."""
    if not RESULTS:
        pytest.skip("no conformance query ran")
    accepted = [r for r in RESULTS.values() if r["accepted"]]
    same = [r for r in accepted if r["same"]]

    def median(xs: list[float]) -> float:
        xs = sorted(xs)
        return xs[len(xs) // 2] if xs else float("nan")

    print(f"\nconformance: {len(RESULTS)} queries, embedded accepts {len(accepted)}, same rows {len(same)}; "
          f"median latency embedded {median([r['embedded_ms'] for r in accepted]):.0f} ms (accepted), "
          f"neo4j {median([r['neo4j_ms'] for r in RESULTS.values()]):.0f} ms")


@pytest.mark.parametrize("written,read", [
    ("MATCH (p:Pattern) RETURN p.name AS pattern ORDER BY pattern",
     "MATCH (p:Pattern) RETURN p.name AS `pattern` ORDER BY `pattern`"),
    ("MATCH (p {pattern: 'to'}) RETURN p.pattern, p:From // a comment to the end\rRETURN 1",
     "MATCH (p {pattern: 'to'}) RETURN p.pattern, p:From  \rRETURN 1"),
    ("RETURN 'AS pattern' /* AS to */ AS `x`", "RETURN 'AS pattern'   AS `x`"),
])
def test_rewrite_for_graphqlite(written, read):
    """Comments are blanked as Neo4j ends them; names graphqlite reserves are quoted, strings, property
    keys, labels and map keys left as written."""
    from graph.embedded_cypher import for_graphqlite

    assert for_graphqlite(written) == read


@pytest.mark.parametrize("query,columns", [
    ("MATCH (p) RETURN DISTINCT p.name, count(*) AS n ORDER BY n", ["p.name", "n"]),
    ("MATCH (p) RETURN p.id AS `the id`, [x IN [1, 2] | x] SKIP 1", ["the id", "[x IN [1, 2] | x]"]),
    ("MATCH (p) WITH p RETURN {a: p.id, b: 1} AS m UNION MATCH (q) RETURN q AS m", ["m"]),
])
def test_columns_of_an_empty_answer(query, columns):
    """graphqlite names columns only in rows: an empty answer takes them from the RETURN clause."""
    from graph.embedded_cypher import return_columns

    assert return_columns(query) == columns
