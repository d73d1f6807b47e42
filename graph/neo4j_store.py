"""The Neo4j store: the same interface as the embedded store, on a Neo4j 5 server over Bolt.

Node kinds are labels and edge types relationship types, both taken only from the schema's fixed
lists. Writes are batched, parameterized `UNWIND …` statements. Non-scalar properties (provenance,
sections, codes) are stored as JSON strings under `<name>__json` and decoded on the way out.

How `replace_all` keeps a load atomic without one huge transaction (see `Neo4jStore.replace_all`):
the new graph is written in many small transactions as *staging* nodes (label `AtlasStaging` only,
plus the load's id) and relationships among them; then one small transaction swaps the labels (the
old nodes become `AtlasRetired`, the staged ones gain `AtlasNode` and their kind label); then the
retired graph is deleted in batches. Every query of the store starts from `AtlasNode` or a kind
label, so it sees the old graph or the new one, never a part of either. While a load runs, Cypher
that matches without labels (`MATCH (n)`, `MATCH ()-[r]->()`) also sees the staged and retired ones.
The swap changes labels on every old and new node: about 340 MiB of transaction memory at 10,000
cards (55,000 + 55,000 nodes), against the 1.4 GiB limit of a 2 GiB heap.

Traversals (`neighbourhood`, `shortest_node_paths`) are single statements; full nodes of a
neighbourhood come from a client-side cache keyed by each node's revision (`atlas_load`: the load or
merge that wrote it), since hub nodes carry megabytes of provenance.
"""
from __future__ import annotations

import contextlib
import logging
import threading
import uuid
from collections import OrderedDict, defaultdict, deque
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Iterable, Iterator, Mapping, Sequence

import neo4j
import orjson
from neo4j import GraphDatabase, RoutingControl
from neo4j.exceptions import AuthError, DriverError, Neo4jError, ServiceUnavailable

from .cypher import (CypherError, QueryTimeout, QueryTooLarge, ReadOnlyViolation, check_params, check_query,
                     check_timeout, summarise)
from .errors import AtlasError, redact
from .model import GraphData, check_kinds, gc_paused
from .results import path, relationship
from .schema import EDGE_TYPES, NODE_KINDS, kind_of
from .store import MAX_HOPS, GraphStore, NotFound, check_filters, edge_key, summary

log = logging.getLogger(__name__)
# The driver logs a lost connection or a retry as an error or warning; with no logging configured (the
# command line) Python would print those to stderr beside the store's own one-line error. A library
# adds a NullHandler: an application that configures logging still receives every record.
logging.getLogger("neo4j").addHandler(logging.NullHandler())

#: Rows per write transaction (nodes or relationships) when a graph is loaded.
BATCH = 5000
#: Write transactions of a load in flight at once (the next batch is encoded and sent while the
#: server runs the previous one).
LOAD_WORKERS = 2
#: Nodes detach-deleted per transaction when a retired or abandoned staged graph is removed.
SWEEP_BATCH = 1000
JSON_SUFFIX = "__json"
#: Every node also carries this label, with a uniqueness constraint on `id`, so that a lookup by id
#: (whatever the kind) is one indexed query instead of one query per kind.
COMMON_LABEL = "AtlasNode"
#: A node written by a load that has not been swapped in yet: no other label, so no query sees it.
STAGING_LABEL = "AtlasStaging"
#: A node of a replaced (or cleared) graph, waiting to be deleted: no other label either.
RETIRED_LABEL = "AtlasRetired"
#: The load (or merge) that wrote a node: it finds a load's staged nodes, and on the current graph it
#: is the node's revision, which keys the client-side cache of node properties. Not returned by reads.
LOAD_PROP = "atlas_load"
#: Internal properties on every node, left out of what reads return.
INTERNAL_PROPS = frozenset({"name_lower", LOAD_PROP})
#: Property text (characters) of full nodes kept in each store's client-side cache (least recently
#: used first out). Hub nodes carry megabytes of provenance; a neighbourhood that reaches them again
#: at the same revision does not fetch and decode them again.
NODE_CACHE_CHARS = 32_000_000
#: Only nodes with at least this much property text are cached (the rest are cheap to fetch).
NODE_CACHE_MIN_CHARS = 16_384
#: Seconds past a user query's timeout that the client still waits for the server's answer before it
#: terminates the transaction itself (the server checks its timeout between rows, not inside one
#: expression such as a `reduce()` over a long list, and a server whose parser failed never answers).
CLIENT_GRACE = 2.0
#: Seconds given to terminating a timed-out query's transaction (best effort).
TERMINATE_WAIT = 5.0
#: The transaction metadata key that tags a user query, so that it can be found and terminated.
TX_TAG = "atlas_query"


class LoadConflict(AtlasError, DriverError):
    """A load's staged graph was not what it wrote (another load or a clear ran at the same time).

    Nothing was swapped in: the previous graph is unchanged. A `DriverError`, so callers that report a
    failed load (the loaders CLI) report this one the same way."""


class Neo4jConfigError(AtlasError):
    """Neo4j is not configured, not reachable, or refused the credentials (message has no secrets)."""


def _label(kind: str) -> str:
    if kind not in NODE_KINDS:
        raise ValueError(f"unknown node kind {kind!r}")
    return f"`{kind}`"


def _rtype(etype: str) -> str:
    if etype not in EDGE_TYPES:
        raise ValueError(f"unknown edge type {etype!r}")
    return f"`{etype}`"


