"""The network canvas in the running app, in Debian's Chromium (issue 14, part A): a click shows the node's
sources beside the drawing at 1280 and 800 px, a double-click adds neighbours without moving the drawn
nodes, the node menu opens a card, search and the legend dim and hide, and the drawing exports as PNG
and SVG. Nothing is fetched from outside the machine (`offline_page`)."""
from __future__ import annotations

import time
from typing import Any

import pytest
from test_browser import SHOTS, _screenshot, _settle, offline_page, server  # noqa: F401 - `server` is a fixture

pytestmark = pytest.mark.browser

CANVAS = "iframe[title*='atlas_network']"


def canvas(page: Any, version: str | None = None) -> Any:
    """The canvas's frame once it has drawn (a version other than `version`, when given)."""
    page.frame_locator(CANVAS).first.locator("body[data-atlas-ready='true']").wait_for(timeout=60_000)
    deadline = time.monotonic() + 60
    while True:
        frame = page.locator(CANVAS).first.element_handle().content_frame()
        drawn = frame.evaluate("() => document.body.getAttribute('data-atlas-version')")
        if drawn and drawn != version:
            return frame
        assert time.monotonic() < deadline, "the canvas did not redraw"
        time.sleep(0.2)


def node_point(page: Any, frame: Any, node_id: str) -> tuple[float, float]:
    """Where a node is on the screen, after moving the camera onto it (so no overlay hides it)."""
    page.locator(CANVAS).first.scroll_into_view_if_needed()
    frame.evaluate("id => { const n = window.atlasNetwork; "
                   "n.moveTo({position: n.getPositions([id])[id], scale: 1.0, animation: false}); }", node_id)
    xy = frame.evaluate("id => { const n = window.atlasNetwork; return n.canvasToDOM(n.getPositions([id])[id]); }",
                        node_id)
    box = frame.locator("#atlas-network").bounding_box()
    return box["x"] + xy["x"], box["y"] + xy["y"]


def open_explore(page: Any, base: str, query: str = "?centre=pattern:insecure") -> Any:
    page.goto(f"{base}/explore{query}", wait_until="domcontentloaded")
    page.get_by_role("heading", level=1).filter(has_text="Explore").first.wait_for(timeout=60_000)
    frame = canvas(page)
    _settle(page)
    return frame


@pytest.mark.parametrize("width", [1280, 800])
def test_click_shows_the_sources_beside_the_drawing(server, width):  # noqa: F811
    with offline_page() as (page, _):
        page.set_viewport_size({"width": width, "height": 1000})
        frame = open_explore(page, server)
        page.mouse.click(*node_point(page, frame, "pattern:needy"))
        details = frame.locator("#atlas-details")
        details.get_by_text("data/cards/needy.txt:1").first.wait_for(timeout=30_000)
        assert details.locator("h2").first.inner_text() == "Needy"
        shown, outer = details.bounding_box(), page.locator(CANVAS).first.bounding_box()
        stage = frame.locator("#atlas-stage").bounding_box()
        # beside the drawing, inside the frame and the window: not pushed below the visible frame
        assert shown["x"] >= stage["x"] + stage["width"] - 1 and abs(shown["y"] - stage["y"]) < 2
        assert shown["x"] + shown["width"] <= min(outer["x"] + outer["width"], width) + 1
        assert shown["y"] + 100 < outer["y"] + outer["height"] and shown["width"] >= 160
        page.screenshot(path=str(SHOTS / f"canvas-details-{width}.png"))  # the window as the user sees it


def test_whole_graph_nodes_carry_description_and_sources(server):  # noqa: F811
    with offline_page() as (page, _):
        frame = open_explore(page, server, "")
        page.mouse.click(*node_point(page, frame, "pattern:insecure"))
        details = frame.locator("#atlas-details")
        details.get_by_text("data/cards/insecure.txt:1").first.wait_for(timeout=30_000)
        tip = frame.evaluate("() => window.atlasNetwork.body.data.nodes.get('pattern:insecure').title.textContent")
        assert "Sources:" in tip and "data/cards/insecure.txt:1" in tip


