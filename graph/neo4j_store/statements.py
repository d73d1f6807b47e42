"""The Neo4j store's Cypher, built by pure functions (no driver, no server: unit-tested as text).

Labels and relationship types come only from the schema's fixed lists and property keys are always
backtick-quoted, so no document text is ever part of a statement; values travel as parameters. Writes
are batched `UNWIND $rows …` statements whose rows are lists of values in the order of the keys named
once per batch.
"""
from __future__ import annotations

from typing import Sequence

from ..schema import EDGE_TYPES, NODE_KINDS

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
#: The transaction metadata key that tags a user query, so that it can be found and terminated.
TX_TAG = "atlas_query"


def label(kind: str) -> str:
    """A node kind as a quoted label; ValueError for anything not in the schema."""
    if kind not in NODE_KINDS:
        raise ValueError(f"unknown node kind {kind!r}")
    return f"`{kind}`"


def rtype(etype: str) -> str:
    """An edge type as a quoted relationship type; ValueError for anything not in the schema."""
    if etype not in EDGE_TYPES:
        raise ValueError(f"unknown edge type {etype!r}")
    return f"`{etype}`"


def seek(var: str, lab: str) -> str:
    """An index hint for a node found by id: a plan cached while a swap had emptied a label (its
    statistics said 0 nodes) must not scan or expand from the other end instead."""
    return f"USING INDEX {var}:{lab}(id)"


def prop_key(key: str) -> str:
    """A property key for a statement: always backtick-quoted (a backtick doubled), never bare text."""
    if not isinstance(key, str) or not key:
        raise ValueError(f"bad property key {key!r}")
    return "`" + key.replace("`", "``") + "`"


def rel_pattern(edge_types: Sequence[str] | None, var: str = "", length: str = "") -> str:
    """`[r:`A`|`B`*..n]` with relationship types from the schema only (all types when None)."""
    types = "|".join(rtype(t) for t in edge_types) if edge_types else ""
    return f"[{var}{':' + types if types else ''}{length}]"


def kind_labels() -> str:
    """`:`Pattern`:`Concept`…`: every kind label, to remove them all at once."""
    return "".join(f":{label(k)}" for k in NODE_KINDS)


# -- schema ----------------------------------------------------------------------------------------

def schema() -> list[str]:
    """Constraints and indexes, then the retired label, then waiting for the indexes to come online."""
    out = [f"CREATE CONSTRAINT atlas_node_id IF NOT EXISTS FOR (n:{COMMON_LABEL}) REQUIRE n.id IS UNIQUE",
           f"CREATE INDEX atlas_node_name IF NOT EXISTS FOR (n:{COMMON_LABEL}) ON (n.name_lower)"]
    for kind in NODE_KINDS:
        out.append(f"CREATE CONSTRAINT atlas_{kind.lower()}_id IF NOT EXISTS FOR (n:{label(kind)}) "
                   "REQUIRE n.id IS UNIQUE")
        out.append(f"CREATE INDEX atlas_{kind.lower()}_name IF NOT EXISTS FOR (n:{label(kind)}) ON (n.name_lower)")
    out.append(f"CREATE INDEX atlas_staging_id IF NOT EXISTS FOR (n:{STAGING_LABEL}) ON (n.id)")  # staged by id
    out.append(f"CALL db.createLabel('{RETIRED_LABEL}')")  # exists before it is first matched
    out.append("CALL db.awaitIndexes(300)")
    return out


# -- writes ----------------------------------------------------------------------------------------

def stage_nodes(keys: Sequence[str]) -> str:
    """Create staging nodes from rows of values in `keys` order, tagged with `$load`."""
    sets = ", ".join(f"n.{prop_key(k)} = row[{j}]" for j, k in enumerate(keys))
    return f"UNWIND $rows AS row CREATE (n:{STAGING_LABEL}) SET n.{LOAD_PROP} = $load" + (f", {sets}" if sets else "")


def stage_edges(etype: str, keys: Sequence[str]) -> str:
    """Create relationships among staged nodes from rows `[source, target, values in keys order…]`."""
    sets = ", ".join(f"r.{prop_key(k)} = row[{j + 2}]" for j, k in enumerate(keys))
    return (f"UNWIND $rows AS row MATCH (a:{STAGING_LABEL} {{id: row[0]}}) MATCH (b:{STAGING_LABEL} {{id: row[1]}}) "
            f"CREATE (a)-[r:{rtype(etype)}]->(b)" + (f" SET {sets}" if sets else ""))


