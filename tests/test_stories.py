"""Stories (explorer/stories.py, drawings.py, story_html.py): the shipped stories load and draw, bad
story files are one-line errors naming file and line, the corpus loader leaves data/stories/ alone, and
the whole story exports as one offline HTML file."""
from __future__ import annotations

import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from atlas.compose import open_embedded
from explorer import network_html
from explorer.drawings import step_drawing
from explorer.stories import STORIES, load_stories, load_story
from explorer.story_html import CSS_MARK, JS_MARK, story_html
from loaders.corpus import discover, sources_digest
from loaders.errors import LoadError

REPO = Path(__file__).resolve().parents[1]
GOOD = """title: T
authorship: authored-summary
steps:
  - page: card
    view: {pattern: "pattern:insecure"}
"""


@pytest.fixture(scope="module")
def store():
    return open_embedded()[0]


def write(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_stories_load_and_every_step_draws(store):
    stories, errors = load_stories()
    assert errors == []
    assert {s.id for s in stories} >= {"insecure-and-its-neighbours", "victim-and-self-judging"}
    for story in stories:
        assert story.authorship == "authored-summary" and story.title and story.summary
        for step in story.steps:
            drawing = step_drawing(store, step.page, step.params)
            assert drawing.nodes and drawing.messages == [], (story.id, step)
            ids = {n["id"] for n in drawing.nodes}
            assert set(drawing.highlight_nodes) <= ids


def test_the_insecure_story_is_the_one_the_issue_asks_for(store):
    story = load_story(STORIES / "insecure-and-its-neighbours.yaml")
    assert [s.page for s in story.steps] == ["card", "combinations", "compare", "paths"]
    path = step_drawing(store, "paths", story.steps[-1].params)
    assert path.label == "paths from Insecure to Self-Judging"
    assert ("pattern:insecure", "pattern:self-judging") in path.highlight_edges


@pytest.mark.parametrize("text, line, words", [
    ("title: T\nauthorship: authored-summary\nsteps:\n  - page: nowhere\n", 4, "unknown page 'nowhere'"),
    ("title: T\nauthorship: authored-summary\nsteps:\n  - page: card\n    view: {colour: red}\n", 5,
     "no parameter 'colour'"),
    ("title: T\nauthorship: authored-summary\nsteps:\n  - page: explore\n    view:\n      hops: 9\n", 5,
     "from 1 to 4"),
    ("title: T\nauthorship: someone\nsteps:\n  - page: card\n", 2, "authorship must be"),
    ("authorship: user\nsteps:\n  - page: card\n", 1, "'title' is required"),
    ("title: T\nauthorship: user\nsteps: []\n", 3, "one or more steps"),
    ("title: T\nauthorship: user\nsteps:\n  - page: card\n    colour: red\n", 5, "unknown key 'colour'"),
    ("title: T\nauthorship: user\nsteps:\n  - page: card\n  - page: ]\n  - page: card\n", 5, "invalid YAML"),
    ("title: &a T\nauthorship: user\nsteps:\n  - page: *a\n", 1, "anchors"),
    ("title: T\ntitle: U\nauthorship: user\nsteps:\n  - page: card\n", 2, "title"),
    ("- just\n- a list\n", 1, "a story is a mapping"),
    ("title: T\nauthorship: user\nsteps:\n  - page: card\n    view: {pattern: {a: 1}}\n", 5, "must be a text"),
])
def test_bad_story_files_name_file_and_line(tmp_path, text, line, words):
    path = write(tmp_path, text)
    with pytest.raises(LoadError) as caught:
        load_story(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{path}:{line}: "), message
    assert words.lower() in message.lower(), message


def test_a_bad_file_does_not_hide_the_good_ones(tmp_path):
    write(tmp_path, GOOD, "a.yaml")
    write(tmp_path, "title: [\n", "b.yaml")
    stories, errors = load_stories(tmp_path)
    assert [s.id for s in stories] == ["a"]
    assert len(errors) == 1 and "b.yaml:" in errors[0]


def test_too_many_steps_and_long_captions(tmp_path):
    steps = "".join("  - page: card\n" for _ in range(51))
    with pytest.raises(LoadError, match="at most 50 steps"):
        load_story(write(tmp_path, "title: T\nauthorship: user\nsteps:\n" + steps))
    with pytest.raises(LoadError, match="longer than"):
        load_story(write(tmp_path, "title: T\nauthorship: user\nsteps:\n  - page: card\n    caption: " + "x" * 3000))


def test_the_loader_never_reads_stories_as_documents(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(REPO / "data", data, ignore=shutil.ignore_patterns("graph.json"))
    found = discover([data])
    assert not [f for f in found if "stories" in f.relative_to(data).parts]
    before = sources_digest([data])
    write(data / "stories", "title: [ not even a story\n", "broken.yaml")
    assert sources_digest([data]) == before  # a story edited or added does not rebuild the graph


def test_an_unknown_id_in_a_story_step_is_a_message_not_an_error(store):
    drawing = step_drawing(store, "compare", {"patterns": ["pattern:insecure", "pattern:nobody", "pattern:needy"]})
    assert drawing.nodes and "pattern:nobody" in drawing.messages[0]


class _Links(HTMLParser):
    """Every element's attributes, and the text of the textareas (the steps' pages)."""

    def __init__(self) -> None:
        super().__init__()
        self.attrs: list[tuple[str, str, str]] = []
        self.pages: list[str] = []
        self._in_area = False

    def handle_starttag(self, tag, attrs):
        self.attrs += [(tag, k, v or "") for k, v in attrs]
        if tag == "textarea":
            self._in_area = True
            self.pages.append("")

    def handle_endtag(self, tag):
        self._in_area = self._in_area and tag != "textarea"

    def handle_data(self, data):
        if self._in_area:
            self.pages[-1] += data


def _parsed(text: str) -> _Links:
    parser = _Links()
    parser.convert_charrefs = True
    parser.feed(text)
    return parser


def test_story_exports_as_one_offline_html_file(store):
    story = load_story(STORIES / "insecure-and-its-neighbours.yaml")
    drawings = [step_drawing(store, s.page, s.params) for s in story.steps]
    text = story_html(story, drawings)
    outer = _parsed(text)
    assert [v for _, k, v in outer.attrs if k in ("src", "href", "srcset", "action")] == []
    assert len(outer.pages) == len(story.steps)
    js = str(network_html._vis_assets().js)
    assert text.count(js) == 1  # vis-network once, not once per step
    for page, step in zip(outer.pages, story.steps, strict=True):
        assert JS_MARK in page and CSS_MARK in page and js not in page
        inner = _parsed(page.replace(JS_MARK, "").replace(CSS_MARK, ""))
        assert [v for _, k, v in inner.attrs if k in ("src", "href") and v.startswith(("http", "//"))] == []
        assert step.caption[:40] in text
    for needle in ("Step 4 of 4: The way to Self-Judging", "authored summary", "not clinical guidance"):
        assert needle in text


def test_story_text_is_escaped(tmp_path, store):
    path = write(tmp_path, GOOD.replace("title: T", "title: \"<script>alert(1)</script>\"") +
                 "    caption: \"<img src=x onerror=alert(2)>\"\n")
    story = load_story(path)
    text = story_html(story, [step_drawing(store, s.page, s.params) for s in story.steps])
    assert "<script>alert(1)" not in text and "&lt;script&gt;alert(1)" in text
    assert "<img src=x" not in text
