"""Writing a graph to Neo4j: replace it atomically (stage, swap, sweep), merge into it, clear it.

How `replace_all` keeps a load atomic without one huge transaction: the new graph is written in many
small transactions as *staging* nodes (label `AtlasStaging` only, plus the load's id) and
relationships among them; then one small transaction swaps the labels (the old nodes become
`AtlasRetired`, the staged ones gain `AtlasNode` and their kind label); then the retired graph is
deleted in batches. Every query of the store starts from `AtlasNode` or a kind label, so it sees the
old graph or the new one, never a part of either. The swap changes labels on every old and new node:
about 340 MiB of transaction memory at 10,000 cards (55,000 + 55,000 nodes), against the 1.4 GiB
limit of a 2 GiB heap.
"""
from __future__ import annotations

import logging
import uuid
from collections import defaultdict, deque
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Iterable, Iterator

import neo4j
from neo4j.exceptions import DriverError, Neo4jError

from ..model import GraphData, check_kinds, gc_paused
from ..store import edge_key
from . import statements as cy
from .connection import LoadConflict
from .encoding import encode_props, node_props, value_rows
from .reads import Reads

log = logging.getLogger(__name__)

#: Rows per write transaction (nodes or relationships) when a graph is loaded.
BATCH = 5000
#: Write transactions of a load in flight at once (the next batch is encoded and sent while the
#: server runs the previous one).
LOAD_WORKERS = 2
#: Nodes detach-deleted per transaction when a retired or abandoned staged graph is removed.
SWEEP_BATCH = 1000

Batch = tuple[str, list[list[Any]], str]  # statement, rows, what (for messages)


def node_batches(data: GraphData, load: str, batch: int) -> Iterator[Batch]:
    """The staging statements for `data`'s nodes, `batch` rows each."""
    ids = list(data.nodes)
    for i in range(0, len(ids), batch):
        keys, rows = value_rows([node_props(nid, data.nodes[nid]) for nid in ids[i:i + batch]])
        yield cy.stage_nodes(keys), rows, "nodes"


def edge_batches(data: GraphData, batch: int) -> Iterator[Batch]:
    """The staging statements for `data`'s edges, by type, `batch` rows each."""
    by_type: dict[str, list[tuple[str, str, dict[str, Any]]]] = defaultdict(list)
    for (s, t, d), edge in data.edges.items():
        by_type[t].append((s, d, edge))
    for etype, edges in by_type.items():
        for i in range(0, len(edges), batch):
            chunk = edges[i:i + batch]
            keys, rows = value_rows([encode_props(e) for _, _, e in chunk], [[s, d] for s, d, _ in chunk])
            yield cy.stage_edges(etype, keys), rows, etype


def merge_rows(data: GraphData) -> tuple[dict[str, list[dict[str, Any]]], dict[tuple[str, str, str], list[dict]]]:
    """Node rows by kind (each with a new revision) and edge rows by (type, source kind, target kind):
    what `merge` and `write_naive` write."""
    rev = uuid.uuid4().hex
    nodes: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for nid, node in data.nodes.items():
        props = node_props(nid, node)
        props[cy.LOAD_PROP] = rev
        nodes[node["kind"]].append({"id": nid, "props": props})
    edges: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for (s, t, d), edge in data.edges.items():
        edges[(t, data.nodes[s]["kind"], data.nodes[d]["kind"])].append(
            {"source": s, "target": d, "props": encode_props(edge)})
    return nodes, edges


