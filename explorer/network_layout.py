"""Node positions for the network canvas, computed in Python once per view and then kept.

The browser used to lay every drawing out with a physics simulation: seconds for a few dozen nodes,
a different picture on every rerun, and path nodes that could land on top of each other. Here the
positions come from networkx (seeded, so the same view always gets the same picture), are spread
so no two nodes overlap, and `extend` places nodes added by an expansion next to the node they hang
from without moving the ones already drawn.

Layouts: "force" (Fruchterman-Reingold), "hierarchical" (layers by distance from the centre, or by
sources first without one) and "radial" (rings around the centre).
"""
from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache

import networkx as nx
import numpy as np

__all__ = ["LAYOUTS", "MIN_GAP", "Positions", "extend", "layout_positions", "spread"]

#: Layout names the canvas offers, with the words shown in the app's picker.
LAYOUTS: dict[str, str] = {"force": "Force", "hierarchical": "Hierarchical", "radial": "Radial around the centre"}
#: Least distance between two node centres, in canvas pixels (a hub's marker is ~60 px across).
MIN_GAP = 72.0
#: Rounds of the force layout (it starts from rings, so few are needed).
_ROUNDS = 30
#: Distance between neighbouring rings or layers.
_STEP = 170.0

Positions = dict[str, tuple[float, float]]


def layout_positions(node_ids: Sequence[str], pairs: Iterable[tuple[str, str]], layout: str = "force",
                     centre: str | None = None) -> Positions:
    """Positions (canvas pixels, centred on 0, 0) of `node_ids` for the edges `pairs` (source, target).

    Deterministic: the same ids, pairs, layout and centre always give the same positions (cached).
    An unknown layout name is "force"; "radial" without a centre rings around the best connected node.
    """
    ids = tuple(dict.fromkeys(str(i) for i in node_ids))
    known = set(ids)
    edges = tuple(sorted({(str(a), str(b)) for a, b in pairs if str(a) in known and str(b) in known and a != b}))
    centre = str(centre) if centre is not None and str(centre) in known else None
    return dict(_cached(ids, edges, layout if layout in LAYOUTS else "force", centre))


@lru_cache(maxsize=64)
def _cached(ids: tuple[str, ...], edges: tuple[tuple[str, str], ...], layout: str,
            centre: str | None) -> tuple[tuple[str, tuple[float, float]], ...]:
    if not ids:
        return ()
    graph: nx.Graph = nx.Graph()
    graph.add_nodes_from(ids)
    graph.add_edges_from(edges)
    if layout == "hierarchical":
        raw = _layered(graph, ids, edges, centre)
    elif layout == "radial":
        raw = _rings(graph, ids, centre or _best_connected(graph, ids))
    else:
        raw = _beside(_force(graph, [i for i in ids if graph.degree(i)]) if any(graph.degree(i) for i in ids)
                      else {}, [i for i in ids if not graph.degree(i)])
    placed = spread(raw)
    return tuple((i, placed[i]) for i in ids)


