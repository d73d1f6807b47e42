"""Read-only Cypher for researchers: the write guard both stores share, and the embedded runner.

Both stores refuse writes before sending anything (the Neo4j store also runs in READ access mode).
On the embedded store, Cypher runs through grand-cypher (a Cypher subset over networkx) in a forked
worker process, so that a runaway match can be stopped at the timeout; variable-length patterns are
capped in hops. Results have one shape on both stores:
``{"columns": [...], "rows": [[...], ...], "subgraph": {"nodes": [...], "edges": [...]}, "truncated": bool}``.
"""
from __future__ import annotations

import multiprocessing
import re
from typing import Any, Callable, Sequence

import networkx as nx

DEFAULT_LIMIT = 1000
DEFAULT_TIMEOUT = 10.0
MAX_VARIABLE_HOPS = 4


class CypherError(Exception):
    """A query the Cypher entry will not or cannot run; the message is meant for the user."""


class ReadOnlyViolation(CypherError):
    """The query would write, or call something that is not allowed."""


class UnsupportedQuery(CypherError):
    """The embedded store's Cypher subset cannot run this query."""


class QueryTimeout(CypherError):
    """The query ran past its time limit and was stopped."""


_LITERALS = re.compile(r"'(?:\\.|[^'\\])*'|\"(?:\\.|[^\"\\])*\"|`[^`]*`|//[^\n]*|/\*.*?\*/", re.DOTALL)
_FORBIDDEN = [
    (re.compile(r"\bCREATE\b", re.I), "CREATE"),
    (re.compile(r"\bMERGE\b", re.I), "MERGE"),
    (re.compile(r"\bSET\b", re.I), "SET"),
    (re.compile(r"\bDELETE\b", re.I), "DELETE"),
    (re.compile(r"\bREMOVE\b", re.I), "REMOVE"),
    (re.compile(r"\bDROP\b", re.I), "DROP"),
    (re.compile(r"\bFOREACH\b", re.I), "FOREACH"),
    (re.compile(r"\bLOAD\s+CSV\b", re.I), "LOAD CSV"),
    (re.compile(r"\bIN\s+TRANSACTIONS\b", re.I), "CALL … IN TRANSACTIONS"),
    (re.compile(r"\bPERIODIC\s+COMMIT\b", re.I), "PERIODIC COMMIT"),
    (re.compile(r"\b(?:ALTER|GRANT|DENY|REVOKE|RENAME|TERMINATE|ENABLE|DEALLOCATE|REALLOCATE)\b", re.I),
     "an administration command"),
    (re.compile(r"\b(?:START|STOP)\s+DATABASE\b", re.I), "an administration command"),
    (re.compile(r"\bSHOW\b", re.I), "SHOW (administration)"),
    (re.compile(r"\bUSE\b", re.I), "USE (another database)"),
    (re.compile(r"\b(?:apoc|dbms|gds|db\.create|db\.index\.fulltext\.create)\s*\.", re.I), "a procedure call"),
    (re.compile(r"\bCALL\b(?!\s*\{)", re.I), "CALL (procedures)"),
]
_HOPS = re.compile(r"\*\s*(\d*)\s*(?:\.\.\s*(\d*))?")
_PARAM = re.compile(r"\$\w+")


def strip_literals(query: str) -> str:
    """The query with string literals, quoted names and comments blanked (for keyword checks)."""
    return _LITERALS.sub(" ", query)


def check_read_only(query: str) -> None:
    """Raise ReadOnlyViolation if the query writes, loads files, administers or calls procedures."""
    code = strip_literals(query)
    for pattern, what in _FORBIDDEN:
        if pattern.search(code):
            raise ReadOnlyViolation(f"refused: the query uses {what}; the Cypher entry is read-only "
                                    "(no CREATE, MERGE, SET, DELETE, REMOVE, LOAD CSV or procedure calls)")
    if not code.strip():
        raise CypherError("the query is empty")


def check_hops(query: str, max_hops: int = MAX_VARIABLE_HOPS) -> None:
    """Refuse variable-length patterns that are unbounded or longer than `max_hops`."""
    code = strip_literals(query)
    for match in _HOPS.finditer(code):
        if "[" not in code[max(0, match.start() - 40):match.start()]:
            continue
        low, high = match.group(1), match.group(2)
        bound = high if match.group(0).find("..") >= 0 else low
        if not bound or int(bound) > max_hops:
            raise UnsupportedQuery(f"variable-length patterns are capped at {max_hops} hops here "
                                   f"(write e.g. *1..{max_hops}); '{match.group(0).strip()}' is not")