def _seek(var: str, label: str) -> str:
    """An index hint for a node found by id: a plan cached while a swap had emptied a label (its
    statistics said 0 nodes) must not scan or expand from the other end instead."""
    return f"USING INDEX {var}:{label}(id)"


def _prop_key(key: str) -> str:
    """A property key for a statement: always backtick-quoted (a backtick doubled), never bare text."""
    if not isinstance(key, str) or not key:
        raise ValueError(f"bad property key {key!r}")
    return "`" + key.replace("`", "``") + "`"


def _rows(props: list[dict[str, Any]], heads: list[list[Any]] | None = None) -> tuple[list[str], list[list[Any]]]:
    """The property keys of a batch and one row per item: `heads[i]` then its values in key order
    (None where an item lacks a key: setting a property to null on a new entity sets nothing)."""
    keys = sorted({k for p in props for k in p})
    heads = heads if heads is not None else [[] for _ in props]
    return keys, [head + [p.get(k) for k in keys] for head, p in zip(heads, props)]


def encode_props(attrs: Mapping[str, Any], skip: Iterable[str] = ()) -> dict[str, Any]:
    """Properties Neo4j can hold: scalars and lists of scalars as they are, the rest as JSON strings
    (orjson: encoding provenance was most of the client's time in a large load with the json module)."""
    out: dict[str, Any] = {}
    for key, value in attrs.items():
        if key in skip or value is None:
            continue
        if isinstance(value, (str, int, float, bool)):
            out[key] = value
        elif isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            out[key] = value
        else:
            out[key + JSON_SUFFIX] = orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()
    return out


