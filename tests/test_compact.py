"""The embedded store's columns (`graph.compact`) against networkx itself, on random small graphs with
self-loops, parallel edges of several types, isolated nodes and every kind (hypothesis): degrees, counts,
incident edges, edges among a set, neighbours by type and kind, both as built and read back from a
snapshot. The parity suite checks the same primitives on the shipped corpus against Neo4j."""
from __future__ import annotations

from typing import Any

import networkx as nx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph import snapshot
from graph.embedded import EmbeddedStore
from graph.schema import EDGE_TYPES, NODE_KINDS
from graph.store import edge_key

KINDS = list(NODE_KINDS)[:4]
TYPES = list(EDGE_TYPES)[:4]


@st.composite
def graphs(draw: Any) -> nx.MultiDiGraph:
    """A MultiDiGraph as the loaders make them: keyed by edge type, at most one edge per (source, type,
    target), with provenance."""
    n = draw(st.integers(1, 12))
    graph = nx.MultiDiGraph()
    for i in range(n):
        kind = draw(st.sampled_from(KINDS))
        graph.add_node(f"n:{i}", id=f"n:{i}", kind=kind, name=f"Node {i % 5}",
                       provenance=[{"file": "f.txt", "start_line": i + 1, "end_line": i + 1, "text": f"line {i}",
                                    "authorship": "authored"}])
    triples = draw(st.sets(st.tuples(st.integers(0, n - 1), st.sampled_from(TYPES), st.integers(0, n - 1)),
                           max_size=40))
    for a, t, b in sorted(triples):
        graph.add_edge(f"n:{a}", f"n:{b}", key=t, type=t, description=f"{a} {t} {b}",
                       provenance=[{"file": "f.txt", "start_line": a + 1, "end_line": a + 1, "text": f"line {a}",
                                    "authorship": "authored"}])
    return graph


def _edge(u: str, v: str, key: str, attrs: dict[str, Any]) -> dict[str, Any]:
    return {"source": u, "target": v, "type": key, **{k: x for k, x in attrs.items() if k != "type"}}


def _check(store: EmbeddedStore, graph: nx.MultiDiGraph, ids: list[str], kinds: list[str] | None,
           types: list[str] | None) -> None:
    wanted = set(kinds) if kinds else set(KINDS)
    allowed = set(types) if types else set(TYPES)
    kind = dict(graph.nodes(data="kind"))
    degree = {n: 0 for n in graph if kind[n] in wanted}
    for u, v, t in graph.edges(keys=True):
        if t in allowed and u in degree and v in degree:
            degree[u] += 1
            degree[v] += 1
    assert store.degrees(kinds, types) == degree
    edges = [_edge(u, v, t, a) for u, v, t, a in graph.edges(keys=True, data=True) if t in allowed]
    inside = set(ids)
    assert store.incident_edges(ids, types) == sorted(
        (e for e in edges if e["source"] in inside or e["target"] in inside), key=edge_key)
    assert store.edges_among(ids, types) == sorted(
        (e for e in edges if e["source"] in inside and e["target"] in inside), key=edge_key)
    for node in ids:
        near = {e["target"] if e["source"] == node else e["source"]
                for e in edges if node in (e["source"], e["target"])}
        near |= {node for e in edges if e["source"] == e["target"] == node}
        assert store.neighbour_ids([node], types, kinds)[node] == {m for m in near if kind[m] in wanted}
    assert store.reach(ids, types, kinds) == set().union(*store.neighbour_ids(ids, types, kinds).values())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graph=graphs(), data=st.data())
def test_the_columns_answer_as_networkx_does(graph: nx.MultiDiGraph, data: Any) -> None:
    ids = data.draw(st.lists(st.sampled_from(sorted(graph)), max_size=5, unique=True))
    kinds = data.draw(st.none() | st.lists(st.sampled_from(KINDS), min_size=1, max_size=3, unique=True))
    types = data.draw(st.none() | st.lists(st.sampled_from(TYPES), min_size=1, max_size=3, unique=True))
    built = EmbeddedStore(graph)
    opened = EmbeddedStore(snapshot.decode(snapshot.encode(built.compact, {})))
    by_kind: dict[str, int] = {}
    for _, k in graph.nodes(data="kind"):
        by_kind[k] = by_kind.get(k, 0) + 1
    by_type: dict[str, int] = {}
    for *_, t in graph.edges(keys=True):
        by_type[t] = by_type.get(t, 0) + 1
    for store in (built, opened):
        assert store.counts() == (dict(sorted(by_kind.items())), dict(sorted(by_type.items())))
        _check(store, graph, ids, kinds, types)
        assert store.get_nodes(ids) == {i: {**graph.nodes[i], "id": i} for i in ids}
    assert list(opened.graph.edges(keys=True, data=True)) == list(graph.edges(keys=True, data=True))