def test_double_click_adds_neighbours_and_keeps_the_drawn_nodes_in_place(server):  # noqa: F811
    with offline_page() as (page, _):
        frame = open_explore(page, server)
        before = frame.evaluate("() => window.atlasNetwork.getPositions()")
        version = frame.evaluate("() => document.body.getAttribute('data-atlas-version')")
        page.mouse.dblclick(*node_point(page, frame, "pattern:needy"))
        frame = canvas(page, version)
        after = frame.evaluate("() => window.atlasNetwork.getPositions()")
        assert len(after) > len(before) + 5, (len(before), len(after))
        moved = [i for i, p in before.items() if abs(after[i]["x"] - p["x"]) > 0.5 or abs(after[i]["y"] - p["y"]) > 0.5]
        assert moved == []
        _settle(page)
        _screenshot(page, SHOTS / "canvas-expanded.png")


def test_open_a_card_from_the_node_menu(server):  # noqa: F811
    with offline_page() as (page, _):
        frame = open_explore(page, server)
        page.mouse.click(*node_point(page, frame, "pattern:needy"), button="right")
        frame.locator("#atlas-menu button[data-action='card']").click()
        page.get_by_role("heading", level=1).filter(has_text="Pattern card").first.wait_for(timeout=60_000)
        page.get_by_role("heading", level=2).filter(has_text="Needy").first.wait_for(timeout=60_000)
        assert "pattern=pattern%3Aneedy" in page.url or "pattern=pattern:needy" in page.url
        canvas(page)  # the card's neighbourhood is drawn on its own canvas


def test_search_dims_and_legend_hides_a_kind(server):  # noqa: F811
    with offline_page() as (page, _):
        frame = open_explore(page, server)
        frame.locator("#atlas-search").fill("need")
        assert int(frame.evaluate("() => document.body.getAttribute('data-atlas-matches')")) >= 1
        faded = frame.evaluate("() => window.atlasNetwork.body.data.nodes.get().filter(n => n.opacity < 0.5).length")
        assert faded > 10
        frame.locator(".atlas-legend-item[data-kind='Capacity']").click()
        hidden = frame.evaluate("() => window.atlasNetwork.body.data.nodes.get().filter(n => n.hidden).length")
        capacities = frame.evaluate("() => Array.from(window.Atlas.view.nodeMeta.values())"
                                    ".filter(m => m.kind === 'Capacity').length")
        assert hidden == capacities > 0


def test_export_png_and_svg_and_present(server):  # noqa: F811
    with offline_page() as (page, _):
        frame = open_explore(page, server)
        with page.expect_download() as png:
            frame.locator("#atlas-png").click()
        assert png.value.suggested_filename.endswith(".png")
        assert open(png.value.path(), "rb").read(8) == b"\x89PNG\r\n\x1a\n"
        with page.expect_download() as svg:
            frame.locator("#atlas-svg").click()
        text = open(svg.value.path(), encoding="utf-8").read()
        assert svg.value.suggested_filename.endswith(".svg") and text.startswith("<svg")
        assert ">Insecure</text>" in text and text.count("<line") > 20
        frame.locator("#atlas-fullscreen").click()
        frame.locator("#atlas-root.atlas-presenting").wait_for(timeout=10_000)
        assert frame.evaluate("() => window.atlasNetwork.body.nodes['pattern:insecure'].options.font.size") >= 24


def test_centre_here_and_path_from_here_drive_the_app(server):  # noqa: F811
    with offline_page() as (page, _):
        page.goto(f"{server}/card?pattern=pattern:needy", wait_until="domcontentloaded")
        page.get_by_role("heading", level=2).filter(has_text="Needy").first.wait_for(timeout=60_000)
        frame = canvas(page)
        _settle(page)
        page.mouse.click(*node_point(page, frame, "pattern:insecure"), button="right")
        frame.locator("#atlas-menu button[data-action='centre']").click()
        page.get_by_role("heading", level=1).filter(has_text="Explore").first.wait_for(timeout=60_000)
        page.locator(".st-key-explore_centre input[value='Insecure · Pattern']").wait_for(timeout=60_000)
        frame = canvas(page)
        _settle(page)
        page.mouse.click(*node_point(page, frame, "pattern:victim"))
        frame.locator("#atlas-details button[data-action='path']").click()
        page.get_by_role("heading", level=1).filter(has_text="Paths").first.wait_for(timeout=60_000)
        page.locator(".st-key-paths_from input[value='Victim · Pattern']").wait_for(timeout=60_000)