class Loading(Reads):
    """The write side of the Neo4j store (over its read side: a merge reads what it merges into)."""

    _schema_ready: bool

    def ensure_schema(self) -> None:
        """Uniqueness constraints on id and an index on the lower-case name, for every node kind."""
        if self._schema_ready:
            return
        for statement in cy.schema():
            self.driver.execute_query(statement, database_=self.database)
        self._schema_ready = True

    def replace_all(self, data: GraphData, batch: int = BATCH) -> None:
        """Replace the whole graph with `data`; readers see the old graph until the new one is complete.

        1. Leftovers of earlier loads that did not finish (staged or retired nodes) are deleted.
        2. The new graph is staged in transactions of `batch` rows: nodes with only the `AtlasStaging`
           label and this load's id, then relationships among them. No store query sees them.
        3. One transaction swaps it in, changing labels only, and checks that every staged node is
           there, else it rolls back (`LoadConflict`).
        4. The retired graph is deleted in batches. If that fails the new graph stands anyway; the
           rest is deleted by the next load or `clear`.

        A load that stops before step 3 leaves the previous graph whole; its staged nodes are deleted
        on the way out when the server can still be reached, else by the next load. One load at a
        time: two loads at once make one of them fail (`LoadConflict`), never a mixed graph."""
        check_kinds(data)
        self.ensure_schema()
        self._sweep(cy.STAGING_LABEL)
        self._sweep(cy.RETIRED_LABEL)
        load = uuid.uuid4().hex
        batch = max(1, int(batch))
        try:
            with gc_paused():  # the rows are acyclic; full collections would walk the caller's whole graph
                self._run_batches(node_batches(data, load, batch), load, "nodes_created")  # nodes first
                self._run_batches(edge_batches(data, batch), load, "relationships_created")
            with self.driver.session(database=self.database) as session:
                session.execute_write(self._swap, load, len(data.nodes))
        except BaseException:
            self._discard(load)
            raise
        try:
            # the swap moved every node between labels at once: refresh the planner's index statistics
            self.driver.execute_query("CALL db.resampleOutdatedIndexes()", database_=self.database)
            self._sweep(cy.RETIRED_LABEL)
        except (Neo4jError, DriverError) as exc:  # the new graph is in place: say so, do not fail the load
            log.warning("the replaced graph was not deleted yet (%s); the next load or clear deletes it",
                        type(exc).__name__)

    def _run_batches(self, batches: Iterable[Batch], load: str, counter: str) -> None:
        """Run the batches as write transactions, up to LOAD_WORKERS at a time; each must create one
        node or relationship per row (else `LoadConflict`: the staged graph changed under this load).
        Rows are lists of values (the keys are in the statement once), much cheaper for the driver
        than a map per row; while the server runs one batch, the next ones are encoded and sent."""
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
        tx.run(cy.retire_current()).consume()
        record = tx.run(cy.promote_staged(), load=load).single()
        if record is None or record["promoted"] != expected:
            got = record["promoted"] if record else 0
            raise LoadConflict(f"{got} of {expected} staged nodes were there to swap in; nothing was changed")

    def _sweep(self, label: str, load: str | None = None, retry: bool = True) -> int:
        """Detach-delete the nodes of `label` (of one load only, with `load`), SWEEP_BATCH per transaction."""
        query = cy.sweep(label, by_load=load is not None)
        total = 0
        with self.driver.session(database=self.database) as session:
            while True:
                if retry:
                    deleted = session.execute_write(
                        lambda tx: tx.run(query, n=SWEEP_BATCH, load=load).single(strict=True)["deleted"])
                else:  # one attempt per batch, no driver retries (a best-effort clean-up)
                    deleted = session.run(query, n=SWEEP_BATCH, load=load).single(strict=True)["deleted"]
                total += deleted
                if deleted < SWEEP_BATCH:
                    return total

    def _discard(self, load: str) -> None:
        """Best effort after a failed load: delete what it staged (else the next load does)."""
        try:
            self._sweep(cy.STAGING_LABEL, load, retry=False)
        except Exception:  # noqa: BLE001 - the server may be gone; the load's own error is what matters
            log.debug("could not delete the staged nodes of a failed load", exc_info=True)

    def merge(self, data: GraphData, batch: int = BATCH) -> None:
        """Add or merge nodes and edges; provenance lists are unioned with what is stored."""
        check_kinds(data)
        self.ensure_schema()
        current = GraphData()
        current.nodes.update(self.get_nodes(list(data.nodes)))
        for e in self.edges_among(list(data.nodes)):
            current.edges[edge_key(e)] = {k: v for k, v in e.items() if k not in ("source", "target", "type")}
        current.merge(data)
        nodes, edges = merge_rows(current)

        def write(tx: neo4j.ManagedTransaction) -> None:
            for kind, rows in nodes.items():
                for i in range(0, len(rows), batch):
                    tx.run(cy.merge_nodes(kind), rows=rows[i:i + batch]).consume()
            for (etype, skind, tkind), rows in edges.items():
                for i in range(0, len(rows), batch):
                    tx.run(cy.merge_edges(etype, skind, tkind), rows=rows[i:i + batch]).consume()

        with self.driver.session(database=self.database) as session:
            session.execute_write(write)

    def write_naive(self, data: GraphData) -> None:
        """One statement per node and per edge, one transaction each (the benchmark's baseline)."""
        check_kinds(data)
        self.ensure_schema()
        nodes, edges = merge_rows(data)
        for kind, rows in nodes.items():
            for row in rows:
                self.driver.execute_query(cy.merge_node(kind), row, database_=self.database)
        for (etype, skind, tkind), rows in edges.items():
            for row in rows:
                self.driver.execute_query(cy.merge_edge(etype, skind, tkind), row, database_=self.database)

    def clear(self) -> None:
        """Remove the graph: retired in one transaction (readers see all of it or nothing), then
        deleted in batches, with any leftovers of loads that did not finish."""
        self.ensure_schema()
        with self.driver.session(database=self.database) as session:
            session.execute_write(lambda tx: tx.run(cy.retire_current()).consume())
        self._sweep(cy.STAGING_LABEL)
        self._sweep(cy.RETIRED_LABEL)