def _beside(pos: Positions, loose: Sequence[str]) -> Positions:
    """`pos` with the unlinked nodes in rows below it (the forces would push them to the far edge, and
    fitting the drawing to them shrank everything else)."""
    out = dict(pos)
    if not loose:
        return out
    bottom = max((y for _, y in pos.values()), default=0.0) + _STEP * 0.8
    left = min((x for x, _ in pos.values()), default=0.0)
    per_row = max(6, int((max((x for x, _ in pos.values()), default=0.0) - left) // (MIN_GAP * 1.8)) + 1)
    for j, node in enumerate(loose):
        out[node] = (left + (j % per_row) * MIN_GAP * 1.8, bottom + (j // per_row) * MIN_GAP * 1.3)
    return out


def _best_connected(graph: nx.Graph, ids: Sequence[str]) -> str:
    return max(ids, key=lambda i: (graph.degree(i), -ids.index(i)))


def _force(graph: nx.Graph, ids: Sequence[str]) -> Positions:
    """Fruchterman-Reingold forces from rings around the best connected node (deterministic: no random
    start), scaled so neighbours sit about `_STEP` apart."""
    if len(ids) == 1:
        return {ids[0]: (0.0, 0.0)}
    rings = _rings(graph, ids, _best_connected(graph, ids))
    pos = np.array([rings[i] for i in ids], dtype=np.float32)
    pos /= max(float(np.abs(pos).max()), 1.0)
    index = {node: j for j, node in enumerate(ids)}
    adjacency = np.zeros((len(ids), len(ids)), dtype=np.float32)
    for a, b in graph.edges():
        adjacency[index[a], index[b]] = adjacency[index[b], index[a]] = 1.0
    pos = _fruchterman_reingold(pos, adjacency, k=1.6 / math.sqrt(len(ids)),
                                rounds=_ROUNDS if len(ids) <= 300 else _ROUNDS * 2 // 3)
    pos -= pos.mean(axis=0)
    pos *= _STEP * max(math.sqrt(len(ids)) / 2.6, 2.0) / max(float(np.abs(pos).max()), 1e-6)  # small: roomier
    return {i: (float(pos[j][0]), float(pos[j][1])) for j, i in enumerate(ids)}


def _fruchterman_reingold(pos: np.ndarray, adjacency: np.ndarray, k: float, rounds: int) -> np.ndarray:
    """Dense Fruchterman-Reingold in float32 (networkx's sparse one needs scipy, its dense one is slower):
    every pair repels with k^2/d, linked pairs attract with d^2/k, moves capped by a cooling temperature."""
    temperature = 0.1
    gravity = 0.6 * k * len(pos) ** 0.5
    cooling = temperature / (rounds + 1)
    for _ in range(rounds):
        delta = pos[:, None, :] - pos[None, :, :]
        dist2 = np.maximum(np.einsum("ijk,ijk->ij", delta, delta), np.float32(1e-4))
        dist = np.sqrt(dist2)
        force = np.float32(k * k) / dist2 - adjacency * dist / np.float32(k)
        shift = np.einsum("ijk,ij->ik", delta, force) - pos * np.float32(gravity)  # gravity keeps islands near
        length = np.maximum(np.sqrt(np.einsum("ik,ik->i", shift, shift)), np.float32(0.01))
        pos = pos + shift * (np.float32(temperature) / length)[:, None]
        temperature -= cooling
    return pos


def _distances(graph: nx.Graph, start: str) -> dict[str, int]:
    return dict(nx.single_source_shortest_path_length(graph, start))


def _levels(graph: nx.Graph, ids: Sequence[str], edges: Sequence[tuple[str, str]],
            centre: str | None) -> dict[str, int]:
    """A layer for every node: hops from the centre, or (without one) hops from the nodes nothing points to."""
    if centre is not None:
        roots = [centre]
    else:
        targets = {b for _, b in edges}
        roots = [i for i in ids if i not in targets] or [_best_connected(graph, ids)]
    level: dict[str, int] = {}
    queue = deque((r, 0) for r in roots)
    for r in roots:
        level[r] = 0
    while queue:
        node, depth = queue.popleft()
        for nb in sorted(graph.neighbors(node)):
            if nb not in level:
                level[nb] = depth + 1
                queue.append((nb, depth + 1))
    deepest = max(level.values(), default=0)
    for i in ids:  # nodes in other components go one layer below the rest
        level.setdefault(i, deepest + 1)
    return level


def _layered(graph: nx.Graph, ids: Sequence[str], edges: Sequence[tuple[str, str]], centre: str | None) -> Positions:
    """Top-down layers; within a layer, nodes are ordered by the mean position of their parents."""
    level = _levels(graph, ids, edges, centre)
    rows: dict[int, list[str]] = {}
    for i in ids:
        rows.setdefault(level[i], []).append(i)
    width = max(7, math.ceil(math.sqrt(len(ids)) * 1.2))  # a wider layer wraps onto more rows
    x_of: dict[str, float] = {}
    pos: Positions = {}
    y = 0.0
    for depth in sorted(rows):
        row = rows[depth]

        def parent_x(node: str, depth: int = depth) -> float:
            xs = [x_of[p] for p in graph.neighbors(node) if level.get(p) == depth - 1 and p in x_of]
            return sum(xs) / len(xs) if xs else 0.0

        row.sort(key=lambda n: (parent_x(n), n))
        for start in range(0, len(row), width):
            part = row[start:start + width]
            gap = MIN_GAP * 2.6 if len(part) < 6 else MIN_GAP * 2.2  # room for a label under each
            shift = gap / 2 if (start // width) % 2 else 0.0
            for j, node in enumerate(part):
                x = (j - (len(part) - 1) / 2) * gap + shift
                x_of[node] = x
                pos[node] = (x, y)
            y += MIN_GAP * 1.6
        y += _STEP - MIN_GAP * 1.6
    return pos


def _rings(graph: nx.Graph, ids: Sequence[str], centre: str) -> Positions:
    """The centre in the middle, each hop on its own ring; a node's angle follows its parent's."""
    dist = _distances(graph, centre)
    outer = max(dist.values(), default=0) + 1
    rings: dict[int, list[str]] = {}
    for i in ids:
        rings.setdefault(dist.get(i, outer), []).append(i)
    angle: dict[str, float] = {centre: 0.0}
    pos: Positions = {centre: (0.0, 0.0)}
    for depth in sorted(d for d in rings if d > 0):
        ring = rings[depth]

        def parent_angle(node: str, depth: int = depth) -> float:
            angles = [angle[p] for p in graph.neighbors(node) if p in angle and dist.get(p) == depth - 1]
            return sum(angles) / len(angles) if angles else 0.0

        ring.sort(key=lambda n: (parent_angle(n), n))
        radius = max(depth * _STEP, len(ring) * MIN_GAP * 1.15 / (2 * math.pi))
        for j, node in enumerate(ring):
            a = 2 * math.pi * j / len(ring) - math.pi / 2
            angle[node] = a
            pos[node] = (radius * math.cos(a), radius * math.sin(a))
    return pos


def spread(pos: Mapping[str, tuple[float, float]], gap: float = MIN_GAP, rounds: int = 40,
           fixed: Iterable[str] = ()) -> Positions:
    """The positions pushed apart until no two centres are closer than `gap` (or `rounds` passes ran).

    Each pass moves every too-close pair apart along the line between them (a fixed direction when two
    sit on the same spot), so path nodes and crowded hubs never draw on top of each other. Nodes in
    `fixed` never move; the other end of a pair with a fixed node takes the whole push.
    """
    ids = list(pos)
    if len(ids) < 2:
        return {i: (float(pos[i][0]), float(pos[i][1])) for i in ids}
    xy = np.array([pos[i] for i in ids], dtype=float)
    pinned = set(fixed)
    free = np.array([0.0 if i in pinned else 1.0 for i in ids])
    share = free[:, None] * np.where(free[None, :] > 0, 1.0, 2.0)  # how much of a pair's push each end takes
    for _ in range(rounds):
        x, y = xy[:, 0].astype(np.float32), xy[:, 1].astype(np.float32)
        dx, dy = x[:, None] - x[None, :], y[:, None] - y[None, :]
        near = dx * dx + dy * dy
        np.fill_diagonal(near, np.inf)
        a, b = np.nonzero(near < gap * gap)  # each close pair twice, once from each end
        if not len(a):
            break
        d = np.sqrt(near[a, b].astype(float))
        turn = (a * 7 + b * 13) * 2.399  # a fixed direction for two nodes on the same spot
        apart = np.stack([dx[a, b], dy[a, b]], axis=1).astype(float)
        unit = np.where((d < 1e-6)[:, None], np.stack([np.cos(turn), np.sin(turn)], axis=1),
                        apart / np.maximum(d, 1e-6)[:, None])
        push = ((gap - d) / 2 + 0.5) * share[a, b]
        np.add.at(xy, a, unit * push[:, None])
    return {i: (round(float(x), 1), round(float(y), 1)) for i, (x, y) in zip(ids, xy, strict=True)}


def extend(known: Mapping[str, tuple[float, float]], node_ids: Sequence[str],
           pairs: Iterable[tuple[str, str]]) -> Positions:
    """Positions for `node_ids` keeping every known one where it is; each new node goes on a ring
    around the first known node it is linked to (or beside the drawing when it is linked to none)."""
    out: Positions = {i: (float(known[i][0]), float(known[i][1])) for i in node_ids if i in known}
    new = [i for i in node_ids if i not in known]
    if not new:
        return out
    links: dict[str, list[str]] = {}
    for a, b in pairs:
        links.setdefault(str(a), []).append(str(b))
        links.setdefault(str(b), []).append(str(a))
    around: dict[str, list[str]] = {}
    for node in new:
        anchor = next((nb for nb in sorted(links.get(node, [])) if nb in out), "")
        around.setdefault(anchor, []).append(node)
    right = max((x for x, _ in out.values()), default=0.0) + _STEP
    fresh: dict[str, tuple[float, float]] = {}
    for anchor, members in around.items():
        cx, cy = out[anchor] if anchor else (right, 0.0)
        radius = max(_STEP * 1.2, len(members) * MIN_GAP * 1.3 / (2 * math.pi))
        for j, node in enumerate(members):
            turn = 2 * math.pi * j / len(members) + 0.35
            fresh[node] = (cx + radius * math.cos(turn), cy + radius * math.sin(turn))
    settled = spread({**out, **fresh}, fixed=out)
    return {i: out[i] if i in out else settled[i] for i in node_ids}
