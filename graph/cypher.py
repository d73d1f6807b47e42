"""Read-only Cypher for researchers: the guard both stores share, and the embedded runner.

Both stores check a query before sending anything: its size, nesting depth and operator chains
(`check_size`), then that it cannot write (`check_read_only`); the Neo4j store also runs it in READ
access mode, as a second wall. The guard reads the query as Neo4j 5 does: first the `\\uXXXX` escapes
are decoded everywhere (the server decodes them before lexing, so `\\u0043REATE` is CREATE), then
strings, backtick-quoted names and comments are told apart from code with the server's own rules.

On the embedded store, Cypher runs through grand-cypher (a Cypher subset over networkx) in a forked
worker process, so that a runaway match can be stopped at the timeout; the worker may grow by at most
`worker_memory_mb()` MiB and sends back at most the row limit; variable-length patterns are capped in
hops (checked on the text for a clear message, and on grand-cypher's own parse tree in the worker).
Results have one shape on both stores:
``{"columns": [...], "rows": [[...], ...], "subgraph": {"nodes": [...], "edges": [...]}, "truncated": bool}``.
"""
from __future__ import annotations

import math
import multiprocessing
import os
import pickle
import re
import unicodedata
from typing import Any, Callable, Iterator, Sequence

import networkx as nx

from .errors import AtlasError

DEFAULT_LIMIT = 1000
DEFAULT_TIMEOUT = 10.0
MAX_VARIABLE_HOPS = 4
#: The longest query accepted, in characters. The server's parser needs time and stack in proportion
#: (and worse) to a query's length: a 20,000-character arithmetic chain took Neo4j 5 minutes.
MAX_QUERY_CHARS = 10_000
#: The deepest nesting accepted. Brackets `(`, `[`, `{`, `CASE … END` and each operator of a run of
#: operators with no operand between them (`NOT NOT …`, `- - …`) add a level. Neo4j 5's parser
#: overflows its stack at about 290 nested parentheses or lists (and then never answers).
MAX_NESTING = 50
#: The longest chain of operators (`+`, `.`, `AND`, `||`, `:` …) with no comma, clause keyword or
#: bracket between them: Neo4j 5 needs seconds for a few hundred (`m.a.a.a…`, `'a' || 'a' || …`).
MAX_CHAIN = 250
#: The most clauses (MATCH, WITH, UNWIND, RETURN, UNION, CALL, FINISH) accepted: Neo4j 5 plans each
#: part; 100 parts of a UNION took it seconds, 300 longer than a client waits.
MAX_CLAUSES = 50
#: How much the embedded store's Cypher worker may grow (address space, MiB) beyond its size when
#: forked; PATTERN_ATLAS_CYPHER_MEMORY_MB overrides it.
WORKER_MEMORY_MB = 1024
#: The largest answer (pickled) the worker sends back.
MAX_RESULT_BYTES = 64 * 2**20
#: Neo4j integers are 64-bit.
INT64 = (-2**63, 2**63 - 1)


class CypherError(AtlasError):
    """A query the Cypher entry will not or cannot run; the message is meant for the user."""


class ReadOnlyViolation(CypherError):
    """The query would write, or call something that is not allowed."""


class UnsupportedQuery(CypherError):
    """The embedded store's Cypher subset cannot run this query."""


class QueryTimeout(CypherError):
    """The query ran past its time limit and was stopped."""


class QueryTooLarge(CypherError):
    """The query is longer, deeper or uses more memory than the Cypher entry allows."""


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
    _check_length(query)
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


# -- size, depth and chains ----------------------------------------------------------------------
#: Words that end an operator chain: clauses, their sub-clauses and CASE's branches.
_CHAIN_BREAKS = frozenset("""MATCH OPTIONAL WHERE RETURN WITH UNWIND ORDER BY SKIP LIMIT OFFSET UNION ALL CALL
    YIELD AS DISTINCT WHEN THEN ELSE ASC DESC ASCENDING DESCENDING FINISH USING INDEX SCAN JOIN ON""".split())
