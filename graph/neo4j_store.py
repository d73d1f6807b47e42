"""The Neo4j store: the same interface as the embedded store, on a Neo4j 5 server over Bolt.

Node kinds are labels and edge types relationship types, both taken only from the schema's fixed
lists. Writes are batched, parameterized `UNWIND … MERGE` statements. `replace_all` runs in ONE write
transaction (delete the old graph, write the new one), so a load that is killed half way is rolled
back and leaves the previous graph whole. Non-scalar properties (provenance, sections, codes) are
stored as JSON strings under `<name>__json` and decoded on the way out.
"""
from __future__ import annotations

import json
import os
from collections import defaultdict
from typing import Any, Iterable, Mapping, Sequence
from urllib.parse import urlsplit, urlunsplit

import neo4j
from neo4j import GraphDatabase, RoutingControl, unit_of_work
from neo4j.exceptions import AuthError, ClientError, Neo4jError, ServiceUnavailable

from .cypher import QueryTimeout, ReadOnlyViolation, CypherError, check_read_only, summarise
from .model import GraphData, check_kinds
from .schema import EDGE_TYPES, NODE_KINDS, kind_of
from .store import GraphStore, edge_key, summary

BATCH = 5000
JSON_SUFFIX = "__json"
#: Every node also carries this label, with a uniqueness constraint on `id`, so that a lookup by id
#: (whatever the kind) is one indexed query instead of one query per kind.
COMMON_LABEL = "AtlasNode"


class Neo4jConfigError(Exception):
    """Neo4j is not configured, not reachable, or refused the credentials (message has no secrets)."""


def redact(uri: str) -> str:
    """The URI without any user or password in it."""
    parts = urlsplit(uri)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def _label(kind: str) -> str:
    if kind not in NODE_KINDS:
        raise ValueError(f"unknown node kind {kind!r}")
    return f"`{kind}`"


def _rtype(etype: str) -> str:
    if etype not in EDGE_TYPES:
        raise ValueError(f"unknown edge type {etype!r}")
    return f"`{etype}`"


def encode_props(attrs: Mapping[str, Any], skip: Iterable[str] = ()) -> dict[str, Any]:
    """Properties Neo4j can hold: scalars and lists of scalars as they are, the rest as JSON strings."""
    out: dict[str, Any] = {}
    for key, value in attrs.items():
        if key in skip or value is None:
            continue
        if isinstance(value, (str, int, float, bool)):
            out[key] = value
        elif isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            out[key] = value
        else:
            out[key + JSON_SUFFIX] = json.dumps(value, ensure_ascii=False)
    return out


