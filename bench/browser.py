"""Benchmark rows measured in Chromium: from a click on the network canvas to the next view's settled
drawing, for 25, 150 and 500 nodes, beside today's figure for the same change of view on the old page.

New (the canvas component): the next view's payload is built in Python (layout from networkx, pyvis
data; timed here), then in Chromium (Playwright, Debian's chromium) the canvas, framed by the harness
that plays Streamlit's side of the component protocol (`bench.canvas_harness`), is double-clicked on a
node (the expansion event, sent at once; a single click's selection is sent a moment later so it cannot
hold up a double-click); the harness answers the event with the next view, and the time runs from the
second press going down to vis-network's first `afterDrawing` of the new view (its positions are fixed,
so that drawing is the settled one). Old (`render_network`, shown with components.html / st.iframe): the
page is built in Python (timed), then loaded into a fresh frame, up to its `data-atlas-ready` mark
(physics stabilised).
Both exclude Streamlit's own rerun of the page script and its websocket round trip, which the two
approaches share.
"""
from __future__ import annotations

import os
import statistics
import time
from pathlib import Path
from typing import Any

from bench.queries import app_query_args
from bench.rows import Row, at_most, log

CANVAS_NODES = (25, 150, 500)
CANVAS_TARGET_MS = 300.0  # issue 14: at 150 nodes
CANVAS_ROWS = [m for n in CANVAS_NODES for m in (f"canvas click to settled drawing, {n} nodes",
                                                 f"old page new view to settled drawing, {n} nodes")]
CHROMIUM = os.environ.get("PATTERN_ATLAS_CHROMIUM", "/usr/bin/chromium")
_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]

_CLICK_TO_DRAWN = """async ([next, id]) => {
  const frame = document.getElementById("canvas").contentWindow;
  const net = frame.atlasNetwork;
  window.atlasOnValue = () => { window.atlasOnValue = null; window.atlasRender(next, 620); };
  const box = frame.document.getElementById("atlas-network").getBoundingClientRect();
  net.moveTo({position: net.getPositions([id])[id], scale: 1.0, animation: false});
  const p = net.canvasToDOM(net.getPositions([id])[id]);
  return {x: box.left + p.x, y: box.top + p.y};
}"""
_WAIT_DRAWN = """async (version) => {
  const frame = document.getElementById("canvas").contentWindow;
  while (frame.document.body.getAttribute("data-atlas-version") !== version) {
    await new Promise(r => setTimeout(r, 5));
  }
  return frame.atlasDrawnAt - frame.atlasPointerAt;
}"""
_OLD_PAGE = """async (html) => {
  const old = document.getElementById("old");
  if (old) old.remove();
  const frame = document.createElement("iframe");
  frame.id = "old"; frame.style.width = "100%"; frame.style.height = "640px";
  const t0 = performance.now();
  frame.srcdoc = html;
  document.body.appendChild(frame);
  for (;;) {
    const body = frame.contentDocument && frame.contentDocument.body;
    if (body && body.getAttribute("data-atlas-ready") === "true") return performance.now() - t0;
    await new Promise(r => requestAnimationFrame(r));
  }
}"""