_CLAUSES = frozenset("MATCH WITH UNWIND RETURN UNION CALL FINISH".split())
_OPERATOR_WORDS = frozenset("AND OR XOR NOT IN IS CONTAINS STARTS ENDS".split())
_OPERATOR_CHARS = frozenset("+-*/%^=<>!.:|&~")
_OPEN, _CLOSE = "([{", ")]}"


def _check_length(query: str) -> None:
    if len(query) > MAX_QUERY_CHARS:
        raise QueryTooLarge(f"the query is {len(query):,} characters long, more than the query size limit of "
                            f"{MAX_QUERY_CHARS:,} characters")


def check_size(query: str) -> None:
    """Refuse a query longer than MAX_QUERY_CHARS, nested deeper than MAX_NESTING, with an operator
    chain longer than MAX_CHAIN or more than MAX_CLAUSES clauses, before it reaches a parser (see those
    limits for why). The query is read as the server reads it (`\\u` escapes decoded)."""
    _check_length(query)
    tokens = [(kind, text.upper() if kind == "word" else text)
              for kind, text in _lexemes(decode_unicode_escapes(query)) if kind not in ("space", "comment")]
    closers: list[str] = []  # what closes each open level: ) ] } or END
    chains = [0]  # the operator chain of each open level
    run = clauses = deepest = 0  # run: operators since the last operand
    for i, (kind, text) in enumerate(tokens):
        before = tokens[i - 1] if i else ("", "")
        after = tokens[i + 1][1] if i + 1 < len(tokens) else ""
        key = before[1] == "." or after == ":"  # `n.end`, `{case: 1}`: a property key, not a keyword
        if kind == "char" and text in _OPEN:
            operand = before[0] in ("string", "name") or before[1] in (")", "]", "}") or (
                before[0] == "word" and before[1] not in _OPERATOR_WORDS and before[1] not in _CHAIN_BREAKS)
            if text == "[" and operand:
                chains[-1] += 1  # a subscript extends the chain it follows
            closers.append(_CLOSE[_OPEN.index(text)])
            chains.append(0)
            run = 0
        elif kind == "char" and text in _CLOSE:
            if closers and closers[-1] == text:
                closers.pop()
                chains.pop()
            run = 0
        elif kind == "word" and text == "CASE" and not key:
            closers.append("END")
            chains.append(0)
            run = 0
        elif kind == "word" and text == "END" and not key and closers and closers[-1] == "END":
            closers.pop()
            chains.pop()
            run = 0
        elif text in (",", ";") or kind == "word" and text in _CHAIN_BREAKS and not key and not (
                text == "WITH" and before[1] in ("STARTS", "ENDS")):
            chains[-1] = 0
            run = 0
            if text in _CLAUSES:
                clauses += 1
                if clauses > MAX_CLAUSES:
                    raise QueryTooLarge(f"the query has more clauses than the clause limit of {MAX_CLAUSES} "
                                        "(MATCH, WITH, UNWIND, RETURN, UNION, CALL, FINISH)")
        elif kind == "char" and text in _OPERATOR_CHARS or kind == "word" and text in _OPERATOR_WORDS and not key:
            chains[-1] += 1
            run += 1
            if chains[-1] > MAX_CHAIN:
                raise QueryTooLarge(f"the query chains more operators than the operator chain limit of {MAX_CHAIN} "
                                    "(operators with no comma, clause or bracket between them)")
        else:
            run = 0
        deepest = max(deepest, len(closers) + run)
        if deepest > MAX_NESTING:
            raise QueryTooLarge(f"the query nests deeper than the nesting depth limit of {MAX_NESTING} levels "
                                "(each bracket, CASE … END and operator in a run such as NOT NOT … is a level)")


def check_query(query: str) -> None:
    """Every check both stores make before running user Cypher: size, then read-only."""
    check_size(query)
    check_read_only(query)


