"""Connecting to Neo4j, and the store's errors: every driver error leaves the store as an AtlasError
with a one-line message and no secrets."""
from __future__ import annotations

import contextlib
import logging
from typing import Any, Iterator

import neo4j
from neo4j import GraphDatabase, RoutingControl
from neo4j.exceptions import AuthError, DriverError, Neo4jError, ServiceUnavailable

from ..errors import AtlasError, redact

# The driver logs a lost connection or a retry as an error or warning; with no logging configured (the
# command line) Python would print those to stderr beside the store's own one-line error. A library
# adds a NullHandler: an application that configures logging still receives every record.
logging.getLogger("neo4j").addHandler(logging.NullHandler())


class LoadConflict(AtlasError, DriverError):
    """A load's staged graph was not what it wrote (another load or a clear ran at the same time).

    Nothing was swapped in: the previous graph is unchanged. A `DriverError`, so callers that report a
    failed load (the loaders CLI) report this one the same way."""


class Neo4jConfigError(AtlasError):
    """Neo4j is not configured, not reachable, or refused the credentials (message has no secrets)."""


class Neo4jUnavailable(AtlasError):
    """The server stopped answering, or failed a statement, while the store was reading or writing
    (the driver's error translated at the store's edge: one line, no secrets)."""


@contextlib.contextmanager
def translated(uri: str) -> Iterator[None]:
    """Driver and socket errors inside the block leave it as `Neo4jUnavailable`; the project's own
    errors (LoadConflict, CypherError …) pass as they are."""
    try:
        yield
    except AtlasError:
        raise
    except (Neo4jError, DriverError, OSError) as exc:
        reason = getattr(exc, "message", None) or str(exc) or type(exc).__name__
        first = redact(reason.strip().splitlines()[0][:200]) if reason.strip() else type(exc).__name__
        raise Neo4jUnavailable(f"Neo4j at {uri} failed ({type(exc).__name__}: {first})") from exc


def connect(uri: str, user: str, password: str, database: str | None, *, verify: bool = True,
            retry_seconds: float = 30.0) -> neo4j.Driver:
    """A driver for `uri`, checked with a read when `verify`; Neo4jConfigError (no secrets) on failure.

    `retry_seconds` bounds how long the driver retries a transaction that failed for a passing reason
    (a leader switch, a dropped connection) before the error reaches the caller."""
    if not uri:
        raise Neo4jConfigError("Neo4j is not configured: set NEO4J_URI, NEO4J_USER and NEO4J_PASSWORD")
    shown = redact(uri)
    try:
        # The store's own queries name every kind and edge type of the schema, so on a graph that
        # lacks some of them the server would answer "label/type does not exist" each time, and
        # the driver would log each one as a warning on stderr: not wanted from this store.
        driver = GraphDatabase.driver(uri, auth=(user, password), connection_timeout=5.0,
                                      connection_acquisition_timeout=10.0,
                                      max_transaction_retry_time=retry_seconds,
                                      notifications_disabled_classifications=[
                                          neo4j.NotificationDisabledClassification.UNRECOGNIZED])
    except (ValueError, Neo4jError, DriverError) as exc:  # DriverError: ConfigurationError quotes the URI
        raise Neo4jConfigError(f"bad Neo4j URI {shown!r}: {type(exc).__name__}") from None
    if verify:
        try:
            driver.verify_connectivity()
            driver.execute_query("RETURN 1", routing_=RoutingControl.READ, database_=database)
        except AuthError:
            driver.close()
            raise Neo4jConfigError(f"Neo4j at {shown} refused the user name or password") from None
        except (ServiceUnavailable, OSError, Neo4jError) as exc:
            driver.close()
            raise Neo4jConfigError(f"cannot reach Neo4j at {shown} ({type(exc).__name__})") from None
    return driver


class Connected:
    """What every part of the store shares: the driver, the database and a read helper."""

    driver: neo4j.Driver
    database: str | None
    uri: str

    def _read(self, query: str, **params: Any) -> list[neo4j.Record]:
        """Run a read statement (auto-retried by the driver) and return its records; Neo4jUnavailable
        when the server fails it."""
        with translated(self.uri):
            records, _, _ = self.driver.execute_query(query, params, routing_=RoutingControl.READ,
                                                      database_=self.database)
        return records