def decode_props(props: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in props.items():
        if key.endswith(JSON_SUFFIX):
            out[key[: -len(JSON_SUFFIX)]] = json.loads(value)
        elif key != "name_lower":
            out[key] = list(value) if isinstance(value, (list, tuple)) else value
    return out


class Neo4jStore(GraphStore):
    """GraphStore on a Neo4j 5 database (official driver, Bolt)."""

    name = "neo4j"

    def __init__(self, driver: neo4j.Driver, database: str | None = None, uri: str = "") -> None:
        self.driver = driver
        self.database = database or None
        self.uri = redact(uri)
        self._schema_ready = False

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
            driver = GraphDatabase.driver(uri, auth=(user, password), connection_timeout=5.0,
                                          connection_acquisition_timeout=10.0,
                                          max_transaction_retry_time=retry_seconds)
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

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, retry_seconds: float = 30.0) -> "Neo4jStore":
        """Connect with NEO4J_URI, NEO4J_USER (or NEO4J_USERNAME), NEO4J_PASSWORD, NEO4J_DATABASE."""
        env = os.environ if env is None else env
        user = env.get("NEO4J_USER") or env.get("NEO4J_USERNAME") or "neo4j"
        return cls.from_settings(env.get("NEO4J_URI", ""), user, env.get("NEO4J_PASSWORD", ""),
                                 env.get("NEO4J_DATABASE") or None, retry_seconds=retry_seconds)

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
        self._schema_ready = True

    @staticmethod
    def _node_batches(data: GraphData) -> dict[str, list[dict[str, Any]]]:
        groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for nid, node in data.nodes.items():
            props = encode_props(node)
            props["id"] = nid
            props["name_lower"] = str(node["name"]).lower()
            groups[node["kind"]].append({"id": nid, "props": props})
        return groups

    @staticmethod
    def _edge_batches(data: GraphData) -> dict[tuple[str, str, str], list[dict[str, Any]]]:
        groups: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
        for (s, t, d), edge in data.edges.items():
            key = (t, data.nodes[s]["kind"], data.nodes[d]["kind"])
            groups[key].append({"source": s, "target": d, "props": encode_props(edge)})
        return groups

    @staticmethod
    def _write(tx: neo4j.ManagedTransaction, data: GraphData, batch: int) -> None:
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

    def replace_all(self, data: GraphData, batch: int = BATCH) -> None:
        """Delete the previous graph and write the new one in a single transaction (all or nothing)."""
        check_kinds(data)
        self.ensure_schema()

        def work(tx: neo4j.ManagedTransaction) -> None:
            for kind in NODE_KINDS:
                tx.run(f"MATCH (n:{_label(kind)}) DETACH DELETE n").consume()
            self._write(tx, data, batch)

        with self.driver.session(database=self.database) as session:
            session.execute_write(work)

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
        with self.driver.session(database=self.database) as session:
            session.execute_write(lambda tx: [tx.run(f"MATCH (n:{_label(k)}) DETACH DELETE n").consume()
                                              for k in NODE_KINDS])

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
        nodes = {r["kind"]: r["c"] for r in self._read(
            f"MATCH (n:{COMMON_LABEL}) WHERE n.kind IN $kinds RETURN n.kind AS kind, count(*) AS c",
            kinds=list(NODE_KINDS))}
        edges = {r["t"]: r["c"] for r in self._read(
            "MATCH ()-[r]->() WHERE type(r) IN $types RETURN type(r) AS t, count(*) AS c", types=list(EDGE_TYPES))}
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

    def simple_node_paths(self, a: str, b: str, max_length: int, edge_types: Sequence[str],
                          cap: int) -> tuple[list[list[str]], bool]:
        if a == b or not self.get_nodes([a, b]).keys() >= {a, b}:
            return [], False
        found: list[list[str]] = []
        for length in range(1, max_length + 1):
            query = (f"MATCH (x:{_label(kind_of(a))} {{id: $a}}), (y:{_label(kind_of(b))} {{id: $b}}) "
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
        if isinstance(value, neo4j.graph.Relationship):
            return {"source": value.start_node.get("id") if value.start_node else None, "type": value.type,
                    "target": value.end_node.get("id") if value.end_node else None}
        if isinstance(value, neo4j.graph.Path):
            return {"nodes": [self._value(n) for n in value.nodes],
                    "edges": [self._value(r) for r in value.relationships]}
        if isinstance(value, list):
            return [self._value(v) for v in value]
        if isinstance(value, dict):
            return {k: self._value(v) for k, v in value.items()}
        if isinstance(value, (str, int, float, bool)) or value is None:
            return value
        return str(value)

    def cypher_rows(self, query: str, params: dict[str, Any] | None, limit: int,
                    timeout: float) -> tuple[list[str], list[list[Any]], bool]:
        check_read_only(query)
        return self._run_read(query, params or {}, limit, timeout)

    def _run_read(self, query: str, params: dict[str, Any], limit: int,
                  timeout: float) -> tuple[list[str], list[list[Any]], bool]:
        @unit_of_work(timeout=timeout)
        def work(tx: neo4j.ManagedTransaction) -> tuple[list[str], list[list[Any]], bool]:
            result = tx.run(query, params)
            rows = []
            for record in result:
                if len(rows) == limit:
                    return list(result.keys()), rows, True
                rows.append([summarise(self._value(v)) for v in record.values()])
            return list(result.keys()), rows, False

        try:
            with self.driver.session(database=self.database, default_access_mode=neo4j.READ_ACCESS) as session:
                return session.execute_read(work)
        except ClientError as exc:
            code = exc.code or ""
            if "TransactionTimedOut" in code or "Timeout" in code:
                raise QueryTimeout(f"the query ran longer than {timeout:g} s and was stopped") from None
            if "AccessMode" in code or "WriteOnReadOnlyAccess" in code or "Forbidden" in code:
                raise ReadOnlyViolation(f"refused by the server: the Cypher entry is read-only ({exc.message})") from None
            raise CypherError(f"Neo4j could not run the query: {exc.message}") from None
        except Neo4jError as exc:
            raise CypherError(f"Neo4j could not run the query: {exc.message or type(exc).__name__}") from None

    def run_library_query(self, spec: Any, params: dict[str, Any]) -> tuple[list[str], list[list[Any]], bool]:
        return self._run_read(spec.cypher, params, 100_000, 30.0)