def check_timeout(timeout: float) -> float:
    """The timeout as a float, if it is a finite number of seconds above 0."""
    try:
        value = float(timeout)
    except (TypeError, ValueError):
        raise CypherError(f"the timeout must be a number of seconds, not {timeout!r}") from None
    if not (math.isfinite(value) and value > 0):
        raise CypherError(f"the timeout must be more than 0 seconds and finite, not {timeout!r}")
    return value


def check_params(params: dict[str, Any] | None) -> None:
    """Refuse parameter values Neo4j cannot hold: integers beyond 64 bits (anywhere in lists or maps)."""
    def walk(value: Any, key: str) -> None:
        if isinstance(value, bool):
            return
        if isinstance(value, int) and not INT64[0] <= value <= INT64[1]:
            shown = str(value) if value.bit_length() < 200 else f"a {value.bit_length()}-bit number"
            raise CypherError(f"parameter {key!r}: {shown} does not fit in a 64-bit integer "
                              f"({INT64[0]} to {INT64[1]}), which is what Neo4j stores")
        if isinstance(value, dict):
            for v in value.values():
                walk(v, key)
        elif isinstance(value, (list, tuple)):
            for v in value:
                walk(v, key)

    for key, value in (params or {}).items():
        walk(value, str(key))


# -- variable-length patterns (embedded store) ---------------------------------------------------
_DIGITS = re.compile("[0-9]+")


def _hops_message(max_hops: int, written: str) -> str:
    return (f"variable-length patterns are capped at {max_hops} hops here (write e.g. *1..{max_hops}); "
            f"'{written}' is not; run longer ones on Neo4j (--store neo4j)")


def check_hops(query: str, max_hops: int = MAX_VARIABLE_HOPS) -> None:
    """Refuse variable-length patterns that are unbounded or longer than `max_hops`.

    Reads every relationship pattern (a `[…]` with `-` before or after it), whatever the spaces,
    comments, variable, types or properties before its `*`: `*`, `*2..` and `*..` are unbounded,
    `*n` means n hops, `*m..n` n hops."""
    tokens = [(kind, text) for kind, text in _lexemes(query) if kind not in ("space", "comment")]
    for start, (kind, text) in enumerate(tokens):
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
        if "-" not in (before, after):
            continue  # a list or a subscript, not a relationship
        inner = tokens[start + 1:end if end is not None else len(tokens)]
        level = 0
        for j, (ikind, itext) in enumerate(inner):
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
            written = "*" + low + (".." + high if ranged else "")
            bound = high if ranged else low
            if not bound or int(bound) > max_hops:
                raise UnsupportedQuery(_hops_message(max_hops, written))


def _check_tree_hops(tree: Any, max_hops: int) -> None:
    """The hop check on grand-cypher's own parse tree: what it will run, whatever the text looked like."""
    for sub in tree.iter_subtrees():
        if getattr(sub, "data", None) != "edge_match":
            continue
        values = {str(getattr(t, "type", "")): str(t) for t in sub.scan_values(lambda v: hasattr(v, "type"))}
        low, high = values.get("MIN_HOP"), values.get("MAX_HOP")
        bound = high if high is not None else low
        if bound is not None and int(bound) > max_hops:
            raise UnsupportedQuery(_hops_message(max_hops, f"*{low}" + (f"..{high}" if high is not None else "")))


# -- results --------------------------------------------------------------------------------------
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
        # the ends, so a returned relationship can name them (graph.results.embedded_value)
        view.add_edge(u, v, key=key, __labels__={key}, type=key, **props, __source__=u, __target__=v)
    return view


# -- the embedded runner ---------------------------------------------------------------------------
_AGGREGATES = frozenset("COUNT SUM AVG MAX MIN COLLECT".split())


