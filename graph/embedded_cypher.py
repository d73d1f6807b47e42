"""The embedded store's Cypher engine: graphqlite (Cypher over SQLite) on an in-memory copy of the graph.

Chosen by measurement over the conformance suite (tests/cypher_conformance.yaml; the table is in the
README): graphqlite reads ordinary Cypher (either quote, any keyword case, OPTIONAL MATCH, WITH, UNWIND,
UNION, CASE, undirected and variable-length patterns, path variables, $parameters) with Neo4j's rows,
loads the shipped corpus in ~50 ms and answers a warm query in well under a millisecond (in process; the
forked worker adds ~10-25 ms).
The project's Python may be built without SQLite extension loading, so the connection is sqlean.py's
sqlite3 (the same DB-API, with `load_extension`).

`CypherEngine` loads a graph once (the store builds it on the first Cypher query and keeps it while its
graph is unchanged). Each query then runs in a forked worker (`graph.cypher_worker`): the time limit
and the memory cap hold whatever the engine does. Before it runs, a query passes the guard both
stores share (`graph.cypher.check_query`), the parameter checks and the hop cap, and what graphqlite
answers differently from Neo4j is refused by name (`REFUSED`), pointing at `--store neo4j`. Its nodes,
relationships and paths come back in the shape both stores return (`graph.results`).
"""
from __future__ import annotations

import json
import re
from typing import Any, Sequence

import graphqlite
import networkx as nx
import sqlean

from .cypher import (
    _CLOSE,
    _OPEN,
    DEFAULT_LIMIT,
    DEFAULT_TIMEOUT,
    MAX_VARIABLE_HOPS,
    CypherError,
    QueryTooLarge,
    UnsupportedQuery,
    _lexemes,
    check_params,
    check_query,
    check_timeout,
    strip_literals,
)
from .cypher_worker import near_memory_cap, run_with_timeout
from .results import path, relationship

ENGINE = "the embedded store's Cypher (graphqlite)"
STORE_HINT = "run it on the Neo4j store (--store neo4j), which runs full Cypher"
#: What graphqlite reads but answers differently from Neo4j (or not at all): refused before it runs.
REFUSED = [
    (re.compile(r"(?<![\w.$`])labels\s*\(", re.I),
     "labels() (the Neo4j store's nodes carry its AtlasNode label too, so the lists differ)"),
    (re.compile(r"(?<![\w.$`])(?:id|elementId)\s*\(", re.I), "id() and elementId() (internal ids differ by store)"),
    (re.compile(r"\[\s*\w+\s+IN\b", re.I),
     "list comprehensions [x IN list | …] (graphqlite gives internal ids in them)"),
    (re.compile(r"(?<![\w.$`])(?:all)?shortestPath\s*\(", re.I), "shortestPath() and allShortestPaths()"),
    (re.compile(r"(?<![\w.$`])collect\s*\(\s*DISTINCT\b", re.I),
     "collect(DISTINCT …) (graphqlite keeps the duplicates; count(DISTINCT …) is run)"),
]
#: Words graphqlite 0.12 reserves that Neo4j reads as names in a read query (found by trying each as an alias).
_NAMES_NOT_KEYWORDS = frozenset({"pattern", "from", "to"})


def _props(attrs: dict[str, Any], skip: frozenset[str]) -> dict[str, Any]:
    """The properties Neo4j holds too: scalars and lists of strings (graph.neo4j_store.encoding)."""
    return {k: v for k, v in attrs.items() if k not in skip and v is not None and (
        isinstance(v, (str, int, float, bool)) or isinstance(v, list) and v and all(isinstance(x, str) for x in v))}


def _typed(value: Any) -> tuple[str, Any]:
    """The table suffix graphqlite keeps a property value in, and the value as stored there."""
    if isinstance(value, bool):
        return "bool", int(value)
    if isinstance(value, int):
        return "int", value
    if isinstance(value, float):
        return "real", value
    if isinstance(value, list):
        return "json", json.dumps(value)
    return "text", str(value)