def _views(store: Any, n: int) -> tuple[list[dict], list[dict], list[dict], list[dict]]:
    """Two views of about `n` nodes (neighbourhoods of two patterns) to switch between."""
    kinds, types = app_query_args()
    patterns = sorted(p["id"] for p in store.list_nodes(["Pattern"]))
    one = store.neighbourhood(patterns[len(patterns) // 2], hops=4, kinds=kinds, edge_types=types, limit=n)
    two = store.neighbourhood(patterns[len(patterns) // 3], hops=4, kinds=kinds, edge_types=types, limit=n)
    return one["nodes"], one["edges"], two["nodes"], two["edges"]


def _payload(nodes: list[dict], edges: list[dict], version: str) -> tuple[dict, float]:
    """The canvas's data for a view, as `network()` builds it, and the milliseconds it took."""
    from explorer.network_component import ACTIONS  # noqa: PLC0415
    from explorer.network_layout import _cached, layout_positions  # noqa: PLC0415
    from explorer.network_payload import build_payload  # noqa: PLC0415

    _cached.cache_clear()  # a new view: its layout is computed, not remembered
    started = time.perf_counter()
    positions = layout_positions([x["id"] for x in nodes], [(e["source"], e["target"]) for e in edges], "force")
    payload = build_payload(nodes, edges, positions, title=version, actions=list(ACTIONS))
    payload["config"].update(actionLabels=ACTIONS, selected=None, centre=None)
    payload["version"] = version
    return payload, (time.perf_counter() - started) * 1000


def _measure_size(page: Any, store: Any, n: int, runs: int) -> tuple[list[float], list[float], str]:
    from explorer.network_html import render_network  # noqa: PLC0415

    a_nodes, a_edges, b_nodes, b_edges = _views(store, n)
    new, old = [], []
    for run in range(runs):
        first, _ = _payload(a_nodes, a_edges, f"a{run}")
        page.evaluate("g => window.atlasRender(g, 620)", first)
        page.wait_for_function(f"document.getElementById('canvas').contentDocument.body"
                               f".getAttribute('data-atlas-version') === 'a{run}'", timeout=120_000)
        nxt, py_ms = _payload(b_nodes, b_edges, f"b{run}")
        point = page.evaluate(_CLICK_TO_DRAWN, [nxt, a_nodes[0]["id"]])
        page.mouse.dblclick(point["x"], point["y"])  # expand: a view change the canvas sends at once
        new.append(py_ms + page.evaluate(_WAIT_DRAWN, f"b{run}"))
        started = time.perf_counter()
        html = render_network(b_nodes, b_edges, height=640, physics=True)
        build_ms = (time.perf_counter() - started) * 1000
        old.append(build_ms + page.evaluate(_OLD_PAGE, html))
    note = f"{len(b_nodes):,} nodes, {len(b_edges):,} edges"
    return new, old, note


def canvas_rows(store: Any, runs: int, size: str) -> list[Row]:
    """The CANVAS_ROWS for a store's graph (skipped with the reason when Chromium cannot be had)."""
    skipped = _unavailable()
    if skipped:
        return [Row(m, "—", unit="ms", skipped=skipped) for m in CANVAS_ROWS]
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    from bench.canvas_harness import serve  # noqa: PLC0415

    rows = []
    with serve() as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"{base}/harness.html")
            page.wait_for_function("window.atlasReady === true", timeout=60_000)
            for n in CANVAS_NODES:
                new, old, note = _measure_size(page, store, n, runs)
                short = "" if n <= int(note.split(" ")[0].replace(",", "")) else "; only that many reachable"
                where = f"{note} (neighbourhoods in the {size}-card graph){short}"
                rows.append(Row(f"canvas click to settled drawing, {n} nodes", "—", new, "ms",
                                f"≤ {CANVAS_TARGET_MS:.0f} ms" if n == 150 else "",
                                at_most(CANVAS_TARGET_MS) if n == 150 else None,
                                f"{where}; layout and data in Python + click to first drawing in Chromium"))
                rows.append(Row(f"old page new view to settled drawing, {n} nodes", "—", old, "ms", "", None,
                                f"{where}; render_network in Python + frame load to physics stabilised"))
                log(f"canvas {n}: new {statistics.median(new):.0f} ms, old {statistics.median(old):.0f} ms")
        finally:
            browser.close()
    return rows


def _unavailable() -> str | None:
    """Why the browser rows cannot run here, or None."""
    if not Path(CHROMIUM).exists():
        return f"chromium not found at {CHROMIUM}"
    try:
        import playwright.sync_api  # noqa: F401, PLC0415
    except ImportError:
        return "playwright is not installed"
    return None