#: What grand-cypher reads but answers differently from Neo4j: refused before it runs.
_WRONG_ON_EMBEDDED = [
    (re.compile(r"\)\s*-\s*(?:\[[^\]]*\]\s*)?-\s*\(", re.S),
     "undirected relationship patterns ()-[]-() (grand-cypher matches each pair once, Neo4j once per "
     "direction); write the direction, -> or <-"),
    (re.compile(r"\bNOT\b(?!\s+NULL\b)", re.I), "NOT (grand-cypher drops rows with it)"),
    (re.compile(r"\bMATCH\s+\w+\s*=", re.I), "path variables (MATCH p = …)"),
]
#: What grand-cypher's grammar has no rule for, as a user would name it (only reported when it fails).
_LACKING = [
    (re.compile(r"\bOPTIONAL\s+MATCH\b", re.I), "OPTIONAL MATCH"),
    (re.compile(r"(?<!STARTS)(?<!ENDS)\s+\bWITH\b", re.I), "WITH"),
    (re.compile(r"\bUNWIND\b", re.I), "UNWIND"),
    (re.compile(r"\bUNION\b", re.I), "UNION"),
    (re.compile(r"\bCASE\b", re.I), "CASE"),
    (re.compile(r"\bCALL\s*\{", re.I), "CALL { } subqueries"),
    (re.compile(r"\bIS\s+(?:NOT\s+)?NULL\b", re.I), "IS [NOT] NULL"),
    (re.compile(r"\(\s*\*\s*\)"), "count(*)"),
    (re.compile(r"\(\s*DISTINCT\b", re.I), "DISTINCT inside an aggregate (count(DISTINCT x))"),
    (re.compile(r"\[\s*\w+\s+IN\b", re.I), "list comprehensions [x IN … | …]"),
    (re.compile(r"\bWHERE\b.*\(\s*\w*\s*\)\s*<?-", re.I | re.S), "pattern predicates in WHERE"),
    (re.compile(r"\bMATCH\b[^()]*\([^)]*\)[^,]*?,\s*\(", re.I | re.S), "several patterns in one MATCH "
     "separated by commas (write one MATCH per pattern)"),
    (re.compile(r"\bRETURN\b[^;]*?[-+*/]\s*\w", re.I | re.S), "arithmetic in RETURN"),
]
_FUNCTIONS = frozenset("""ID TOLOWER TOUPPER TRIM COALESCE SIZE TYPE RELATIONSHIPS COUNT SUM AVG MAX MIN COLLECT
    ALL ANY NONE SINGLE EXISTS""".split())
_NOT_FUNCTIONS = _CHAIN_BREAKS | _OPERATOR_WORDS | _CLAUSES | {"XOR", "NOT"}
_FUNCTION_CALL = re.compile(r"(?<![\w.$])(\w+)\s*\(")
_STORE_HINT = "run it on the Neo4j store (--store neo4j), which runs full Cypher"


def refuse_wrong_on_embedded(query: str) -> None:
    """Refuse what grand-cypher would run with rows different from Neo4j's (see _WRONG_ON_EMBEDDED)."""
    code = strip_literals(query)
    for pattern, what in _WRONG_ON_EMBEDDED:
        if pattern.search(code):
            raise UnsupportedQuery(f"the embedded store's Cypher does not run {what}; {_STORE_HINT}")


def lacking_constructs(query: str) -> list[str]:
    """The constructs of the query that the embedded store's Cypher (grand-cypher) lacks, by name."""
    code = strip_literals(query)
    found = [what for pattern, what in _LACKING if pattern.search(code)]
    functions = sorted({m.group(1) for m in _FUNCTION_CALL.finditer(code)
                        if m.group(1).upper() not in _FUNCTIONS and m.group(1).upper() not in _NOT_FUNCTIONS})
    found += [f"the function {name}()" for name in functions]
    return found


def unsupported_message(query: str, detail: str) -> str:
    lacking = lacking_constructs(query)
    if lacking:
        return f"the embedded store's Cypher (grand-cypher) lacks {', '.join(lacking)}; {_STORE_HINT}"
    return (f"the embedded store's Cypher (grand-cypher) could not read this query ({detail}); {_STORE_HINT}")