def _load(connection: Any, graph: nx.MultiDiGraph) -> dict[str, int]:
    """Load the graph into graphqlite's tables (its schema, created by the extension), in one transaction
    with one `executemany` per table, where graphqlite's own bulk insert writes row by row (at 10k cards
    9 s instead of 30 s, on a busy machine).
    Node i of the graph is row i; its `id` and properties, its kind as its label. Returns id -> row."""
    graphqlite.wrap(connection, graphqlite.loadable_path())  # loads the extension, which creates the schema
    connection.enable_load_extension(False)
    rowids = {n: i for i, n in enumerate(graph.nodes, 1)}
    keys: dict[str, int] = {}
    rows: dict[str, list[tuple[int, int, Any]]] = {}

    def add(table: str, entity: int, props: dict[str, Any]) -> None:
        for key, value in props.items():
            suffix, stored = _typed(value)
            rows.setdefault(f"{table}_{suffix}", []).append((entity, keys.setdefault(key, len(keys) + 1), stored))

    for n, attrs in graph.nodes(data=True):
        add("node_props", rowids[n], {"id": n, **_props(attrs, frozenset({"id"}))})
    edges = []
    for i, (u, v, key, attrs) in enumerate(graph.edges(keys=True, data=True), 1):
        edges.append((i, rowids[u], rowids[v], key))
        add("edge_props", i, _props(attrs, frozenset({"type", "key"})))
    with connection:  # one transaction
        connection.executemany("INSERT INTO nodes (id) VALUES (?)", [(i,) for i in rowids.values()])
        connection.executemany("INSERT INTO node_labels (node_id, label) VALUES (?, ?)",
                               [(rowids[n], a["kind"]) for n, a in graph.nodes(data=True)])
        connection.executemany("INSERT INTO edges (id, source_id, target_id, type) VALUES (?, ?, ?, ?)", edges)
        connection.executemany("INSERT INTO property_keys (id, key) VALUES (?, ?)", [(i, k) for k, i in keys.items()])
        for table, values in rows.items():
            column = "node_id" if table.startswith("node") else "edge_id"
            connection.executemany(f"INSERT INTO {table} ({column}, key_id, value) VALUES (?, ?, ?)", values)
    return rowids


