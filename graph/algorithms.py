"""Graph algorithms over a store: centrality, communities and pattern similarity.

Plain functions over the `GraphStore` interface, the way networkx's algorithms are functions over a
graph. Every function first pulls a *projection* through the store interface (`list_nodes` and
`edges_among`, so the embedded store and Neo4j give the same nodes and edges in the same order) and
then runs networkx on it: both stores give the same answers, with no Neo4j GDS plugin needed.

What the projection holds (unless told otherwise):

- nodes: every kind but `Source` (documents are membership, not meaning);
- edges: every type but the structural `DESCRIBES` (`graph.store.path_types(None)`), direction kept
  in the `MultiDiGraph`; parallel edges of different types between two nodes are each kept.

How each algorithm reads it:

- degree and betweenness centrality: the undirected simple graph (two nodes are neighbours when any
  edge joins them), `nx.degree_centrality` and exact `nx.betweenness_centrality` (normalised);
- PageRank: the directed simple graph, alpha 0.85, nodes without out-edges spread evenly (what
  `nx.pagerank` computes, by plain power iteration here as `nx.pagerank` needs SciPy): a node ranks
  high when nodes that rank high point to it (so blocked capacities and shared origins rank high);
- communities: Louvain (`nx.community.louvain_communities`, seed 42, resolution 1) on the undirected
  graph weighted by the number of edges (of any counted type) between two nodes;
- similarity: Jaccard of two patterns' neighbour sets in the undirected simple graph
  (`nx.jaccard_coefficient`), i.e. shared neighbours over all neighbours of either.

Ties are broken by node id, so rankings are total and equal on both stores.
"""
from __future__ import annotations

from typing import Any, Sequence

import networkx as nx

from .schema import NODE_KINDS
from .store import GraphStore, check_filters, path_types, summary

#: Node kinds left out of the projection by default.
EXCLUDED_KINDS = frozenset({"Source"})
MEASURES = ("degree", "betweenness", "pagerank")
SEED = 42


def default_kinds() -> list[str]:
    """Every node kind but the excluded ones (`Source`)."""
    return [k for k in NODE_KINDS if k not in EXCLUDED_KINDS]


def projection(store: GraphStore, kinds: Sequence[str] | None = None,
               edge_types: Sequence[str] | None = None) -> nx.MultiDiGraph:
    """The graph the algorithms run on, pulled through the store interface: a `MultiDiGraph` whose
    nodes (added in id order) carry `kind` and `name` and whose edges (in (source, type, target)
    order, key = type) carry nothing else. Default kinds: all but Source; default types: all but
    DESCRIBES."""
    kinds = list(kinds) if kinds else default_kinds()
    types = path_types(edge_types)
    check_filters(kinds, types)
    nodes = store.list_nodes(kinds)
    g: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    for n in sorted(nodes, key=lambda n: n["id"]):
        g.add_node(n["id"], kind=n["kind"], name=n["name"])
    for e in store.edges_among([n["id"] for n in nodes], types):
        g.add_edge(e["source"], e["target"], key=e["type"])
    return g


def undirected(g: nx.MultiDiGraph) -> nx.Graph:
    """The undirected simple graph of `g` (self-loops dropped), each edge weighted by the number of
    edges joining its ends; nodes in `g`'s order, edges in sorted order."""
    u: nx.Graph[str] = nx.Graph()
    u.add_nodes_from(g.nodes(data=True))
    for a, b in sorted((min(a, b), max(a, b)) for a, b, _ in g.edges(keys=True) if a != b):
        if u.has_edge(a, b):
            u[a][b]["weight"] += 1
        else:
            u.add_edge(a, b, weight=1)
    return u


def directed(g: nx.MultiDiGraph) -> nx.DiGraph:
    """The directed simple graph of `g` (self-loops dropped), nodes in `g`'s order."""
    d: nx.DiGraph[str] = nx.DiGraph()
    d.add_nodes_from(g.nodes(data=True))
    d.add_edges_from(sorted({(a, b) for a, b, _ in g.edges(keys=True) if a != b}))
    return d