def to_grand_cypher(query: str) -> str:
    """The query rewritten into what grand-cypher's grammar reads, meaning unchanged: single-quoted
    strings in double quotes, aggregate functions (count, sum, avg, min, max, collect) and EXISTS in
    upper case (its grammar has them case-sensitive), comments as spaces. A string holding a backslash
    or a double quote is left as written (grand-cypher does not decode escapes)."""
    tokens = list(_lexemes(query))
    out: list[str] = []
    for i, (kind, text) in enumerate(tokens):
        if kind == "string" and text[0] == "'" and '"' not in text and "\\" not in text:
            out.append('"' + text[1:-1] + '"')
        elif kind == "comment":
            out.append(" ")
        elif kind == "word" and text.upper() in _AGGREGATES | {"EXISTS"}:
            following = next((t for k, t in tokens[i + 1:] if k not in ("space", "comment")), "")
            out.append(text.upper() if following in ("(", "{") else text)
        else:
            out.append(text)
    return "".join(out)


def _run_grand_cypher(view: nx.MultiDiGraph, query: str, limit: int, max_hops: int = MAX_VARIABLE_HOPS,
                      written: str | None = None) -> tuple[list[str], list[list[Any]]]:
    import grandcypher  # noqa: PLC0415 - heavy import, only where used (the parent imports it before forking)

    grammar = getattr(grandcypher, "_GrandCypherGrammar", None)
    if grammar is not None:  # the hop cap on the tree grand-cypher runs (the text check may be fooled)
        if written is not None and written != query:  # and on the query as written, where grand-cypher reads it
            try:
                _check_tree_hops(grammar.parse(written), max_hops)
            except UnsupportedQuery:
                raise
            except Exception:  # noqa: BLE001 - grand-cypher cannot read it as written: the rewrite is what runs
                pass
        _check_tree_hops(grammar.parse(query), max_hops)
    raw = grandcypher.GrandCypher(view, limit=limit).run(query)
    columns = [str(c) for c in raw]
    values = [list(v) for v in raw.values()]
    rows = [list(r) for r in zip(*values)][:limit] if values else []
    return columns, [[summarise(x) for x in row] for row in rows]


def worker_memory_mb() -> int:
    """MiB the Cypher worker may grow by: PATTERN_ATLAS_CYPHER_MEMORY_MB, else WORKER_MEMORY_MB."""
    try:
        return max(16, int(os.environ.get("PATTERN_ATLAS_CYPHER_MEMORY_MB", WORKER_MEMORY_MB)))
    except ValueError:
        return WORKER_MEMORY_MB


def _limit_memory(budget_mb: int) -> None:
    """Cap this process's address space (RLIMIT_AS) at its present size plus `budget_mb` MiB, so an
    allocation past it fails with MemoryError instead of growing until the machine swaps."""
    try:
        import resource  # noqa: PLC0415 - POSIX only

        with open("/proc/self/status", encoding="ascii") as status:
            size = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize:"))
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = size + budget_mb * 2**20
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, OSError, StopIteration, ValueError):  # no /proc or no RLIMIT_AS: time limit only
        pass


def _worker(conn: Any, fn: Callable[..., Any], args: tuple, budget_mb: int) -> None:
    _limit_memory(budget_mb)
    outcome: tuple[Any, ...] = ("memory", budget_mb)
    try:
        outcome = ("ok", fn(*args))
    except MemoryError:
        pass  # the frames holding the memory are released before the answer is encoded
    except CypherError as exc:  # a refusal of ours (the hop cap on the parse tree)
        outcome = ("refused", type(exc).__name__, str(exc))
    except Exception as exc:  # noqa: BLE001 - reported to the parent as a message
        memory = isinstance(exc.__context__, MemoryError) or isinstance(exc.__cause__, MemoryError)
        outcome = ("memory", budget_mb) if memory else ("error", f"{type(exc).__name__}: {str(exc)[:2000]}")
    try:
        data = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
        if len(data) > MAX_RESULT_BYTES:
            data = pickle.dumps(("large", len(data)))
    except MemoryError:
        data = pickle.dumps(("memory", budget_mb))
    try:
        conn.send_bytes(data)
    finally:
        conn.close()


