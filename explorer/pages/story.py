"""Stories: a named sequence of views stepped through with next and previous, each with its caption and
drawing, a link to open the view on its own page, and the whole story as one offline HTML file."""
from __future__ import annotations

import streamlit as st

from explorer.drawings import PAGE_TITLES, step_drawing
from explorer.pages.common import atlas, draw
from explorer.stories import STORIES, Story, load_stories
from explorer.story_html import story_html
from explorer.urlbind import view_for
from explorer.urlstate import page_file
from explorer.views import escape_md

STEP = "story_step"

ctx = atlas()
store = ctx.store

st.title("Stories")
st.caption("A story is a named sequence of views, each with a caption: step through it, open any view on its "
           "own page, or download the whole story as one HTML file to send to students (it works offline).")
stories, errors = load_stories(STORIES)
for error in errors:
    st.error(escape_md(f"A story file could not be read: {error}"))
if not stories:
    st.info("No stories in data/stories/.")
    st.stop()
by_id = {s.id: s for s in stories}
# The story is always named in the URL (no default left out), so a link stays right when stories are added.
view = view_for("story", choices={"story_id": list(by_id)}, defaults={STEP: 1})


def _first_step() -> None:
    st.session_state[STEP] = 1


def _move(by: int) -> None:
    st.session_state[STEP] = int(st.session_state.get(STEP) or 1) + by


sid = st.selectbox("Story", list(by_id), key="story_id", on_change=_first_step,
                   format_func=lambda i: by_id[i].title if i in by_id else i)
story: Story = by_id[sid]
number = min(max(int(st.session_state.get(STEP) or 1), 1), len(story.steps))
st.session_state[STEP] = number
view.publish()
step = story.steps[number - 1]

st.badge("authored summary" if story.authorship == "authored-summary" else "the user's own story",
         color="blue" if story.authorship == "authored-summary" else "green")
if story.summary:
    st.markdown(escape_md(story.summary))
st.caption("Study material, not clinical guidance: the captions are the story author's words; the drawings come "
           "from the cards, with the line behind every node and edge.")

nav = st.columns([1, 1, 4], vertical_alignment="center")
nav[0].button("Previous", key="story_prev", icon=":material/arrow_back:", disabled=number <= 1,
              on_click=_move, args=(-1,), width="stretch")
nav[1].button("Next", key="story_next", icon=":material/arrow_forward:", disabled=number >= len(story.steps),
              on_click=_move, args=(1,), width="stretch")
nav[2].progress(number / len(story.steps), text=f"Step {number} of {len(story.steps)}")

title = step.title or PAGE_TITLES.get(step.page, step.page)
st.subheader(f"Step {number}: {escape_md(title)}", anchor=False)
if step.caption:
    st.markdown(escape_md(step.caption))
drawing = step_drawing(store, step.page, step.params)
for message in drawing.messages:
    st.warning(escape_md(message))
if drawing.nodes:
    draw(drawing.nodes, drawing.edges, label=drawing.label, height=560, highlight_nodes=drawing.highlight_nodes,
         highlight_edges=drawing.highlight_edges, key="story_net", layout=drawing.layout, centre=drawing.centre)
st.page_link(page_file(step.page), query_params=step.params,
             label=f"Open this view on the {PAGE_TITLES.get(step.page, step.page)} page", icon=":material/open_in_new:")


def _export() -> str:
    """The whole story, every step drawn, as one offline HTML file (made when the button is clicked)."""
    return story_html(story, [step_drawing(store, s.page, s.params) for s in story.steps])


st.download_button("Download the story as one HTML file", _export, file_name=f"{story.id}.html", mime="text/html",
                   key="story_download", icon=":material/download:",
                   help="Every step's drawing with its caption in one file that opens in a browser with no "
                        "internet and no server.")