def decode_props(props: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in props.items():
        if key.endswith(JSON_SUFFIX):
            out[key[: -len(JSON_SUFFIX)]] = orjson.loads(value)
        elif key not in INTERNAL_PROPS:
            out[key] = list(value) if isinstance(value, (list, tuple)) else value
    return out


#: Marks a relationship end known only by its element id, until `Neo4jStore._fill_ends` reads it.
_ELEMENT = "__element_id__"


class Neo4jStore(GraphStore):
    """GraphStore on a Neo4j 5 database (official driver, Bolt)."""

    name = "neo4j"

    def __init__(self, driver: neo4j.Driver, database: str | None = None, uri: str = "") -> None:
        self.driver = driver
        self.database = database or None
        self.uri = redact(uri)
        self._schema_ready = False
        self._cache: OrderedDict[str, tuple[str, dict[str, Any], int]] = OrderedDict()  # id -> (rev, node, size)
        self._cache_chars = 0
        self._cache_lock = threading.Lock()

    # -- connection ------------------------------------------------------------------------------
    @classmethod
    def from_settings(cls, uri: str, user: str, password: str, database: str | None = None,
                      verify: bool = True, retry_seconds: float = 30.0) -> "Neo4jStore":
        """Connect and check the connection; Neo4jConfigError (without secrets) when that fails.

        `retry_seconds` bounds how long the driver retries a transaction that failed for a passing
        reason (a leader switch, a dropped connection) before the error reaches the caller."""
        if not uri:
            raise Neo4jConfigError("Neo4j is not configured: set NEO4J_URI, NEO4J_USER and NEO4J_PASSWORD")
        try:
            # The store's own queries name every kind and edge type of the schema, so on a graph that
            # lacks some of them the server would answer "label/type does not exist" each time, and
            # the driver would log each one as a warning on stderr: not wanted from this store.
            driver = GraphDatabase.driver(uri, auth=(user, password), connection_timeout=5.0,
                                          connection_acquisition_timeout=10.0,
                                          max_transaction_retry_time=retry_seconds,
                                          notifications_disabled_classifications=[
                                              neo4j.NotificationDisabledClassification.UNRECOGNIZED])
        except (ValueError, Neo4jError) as exc:
            raise Neo4jConfigError(f"bad Neo4j URI {redact(uri)!r}: {type(exc).__name__}") from None
        store = cls(driver, database, uri)
        if verify:
            try:
                driver.verify_connectivity()
                driver.execute_query("RETURN 1", routing_=RoutingControl.READ, database_=store.database)
            except AuthError:
                driver.close()
                raise Neo4jConfigError(f"Neo4j at {store.uri} refused the user name or password") from None
            except (ServiceUnavailable, OSError, Neo4jError) as exc:
                driver.close()
                raise Neo4jConfigError(f"cannot reach Neo4j at {store.uri} ({type(exc).__name__})") from None
        return store

    def close(self) -> None:
        self.driver.close()

    def _read(self, query: str, **params: Any) -> list[neo4j.Record]:
        records, _, _ = self.driver.execute_query(query, params, routing_=RoutingControl.READ,
                                                  database_=self.database)
        return records

    # -- schema and writes -----------------------------------------------------------------------
    def ensure_schema(self) -> None:
        """Uniqueness constraints on id and an index on the lower-case name, for every node kind."""
        if self._schema_ready:
            return
        self.driver.execute_query(
            f"CREATE CONSTRAINT atlas_node_id IF NOT EXISTS FOR (n:{COMMON_LABEL}) REQUIRE n.id IS UNIQUE",
            database_=self.database)
        self.driver.execute_query(
            f"CREATE INDEX atlas_node_name IF NOT EXISTS FOR (n:{COMMON_LABEL}) ON (n.name_lower)",
            database_=self.database)
        for kind in NODE_KINDS:
            self.driver.execute_query(
                f"CREATE CONSTRAINT atlas_{kind.lower()}_id IF NOT EXISTS FOR (n:{_label(kind)}) REQUIRE n.id IS UNIQUE",
                database_=self.database)
            self.driver.execute_query(
                f"CREATE INDEX atlas_{kind.lower()}_name IF NOT EXISTS FOR (n:{_label(kind)}) ON (n.name_lower)",
                database_=self.database)
        # staged nodes are found by id while a load links them
        self.driver.execute_query(
            f"CREATE INDEX atlas_staging_id IF NOT EXISTS FOR (n:{STAGING_LABEL}) ON (n.id)", database_=self.database)
        # the retired label exists before it is first matched (no "unknown label" notifications)
        self.driver.execute_query(f"CALL db.createLabel('{RETIRED_LABEL}')", database_=self.database)
        self.driver.execute_query("CALL db.awaitIndexes(300)", database_=self.database)
        self._schema_ready = True

    @staticmethod
    def _node_batches(data: GraphData) -> dict[str, list[dict[str, Any]]]:
        """Node rows by kind, each with a new revision (what `merge` and `write_naive` write)."""
        rev = uuid.uuid4().hex
        groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for nid, node in data.nodes.items():
            props = Neo4jStore._node_props(nid, node)
            props[LOAD_PROP] = rev
            groups[node["kind"]].append({"id": nid, "props": props})
        return groups

    @staticmethod
    def _node_props(nid: str, node: Mapping[str, Any]) -> dict[str, Any]:
        props = encode_props(node)
        props["id"] = nid
        props["name_lower"] = str(node["name"]).lower()
        return props

    @staticmethod
    def _edge_batches(data: GraphData) -> dict[tuple[str, str, str], list[dict[str, Any]]]:
        groups: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
        for (s, t, d), edge in data.edges.items():
            key = (t, data.nodes[s]["kind"], data.nodes[d]["kind"])
            groups[key].append({"source": s, "target": d, "props": encode_props(edge)})
        return groups

    @staticmethod
    def _write(tx: neo4j.ManagedTransaction, data: GraphData, batch: int) -> None:
        """MERGE nodes and edges in one transaction (what `merge` uses for incremental adds)."""
        for kind, rows in Neo4jStore._node_batches(data).items():
            query = f"UNWIND $rows AS row MERGE (n:{_label(kind)} {{id: row.id}}) SET n = row.props, n:{COMMON_LABEL}"
            for i in range(0, len(rows), batch):
                tx.run(query, rows=rows[i:i + batch]).consume()
        for (etype, skind, tkind), rows in Neo4jStore._edge_batches(data).items():
            query = (f"UNWIND $rows AS row MATCH (a:{_label(skind)} {{id: row.source}}) "
                     f"MATCH (b:{_label(tkind)} {{id: row.target}}) "
                     f"MERGE (a)-[r:{_rtype(etype)}]->(b) SET r = row.props")
            for i in range(0, len(rows), batch):
                tx.run(query, rows=rows[i:i + batch]).consume()

    # -- replace_all: stage, swap, sweep ---------------------------------------------------------
    def replace_all(self, data: GraphData, batch: int = BATCH) -> None:
        """Replace the whole graph with `data`; readers see the old graph until the new one is complete.

        1. Leftovers of earlier loads that did not finish (staged or retired nodes) are deleted.
        2. The new graph is staged in transactions of `batch` rows: nodes with only the `AtlasStaging`
           label and this load's id, then relationships among them (CREATE: the staged graph is new
           and `GraphData` holds each (source, type, target) once). No store query sees them.
        3. One transaction swaps it in, changing labels only: the current `AtlasNode` nodes become
           `AtlasRetired` (losing their kind labels), the staged nodes gain `AtlasNode` and their kind
           label. It checks that every staged node is there, else it rolls back (`LoadConflict`).
        4. The retired graph is deleted in batches. If that fails the new graph stands anyway; the
           rest is deleted by the next load or `clear`.

        A load that stops before step 3 (killed, server gone, an error) leaves the previous graph
        whole; its staged nodes are deleted on the way out when the server can still be reached,
        else by the next load. While a load runs, Cypher that matches nodes or relationships without
        a label (`MATCH (n)`, `MATCH ()-[r]->()`) also sees the staged and retired ones; every query
        of this store, the named queries and labelled user Cypher do not. One load at a time: two
        loads at once make one of them fail (`LoadConflict`), never a mixed graph.
        """
        check_kinds(data)
        self.ensure_schema()
        self._sweep(STAGING_LABEL)
        self._sweep(RETIRED_LABEL)
        load = uuid.uuid4().hex
        try:
            with gc_paused():  # the rows are acyclic; full collections would walk the caller's whole graph
                self._stage(data, load, batch)
            with self.driver.session(database=self.database) as session:
                session.execute_write(self._swap, load, len(data.nodes))
        except BaseException:
            self._discard(load)
            raise
        try:
            # the swap moved every node between labels at once: refresh the planner's index statistics
            self.driver.execute_query("CALL db.resampleOutdatedIndexes()", database_=self.database)
            self._sweep(RETIRED_LABEL)
        except (Neo4jError, DriverError) as exc:  # the new graph is in place: say so, do not fail the load
            log.warning("the replaced graph was not deleted yet (%s); the next load or clear deletes it",
                        type(exc).__name__)

    def _stage(self, data: GraphData, load: str, batch: int) -> None:
        """Write `data` as staging nodes, then relationships among them, `batch` rows per transaction.

        Each row is a list of values (the property keys are in the statement, once per batch), which
        is much cheaper for the driver to send than a map per row; while the server runs one batch,
        the next ones are encoded and sent (`LOAD_WORKERS` transactions at a time)."""
        batch = max(1, int(batch))

        def node_batches() -> Iterator[tuple[str, list[list[Any]], str]]:
            ids = list(data.nodes)
            for i in range(0, len(ids), batch):
                props = [self._node_props(nid, data.nodes[nid]) for nid in ids[i:i + batch]]
                keys, rows = _rows(props)
                sets = ", ".join(f"n.{_prop_key(k)} = row[{j}]" for j, k in enumerate(keys))
                yield (f"UNWIND $rows AS row CREATE (n:{STAGING_LABEL}) SET n.{LOAD_PROP} = $load, {sets}",
                       rows, "nodes")

        def edge_batches() -> Iterator[tuple[str, list[list[Any]], str]]:
            by_type: dict[str, list[tuple[str, str, dict[str, Any]]]] = defaultdict(list)
            for (s, t, d), edge in data.edges.items():
                by_type[t].append((s, d, edge))
            for etype, edges in by_type.items():
                for i in range(0, len(edges), batch):
                    chunk = edges[i:i + batch]
                    keys, rows = _rows([encode_props(e) for _, _, e in chunk], [[s, d] for s, d, _ in chunk])
                    sets = ", ".join(f"r.{_prop_key(k)} = row[{j + 2}]" for j, k in enumerate(keys))
                    yield (f"UNWIND $rows AS row "
                           f"MATCH (a:{STAGING_LABEL} {{id: row[0]}}) "
                           f"MATCH (b:{STAGING_LABEL} {{id: row[1]}}) "
                           f"CREATE (a)-[r:{_rtype(etype)}]->(b)" + (f" SET {sets}" if sets else ""),
                           rows, etype)

        self._run_batches(node_batches(), load, "nodes_created")  # every node before any relationship
        self._run_batches(edge_batches(), load, "relationships_created")

    def _run_batches(self, batches: Iterable[tuple[str, list[list[Any]], str]], load: str, counter: str) -> None:
        """Run the batches as write transactions, up to LOAD_WORKERS at a time; each must create one
        node or relationship per row (else `LoadConflict`: the staged graph changed under this load)."""
        pending: deque[tuple[Future, int, str]] = deque()

        def settle(item: tuple[Future, int, str]) -> None:
            future, expected, what = item
            created = getattr(future.result(), counter)
            if created != expected:  # an end node is missing, or was staged twice
                raise LoadConflict(f"staged {created} of {expected} {what} in a batch: "
                                   "the staged graph changed under this load (another load or clear?)")

        with ThreadPoolExecutor(max_workers=LOAD_WORKERS, thread_name_prefix="atlas-load") as pool:
            try:
                for query, rows, what in batches:
                    pending.append((pool.submit(self._write_batch, query, rows, load), len(rows), what))
                    while len(pending) > LOAD_WORKERS:  # a bounded queue: encode ahead, not all at once
                        settle(pending.popleft())
                while pending:
                    settle(pending.popleft())
            except BaseException:
                for future, _, _ in pending:
                    future.cancel()
                raise

    def _write_batch(self, query: str, rows: list[list[Any]], load: str) -> neo4j.SummaryCounters:
        """One write transaction (retried by the driver on passing errors); its counters."""
        def work(tx: neo4j.ManagedTransaction) -> neo4j.SummaryCounters:
            return tx.run(query, rows=rows, load=load).consume().counters

        with self.driver.session(database=self.database) as session:
            return session.execute_write(work)

    @staticmethod
    def _swap(tx: neo4j.ManagedTransaction, load: str, expected: int) -> None:
        """Retire the current graph and promote the staged one: label changes only, one transaction."""
        kind_labels = "".join(f":{_label(k)}" for k in NODE_KINDS)
        tx.run(f"MATCH (n:{COMMON_LABEL}) SET n:{RETIRED_LABEL} REMOVE n:{COMMON_LABEL}{kind_labels}").consume()
        set_kind = " ".join(f"FOREACH (_ IN CASE WHEN n.kind = '{k}' THEN [1] ELSE [] END | SET n:{_label(k)})"
                            for k in NODE_KINDS)
        record = tx.run(f"MATCH (n:{STAGING_LABEL}) WHERE n.{LOAD_PROP} = $load "
                        f"SET n:{COMMON_LABEL} REMOVE n:{STAGING_LABEL} {set_kind} "
                        "RETURN count(n) AS promoted", load=load).single()
        if record is None or record["promoted"] != expected:
            got = record["promoted"] if record else 0
            raise LoadConflict(f"{got} of {expected} staged nodes were there to swap in; nothing was changed")

    def _sweep(self, label: str, load: str | None = None, retry: bool = True) -> int:
        """Detach-delete the nodes of `label` (of one load only, with `load`), SWEEP_BATCH per transaction."""
        assert label in (STAGING_LABEL, RETIRED_LABEL)
        where = f"WHERE n.{LOAD_PROP} = $load " if load else ""
        query = f"MATCH (n:{label}) {where}WITH n LIMIT $n DETACH DELETE n RETURN count(*) AS deleted"
        total = 0
        with self.driver.session(database=self.database) as session:
            while True:
                if retry:
                    deleted = session.execute_write(
                        lambda tx: tx.run(query, n=SWEEP_BATCH, load=load).single()["deleted"])
                else:  # one attempt per batch, no driver retries (a best-effort clean-up)
                    deleted = session.run(query, n=SWEEP_BATCH, load=load).single()["deleted"]
                total += deleted
                if deleted < SWEEP_BATCH:
                    return total

    def _discard(self, load: str) -> None:
        """Best effort after a failed load: delete what it staged (else the next load does)."""
        try:
            self._sweep(STAGING_LABEL, load, retry=False)
        except Exception:  # noqa: BLE001 - the server may be gone; the load's own error is what matters
            log.debug("could not delete the staged nodes of a failed load", exc_info=True)

    def merge(self, data: GraphData, batch: int = BATCH) -> None:
        """Add or merge nodes and edges; provenance lists are unioned with what is stored."""
        check_kinds(data)
        self.ensure_schema()
        current = GraphData()
        existing = self.get_nodes(list(data.nodes))
        for nid, node in existing.items():
            current.nodes[nid] = node
        edges = {edge_key(e): e for e in self.edges_among(list(data.nodes))}
        for (s, t, d), e in edges.items():
            current.edges[(s, t, d)] = {k: v for k, v in e.items() if k not in ("source", "target", "type")}
        current.merge(data)
        with self.driver.session(database=self.database) as session:
            session.execute_write(lambda tx: self._write(tx, current, batch))

    def write_naive(self, data: GraphData) -> None:
        """One statement per node and per edge, one transaction each (the benchmark's baseline)."""
        check_kinds(data)
        self.ensure_schema()
        for kind, rows in self._node_batches(data).items():
            for row in rows:
                self.driver.execute_query(f"MERGE (n:{_label(kind)} {{id: $id}}) SET n = $props, n:{COMMON_LABEL}",
                                          row, database_=self.database)
        for (etype, skind, tkind), rows in self._edge_batches(data).items():
            for row in rows:
                self.driver.execute_query(
                    f"MATCH (a:{_label(skind)} {{id: $source}}) MATCH (b:{_label(tkind)} {{id: $target}}) "
                    f"MERGE (a)-[r:{_rtype(etype)}]->(b) SET r = $props", row, database_=self.database)

    def clear(self) -> None:
        """Remove the graph: retired in one transaction (readers see all of it or nothing), then
        deleted in batches, with any leftovers of loads that did not finish."""
        self.ensure_schema()
        kind_labels = "".join(f":{_label(k)}" for k in NODE_KINDS)
        with self.driver.session(database=self.database) as session:
            session.execute_write(lambda tx: tx.run(
                f"MATCH (n:{COMMON_LABEL}) SET n:{RETIRED_LABEL} REMOVE n:{COMMON_LABEL}{kind_labels}").consume())
        self._sweep(STAGING_LABEL)
        self._sweep(RETIRED_LABEL)

    # -- primitives ------------------------------------------------------------------------------
    def get_nodes(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for rec in self._read(f"UNWIND $ids AS id MATCH (n:{COMMON_LABEL} {{id: id}}) RETURN properties(n) AS p",
                              ids=list(dict.fromkeys(ids))):
            node = decode_props(rec["p"])
            out[node["id"]] = node
        return out

    def nodes_by_name(self, name: str) -> list[dict[str, Any]]:
        records = self._read(f"MATCH (n:{COMMON_LABEL}) WHERE n.name_lower = $name RETURN n.id AS id, "
                             "n.kind AS kind, n.name AS name, n.status AS status ORDER BY id", name=name.lower())
        return [summary({k: v for k, v in r.data().items() if v is not None}) for r in records]

    def list_nodes(self, kinds: Sequence[str] | None = None, limit: int | None = None) -> list[dict[str, Any]]:
        query = (f"MATCH (n:{COMMON_LABEL}) WHERE n.kind IN $kinds RETURN n.id AS id, n.kind AS kind, "
                 "n.name AS name, n.status AS status ORDER BY id")
        if limit is not None:
            query += " LIMIT $limit"
        records = self._read(query, kinds=list(kinds or NODE_KINDS), limit=limit)
        return [summary({k: v for k, v in r.data().items() if v is not None}) for r in records]

    def counts(self) -> tuple[dict[str, int], dict[str, int]]:
        """Counts of the current graph only (not of a load's staged nodes or a retired graph), each
        answered from the database's count store."""
        node_query = " UNION ALL ".join(f"MATCH (n:{_label(k)}) RETURN '{k}' AS name, count(n) AS c" for k in NODE_KINDS)
        edge_query = " UNION ALL ".join(f"MATCH (:{COMMON_LABEL})-[r:{_rtype(t)}]->() RETURN '{t}' AS name, count(r) AS c"
                                        for t in EDGE_TYPES)
        nodes = {r["name"]: r["c"] for r in self._read(node_query) if r["c"]}
        edges = {r["name"]: r["c"] for r in self._read(edge_query) if r["c"]}
        return dict(sorted(nodes.items())), dict(sorted(edges.items()))

    @staticmethod
    def _edge(rec: neo4j.Record) -> dict[str, Any]:
        out = {"source": rec["s"], "target": rec["t"], "type": rec["type"]}
        out.update(decode_props(rec["p"]))
        return out

    def incident_edges(self, ids: Sequence[str], edge_types: Sequence[str] | None = None) -> list[dict[str, Any]]:
        seen: dict[tuple[str, str, str], dict[str, Any]] = {}
        for rec in self._read(
                f"UNWIND $ids AS id MATCH (a:{COMMON_LABEL} {{id: id}})-[r]-() "
                "WHERE $types IS NULL OR type(r) IN $types "
                "RETURN DISTINCT startNode(r).id AS s, type(r) AS type, endNode(r).id AS t, properties(r) AS p",
                ids=list(dict.fromkeys(ids)), types=list(edge_types) if edge_types else None):
            edge = self._edge(rec)
            seen[edge_key(edge)] = edge
        return sorted(seen.values(), key=edge_key)

    def edges_among(self, ids: Sequence[str], edge_types: Sequence[str] | None = None) -> list[dict[str, Any]]:
        out = [self._edge(rec) for rec in self._read(
            f"UNWIND $ids AS id MATCH (a:{COMMON_LABEL} {{id: id}})-[r]->(b) WHERE b.id IN $all "
            "AND ($types IS NULL OR type(r) IN $types) "
            "RETURN a.id AS s, type(r) AS type, b.id AS t, properties(r) AS p",
            ids=list(dict.fromkeys(ids)), all=list(ids), types=list(edge_types) if edge_types else None)]
        return sorted(out, key=edge_key)

    def neighbour_ids(self, frontier: Sequence[str], edge_types: Sequence[str] | None,
                      kinds: Sequence[str] | None) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {f: set() for f in frontier}
        for rec in self._read(
                f"UNWIND $ids AS id MATCH (a:{COMMON_LABEL} {{id: id}})-[r]-(b) "
                "WHERE ($types IS NULL OR type(r) IN $types) AND ($kinds IS NULL OR b.kind IN $kinds) "
                "RETURN a.id AS a, collect(DISTINCT b.id) AS bs",
                ids=list(dict.fromkeys(frontier)), types=list(edge_types) if edge_types else None,
                kinds=list(kinds) if kinds else None):
            out[rec["a"]] = set(rec["bs"])
        return out

    # -- traversals in one statement (same answers as the GraphStore versions, fewer round trips) --
    @staticmethod
    def _rel_pattern(edge_types: Sequence[str] | None, var: str = "", length: str = "") -> str:
        """`[r:`A`|`B`*..n]` with relationship types from the schema only (all types when None)."""
        types = "|".join(_rtype(t) for t in edge_types) if edge_types else ""
        return f"[{var}{':' + types if types else ''}{length}]"

    def neighbourhood(self, node_id: str, hops: int = 1, kinds: Sequence[str] | None = None,
                      edge_types: Sequence[str] | None = None, limit: int | None = None) -> dict[str, Any]:
        """`GraphStore.neighbourhood` with the traversal in one statement, then the full nodes from
        the node cache (by revision) or one more statement for those not cached.

        The statement finds the BFS levels (level k: the neighbours of level k-1 that are in neither
        it nor level k-2, which is every node BFS puts at depth k), keeps the nearest `limit` by (hop,
        id) (only a level cut by the limit is sorted) and returns the kept ids, their revisions and
        the edges among them."""
        check_filters(kinds, edge_types)
        hops = max(0, min(int(hops), MAX_HOPS))
        kinds = sorted(set(kinds)) if kinds else None
        types = sorted(set(edge_types)) if edge_types else None
        rel = self._rel_pattern(types)
        other = f"(m:{'|'.join(_label(k) for k in kinds)})" if kinds else "(m)"
        lines = [f"MATCH (c:{COMMON_LABEL} {{id: $id}}) {_seek('c', COMMON_LABEL)}", "WITH c, [c] AS d0"]
        for hop in range(1, hops + 1):
            seen = " AND ".join(f"NOT m IN d{j}" for j in (hop - 2, hop - 1) if j >= 0)
            carried = ", ".join(f"d{j}" for j in range(hop))
            lines.append(f"WITH c, {carried}, [m IN COLLECT {{ UNWIND d{hop - 1} AS f MATCH (f)-{rel}-{other} "
                         f"RETURN DISTINCT m }} WHERE {seen}] AS d{hop}")
        levels = ", ".join(f"d{j}" for j in range(hops + 1))
        upto = ["1"] + [" + ".join(["1"] + [f"size(d{i})" for i in range(1, j + 1)]) for j in range(1, hops + 1)]
        lines.append(f"WITH c, {levels}, {upto[-1]} AS total")
        kept = ["[c]"]
        for j in range(1, hops + 1):
            if limit is None:
                kept.append(f"d{j}")
            else:  # the level whole, or its first ids up to the limit, or nothing
                kept.append(f"CASE WHEN {upto[j - 1]} >= $limit THEN [] WHEN {upto[j]} <= $limit THEN d{j} "
                            f"ELSE COLLECT {{ UNWIND d{j} AS x WITH x ORDER BY x.id LIMIT $limit RETURN x }}"
                            f"[..$limit - ({upto[j - 1]})] END")
        lines.append(f"WITH total, [{', '.join(kept)}] AS levels")
        lines.append("WITH total, [l IN levels | size(l)] AS sizes, reduce(a = [], l IN levels | a + l) AS ns")
        lines.append(f"RETURN total, sizes, [n IN ns | [n.id, n.{LOAD_PROP}]] AS kept, "
                     f"COLLECT {{ UNWIND ns AS a MATCH (a)-{self._rel_pattern(types, 'r')}->(b) WHERE b IN ns "
                     "RETURN {s: a.id, type: type(r), t: b.id, p: properties(r)} } AS edges")
        records = self._read("\n".join(lines), id=node_id, limit=max(1, int(limit)) if limit is not None else None)
        if not records:
            raise NotFound(f"no node '{node_id}'")
        rec = records[0]
        depth: dict[str, int] = {}
        revs: dict[str, str | None] = {}
        position = 0
        for level, size in enumerate(rec["sizes"]):
            for nid, rev in rec["kept"][position:position + size]:
                depth[nid] = level
                revs[nid] = rev
            position += size
        full = self._nodes_at(revs)
        nodes = []
        for nid in sorted(depth):
            if nid in full:
                node = dict(full[nid])
                node["depth"] = depth[nid]
                nodes.append(node)
        edges = sorted((self._edge(e) for e in rec["edges"]), key=edge_key)
        return {"center": node_id, "nodes": nodes, "edges": edges, "total": rec["total"],
                "truncated": len(depth) < rec["total"]}

    # -- the node cache --------------------------------------------------------------------------
    def _nodes_at(self, revs: Mapping[str, str | None]) -> dict[str, dict[str, Any]]:
        """Full nodes by id, each at the revision given (from a statement that listed them): from the
        cache when it holds that revision, else fetched (and cached). A node that changed or went
        since is returned as it is now, or left out. The dicts are the cache's: callers copy them."""
        out: dict[str, dict[str, Any]] = {}
        missing = []
        with self._cache_lock:
            for nid, rev in revs.items():
                hit = self._cache.get(nid)
                if rev is not None and hit is not None and hit[0] == rev:
                    self._cache.move_to_end(nid)
                    out[nid] = hit[1]
                else:
                    missing.append(nid)
        if missing:
            for rec in self._read(f"UNWIND $ids AS id MATCH (n:{COMMON_LABEL} {{id: id}}) RETURN properties(n) AS p",
                                  ids=missing):
                raw = rec["p"]
                node = decode_props(raw)
                out[node["id"]] = node
                self._cache_put(node["id"], raw.get(LOAD_PROP), node,
                                sum(len(v) for v in raw.values() if isinstance(v, str)))
        return out

    def _cache_put(self, nid: str, rev: str | None, node: dict[str, Any], size: int) -> None:
        if rev is None or not NODE_CACHE_MIN_CHARS <= size <= NODE_CACHE_CHARS // 4:
            return
        with self._cache_lock:
            old = self._cache.pop(nid, None)
            if old is not None:
                self._cache_chars -= old[2]
            self._cache[nid] = (rev, node, size)
            self._cache_chars += size
            while self._cache_chars > NODE_CACHE_CHARS and self._cache:
                self._cache_chars -= self._cache.popitem(last=False)[1][2]

    def shortest_node_paths(self, a: str, b: str, edge_types: Sequence[str]) -> list[list[str]]:
        """`GraphStore.shortest_node_paths` on the server: the length L from Neo4j's shortestPath,
        then from a, L-1 times, the smallest-id neighbour whose distance to b is one step less."""
        types = list(edge_types)
        records = self._read(
            f"MATCH (x:{COMMON_LABEL} {{id: $a}}) {_seek('x', COMMON_LABEL)} "
            f"MATCH (y:{COMMON_LABEL} {{id: $b}}) {_seek('y', COMMON_LABEL)} "
            + ("RETURN 0 AS length" if a == b else
               f"OPTIONAL MATCH p = shortestPath((x)-{self._rel_pattern(types, length='*')}-(y)) "
               "RETURN length(p) AS length"), a=a, b=b)
        if not records or records[0]["length"] is None:
            return []
        length = records[0]["length"]
        if length <= 1:
            return [[a, b][: length + 1]]
        rel = self._rel_pattern(types)
        lines = [f"MATCH (u0:{COMMON_LABEL} {{id: $a}}) {_seek('u0', COMMON_LABEL)} "
                 f"MATCH (y:{COMMON_LABEL} {{id: $b}}) {_seek('y', COMMON_LABEL)}"]
        for step in range(1, length):
            rest = length - step  # the distance from the next node to y
            carried = ", ".join(f"u{j}" for j in range(step))
            lines.append(
                f"WITH y, {carried}, COLLECT {{ MATCH (u{step - 1})-{rel}-(n) WHERE n <> y "
                f"WITH DISTINCT n ORDER BY n.id "
                f"MATCH p = shortestPath((n)-{self._rel_pattern(types, length=f'*..{rest}')}-(y)) "
                f"RETURN n LIMIT 1 }}[0] AS u{step}")
        lines.append("RETURN [" + ", ".join(f"u{j}.id" for j in range(length)) + ", y.id] AS ids")
        records = self._read("\n".join(lines), a=a, b=b)
        path = list(records[0]["ids"]) if records else []
        if None in path or len(path) != length + 1:  # the graph changed between the two statements
            return super().shortest_node_paths(a, b, types)
        return [path]

    def simple_node_paths(self, a: str, b: str, max_length: int, edge_types: Sequence[str],
                          cap: int) -> tuple[list[list[str]], bool]:
        if a == b or not self.get_nodes([a, b]).keys() >= {a, b}:
            return [], False
        found: list[list[str]] = []
        for length in range(1, max_length + 1):
            query = (f"MATCH (x:{_label(kind_of(a))} {{id: $a}}) {_seek('x', _label(kind_of(a)))} "
                     f"MATCH (y:{_label(kind_of(b))} {{id: $b}}) {_seek('y', _label(kind_of(b)))} "
                     f"MATCH p = (x)-[rels*{length}..{length}]-(y) "
                     "WHERE all(r IN rels WHERE type(r) IN $types) "
                     "AND all(n IN nodes(p) WHERE single(m IN nodes(p) WHERE m = n)) "
                     "WITH DISTINCT [n IN nodes(p) | n.id] AS ids RETURN ids ORDER BY ids LIMIT $n")
            remaining = cap - len(found)
            records = self._read(query, a=a, b=b, types=list(edge_types), n=remaining + 1)
            paths = [list(r["ids"]) for r in records]
            if len(paths) > remaining:
                return found + paths[:remaining], True
            found.extend(paths)
        return found, False

    # -- Cypher ----------------------------------------------------------------------------------
    def _value(self, value: Any) -> Any:
        if isinstance(value, neo4j.graph.Node):
            props = dict(value)
            return {"id": props.get("id"), "kind": props.get("kind"), "name": props.get("name")}
        if isinstance(value, neo4j.graph.Relationship):  # the shape both stores return (graph.results)
            return relationship(value.type, self._end(value.start_node), self._end(value.end_node))
        if isinstance(value, neo4j.graph.Path):
            return path([self._value(n) for n in value.nodes], [self._value(r) for r in value.relationships])
        if isinstance(value, list):
            return [self._value(v) for v in value]
        if isinstance(value, dict):
            return {k: self._value(v) for k, v in value.items()}
        if isinstance(value, (str, int, float, bool)) or value is None:
            return value
        return str(value)

    def _end(self, node: Any) -> dict[str, Any]:
        """A relationship's end: a returned relationship's ends come without properties (only their
        element ids), so they are marked for `_fill_ends`."""
        if node is not None and len(node):
            return self._value(node)
        return {_ELEMENT: node.element_id if node is not None else None}

    @staticmethod
    def _fill_ends(tx: Any, rows: list[list[Any]]) -> list[list[Any]]:
        """Replace the ends marked by `_end` with their nodes' {id, kind, name}, read in the same transaction."""
        marked: list[dict[str, Any]] = []

        def walk(v: Any) -> None:
            if isinstance(v, dict):
                if _ELEMENT in v and len(v) == 1:
                    marked.append(v)
                for x in v.values():
                    walk(x)
            elif isinstance(v, list):
                for x in v:
                    walk(x)

        walk(rows)
        if marked:
            records = tx.run("MATCH (n) WHERE elementId(n) IN $ids RETURN elementId(n) AS e, n.id AS id, "
                             "n.kind AS kind, n.name AS name", ids=sorted({m[_ELEMENT] for m in marked if m[_ELEMENT]}))
            found = {r["e"]: {"id": r["id"], "kind": r["kind"], "name": r["name"]} for r in records}
            for m in marked:
                m.update(found.get(m.pop(_ELEMENT), {"id": None, "kind": None, "name": None}))
        return rows

    def cypher(self, query: str, params: dict[str, Any] | None = None, limit: int = 1000,
               timeout: float = 10.0) -> dict[str, Any]:
        """`GraphStore.cypher`; a server that stops or cannot be reached meanwhile is a one-line
        CypherError, never a driver traceback."""
        with self._driver_errors(timeout):
            return super().cypher(query, params, limit, timeout)

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
            raise self._cypher_error(answer["error"], timeout) from None
        return answer["rows"]

    def _read_transaction(self, query: str, params: dict[str, Any], limit: int, timeout: float,
                          tag: str) -> tuple[list[str], list[list[Any]], bool]:
        with self.driver.session(database=self.database, default_access_mode=neo4j.READ_ACCESS) as session:
            tx = session.begin_transaction(metadata={TX_TAG: tag}, timeout=timeout)
            try:
                result = tx.run(query, params)
                keys = list(result.keys())
                rows: list[list[Any]] = []
                for record in result:
                    if len(rows) == limit:
                        result.consume()  # the rest discarded on the server, before the ends are read
                        return keys, self._fill_ends(tx, rows), True
                    rows.append([summarise(self._value(v)) for v in record.values()])
                return keys, self._fill_ends(tx, rows), False
            finally:
                try:
                    tx.close()  # rolled back: a read has nothing to commit
                except (DriverError, Neo4jError, OSError):
                    pass  # the connection is gone; the error that matters was raised above

    def _terminate(self, tag: str) -> None:
        """Best effort, within TERMINATE_WAIT seconds: terminate the transaction tagged `tag`."""
        def work() -> None:
            try:
                records, _, _ = self.driver.execute_query(
                    f"SHOW TRANSACTIONS YIELD transactionId, metaData WHERE metaData.{TX_TAG} = $tag "
                    "RETURN transactionId AS id", tag=tag, database_=self.database)
                ids = [r["id"] for r in records]
                if ids:
                    self.driver.execute_query("TERMINATE TRANSACTIONS $ids", ids=ids, database_=self.database)
            except Exception:  # noqa: BLE001 - no privilege, or the server is gone: the timeout stands
                log.debug("could not terminate a timed-out query's transaction", exc_info=True)

        thread = threading.Thread(target=work, name="atlas-terminate", daemon=True)
        thread.start()
        thread.join(TERMINATE_WAIT)

    def _lost(self, exc: BaseException) -> str:
        return (f"lost the connection to Neo4j at {self.uri} during the query ({type(exc).__name__}): the server "
                "stopped or the network failed; nothing was changed")

    def _cypher_error(self, exc: BaseException, timeout: float) -> BaseException:
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
            return CypherError(self._lost(exc))
        if isinstance(exc, (OverflowError, TypeError, ValueError)):  # a parameter the driver cannot send
            return CypherError(f"a parameter could not be sent to Neo4j ({type(exc).__name__}: {exc})")
        return exc

    @contextlib.contextmanager
    def _driver_errors(self, timeout: float) -> Iterator[None]:
        try:
            yield
        except CypherError:
            raise
        except (Neo4jError, DriverError, OSError) as exc:
            raise self._cypher_error(exc, timeout) from None
