"""The named query library (`data/queries.yaml`): parameterized questions that run on both stores.

On Neo4j a query's Cypher runs with its parameters. On the embedded store it runs either through the
embedded Cypher engine (`embedded: cypher`, graph.embedded_cypher, with the same parameters) or through
the networkx function registered here under the same name. Both give the same rows, in the order the library declares.
An `algorithm:` entry (centrality, communities, similar) runs graph/query_algorithms.py on either store.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import networkx as nx
import yaml

from .cypher import CypherError
from .query_algorithms import run_algorithm
from .results import returned_subgraph
from .shipped import SHIPPED_DATA

LIBRARY = SHIPPED_DATA / "queries.yaml"


@dataclass(frozen=True)
class Param:
    name: str
    default: Any
    description: str = ""
    #: The kind of node the parameter names (`node: Pattern` in the library): a name or an id, resolved
    #: to the id as the CLI resolves node arguments (GraphStore.resolve).
    node: str | None = None
    #: With `node`: several nodes, separated by commas.
    many: bool = False
    #: The values the parameter may take (`choices: [...]` in the library; empty: any).
    choices: tuple[Any, ...] = ()


@dataclass(frozen=True)
class QuerySpec:
    name: str
    description: str
    cypher: str = ""
    embedded: str = ""
    params: tuple[Param, ...] = ()
    order_by: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    #: An algorithm named query (`algorithm: centrality|communities|similar`, graph/query_algorithms.py)
    #: instead of Cypher.
    algorithm: str | None = None


@lru_cache(maxsize=2)
def load_library(path: Path = LIBRARY) -> list[QuerySpec]:
    """The queries in the library file, in file order."""
    with open(path, encoding="utf-8") as fh:
        doc = yaml.safe_load(fh)
    specs = []
    for raw in doc["queries"]:
        if ("cypher" in raw) == ("algorithm" in raw):
            raise CypherError(f"{path}: query {raw.get('name')!r} needs either `cypher` or `algorithm`")
        specs.append(QuerySpec(
            name=raw["name"], description=raw["description"], cypher=raw.get("cypher", "").strip(),
            embedded=raw.get("embedded", ""), algorithm=raw.get("algorithm"),
            params=tuple(Param(p["name"], p.get("default"), p.get("description", ""), p.get("node"),
                               bool(p.get("many", False)), tuple(p.get("choices", ()))) for p in raw.get("params", [])),
            order_by=tuple((c, d) for c, d in raw.get("order_by", [])),
        ))
    return specs


def get_query(name: str) -> QuerySpec:
    for spec in load_library():
        if spec.name == name:
            return spec
    raise CypherError(f"no query named {name!r}; known: {', '.join(s.name for s in load_library())}")


def bind(spec: QuerySpec, params: dict[str, Any] | None) -> dict[str, Any]:
    """The query's parameters: defaults overridden by `params`, coerced to the default's type."""
    params = dict(params or {})
    unknown = set(params) - {p.name for p in spec.params}
    if unknown:
        raise CypherError(f"query {spec.name!r} has no parameter {sorted(unknown)[0]!r}")
    bound = {}
    for p in spec.params:
        value = params.get(p.name, p.default)
        if isinstance(p.default, int) and not isinstance(value, int):
            try:
                value = int(value)
            except (TypeError, ValueError):
                raise CypherError(f"parameter {p.name!r} must be a whole number") from None
        if p.choices and value not in p.choices:
            raise CypherError(f"parameter {p.name!r} is one of {', '.join(map(str, p.choices))}, not {value!r}")
        bound[p.name] = value
    return bound


def resolve_nodes(store: Any, spec: QuerySpec, bound: dict[str, Any]) -> dict[str, Any]:
    """`bound` with each node parameter's name or id replaced by the node's id, resolved by the store's
    own resolver (`GraphStore.resolve`, what the CLI's node arguments use); NotFound (with "did you
    mean …") for a reference that matches nothing, or a node of another kind."""
    from .store import NotFound  # noqa: PLC0415

    out = dict(bound)
    for p in spec.params:
        if not p.node or out.get(p.name) is None:
            continue
        refs = [r.strip() for r in str(out[p.name]).split(",") if r.strip()] if p.many else [str(out[p.name])]
        ids = []
        for ref in refs:
            try:
                nid = store.resolve(ref)
            except NotFound as exc:
                raise NotFound(f"parameter {p.name!r}: {exc}") from None
            kind = (store.get_node(nid) or {}).get("kind")
            if kind != p.node:
                raise NotFound(f"parameter {p.name!r}: '{ref}' is a {kind} ({nid}), not a {p.node}")
            ids.append(nid)
        out[p.name] = ",".join(ids) if p.many else ids[0]
    return out


def order_rows(spec: QuerySpec, columns: list[str], rows: list[list[Any]]) -> list[list[Any]]:
    """Sort rows by the library's order_by (stable, last key first; None sorts first)."""
    out = list(rows)
    for column, direction in reversed(spec.order_by):
        i = columns.index(column)
        out.sort(key=lambda r: (r[i] is not None, r[i] if not isinstance(r[i], list) else tuple(r[i])),
                 reverse=direction == "desc")
    return out


# -- networkx implementations, registered by the name the library uses ----------------------------
EmbeddedFn = Callable[[nx.MultiDiGraph, dict[str, Any]], tuple[list[str], list[list[Any]]]]
REGISTRY: dict[str, EmbeddedFn] = {}


def register(name: str) -> Callable[[EmbeddedFn], EmbeddedFn]:
    def wrap(fn: EmbeddedFn) -> EmbeddedFn:
        REGISTRY[name] = fn
        return fn
    return wrap


def _nodes(g: nx.MultiDiGraph, kind: str) -> list[str]:
    return [n for n, a in g.nodes(data=True) if a["kind"] == kind]


def _out(g: nx.MultiDiGraph, node: str, etype: str) -> list[tuple[str, dict]]:
    return [(v, a) for _, v, k, a in g.out_edges(node, keys=True, data=True) if k == etype]


def _name(g: nx.MultiDiGraph, node: str) -> str:
    return g.nodes[node]["name"]


def _grouped(g: nx.MultiDiGraph, kind: str, etype: str, target_kind: str, minimum: int) -> list[list[Any]]:
    members: dict[str, list[str]] = {}
    for p in _nodes(g, kind):
        for t, _ in _out(g, p, etype):
            if g.nodes[t]["kind"] == target_kind:
                members.setdefault(t, []).append(_name(g, p))
    return [[_name(g, t), len(ps), sorted(ps)] for t, ps in members.items() if len(ps) >= minimum]


@register("capacities_blocked_by_several")
def capacities_blocked_by_several(g: nx.MultiDiGraph, params: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    return ["capacity", "patterns_blocking", "patterns"], _grouped(g, "Pattern", "BLOCKS", "Capacity",
                                                                  params["min_patterns"])


@register("shared_origins")
def shared_origins(g: nx.MultiDiGraph, params: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    return ["origin", "pattern_count", "patterns"], _grouped(g, "Pattern", "ORIGINATES_IN", "Origin",
                                                            params["min_patterns"])


@register("patterns_near_a_concept")
def patterns_near_a_concept(g: nx.MultiDiGraph, params: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    wanted = str(params["concept"])
    rows = []
    for p in _nodes(g, "Pattern"):
        for c, attrs in _out(g, p, "RELATED_CONCEPT"):
            if g.nodes[c]["kind"] == "Concept" and (c == wanted or _name(g, c).lower() == wanted.lower()):
                rows.append([_name(g, c), _name(g, p), attrs.get("as_written") or _name(g, c)])
    return ["concept", "pattern", "as_written"], rows


@register("strongest_combinations")
def strongest_combinations(g: nx.MultiDiGraph, params: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    rows = []
    for a in _nodes(g, "Pattern"):
        for b, attrs in _out(g, a, "COMBINES_WITH"):
            if g.nodes[b]["kind"] == "Pattern":
                mutual = g.has_edge(b, a, key="COMBINES_WITH")
                rows.append([_name(g, a), _name(g, b), mutual, attrs.get("description")])
    return ["pattern", "combines_with", "mutual", "description"], rows


@register("distinctions_between")
def distinctions_between(g: nx.MultiDiGraph, params: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    a, b = params["a"], params["b"]
    rows = []
    for x, y in ((a, b), (b, a)):
        if x in g and y in g and g.has_edge(x, y, key="DISTINGUISHED_FROM"):
            rows.append([_name(g, x), _name(g, y), g.edges[x, y, "DISTINGUISHED_FROM"].get("description")])
    return ["stated_on", "distinguished_from", "sentence"], rows


@register("distinctions_among")
def distinctions_among(g: nx.MultiDiGraph, params: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    ids = [p.strip() for p in str(params["patterns"]).split(",")]
    rows = []
    for x in dict.fromkeys(ids):
        for y in dict.fromkeys(ids):
            if x in g and y in g and g.has_edge(x, y, key="DISTINGUISHED_FROM") \
                    and g.nodes[x]["kind"] == "Pattern" and g.nodes[y]["kind"] == "Pattern":
                rows.append([_name(g, x), _name(g, y), g.edges[x, y, "DISTINGUISHED_FROM"].get("description")])
    return ["stated_on", "distinguished_from", "sentence"], rows


@register("dimension_members")
def dimension_members(g: nx.MultiDiGraph, params: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    rows = []
    for p in _nodes(g, "Pattern"):
        for d, attrs in _out(g, p, "IN_DIMENSION"):
            for grp, _ in _out(g, d, "IN_GROUP"):
                rows.append([_name(g, grp), _name(g, d), _name(g, p), attrs.get("side")])
    return ["dimension_group", "dimension", "pattern", "side"], rows


@register("most_connected_patterns")
def most_connected_patterns(g: nx.MultiDiGraph, params: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    ranked: list[tuple[str, int]] = []
    for p in _nodes(g, "Pattern"):
        neighbours = (set(g.successors(p)) | set(g.predecessors(p))) - {p}
        ranked.append((_name(g, p), len(neighbours)))
    ranked.sort(key=lambda r: (-r[1], r[0]))
    return ["pattern", "neighbours"], [list(r) for r in ranked[: int(params["top"])]]


@register("mechanisms_and_examples")
def mechanisms_and_examples(g: nx.MultiDiGraph, params: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    target = params["pattern"]
    rows = []
    for m in _nodes(g, "Mechanism"):
        if not any(t == target for t, _ in _out(g, m, "CONTRIBUTES_TO")):
            continue
        examples = [e for e, _, k in g.in_edges(m, keys=True) if k == "ILLUSTRATES" and g.nodes[e]["kind"] == "Example"]
        for e in examples or [None]:
            rows.append([_name(g, m), _name(g, e) if e else None, g.nodes[e].get("role") if e else None])
    return ["mechanism", "example", "example_role"], rows


def run_named(store: Any, name: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run a library query (Cypher or an algorithm) on either store; rows in the library's order, plus the
    result subgraph."""
    spec = get_query(name)
    bound = resolve_nodes(store, spec, bind(spec, params))
    if spec.algorithm:
        columns, rows = run_algorithm(store, spec.algorithm, bound)
        truncated = False
    else:
        columns, rows, truncated = store.run_library_query(spec, bound)
    rows = order_rows(spec, columns, rows)
    return {"columns": columns, "rows": rows, "truncated": truncated, "subgraph": returned_subgraph(store, rows)}
