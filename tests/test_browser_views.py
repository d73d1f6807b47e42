"""Shared views and stories in a real browser (Debian's chromium via Playwright, as tests/test_browser.py):
a link opens the same view in a fresh browser context, the view survives a page switch, a story steps
forward and back, and its HTML export draws every step with nothing fetched. Screenshots at 1440 px go
to out/screenshots/."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from test_browser import SHOTS, _external, _open_page, _screenshot, _settle, offline_page, server  # noqa: F401

from explorer.stories import STORIES, load_story

pytestmark = pytest.mark.browser
STORY = "insecure-and-its-neighbours"


def _heading(page, text: str, level: int = 1) -> None:
    page.get_by_role("heading", level=level).filter(has_text=text).first.wait_for(timeout=60_000)


def _explore_shows_needy_two_hops(page) -> None:
    _heading(page, "Explore")
    centre = page.locator(".st-key-explore_centre input[value='Needy · Pattern']")
    centre.wait_for(timeout=60_000)
    page.locator(".st-key-explore_hops [aria-valuetext='2']").first.wait_for(timeout=30_000)


def test_a_shared_link_opens_the_same_view_in_a_fresh_browser(server):  # noqa: F811
    with offline_page() as (page, requested):
        page.goto(f"{server}/explore?centre=pattern%3Aneedy&hops=2", wait_until="domcontentloaded")
        _explore_shows_needy_two_hops(page)
        _settle(page)
        link = page.locator(".atlas-copy-link input")
        link.wait_for(timeout=30_000)
        shared = link.input_value()
        page.locator(".atlas-copy-link button").first.click()
        page.locator(".atlas-copy-link button", has_text="Copied").first.wait_for(timeout=10_000)
        query = parse_qs(urlsplit(shared).query)
        assert urlsplit(shared).path.endswith("/explore") and query == {"centre": ["pattern:needy"], "hops": ["2"]}
        _open_page(page, "Compare")  # the sidebar clears the URL's parameters; coming back restores the view
        _open_page(page, "Explore")
        _explore_shows_needy_two_hops(page)
        assert parse_qs(urlsplit(page.url).query) == query

        fresh = page.context.browser.new_context(viewport={"width": 1440, "height": 1000})
        asked: list[str] = []
        fresh.on("request", lambda req: asked.append(req.url))
        other = fresh.new_page()
        other.goto(shared, wait_until="domcontentloaded")
        _explore_shows_needy_two_hops(other)
        _settle(other)
        _screenshot(other, SHOTS / "shared-link-explore.png")
        fresh.close()
        assert not [u for u in asked if _external(u)]


def test_a_story_steps_forward_and_back_and_exports_offline(server, tmp_path):  # noqa: F811
    story = load_story(STORIES / f"{STORY}.yaml")
    with offline_page() as (page, requested):
        page.goto(f"{server}/story?story={STORY}", wait_until="domcontentloaded")
        _heading(page, "Stories")
        _heading(page, "Step 1: The Insecure card", level=3)
        _settle(page)
        _screenshot(page, SHOTS / "story-step-1.png")
        page.locator(".st-key-story_next button").first.click()
        _heading(page, "Step 2: What Insecure combines with", level=3)
        page.get_by_text(story.steps[1].caption[:40]).first.wait_for(timeout=30_000)
        _settle(page)
        assert parse_qs(urlsplit(page.url).query) == {"story": [STORY], "step": ["2"]}
        page.locator(".st-key-story_prev button").first.click()
        _heading(page, "Step 1: The Insecure card", level=3)
        _settle(page)

        with page.expect_download(timeout=120_000) as caught:
            page.locator(".st-key-story_download button").first.click()
        saved = tmp_path / "story.html"
        caught.value.save_as(saved)
        text = saved.read_text(encoding="utf-8")
        page.set_content(text, wait_until="load")
        frames = page.frame_locator("iframe")
        assert page.locator("iframe").count() == len(story.steps)
        for i in range(len(story.steps)):
            frames.nth(i).locator("body[data-atlas-ready='true']").wait_for(timeout=60_000)
            box = frames.nth(i).locator("#atlas-network canvas").bounding_box()
            assert box and box["width"] > 200 and box["height"] > 200
        page.get_by_text("Step 4 of 4: The way to Self-Judging").wait_for(timeout=10_000)
        _screenshot(page, SHOTS / "story-export.png")


def test_the_first_page_and_its_story_link(server):  # noqa: F811
    with offline_page() as (page, requested):
        page.goto(server, wait_until="domcontentloaded")
        _heading(page, "Pattern Atlas")
        page.get_by_text("The pattern map").first.wait_for(timeout=60_000)
        _settle(page)
        _screenshot(page, SHOTS / "start.png")
        page.get_by_role("link", name="Step through this story").first.click()
        _heading(page, "Stories")
        _heading(page, "Step 1:", level=3)
