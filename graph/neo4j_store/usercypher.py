"""Running a user's read-only Cypher (and the named queries) on Neo4j: one READ transaction with a
server-side timeout and a client-side grace, results in the shape both stores return
(`graph.results`), and every driver error turned into a one-line CypherError."""
from __future__ import annotations

import contextlib
import logging
import threading
import uuid
from typing import Any, Iterator

import neo4j
from neo4j.exceptions import DriverError, Neo4jError

from ..cypher import (
    CypherError,
    QueryTimeout,
    QueryTooLarge,
    ReadOnlyViolation,
    check_params,
    check_query,
    check_timeout,
    summarise,
)
from ..results import path, relationship
from . import statements as cy
from .connection import Connected

log = logging.getLogger(__name__)

#: Seconds past a user query's timeout that the client still waits for the server's answer before it
#: terminates the transaction itself (the server checks its timeout between rows, not inside one
#: expression such as a `reduce()` over a long list, and a server whose parser failed never answers).
CLIENT_GRACE = 2.0
#: Seconds given to terminating a timed-out query's transaction (best effort).
TERMINATE_WAIT = 5.0
#: Marks a relationship end known only by its element id, until `fill_ends` reads it.
_ELEMENT = "__element_id__"


def plain(value: Any) -> Any:
    """A driver value as plain data: nodes as {id, kind, name}, relationships and paths in the shape
    of `graph.results` (a relationship's ends marked for `fill_ends` when the driver sent none)."""
    if isinstance(value, neo4j.graph.Node):
        props = dict(value)
        return {"id": props.get("id"), "kind": props.get("kind"), "name": props.get("name")}
    if isinstance(value, neo4j.graph.Relationship):
        return relationship(value.type, _end(value.start_node), _end(value.end_node))
    if isinstance(value, neo4j.graph.Path):
        return path([plain(n) for n in value.nodes], [plain(r) for r in value.relationships])
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def _end(node: Any) -> dict[str, Any]:
    """A relationship's end: a returned relationship's ends come without properties (only their
    element ids), so they are marked for `fill_ends`."""
    if node is not None and len(node):
        return plain(node)
    return {_ELEMENT: node.element_id if node is not None else None}


def _marked(rows: list[list[Any]]) -> list[dict[str, Any]]:
    """The ends `_end` marked, anywhere in the rows (an explicit stack: no recursion on nesting)."""
    marked: list[dict[str, Any]] = []
    stack: list[Any] = [rows]
    while stack:
        v = stack.pop()
        if isinstance(v, dict):
            if _ELEMENT in v and len(v) == 1:
                marked.append(v)
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
    return marked


def fill_ends(tx: Any, rows: list[list[Any]]) -> list[list[Any]]:
    """Replace the marked ends with their nodes' {id, kind, name}, read in the same transaction."""
    marked = _marked(rows)
    if marked:
        records = tx.run(cy.ENDS_BY_ELEMENT, ids=sorted({m[_ELEMENT] for m in marked if m[_ELEMENT]}))
        found = {r["e"]: {"id": r["id"], "kind": r["kind"], "name": r["name"]} for r in records}
        for m in marked:
            m.update(found.get(m.pop(_ELEMENT), {"id": None, "kind": None, "name": None}))
    return rows


def cypher_error(exc: BaseException, timeout: float, uri: str) -> BaseException:
    """The one-line CypherError for what a read raised (other exceptions as they are)."""
    if isinstance(exc, CypherError):
        return exc
    if isinstance(exc, Neo4jError):
        code = exc.code or ""
        message = ((exc.message or type(exc).__name__).strip().splitlines() or [""])[0]
        if "TransactionTimedOut" in code or "Timeout" in code or code.endswith(".Terminated"):
            return QueryTimeout(f"the query ran longer than {timeout:g} s and was stopped")
        if "AccessMode" in code or "WriteOnReadOnlyAccess" in code or "Forbidden" in code:
            return ReadOnlyViolation(f"refused by the server: the Cypher entry is read-only ({message})")
        if "OutOfMemory" in code or "MemoryLimit" in code:
            return QueryTooLarge(f"the server stopped the query for its memory use: {message}")
        return CypherError(f"Neo4j could not run the query: {message}")
    if isinstance(exc, (DriverError, OSError)):
        return CypherError(f"lost the connection to Neo4j at {uri} during the query ({type(exc).__name__}): "
                           "the server stopped or the network failed; nothing was changed")
    if isinstance(exc, (OverflowError, TypeError, ValueError)):  # a parameter the driver cannot send
        return CypherError(f"a parameter could not be sent to Neo4j ({type(exc).__name__}: {exc})")
    return exc


