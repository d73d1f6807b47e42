"""The Neo4j store assembled: connection, reads, writes and the Cypher entry behind `GraphStore`."""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

import neo4j

from ..errors import redact
from ..model import GraphData
from ..store import GraphStore
from .connection import connect, translated
from .loading import BATCH, Loading
from .usercypher import UserCypher


class Neo4jStore(Loading, UserCypher, GraphStore):
    """GraphStore on a Neo4j 5 database (official driver, Bolt). The driver is passed in (or made by
    `from_settings`); the store closes it."""

    name = "neo4j"

    def __init__(self, driver: neo4j.Driver, database: str | None = None, uri: str = "") -> None:
        self.driver = driver
        self.database = database or None
        self.uri = redact(uri)
        self._schema_ready = False
        self._cache = OrderedDict()
        self._cache_chars = 0
        self._cache_lock = threading.Lock()

    @classmethod
    def from_settings(cls, uri: str, user: str, password: str, database: str | None = None,
                      verify: bool = True, retry_seconds: float = 30.0) -> "Neo4jStore":
        """Connect and check the connection (`connection.connect`); Neo4jConfigError without secrets."""
        driver = connect(uri, user, password, database or None, verify=verify, retry_seconds=retry_seconds)
        return cls(driver, database, uri)

    def close(self) -> None:
        self.driver.close()

    # writes, with driver errors translated at the store's edge (Neo4jUnavailable)
    def replace_all(self, data: GraphData, batch: int = BATCH) -> None:
        with translated(self.uri):
            super().replace_all(data, batch)

    def merge(self, data: GraphData, batch: int = BATCH) -> None:
        with translated(self.uri):
            super().merge(data, batch)

    def clear(self) -> None:
        with translated(self.uri):
            super().clear()

    def server_memory(self) -> dict[str, Any]:
        """The server's maximum heap (bytes) and page cache setting, for the benchmark's notes; {} when
        the server does not say (no privilege, another edition)."""
        try:
            heap = self._read("CALL dbms.queryJmx('java.lang:type=Memory') YIELD attributes "
                              "RETURN attributes.HeapMemoryUsage.value.properties.max AS max")
            cache = self._read("SHOW SETTINGS YIELD name, value WHERE name = 'server.memory.pagecache.size' "
                               "RETURN value")
        except (neo4j.exceptions.Neo4jError, neo4j.exceptions.DriverError):
            return {}
        return {"heap_max": heap[0]["max"] if heap else None, "pagecache": cache[0]["value"] if cache else None}

    def cypher(self, query: str, params: dict[str, Any] | None = None, limit: int = 1000,
               timeout: float = 10.0) -> dict[str, Any]:
        """`GraphStore.cypher`; a server that stops or cannot be reached meanwhile is a one-line
        CypherError, never a driver traceback."""
        with self.driver_errors(timeout):
            return super().cypher(query, params, limit, timeout)
