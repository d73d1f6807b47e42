"""Stories: a named sequence of views (a page and its URL state, with a caption), read from a small YAML file.

A story file (`data/stories/*.yaml`) is a mapping:

    title: Insecure and the patterns around it      # required
    authorship: authored-summary                     # required: authored-summary (the project's words) or user
    summary: one paragraph shown before the first step
    steps:                                           # required, 1 to MAX_STEPS
      - page: card                                   # a page that keeps its view in the URL (urlstate.FIELDS)
        view: {pattern: pattern:insecure}            # that page's URL parameters, as in a shared link
        title: The Insecure card                     # optional
        caption: What to look at in this view.       # optional

It is read with the project's one safe YAML reader (`loaders.yamlio`), and anything wrong is a
`LoadError` naming the file and line, in one line. Whether the view's ids exist in the graph shown is
checked when a step is shown (`urlstate.decode`), as for any link. The loader never reads a `stories/`
folder as documents (`loaders.corpus`).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from explorer import urlstate
from graph.shipped import SHIPPED_DATA
from loaders.errors import LoadError
from loaders.yamlio import LINE_KEY, YamlList, YamlMap, check_keys, known_items, load_yaml

#: The shipped stories (the checkout's data/stories/, or the installed package's copy).
STORIES = SHIPPED_DATA / "stories"
MAX_STEPS = 50
MAX_CAPTION = 2000
AUTHORSHIPS = ("authored-summary", "user")
_TOP_KEYS = {"title", "authorship", "summary", "steps"}
_STEP_KEYS = {"page", "view", "title", "caption"}


@dataclass(frozen=True)
class Step:
    """One view of a story: the page, its URL parameters (each a list of values), title and caption."""

    page: str
    params: dict[str, list[str]]
    title: str = ""
    caption: str = ""


@dataclass(frozen=True)
class Story:
    """A story as read from `file` (its id is the file name without `.yaml`)."""

    id: str
    title: str
    authorship: str
    summary: str
    steps: tuple[Step, ...]
    file: str


def story_files(folder: Path = STORIES) -> list[Path]:
    """The story files in `folder`, sorted (none when there is no such folder)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in [*folder.glob("*.yaml"), *folder.glob("*.yml")] if p.is_file())


def load_stories(folder: Path = STORIES) -> tuple[list[Story], list[str]]:
    """Every readable story in `folder`, and a one-line error (file:line: what) for each file that is not."""
    stories, errors = [], []
    for file in story_files(folder):
        try:
            stories.append(load_story(file))
        except LoadError as exc:
            errors.append(str(exc))
    return stories, errors


def load_story(path: Path) -> Story:
    """The story in one file; LoadError naming the file and line for anything this module's docstring
    does not allow."""
    data, shown, _ = load_yaml(path)
    if not isinstance(data, YamlMap):
        raise LoadError(shown, 1, "a story is a mapping with title, authorship and steps")
    lines = data.key_lines
    check_keys(data, shown, 1, _TOP_KEYS,
               lambda key: f"unknown key {key!r}; a story has {', '.join(sorted(_TOP_KEYS))}")
    title = _text(data, "title", shown, required=True)
    authorship = _text(data, "authorship", shown, required=True)
    if authorship not in AUTHORSHIPS:
        raise LoadError(shown, lines.get("authorship", 1), f"authorship must be one of {', '.join(AUTHORSHIPS)}")
    rows = data.get("steps")
    if not isinstance(rows, YamlList) or not rows:
        raise LoadError(shown, lines.get("steps", 1), "'steps' must be a list of one or more steps")
    if len(rows) > MAX_STEPS:
        raise LoadError(shown, lines.get("steps", 1), f"a story has at most {MAX_STEPS} steps, not {len(rows)}")
    steps = tuple(_step(row, shown, rows.item_lines[i]) for i, row in enumerate(rows))
    return Story(path.stem, title, authorship, _text(data, "summary", shown), steps, shown)


def _step(row: Any, shown: str, line: int) -> Step:
    """One step, checked: a known page, that page's parameters only, each a text or a list of texts."""
    if not isinstance(row, YamlMap):
        raise LoadError(shown, line, "a step is a mapping with page, view and an optional title and caption")
    lines = row.key_lines
    check_keys(row, shown, line, _STEP_KEYS,
               lambda key: f"unknown key {key!r} in a step; a step has {', '.join(sorted(_STEP_KEYS))}")
    page = _text(row, "page", shown, required=True)
    known = {f.param: f for f in urlstate.fields(page)}
    if page not in urlstate.FIELDS or page == "story":
        pages = ", ".join(p for p in urlstate.FIELDS if p != "story")
        raise LoadError(shown, lines.get("page", line), f"unknown page {page!r}; a step shows one of {pages}")
    view = row.get("view")
    if view is None:
        view = YamlMap()
    if not isinstance(view, YamlMap):
        raise LoadError(shown, lines.get("view", line), "'view' must be a mapping of the page's link parameters")
    params: dict[str, list[str]] = {}
    for key, value, where in known_items(view, shown, line, known, lambda k: (
            f"the {page} page has no parameter {k!r}; it has {', '.join(known)}")):
        values = value if isinstance(value, list) else [value]
        if not values or not all(isinstance(v, (str, int, bool)) for v in values):
            raise LoadError(shown, where, f"{key!r} must be a text, a number or a list of them")
        params[str(key)] = [("1" if v else "0") if isinstance(v, bool) else str(v) for v in values]
    _, problems = urlstate.decode(list(known.values()), params)
    if problems:
        raise LoadError(shown, lines.get("view", line), problems[0].replace("The link's", "The view's"))
    return Step(page, params, _text(row, "title", shown), _text(row, "caption", shown))


def _text(data: Any, key: str, shown: str, *, required: bool = False) -> str:
    """A text value of a mapping (stripped), '' when absent; LoadError when required and missing, or not text."""
    value = data.get(key)
    line = data.key_lines.get(key, data.get(LINE_KEY, 1))
    if value is None or value == "":
        if required:
            raise LoadError(shown, line, f"'{key}' is required")
        return ""
    if not isinstance(value, str):
        raise LoadError(shown, line, f"'{key}' must be text")
    if len(value) > MAX_CAPTION:
        raise LoadError(shown, line, f"'{key}' is longer than {MAX_CAPTION:,} characters")
    return value.strip()
