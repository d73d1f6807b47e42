"""The Start and Stories pages through Streamlit's AppTest: the first page teaches (the pattern map and the
stories), a story steps forward and back with its caption and drawing, its step is in the URL, and the
whole story downloads as one offline HTML file."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from explorer.stories import STORIES, load_story
from explorer.urlstate import page_file
from explorer.views import unescape_md

REPO = Path(__file__).resolve().parents[1]
APP = str(REPO / "app.py")
STORY = "insecure-and-its-neighbours"


def run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def story_page(**params: str) -> AppTest:
    at = run(AppTest.from_file(APP, default_timeout=60))
    at.query_params.clear()
    at.switch_page("explorer/pages/story.py")
    for key, value in params.items():
        at.query_params[key] = value
    return run(at)


def subheads(at: AppTest) -> list[str]:
    return [unescape_md(s.value) for s in at.subheader]


def test_the_first_page_teaches():
    at = run(AppTest.from_file(APP, default_timeout=60))
    assert [t.value for t in at.title] == ["Pattern Atlas"]
    assert subheads(at)[:2] == ["The pattern map", "Stories"]
    text = " ".join(unescape_md(m.value) for m in at.markdown)
    assert "Insecure and the patterns around it" in text and "not clinical guidance" in " ".join(
        c.value for c in at.caption)
    assert not at.error


def test_a_story_steps_forward_and_back_and_keeps_its_step_in_the_url():
    story = load_story(STORIES / f"{STORY}.yaml")
    at = story_page(story=STORY)
    assert subheads(at) == ["Step 1: The Insecure card"]
    assert dict(at.query_params) == {"story": STORY}
    at.button(key="story_next").click()
    run(at)
    assert subheads(at) == ["Step 2: What Insecure combines with"]
    assert any(story.steps[1].caption[:30] in unescape_md(m.value) for m in at.markdown)
    assert at.query_params["step"] == "2"
    at.button(key="story_prev").click()
    run(at)
    assert subheads(at) == ["Step 1: The Insecure card"]
    assert at.button(key="story_prev").disabled


def test_a_link_to_a_step_opens_that_step_in_a_fresh_session():
    at = story_page(story=STORY, step="4")
    assert subheads(at) == ["Step 4: The way to Self-Judging"]
    assert at.button(key="story_next").disabled
    assert not at.warning


def test_a_link_to_a_step_past_the_end_or_an_unknown_story():
    at = story_page(story=STORY, step="40")
    assert subheads(at) == ["Step 4: The way to Self-Judging"]
    at = story_page(story="no-such-story")
    assert any("no-such-story" in unescape_md(w.value) for w in at.warning)
    assert subheads(at) == ["Step 1: The Insecure card"]  # the first story, sorted by file


def test_the_story_downloads_as_one_html_file():
    at = story_page(story=STORY)
    button = at.get("download_button")[0]
    assert "HTML" in button.proto.label


def _drawn_ids(at: AppTest) -> set[str]:
    """The node ids on the page's network canvas."""
    args = [el.proto.json_args for el in at.get("component_instance")
            if el.proto.component_name.endswith("atlas_network")]
    assert len(args) == 1
    return {str(n["id"]) for n in json.loads(args[0])["graph"]["nodes"]}


@pytest.mark.parametrize("step", [1, 2, 3, 4])
def test_a_story_step_draws_what_its_page_draws(step):
    story = load_story(STORIES / f"{STORY}.yaml")
    shown = story_page(story=STORY, step=str(step))
    page = story.steps[step - 1]
    at = run(AppTest.from_file(APP, default_timeout=60))
    at.query_params.clear()
    at.switch_page(page_file(page.page))
    for key, values in page.params.items():
        at.query_params[key] = values if len(values) > 1 else values[0]
    run(at)
    assert _drawn_ids(shown) == _drawn_ids(at)


def test_the_pattern_map_is_capped_for_a_large_corpus():
    """A corpus of thousands of cards opens on its best connected patterns, not all of them (the first page
    drew every pattern: minutes at 10,000 cards)."""
    from explorer.drawings import MAP_CAP, pattern_map
    from graph.embedded import EmbeddedStore
    from graph.model import GraphData

    def store_of(count: int, pairs: list[tuple[int, int]]) -> tuple[EmbeddedStore, list[dict]]:
        data = GraphData()
        for i in range(count):
            data.add_node("Pattern", f"P{i:05d}", id=f"pattern:p{i}", status="card")
        data.add_node("Pattern", "Lone", id="pattern:lone", status="catalogue")
        for a, b in pairs:
            data.add_edge(f"pattern:p{a}", "COMBINES_WITH", f"pattern:p{b}")
        store = EmbeddedStore()
        store.replace_all(data)
        return store, store.list_nodes(["Pattern"])

    pairs = [(i, (i * 7) % 500) for i in range(3, 500, 3)] + [(1, i) for i in range(2, 12)]
    store, patterns = store_of(500, pairs)
    drawn = pattern_map(store, patterns)
    kept = {n["id"] for n in drawn.nodes}
    assert len(kept) == MAP_CAP and "pattern:p1" in kept and "pattern:lone" not in kept
    assert drawn.edges and all(e["source"] in kept and e["target"] in kept for e in drawn.edges)
    assert {(e["source"], e["target"]) for e in drawn.edges} == {
        (f"pattern:p{a}", f"pattern:p{b}") for a, b in pairs if {f"pattern:p{a}", f"pattern:p{b}"} <= kept}
    assert drawn.messages and f"Showing {MAP_CAP} of 500 patterns" in drawn.messages[0]
    # grown from the best connected through its combinations: every pattern p1 combines with is drawn
    assert {f"pattern:p{i}" for i in range(2, 12)} <= kept
    assert len(drawn.edges) >= 30  # the 40 best connected alone have 16 combinations among them here
    store, patterns = store_of(5, [(1, 2), (3, 4)])
    small = pattern_map(store, [p for p in patterns if p["id"] != "pattern:lone"])
    assert not small.messages and {n["id"] for n in small.nodes} == {f"pattern:p{i}" for i in range(5)}