def _memory_message(budget_mb: int) -> str:
    return (f"the query needed more than {budget_mb:,} MiB of memory (the embedded store's memory limit per "
            "query, PATTERN_ATLAS_CYPHER_MEMORY_MB) and was stopped; narrow it (fewer MATCH clauses over all "
            "nodes, a LIMIT) or use the Neo4j store")


def run_with_timeout(fn: Callable[..., Any], args: tuple, timeout: float) -> Any:
    """Run fn(*args) in a forked process with its memory capped; kill it and raise QueryTimeout past
    `timeout` seconds, QueryTooLarge when it runs out of memory or its answer is too large."""
    timeout = check_timeout(timeout)
    budget = worker_memory_mb()
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_worker, args=(child, fn, args, budget), daemon=True)
    proc.start()
    child.close()
    try:
        if not parent.poll(timeout):
            raise QueryTimeout(f"the query ran longer than {timeout:g} s and was stopped; narrow it "
                               "(fewer hops, a LIMIT) or use the Neo4j store")
        outcome = pickle.loads(parent.recv_bytes())
    except (EOFError, OSError, pickle.UnpicklingError):
        proc.join(1)
        how = f" (signal {-proc.exitcode})" if proc.exitcode is not None and proc.exitcode < 0 else ""
        raise CypherError(f"the query worker stopped without an answer{how}; it may have run out of memory "
                          f"(limit {budget:,} MiB, PATTERN_ATLAS_CYPHER_MEMORY_MB)") from None
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join(1)
        parent.close()
    status = outcome[0]
    if status == "ok":
        return outcome[1]
    if status == "memory":
        raise QueryTooLarge(_memory_message(outcome[1]))
    if status == "large":
        raise QueryTooLarge(f"the answer is {outcome[1] / 2**20:,.0f} MiB, more than the {MAX_RESULT_BYTES // 2**20} "
                            "MiB the embedded store sends back (result size limit); return fewer or smaller values")
    if status == "refused":
        cls = {c.__name__: c for c in (ReadOnlyViolation, UnsupportedQuery, QueryTimeout, QueryTooLarge)}
        raise cls.get(outcome[1], CypherError)(outcome[2])
    first = (outcome[1].splitlines() or [""])[0][:300]
    raise UnsupportedQuery(unsupported_message(query_of(args), first))


def query_of(args: tuple) -> str:
    """The query as written among a worker call's arguments (for the message when grand-cypher fails)."""
    return next((a for a in reversed(args) if isinstance(a, str)), "")


_PARAM = re.compile(r"\$\w+")


def run_embedded(view: nx.MultiDiGraph, query: str, params: dict[str, Any] | None = None,
                 limit: int = DEFAULT_LIMIT, timeout: float = DEFAULT_TIMEOUT) -> tuple[list[str], list[list[Any]], bool]:
    """Run read-only Cypher on the embedded store's view: (columns, rows, truncated)."""
    timeout = check_timeout(timeout)
    check_query(query)
    if params or _PARAM.search(strip_literals(query)):
        raise UnsupportedQuery("the embedded store's Cypher (grand-cypher) has no $parameters; use a named "
                               "query from the library, or the Neo4j store (--store neo4j)")
    check_hops(query)
    refuse_wrong_on_embedded(query)
    import grandcypher  # noqa: F401,PLC0415 - imported once here, so each forked worker starts with it
    columns, rows = run_with_timeout(_run_grand_cypher,
                                     (view, to_grand_cypher(query), limit + 1, MAX_VARIABLE_HOPS, query), timeout)
    return columns, rows[:limit], len(rows) > limit
