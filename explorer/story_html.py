"""A whole story as ONE self-contained, offline HTML file: every step's drawing with its title and caption.

An educator sends the file to students; it opens in any browser with no server and no internet. Each
step's drawing is the page `render_network` makes (vis-network inlined, graph text as escaped JSON,
shown through textContent only). vis-network is about 0.7 MB, so the file holds it once: each step's
page is kept as text in a hidden <textarea> with vis-network's script and style replaced by markers,
and a small script puts them back and shows the page in an <iframe srcdoc>. Nothing is fetched (no
src or href leaves the file), and all story text is HTML-escaped.
"""
from __future__ import annotations

import html
from collections.abc import Sequence

from explorer import network_html
from explorer.drawings import PAGE_TITLES, Drawing
from explorer.stories import Story

JS_MARK = "/*atlas-vis-network-js*/"
CSS_MARK = "/*atlas-vis-network-css*/"
STEP_HEIGHT = 560
NOTICE = ("Study material, not clinical guidance. The captions are the story author's words; the drawings "
          "come from the pattern cards, each node and edge with the card line behind it (click one).")

_STYLE = """body{margin:0 auto;max-width:1100px;padding:24px;font:16px/1.5 system-ui,-apple-system,'Segoe UI',
Roboto,'Helvetica Neue',Arial,sans-serif;color:#1F2933;background:#fff}h1{font-size:28px;margin:0 0 4px}
h2{font-size:20px;margin:32px 0 4px}.note{color:#52606D;font-size:14px}.badge{display:inline-block;
font-size:12px;padding:1px 8px;border-radius:10px;background:#E6F0F7;color:#0B5C91}
section{border-top:1px solid #E4E7EB;margin-top:24px}iframe{width:100%;border:1px solid #E4E7EB;
border-radius:6px}textarea.atlas-page{display:none}.empty{color:#52606D;font-style:italic}"""

_SCRIPT = """(function () {
  function text(id) { var el = document.getElementById(id); return el ? el.textContent : ''; }
  var js = text('atlas-vis-js'), css = text('atlas-vis-css');
  var pages = document.querySelectorAll('textarea.atlas-page');
  for (var i = 0; i < pages.length; i++) {
    var area = pages[i], frame = document.createElement('iframe');
    var page = area.value.split('JS_MARK').join(js).split('CSS_MARK').join(css);
    frame.setAttribute('title', area.getAttribute('data-title') || 'drawing');
    frame.style.height = area.getAttribute('data-height') + 'px';
    frame.srcdoc = page;
    area.parentNode.insertBefore(frame, area);
  }
})();"""


def _page(drawing: Drawing) -> str:
    """One step's drawing as a page, with vis-network's script and style replaced by the markers."""
    page = network_html.render_network(drawing.nodes, drawing.edges, height=STEP_HEIGHT,
                                       highlight_nodes=drawing.highlight_nodes,
                                       highlight_edges=drawing.highlight_edges)
    assets = network_html._vis_assets()  # noqa: SLF001 - the very text inlined, to keep it once
    return page.replace(str(assets.js), JS_MARK, 1).replace(str(assets.css), CSS_MARK, 1)


def _step(number: int, total: int, title: str, caption: str, page: str, drawing: Drawing) -> str:
    """One step's section: heading, caption, what was left out, and the drawing (or a note)."""
    esc = html.escape
    parts = [f'<section id="step-{number}"><h2>Step {number} of {total}: {esc(title)}</h2>',
             f'<p class="note">{esc(PAGE_TITLES.get(page, page))} · {esc(drawing.label)}</p>']
    if caption:
        parts.append(f"<p>{esc(caption)}</p>")
    parts += [f'<p class="note">{esc(m)}</p>' for m in drawing.messages]
    if drawing.nodes:
        parts.append(f'<textarea class="atlas-page" readonly data-height="{STEP_HEIGHT}" '
                     f'data-title="{esc(title)}">{esc(_page(drawing))}</textarea>')
    else:
        parts.append('<p class="empty">This view has no drawing.</p>')
    parts.append("</section>")
    return "\n".join(parts)


def story_html(story: Story, drawings: Sequence[Drawing]) -> str:
    """The story as one offline HTML document (a string): `drawings[i]` is step i's drawing."""
    esc = html.escape
    assets = network_html._vis_assets()  # noqa: SLF001
    badge = "authored summary" if story.authorship == "authored-summary" else "the user's own story"
    steps = [_step(i, len(story.steps), step.title or PAGE_TITLES.get(step.page, step.page), step.caption,
                   step.page, drawing)
             for i, (step, drawing) in enumerate(zip(story.steps, drawings, strict=True), 1)]
    script = _SCRIPT.replace("JS_MARK", JS_MARK).replace("CSS_MARK", CSS_MARK)
    return "\n".join([
        "<!doctype html>", '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(story.title)} · Pattern Atlas story</title>", f"<style>{_STYLE}</style>", "</head><body>",
        f"<h1>{esc(story.title)}</h1>", f'<p><span class="badge">{esc(badge)}</span></p>',
        f'<p class="note">{esc(NOTICE)}</p>', f"<p>{esc(story.summary)}</p>" if story.summary else "",
        *steps,
        f'<script type="text/plain" id="atlas-vis-js">{assets.js}</script>',
        f'<script type="text/plain" id="atlas-vis-css">{assets.css}</script>',
        f"<script>{script}</script>", "</body></html>"])
