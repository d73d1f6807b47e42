"""Read-only Cypher for researchers: the write guard both stores share, and the embedded runner.

Both stores refuse writes before sending anything (the Neo4j store also runs in READ access mode, as
a second wall). The guard reads the query as Neo4j 5 does: first the `\\uXXXX` escapes are decoded
everywhere (the server decodes them before lexing, so `\\u0043REATE` is CREATE), then strings,
backtick-quoted names and comments are told apart from code with the server's own rules.
On the embedded store, Cypher runs through grand-cypher (a Cypher subset over networkx) in a forked
worker process, so that a runaway match can be stopped at the timeout; variable-length patterns are
capped in hops. Results have one shape on both stores:
``{"columns": [...], "rows": [[...], ...], "subgraph": {"nodes": [...], "edges": [...]}, "truncated": bool}``.
"""
from __future__ import annotations

import multiprocessing
import re
import unicodedata
from typing import Any, Callable, Iterator, Sequence

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


# -- reading a query as Neo4j 5 does -------------------------------------------------------------
def _java_hex_digit(unit: int) -> int:
    """Java's `Character.digit(unit, 16)` for one UTF-16 unit: the ASCII and fullwidth letters a-f,
    and every Unicode decimal digit (category Nd, e.g. '４', '٤'); -1 for anything else."""
    for base, start in ((0x30, 0), (0x41, 10), (0x61, 10), (0xFF21, 10), (0xFF41, 10)):
        if base <= unit < base + (10 if start == 0 else 6):
            return unit - base + start
    if 0xD800 <= unit <= 0xDFFF:
        return -1
    char = chr(unit)
    return unicodedata.decimal(char, -1) if unicodedata.category(char) == "Nd" else -1


def _java_parse_hex(units: Sequence[int]) -> int | None:
    """Java's `(char) Integer.parseInt(text, 16)`: an optional leading + or -, then hexadecimal
    digits as `_java_hex_digit` reads them; None where Java throws."""
    if not units:
        return None
    sign, start = 1, 0
    if units[0] < 0x30:  # Integer.parseInt looks for a sign only below '0'
        if units[0] not in (0x2B, 0x2D) or len(units) == 1:
            return None
        sign, start = (-1 if units[0] == 0x2D else 1), 1
    value = 0
    for unit in units[start:]:
        digit = _java_hex_digit(unit)
        if digit < 0:
            return None
        value = value * 16 + digit
    return (sign * value) & 0xFFFF


def decode_unicode_escapes(query: str) -> str:
    """The query as Neo4j 5's lexer sees it: every `\\u` escape replaced by its character.

    This is the server's `UnicodeEscapeReplacementReader`: over UTF-16 units, a backslash that is not
    itself escaped by the backslash before it, followed by `u`, starts an escape, and the next four
    units (fewer at the end of the query) are parsed by `Integer.parseInt(…, 16)`, so a sign and
    fullwidth or other Unicode digits count (`\\u+043` and `\\u００４３` are both 'C'). One pass: a
    decoded backslash starts nothing. Escapes are decoded everywhere, in strings, names and comments
    too, so `\\u0027` can open a string. An escape Java cannot parse is refused (so is the query, by
    the server)."""
    if "\\u" not in query:
        return query
    raw = query.encode("utf-16-le", "surrogatepass")
    units = [raw[i] | raw[i + 1] << 8 for i in range(0, len(raw), 2)]
    out: list[int] = []
    escaped = False
    i = 0
    while i < len(units):
        unit = units[i]
        if not escaped and unit == 0x5C and i + 1 < len(units) and units[i + 1] == 0x75:
            value = _java_parse_hex(units[i + 2:i + 6])
            if value is None:
                bad = bytes(b for u in units[i + 2:i + 6] for b in (u & 0xFF, u >> 8)).decode("utf-16-le", "replace")
                raise CypherError(f"the query has a \\u escape without four hexadecimal digits ('\\u{bad}')")
            out.append(value)
            escaped = False
            i += 6
            continue
        escaped = not escaped and unit == 0x5C
        out.append(unit)
        i += 1
    return b"".join(u.to_bytes(2, "little") for u in out).decode("utf-16-le", "surrogatepass")


#: Cypher's lexical rules (Neo4j 5): strings in either quote with a backslash escaping any character,
#: names in backticks with a doubled backtick for one, `//` comments to CR or LF, `/* */` comments
#: that do not nest. What matches none of these is code, one character at a time.
_LEXEMES = re.compile(r"""
    (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
  | (?P<name>`(?:[^`]|``)*`)
  | (?P<comment>//[^\r\n]*|/\*.*?\*/)
  | (?P<word>\w+)
  | (?P<space>\s+)
  | (?P<char>.)
""", re.VERBOSE | re.DOTALL)