def pagerank(d: nx.DiGraph, alpha: float = 0.85, tol: float = 1.0e-10, max_iter: int = 200) -> dict[str, float]:
    """PageRank by power iteration, as `nx.pagerank` defines it (uniform teleport, dangling nodes'
    rank spread evenly) without SciPy; deterministic for a graph built in the same order."""
    n = d.number_of_nodes()
    if not n:
        return {}
    rank = dict.fromkeys(d, 1.0 / n)
    out_degree = {v: d.out_degree(v) for v in d}
    for _ in range(max_iter):
        dangling = alpha * sum(rank[v] for v in d if not out_degree[v]) / n
        new = dict.fromkeys(d, (1.0 - alpha) / n + dangling)
        for v in d:
            if out_degree[v]:
                share = alpha * rank[v] / out_degree[v]
                for w in d.successors(v):
                    new[w] += share
        done = sum(abs(new[v] - rank[v]) for v in d) < n * tol
        rank = new
        if done:
            break
    return rank


def _ranked(g: nx.MultiDiGraph, scores: dict[str, float], kinds: Sequence[str] | None,
            top: int | None) -> list[dict[str, Any]]:
    wanted = set(kinds) if kinds else None
    rows = [{**summary({"id": n, **g.nodes[n]}), "score": float(s)} for n, s in scores.items()
            if wanted is None or g.nodes[n]["kind"] in wanted]
    rows.sort(key=lambda r: (-round(r["score"], 12), r["id"]))
    for i, r in enumerate(rows, 1):
        r["rank"] = i
    return rows[:top] if top else rows


def centrality(store: GraphStore, measure: str = "degree", top: int | None = 10,
               kinds: Sequence[str] | None = None, edge_types: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """The `top` nodes by `measure` (degree, betweenness or pagerank), each `{id, kind, name, score,
    rank}`, highest first (ties by id). Computed on the whole projection (`edge_types` narrows it);
    `kinds` only keeps nodes of those kinds in the ranking."""
    if measure not in MEASURES:
        raise ValueError(f"unknown measure {measure!r}; known: {', '.join(MEASURES)}")
    check_filters(kinds, None)
    g = projection(store, None, edge_types)
    if measure == "degree":
        scores = nx.degree_centrality(undirected(g))
    elif measure == "betweenness":
        scores = nx.betweenness_centrality(undirected(g), normalized=True)
    else:
        scores = pagerank(directed(g))
    return _ranked(g, scores, kinds, top)


def communities(store: GraphStore, edge_types: Sequence[str] | None = None, seed: int = SEED,
                resolution: float = 1.0) -> list[dict[str, Any]]:
    """Louvain communities of the undirected projection (weighted by edge counts, fixed seed), largest
    first (ties by first member id). Each is `{index, size, label, members}`: members are node
    summaries in id order, `label` is the name of the member with most neighbours (ties by id).
    Isolated nodes are communities of one."""
    g = projection(store, None, edge_types)
    u = undirected(g)
    found = nx.community.louvain_communities(u, weight="weight", resolution=resolution, seed=seed) if len(u) else []
    groups = sorted((sorted(c) for c in found), key=lambda c: (-len(c), c[0]))
    out = []
    for i, members in enumerate(groups, 1):
        hub = min(members, key=lambda n: (-u.degree(n), n))
        out.append({"index": i, "size": len(members), "label": g.nodes[hub]["name"],
                    "members": [summary({"id": n, **g.nodes[n]}) for n in members]})
    return out


def community_of(found: list[dict[str, Any]]) -> dict[str, int]:
    """Node id -> community index, from `communities`' answer."""
    return {m["id"]: c["index"] for c in found for m in c["members"]}


def similar(store: GraphStore, pattern: str, top: int | None = 10,
            edge_types: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """The patterns most like `pattern` (an id) by shared neighbours: Jaccard of their neighbour sets
    in the undirected projection, highest first (ties by id), patterns sharing nothing left out. Each is
    `{id, kind, name, score, shared, rank}` with `shared` the common neighbours' summaries (by id)."""
    g = projection(store, None, edge_types)
    if pattern not in g:
        raise ValueError(f"no node {pattern!r} in the projection")
    u = undirected(g)
    others = [n for n in u if n != pattern and g.nodes[n]["kind"] == "Pattern"]
    scores = {b: s for _, b, s in nx.jaccard_coefficient(u, [(pattern, b) for b in others]) if s > 0}
    rows = _ranked(g, scores, None, top)
    mine = set(u[pattern])
    for r in rows:
        r["shared"] = [summary({"id": n, **g.nodes[n]}) for n in sorted(mine & set(u[r["id"]]))]
    return rows