def summarise(value: Any) -> Any:
    """A JSON-able form of a result value: nodes as {id, kind, name}, others as they are."""
    if isinstance(value, dict):
        if "id" in value and ("kind" in value or "__labels__" in value):
            return {"id": value["id"], "kind": value.get("kind"), "name": value.get("name")}
        return {str(k): summarise(v) for k, v in value.items() if k != "__labels__"}
    if isinstance(value, (list, tuple)):
        return [summarise(v) for v in value]
    if isinstance(value, set):
        return sorted(summarise(v) for v in value)
    return value


def node_ids_in(rows: Sequence[Sequence[Any]]) -> list[str]:
    """Ids of the nodes that appear in result rows (for the result's subgraph)."""
    found: set[str] = set()

    def walk(v: Any) -> None:
        if isinstance(v, dict):
            if "id" in v and "kind" in v:
                found.add(v["id"])
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)

    for row in rows:
        walk(list(row))
    return sorted(found)


def cypher_view(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """The graph as grand-cypher sees it: kinds and edge types as `__labels__`, scalar properties."""
    view = nx.MultiDiGraph()
    for nid, attrs in graph.nodes(data=True):
        props = {k: v for k, v in attrs.items() if isinstance(v, (str, int, float, bool)) and k != "id"}
        view.add_node(nid, __labels__={attrs["kind"]}, id=nid, **props)
    for u, v, key, attrs in graph.edges(keys=True, data=True):
        props = {k: val for k, val in attrs.items() if isinstance(val, (str, int, float, bool)) and k != "type"}
        view.add_edge(u, v, key=key, __labels__={key}, type=key, **props)
    return view


def _run_grand_cypher(view: nx.MultiDiGraph, query: str, limit: int) -> tuple[list[str], list[list[Any]]]:
    from grandcypher import GrandCypher  # noqa: PLC0415 - heavy import, only where used

    raw = GrandCypher(view, limit=limit).run(query)
    columns = [str(c) for c in raw]
    values = [list(v) for v in raw.values()]
    rows = [list(r) for r in zip(*values)] if values else []
    return columns, [[summarise(x) for x in row] for row in rows]


def _worker(conn: Any, fn: Callable[..., Any], args: tuple) -> None:
    try:
        conn.send(("ok", fn(*args)))
    except Exception as exc:  # noqa: BLE001 - reported to the parent as a message
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def run_with_timeout(fn: Callable[..., Any], args: tuple, timeout: float) -> Any:
    """Run fn(*args) in a forked process; kill it and raise QueryTimeout past `timeout` seconds."""
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_worker, args=(child, fn, args), daemon=True)
    proc.start()
    child.close()
    try:
        if not parent.poll(timeout):
            raise QueryTimeout(f"the query ran longer than {timeout:g} s and was stopped; narrow it "
                               "(fewer hops, a LIMIT) or use the Neo4j store")
        status, payload = parent.recv()
    except EOFError:
        raise CypherError("the query worker stopped without an answer") from None
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join(1)
        parent.close()
    if status == "error":
        raise UnsupportedQuery(f"the embedded store runs a subset of Cypher (grand-cypher) and could not run "
                               f"this query ({payload.splitlines()[0][:300]}); use the Neo4j store for full Cypher")
    return payload


def run_embedded(view: nx.MultiDiGraph, query: str, params: dict[str, Any] | None = None,
                 limit: int = DEFAULT_LIMIT, timeout: float = DEFAULT_TIMEOUT) -> tuple[list[str], list[list[Any]], bool]:
    """Run read-only Cypher on the embedded store's view: (columns, rows, truncated)."""
    check_read_only(query)
    if params or _PARAM.search(strip_literals(query)):
        raise UnsupportedQuery("the embedded store's Cypher (grand-cypher) has no $parameters; use a named "
                               "query from the library, or the Neo4j store")
    check_hops(query)
    columns, rows = run_with_timeout(_run_grand_cypher, (view, query, limit + 1), timeout)
    return columns, rows[:limit], len(rows) > limit