def _lexemes(text: str) -> Iterator[tuple[str, str]]:
    for m in _LEXEMES.finditer(text):
        yield m.lastgroup or "char", m.group()


def _views(query: str) -> tuple[str, str]:
    """(code, code with names): strings and comments blanked; backtick-quoted names blanked in the
    first, written out bare in the second (for the namespace check: `apoc`.`x` is apoc.x)."""
    code, named = [], []
    for kind, text in _lexemes(query):
        if kind in ("string", "comment"):
            code.append(" ")
            named.append(" ")
        elif kind == "name":
            code.append(" ")
            named.append(" " + text[1:-1].replace("``", "`") + " ")
        else:
            code.append(text)
            named.append(text)
    return "".join(code), "".join(named)


def strip_literals(query: str) -> str:
    """The query with string literals, quoted names and comments blanked (for keyword checks)."""
    return _views(query)[0]


# -- the write guard -------------------------------------------------------------------------------
#: Whitespace between the words of a keyword: Python's Unicode whitespace (a superset of Cypher's)
#: and the invisible format characters, so no separator the server skips is missed.
_SEP = r"[\s\u180e\u200b-\u200f\u2060-\u2064\ufeff]+"
_FORBIDDEN = [
    (re.compile(r"\bCREATE\b", re.I), "CREATE"),
    (re.compile(r"\bINSERT\b", re.I), "INSERT (GQL's CREATE)"),
    (re.compile(r"\bMERGE\b", re.I), "MERGE"),
    (re.compile(r"\bSET\b", re.I), "SET"),
    (re.compile(r"\bDELETE\b", re.I), "DELETE"),
    (re.compile(r"\bREMOVE\b", re.I), "REMOVE"),
    (re.compile(r"\bDROP\b", re.I), "DROP"),
    (re.compile(r"\bFOREACH\b", re.I), "FOREACH"),
    (re.compile(rf"\bLOAD{_SEP}CSV\b", re.I), "LOAD CSV"),
    (re.compile(r"\bTRANSACTIONS\b", re.I), "CALL … IN TRANSACTIONS"),
    (re.compile(rf"\bPERIODIC{_SEP}COMMIT\b", re.I), "PERIODIC COMMIT"),
    (re.compile(r"\b(?:ALTER|GRANT|DENY|REVOKE|RENAME|TERMINATE|ENABLE|DEALLOCATE|REALLOCATE|DRYRUN)\b", re.I),
     "an administration command"),
    (re.compile(rf"\b(?:START|STOP){_SEP}DATABASE\b", re.I), "an administration command"),
    (re.compile(r"\bSHOW\b", re.I), "SHOW (administration)"),
    (re.compile(r"\bUSE\b", re.I), "USE (another database)"),
    (re.compile(r"\bCALL\b(?!\s*\{)", re.I), "CALL (procedures)"),
]
#: Namespaces of procedures and functions that may write, run other Cypher or reach outside; checked
#: with backtick-quoted names written out, so `apoc`.`cypher`.`run…` is apoc.cypher.run….
_FORBIDDEN_NAMESPACE = re.compile(
    r"(?<![\w$])(?:(?:apoc|dbms|gds)\s*\.|db\s*\.\s*(?:index\s*\.\s*fulltext\s*\.\s*)?create)", re.I)


def check_read_only(query: str) -> None:
    """Raise ReadOnlyViolation if the query writes, loads files, administers or calls procedures.

    The query is read as the server reads it: `\\u` escapes decoded first, then strings, names and
    comments set apart; backtick-quoted names are written out for the namespace check."""
    decoded = decode_unicode_escapes(query)
    code, named = _views(decoded)
    how = " (its \\u escapes decoded, as the server decodes them)" if decoded != query else ""
    found = next((what for pattern, what in _FORBIDDEN if pattern.search(code)), None)
    if found is None and _FORBIDDEN_NAMESPACE.search(named):
        found = "a procedure or function of apoc, dbms, gds or db.create"
    if found:
        raise ReadOnlyViolation(f"refused: the query uses {found}{how}; the Cypher entry is read-only "
                                "(no CREATE, INSERT, MERGE, SET, DELETE, REMOVE, LOAD CSV or procedure calls)")
    if not code.strip():
        raise CypherError("the query is empty")


_HOPS = re.compile(r"\*\s*(\d*)\s*(?:\.\.\s*(\d*))?")
_PARAM = re.compile(r"\$\w+")


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
