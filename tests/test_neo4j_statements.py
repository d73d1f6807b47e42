"""The Neo4j store's Cypher as text: built from the schema's names only, never from document text,
checked without a server (the statements' behaviour is covered by the parity and load suites)."""
from __future__ import annotations

import pytest

from graph.neo4j_store import statements as cy
from graph.neo4j_store.encoding import decode_props, encode_props, node_props, value_rows
from graph.schema import EDGE_TYPES, NODE_KINDS


def test_labels_and_types_come_from_the_schema_only():
    assert cy.label("Pattern") == "`Pattern`" and cy.rtype("BLOCKS") == "`BLOCKS`"
    for bad in ("Pattern`) DETACH DELETE (n", "pattern", ""):
        with pytest.raises(ValueError):
            cy.label(bad)
        with pytest.raises(ValueError):
            cy.rtype(bad)


def test_property_keys_are_always_quoted():
    assert cy.prop_key("name") == "`name`"
    assert cy.prop_key("a`b") == "`a``b`"
    assert cy.stage_nodes(["id", "x` = 1 DETACH DELETE n //"]).count("``") == 1
    with pytest.raises(ValueError):
        cy.prop_key("")


def test_staging_statements_name_every_key_once_and_take_values_as_parameters():
    nodes = cy.stage_nodes(["id", "name"])
    assert nodes == ("UNWIND $rows AS row CREATE (n:AtlasStaging) SET n.atlas_load = $load, "
                     "n.`id` = row[0], n.`name` = row[1]")
    edges = cy.stage_edges("BLOCKS", ["description"])
    assert "CREATE (a)-[r:`BLOCKS`]->(b) SET r.`description` = row[2]" in edges
    assert edges.count("$") == 1  # $rows only: the values are in the rows


def test_swap_retires_every_kind_label_and_promotes_by_kind():
    retire = cy.retire_current()
    assert all(f":`{k}`" in retire for k in NODE_KINDS) and "SET n:AtlasRetired" in retire
    promote = cy.promote_staged()
    assert promote.endswith("RETURN count(n) AS promoted") and promote.count("FOREACH") == len(NODE_KINDS)


def test_sweep_only_touches_staged_or_retired_nodes():
    assert "WHERE n.atlas_load = $load" in cy.sweep(cy.STAGING_LABEL, by_load=True)
    assert "WHERE" not in cy.sweep(cy.RETIRED_LABEL, by_load=False)
    with pytest.raises(ValueError):
        cy.sweep(cy.COMMON_LABEL, by_load=False)


def test_schema_covers_every_kind():
    statements = cy.schema()
    assert sum("CONSTRAINT" in s for s in statements) == len(NODE_KINDS) + 1
    assert statements[-1] == "CALL db.awaitIndexes(300)"


def test_counts_union_every_kind_and_type():
    assert cy.count_nodes().count("UNION ALL") == len(NODE_KINDS) - 1
    assert cy.count_edges().count("UNION ALL") == len(EDGE_TYPES) - 1


@pytest.mark.parametrize("hops", [0, 1, 2, 4])
def test_neighbourhood_has_one_level_per_hop(hops):
    query = cy.neighbourhood(hops, None, None, limited=False)
    assert query.count("COLLECT { UNWIND d") == hops
    limited = cy.neighbourhood(hops, ["Pattern"], ["BLOCKS"], limited=True)
    assert limited.count("$limit") == 4 * hops and ("(m:`Pattern`)" in limited) == (hops > 0)
    assert "[:`BLOCKS`]" in limited or hops == 0


def test_relationship_patterns():
    assert cy.rel_pattern(None) == "[]"
    assert cy.rel_pattern(["BLOCKS", "COMBINES_WITH"], "r", "*..3") == "[r:`BLOCKS`|`COMBINES_WITH`*..3]"


def test_simple_paths_statement_is_fixed_length():
    query = cy.simple_paths("Pattern", "Capacity", 3)
    assert "[rels*3..3]" in query and "USING INDEX x:`Pattern`(id)" in query and query.endswith("LIMIT $n")


def test_property_encoding_round_trip():
    node = {"kind": "Pattern", "name": "Insecure", "provenance": [{"file": "a", "start_line": 1}],
            "aliases": ["x"], "weight": 2, "gone": None}
    props = node_props("pattern:insecure", node)
    assert props["provenance__json"].startswith("[") and props["name_lower"] == "insecure"
    back = decode_props({**props, "atlas_load": "rev"})
    assert back == {k: v for k, v in node.items() if v is not None} | {"id": "pattern:insecure"}
    assert encode_props({"a": [1, 2]}) == {"a__json": "[1,2]"}


def test_value_rows_put_heads_first_and_missing_keys_as_null():
    keys, rows = value_rows([{"a": 1}, {"b": 2}], [["s1"], ["s2"]])
    assert keys == ["a", "b"] and rows == [["s1", 1, None], ["s2", None, 2]]


def test_driver_errors_leave_the_store_as_one_atlas_error():
    """A server that cannot be reached mid-use: the real driver's error is translated at the store's
    edge into Neo4jUnavailable (an AtlasError, one line, no credentials), for reads and writes alike."""
    from graph.errors import AtlasError
    from graph.model import GraphData
    from graph.neo4j_store import Neo4jStore, Neo4jUnavailable

    store = Neo4jStore.from_settings("bolt://127.0.0.1:1", "someone", "s3cret", verify=False, retry_seconds=0)
    with store:
        for call in (store.counts, lambda: store.get_nodes(["pattern:insecure"]),
                     lambda: store.replace_all(GraphData())):
            with pytest.raises(Neo4jUnavailable) as err:
                call()
            assert isinstance(err.value, AtlasError) and "\n" not in str(err.value)
            assert "s3cret" not in str(err.value) and "127.0.0.1:1" in str(err.value)


def test_a_uri_with_credentials_in_it_is_refused_without_showing_them():
    """The driver refuses user info in a bolt:// URI with an error quoting the URI; the store says so in
    one line without the password (it used to let the driver's ConfigurationError through)."""
    from graph.neo4j_store import Neo4jConfigError, Neo4jStore

    with pytest.raises(Neo4jConfigError) as err:
        Neo4jStore.from_settings("bolt://someone:s3cret@127.0.0.1:1", "someone", "s3cret", verify=False)
    assert "s3cret" not in str(err.value) and "bad Neo4j URI 'bolt://127.0.0.1:1'" in str(err.value)