class UserCypher(Connected):
    """The Cypher entry of the Neo4j store."""

    @contextlib.contextmanager
    def driver_errors(self, timeout: float) -> Iterator[None]:
        """Driver errors inside the block leave it as one-line CypherErrors."""
        try:
            yield
        except CypherError:
            raise
        except (Neo4jError, DriverError, OSError) as exc:
            raise cypher_error(exc, timeout, self.uri) from None

    def cypher_rows(self, query: str, params: dict[str, Any] | None, limit: int,
                    timeout: float) -> tuple[list[str], list[list[Any]], bool]:
        timeout = check_timeout(timeout)
        check_query(query)  # size, depth and chains, then read-only, before anything is sent
        return self._run_read(query, params or {}, limit, timeout)

    def run_library_query(self, spec: Any, params: dict[str, Any]) -> tuple[list[str], list[list[Any]], bool]:
        return self._run_read(spec.cypher, params, 100_000, 30.0)

    def _run_read(self, query: str, params: dict[str, Any], limit: int,
                  timeout: float) -> tuple[list[str], list[list[Any]], bool]:
        """Run a read in one READ-mode transaction with a server-side timeout, from a thread the
        caller waits for at most `timeout` + CLIENT_GRACE seconds: past that (a server busy in an
        expression it does not interrupt, or one that never answers) the transaction is terminated
        on the server and QueryTimeout raised. No driver retries: an error is reported at once."""
        check_params(params)
        tag = uuid.uuid4().hex
        answer: dict[str, Any] = {}
        done = threading.Event()

        def work() -> None:
            try:
                answer["rows"] = self._read_transaction(query, params, limit, timeout, tag)
            except BaseException as exc:  # noqa: BLE001 - handed to the waiting thread
                answer["error"] = exc
            finally:
                done.set()

        threading.Thread(target=work, name="atlas-cypher", daemon=True).start()
        if not done.wait(timeout + CLIENT_GRACE):
            self._terminate(tag)
            raise QueryTimeout(f"the query ran longer than {timeout:g} s and was stopped (the server did not "
                               f"answer within {CLIENT_GRACE:g} s more; its transaction was terminated)")
        if "error" in answer:
            raise cypher_error(answer["error"], timeout, self.uri) from None
        return answer["rows"]

    def _read_transaction(self, query: str, params: dict[str, Any], limit: int, timeout: float,
                          tag: str) -> tuple[list[str], list[list[Any]], bool]:
        with self.driver.session(database=self.database, default_access_mode=neo4j.READ_ACCESS) as session:
            tx = session.begin_transaction(metadata={cy.TX_TAG: tag}, timeout=timeout)
            try:
                result = tx.run(query, params)
                keys = list(result.keys())
                rows: list[list[Any]] = []
                for record in result:
                    if len(rows) == limit:
                        result.consume()  # the rest discarded on the server, before the ends are read
                        return keys, fill_ends(tx, rows), True
                    rows.append([summarise(plain(v)) for v in record.values()])
                return keys, fill_ends(tx, rows), False
            finally:
                try:
                    tx.close()  # rolled back: a read has nothing to commit
                except (DriverError, Neo4jError, OSError):
                    pass  # the connection is gone; the error that matters was raised above

    def _terminate(self, tag: str) -> None:
        """Best effort, within TERMINATE_WAIT seconds: terminate the transaction tagged `tag`."""
        def work() -> None:
            try:
                records, _, _ = self.driver.execute_query(cy.TAGGED_TRANSACTIONS, tag=tag, database_=self.database)
                ids = [r["id"] for r in records]
                if ids:
                    self.driver.execute_query(cy.TERMINATE, ids=ids, database_=self.database)
            except Exception:  # noqa: BLE001 - no privilege, or the server is gone: the timeout stands
                log.debug("could not terminate a timed-out query's transaction", exc_info=True)

        thread = threading.Thread(target=work, name="atlas-terminate", daemon=True)
        thread.start()
        thread.join(TERMINATE_WAIT)