def retire_current() -> str:
    """Every current node becomes retired (no other label): what a swap and `clear` start with."""
    return f"MATCH (n:{COMMON_LABEL}) SET n:{RETIRED_LABEL} REMOVE n:{COMMON_LABEL}{kind_labels()}"


def promote_staged() -> str:
    """The staged nodes of `$load` gain the common label and their kind's label; returns `promoted`."""
    set_kind = " ".join(f"FOREACH (_ IN CASE WHEN n.kind = '{k}' THEN [1] ELSE [] END | SET n:{label(k)})"
                        for k in NODE_KINDS)
    return (f"MATCH (n:{STAGING_LABEL}) WHERE n.{LOAD_PROP} = $load SET n:{COMMON_LABEL} REMOVE n:{STAGING_LABEL} "
            f"{set_kind} RETURN count(n) AS promoted")


def sweep(lab: str, by_load: bool) -> str:
    """Detach-delete up to `$n` nodes of a staging or retired label (of `$load` only when `by_load`)."""
    if lab not in (STAGING_LABEL, RETIRED_LABEL):
        raise ValueError(f"only staged or retired nodes are swept, not {lab!r}")
    where = f"WHERE n.{LOAD_PROP} = $load " if by_load else ""
    return f"MATCH (n:{lab}) {where}WITH n LIMIT $n DETACH DELETE n RETURN count(*) AS deleted"


def merge_nodes(kind: str) -> str:
    """MERGE rows `{id, props}` as nodes of `kind` (incremental adds)."""
    return f"UNWIND $rows AS row MERGE (n:{label(kind)} {{id: row.id}}) SET n = row.props, n:{COMMON_LABEL}"


def merge_edges(etype: str, source_kind: str, target_kind: str) -> str:
    """MERGE rows `{source, target, props}` as relationships of `etype`."""
    return (f"UNWIND $rows AS row MATCH (a:{label(source_kind)} {{id: row.source}}) "
            f"MATCH (b:{label(target_kind)} {{id: row.target}}) MERGE (a)-[r:{rtype(etype)}]->(b) SET r = row.props")


def merge_node(kind: str) -> str:
    """One node per statement (the benchmark's naive baseline)."""
    return f"MERGE (n:{label(kind)} {{id: $id}}) SET n = $props, n:{COMMON_LABEL}"


def merge_edge(etype: str, source_kind: str, target_kind: str) -> str:
    """One relationship per statement (the benchmark's naive baseline)."""
    return (f"MATCH (a:{label(source_kind)} {{id: $source}}) MATCH (b:{label(target_kind)} {{id: $target}}) "
            f"MERGE (a)-[r:{rtype(etype)}]->(b) SET r = $props")


# -- reads -----------------------------------------------------------------------------------------

NODES_BY_ID = f"UNWIND $ids AS id MATCH (n:{COMMON_LABEL} {{id: id}}) RETURN properties(n) AS p"
NODES_BY_NAME = (f"MATCH (n:{COMMON_LABEL}) WHERE n.name_lower = $name RETURN n.id AS id, "
                 "n.kind AS kind, n.name AS name, n.status AS status ORDER BY id")
INCIDENT_EDGES = (f"UNWIND $ids AS id MATCH (a:{COMMON_LABEL} {{id: id}})-[r]-() "
                  "WHERE $types IS NULL OR type(r) IN $types "
                  "RETURN DISTINCT startNode(r).id AS s, type(r) AS type, endNode(r).id AS t, properties(r) AS p")
EDGES_AMONG = (f"UNWIND $ids AS id MATCH (a:{COMMON_LABEL} {{id: id}})-[r]->(b) WHERE b.id IN $all "
               "AND ($types IS NULL OR type(r) IN $types) "
               "RETURN a.id AS s, type(r) AS type, b.id AS t, properties(r) AS p")
NEIGHBOUR_IDS = (f"UNWIND $ids AS id MATCH (a:{COMMON_LABEL} {{id: id}})-[r]-(b) "
                 "WHERE ($types IS NULL OR type(r) IN $types) AND ($kinds IS NULL OR b.kind IN $kinds) "
                 "RETURN a.id AS a, collect(DISTINCT b.id) AS bs")