class CypherEngine:
    """One graph loaded into graphqlite: queries run on it in forked workers (`run`)."""

    def __init__(self, graph: nx.MultiDiGraph) -> None:
        self.connection = sqlean.connect(":memory:", check_same_thread=False)  # used by forked workers
        rowids = _load(self.connection, graph)
        # graphqlite's first query on a connection does one-time work (~1 s at 10k cards): done here, in the
        # parent, so the forked workers start after it
        self.connection.execute("SELECT cypher(?)", ("MATCH (n) RETURN n.id LIMIT 1",)).fetchone()
        #: graphqlite's internal node id -> the node as results show it, {id, kind, name}
        self.nodes = {rowids[n]: {"id": n, "kind": a["kind"], "name": a.get("name")} for n, a in graph.nodes(data=True)}

    def run(self, query: str, params: dict[str, Any] | None, limit: int) -> tuple[list[str], list[list[Any]]]:
        """(columns, at most `limit` rows) of a checked query, values in the shape both stores return."""
        try:
            if params:
                cursor = self.connection.execute("SELECT cypher(?, ?)", (query, json.dumps(params)))
            else:
                cursor = self.connection.execute("SELECT cypher(?)", (query,))
            answer = cursor.fetchone()
        except sqlean.Error:
            if near_memory_cap():  # the worker's memory cap, not the query, made it fail
                raise MemoryError from None
            raise
        text = answer[0] if answer else None
        records = json.loads(text, object_pairs_hook=_Pairs) if text else []
        if not isinstance(records, list):  # a statement without rows answers with a message
            records = []
        columns = [_column(str(k)) for k in ([k for k, _ in records[0]] if records else return_columns(query))]
        rows = [[self.value(v) for _, v in record] for record in records[:limit]]
        return columns, rows

    def value(self, value: Any) -> Any:
        """graphqlite's node, relationship or path as graph.results shapes it; maps and lists within."""
        if isinstance(value, _Pairs):
            value = dict(value)
        if isinstance(value, dict):
            keys = set(value)
            if keys == {"id", "labels", "properties"}:
                return self.nodes.get(value["id"]) or self.value(value["properties"])
            if {"type", "startNode", "endNode"} <= keys and value["startNode"] in self.nodes:
                return relationship(value["type"], self.nodes[value["startNode"]], self.nodes[value["endNode"]])
            if keys == {"nodes", "rels"}:
                return path([self.value(n) for n in value["nodes"]], [self.value(r) for r in value["rels"]])
            return {k: self.value(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.value(v) for v in value]
        return value


class _Pairs(list):
    """A JSON object as its (key, value) pairs: a row keeps its columns' order and repeated names."""


def return_columns(query: str) -> list[str]:
    """The columns of the query's last RETURN, as Neo4j names them (the alias, else the expression as
    written): graphqlite names columns only in the rows it returns, so an empty answer needs these."""
    tokens = [(k, t) for k, t in _lexemes(query) if k != "comment"]
    starts = [i for i, (k, t) in enumerate(tokens) if k == "word" and t.upper() == "RETURN"]
    if not starts:
        return []
    items: list[list[tuple[str, str]]] = [[]]
    depth = 0
    for kind, text in tokens[starts[-1] + 1:]:
        depth += text in _OPEN
        depth -= text in _CLOSE
        if depth == 0 and kind == "word" and text.upper() in ("ORDER", "SKIP", "LIMIT", "UNION"):
            break
        if depth == 0 and text in (",", ";"):
            items.append([])
        else:
            items[-1].append((kind, text))
    columns = []
    for item in items:
        words = [i for i, (k, t) in enumerate(item) if k == "word" and t.upper() == "AS"]
        if words:
            alias = "".join(t for _, t in item[words[-1] + 1:]).strip()
            columns.append(alias[1:-1].replace("``", "`") if alias.startswith("`") else alias)
            continue
        text = "".join(t for _, t in item).strip()
        columns.append(re.sub(r"^DISTINCT\s+", "", text, flags=re.I) if not columns else text)
    return [c for c in columns if c]


def for_graphqlite(query: str) -> str:
    """The query as graphqlite should read it, meaning unchanged: comments blanked as Neo4j ends them
    (so the guard and the engine read the same code), and a name that graphqlite takes for a keyword
    but Neo4j does not (`AS pattern`, `RETURN from`) quoted in backticks (not a property key)."""
    out: list[str] = []
    tokens = list(_lexemes(query))
    for i, (kind, text) in enumerate(tokens):
        if kind == "comment":
            out.append(" ")
            continue
        before = next((t for k, t in reversed(tokens[:i]) if k not in ("space", "comment")), "")
        after = next((t for k, t in tokens[i + 1:] if k not in ("space", "comment")), "")
        if kind == "word" and text.lower() in _NAMES_NOT_KEYWORDS and before not in (".", ":") and after != ":":
            out.append(f"`{text}`")
        else:
            out.append(text)
    return "".join(out)


def _column(name: str) -> str:
    """A column as Neo4j names it, for a name `for_graphqlite` quoted."""
    return re.sub(r"`(\w+)`", lambda m: m.group(1) if m.group(1).lower() in _NAMES_NOT_KEYWORDS else m.group(0), name)


# -- variable-length patterns ----------------------------------------------------------------------
_DIGITS = re.compile("[0-9]+")


def _hops_message(max_hops: int, written: str) -> str:
    return (f"variable-length patterns are capped at {max_hops} hops here (write e.g. *1..{max_hops}); "
            f"'{written}' is not; run longer ones on Neo4j (--store neo4j)")


def _relationship_spans(tokens: Sequence[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    """The inside of every `[…]` with a `-` before or after it (a relationship, not a list)."""
    spans = []
    for start, (_, text) in enumerate(tokens):
        if text != "[":
            continue
        depth, end = 0, None
        for j in range(start, len(tokens)):
            if tokens[j][1] in _OPEN:
                depth += 1
            elif tokens[j][1] in _CLOSE:
                depth -= 1
                if depth == 0:
                    end = j
                    break
        before = tokens[start - 1][1] if start else ""
        after = tokens[end + 1][1] if end is not None and end + 1 < len(tokens) else ""
        if "-" in (before, after):
            spans.append(list(tokens[start + 1:end if end is not None else len(tokens)]))
    return spans


def check_hops(query: str, max_hops: int = MAX_VARIABLE_HOPS) -> None:
    """Refuse variable-length patterns that are unbounded or longer than `max_hops`.

    Reads every relationship pattern whatever the spaces, comments, variable, types or properties
    before its `*`: `*`, `*2..` and `*..` are unbounded, `*n` means n hops, `*m..n` n hops."""
    tokens = [(kind, text) for kind, text in _lexemes(query) if kind not in ("space", "comment")]
    for inner in _relationship_spans(tokens):
        level = 0
        for j, (_, itext) in enumerate(inner):
            if itext in _OPEN:
                level += 1
            elif itext in _CLOSE:
                level -= 1
            if level or itext != "*":
                continue
            rest = [t for _, t in inner[j + 1:j + 5]]
            low = rest[0] if rest and _DIGITS.fullmatch(rest[0]) else ""
            tail = rest[1:] if low else rest
            ranged = tail[:2] == [".", "."]
            high = tail[2] if ranged and len(tail) > 2 and _DIGITS.fullmatch(tail[2]) else ""
            bound = high if ranged else low
            if not bound or int(bound) > max_hops:
                raise UnsupportedQuery(_hops_message(max_hops, "*" + low + (".." + high if ranged else "")))


# -- running a query -------------------------------------------------------------------------------
def refuse_unsupported(query: str) -> None:
    """Refuse by name what graphqlite answers differently from Neo4j (REFUSED)."""
    code = strip_literals(query)
    for pattern, what in REFUSED:
        if pattern.search(code):
            raise UnsupportedQuery(f"{ENGINE} does not run {what}; {STORE_HINT}")


def explain_failure(detail: str) -> CypherError:
    """graphqlite's error (first line, as the worker reports it) as a message that names the construct."""
    if "out of memory" in detail.lower():
        return QueryTooLarge("the query needed more memory than the embedded store's memory limit per query "
                             "(PATTERN_ATLAS_CYPHER_MEMORY_MB) and was stopped; narrow it or use the Neo4j store")
    raw = detail.split(": ", 1)[1] if ": " in detail else detail
    try:
        message = str(json.loads(raw).get("error", raw))
    except (ValueError, AttributeError):
        message = raw
    function = re.search(r"UnknownFunction: (\w+)", message)
    if function:
        return UnsupportedQuery(f"{ENGINE} lacks the function {function.group(1)}(); {STORE_HINT}")
    sql_word = re.search(r'SQL prepare failed: near "(\w+)": syntax error', message)
    if sql_word:  # graphqlite writes names into its SQL unquoted: an alias such as `to` breaks it
        return UnsupportedQuery(f"{ENGINE} cannot use the name '{sql_word.group(1)}' here (a keyword of the SQL it "
                                f"translates to; rename it); {STORE_HINT}")
    syntax = re.search(r"Line (\d+), Col (\d+): syntax error, (unexpected [^,]+)", message)
    if syntax:
        line, col, what = syntax.groups()
        return UnsupportedQuery(f"{ENGINE} does not read the construct at line {line}, column {col} ({what}); "
                                f"{STORE_HINT}")
    return UnsupportedQuery(f"{ENGINE} cannot run this query ({message[:300]}); {STORE_HINT}")



def run_cypher(engine: CypherEngine, query: str, params: dict[str, Any] | None = None, limit: int = DEFAULT_LIMIT,
               timeout: float = DEFAULT_TIMEOUT) -> tuple[list[str], list[list[Any]], bool]:
    """Run read-only Cypher on the engine in a worker: (columns, rows, truncated)."""
    timeout = check_timeout(timeout)
    check_query(query)
    check_params(params)
    check_hops(query)
    refuse_unsupported(query)
    columns, rows = run_with_timeout(engine.run, (for_graphqlite(query), params or None, limit + 1), timeout,
                                     explain_failure)
    return columns, rows[:limit], len(rows) > limit
