"""Read-only Cypher for researchers: the guard and checks both stores share.

Both stores check a query before sending anything: its size, nesting depth and operator chains
(`check_size`), then that it cannot write (`check_read_only`); the Neo4j store also runs it in READ
access mode, as a second wall. The guard reads the query as Neo4j 5 does: first the `\\uXXXX` escapes
are decoded everywhere (the server decodes them before lexing, so `\\u0043REATE` is CREATE), then
strings, backtick-quoted names and comments are told apart from code with the server's own rules.

The embedded store's engine is `graph.embedded_cypher` (graphqlite, run in the forked worker of
`graph.cypher_worker` with a time limit and a memory cap). Results have one shape on both stores:
``{"columns": [...], "rows": [[...], ...], "subgraph": {"nodes": [...], "edges": [...]}, "truncated": bool}``.
"""
from __future__ import annotations

import math
import re
import unicodedata
from typing import Any, Iterator, Sequence

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