ENDS_BY_ELEMENT = ("MATCH (n) WHERE elementId(n) IN $ids RETURN elementId(n) AS e, n.id AS id, "
                   "n.kind AS kind, n.name AS name")
TAGGED_TRANSACTIONS = (f"SHOW TRANSACTIONS YIELD transactionId, metaData WHERE metaData.{TX_TAG} = $tag "
                       "RETURN transactionId AS id")
TERMINATE = "TERMINATE TRANSACTIONS $ids"


def list_nodes(limited: bool) -> str:
    """Node summaries of `$kinds` by id (up to `$limit` when `limited`)."""
    query = (f"MATCH (n:{COMMON_LABEL}) WHERE n.kind IN $kinds RETURN n.id AS id, n.kind AS kind, "
             "n.name AS name, n.status AS status ORDER BY id")
    return query + (" LIMIT $limit" if limited else "")


def count_nodes() -> str:
    """Nodes per kind of the current graph, each answered from the count store."""
    return " UNION ALL ".join(f"MATCH (n:{label(k)}) RETURN '{k}' AS name, count(n) AS c" for k in NODE_KINDS)


def count_edges() -> str:
    """Relationships per type of the current graph, each answered from the count store."""
    return " UNION ALL ".join(f"MATCH (:{COMMON_LABEL})-[r:{rtype(t)}]->() RETURN '{t}' AS name, count(r) AS c"
                              for t in EDGE_TYPES)


def simple_paths(source_kind: str, target_kind: str, length: int) -> str:
    """Node-id lists of the simple paths of exactly `length` steps from `$a` to `$b` over `$types`,
    in id order, up to `$n`."""
    return (f"MATCH (x:{label(source_kind)} {{id: $a}}) {seek('x', label(source_kind))} "
            f"MATCH (y:{label(target_kind)} {{id: $b}}) {seek('y', label(target_kind))} "
            f"MATCH p = (x)-[rels*{length}..{length}]-(y) "
            "WHERE all(r IN rels WHERE type(r) IN $types) "
            "AND all(n IN nodes(p) WHERE single(m IN nodes(p) WHERE m = n)) "
            "WITH DISTINCT [n IN nodes(p) | n.id] AS ids RETURN ids ORDER BY ids LIMIT $n")


def neighbourhood(hops: int, kinds: Sequence[str] | None, types: Sequence[str] | None, limited: bool) -> str:
    """The BFS levels around `$id` up to `hops` in one statement (level k: the neighbours of level k-1
    in neither it nor level k-2), the nearest `$limit` by (hop, id) when `limited` (only a level cut by
    the limit is sorted); returns `total`, level `sizes`, `kept` [id, revision] pairs and the `edges`
    among the kept nodes."""
    rel = rel_pattern(types)
    other = f"(m:{'|'.join(label(k) for k in kinds)})" if kinds else "(m)"
    lines = [f"MATCH (c:{COMMON_LABEL} {{id: $id}}) {seek('c', COMMON_LABEL)}", "WITH c, [c] AS d0"]
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
        if not limited:
            kept.append(f"d{j}")
        else:  # the level whole, or its first ids up to the limit, or nothing
            kept.append(f"CASE WHEN {upto[j - 1]} >= $limit THEN [] WHEN {upto[j]} <= $limit THEN d{j} "
                        f"ELSE COLLECT {{ UNWIND d{j} AS x WITH x ORDER BY x.id LIMIT $limit RETURN x }}"
                        f"[..$limit - ({upto[j - 1]})] END")
    lines.append(f"WITH total, [{', '.join(kept)}] AS levels")
    lines.append("WITH total, [l IN levels | size(l)] AS sizes, reduce(a = [], l IN levels | a + l) AS ns")
    lines.append(f"RETURN total, sizes, [n IN ns | [n.id, n.{LOAD_PROP}]] AS kept, "
                 f"COLLECT {{ UNWIND ns AS a MATCH (a)-{rel_pattern(types, 'r')}->(b) WHERE b IN ns "
                 "RETURN {s: a.id, type: type(r), t: b.id, p: properties(r)} } AS edges")
    return "\n".join(lines)
