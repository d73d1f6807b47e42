"""The Streamlit side of views in the URL: widgets seeded from `st.query_params`, the URL kept in step.

A page makes one `PageView`, calls `restore` before its widgets (with the values the graph allows and the
widgets' defaults) and `publish` after them. Where the values come from:

- a URL whose parameters this session did not write (a shared link, a reload, a typed URL): the link's
  view, checked by `urlstate.decode` (what the graph does not hold is left out, with a message);
- a URL without the page's parameters (the sidebar switched pages, which clears them): the view this
  session last had on the page, so the Explore centre is still there when you come back;
- otherwise the widgets' own values (they are live).

`publish` writes the widgets' values back as parameters, so the address bar always holds the view.
"""
from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

import streamlit as st

from explorer import uploads, urlstate
from explorer.urlstate import GLOBAL_PARAMS, Field
from explorer.views import escape_md
from graph.errors import AtlasError

_WRITTEN = "urlstate_written_"  # + page: the parameters this session last wrote for the page


def current_params() -> dict[str, list[str]]:
    """The URL's parameters now, each with every value given."""
    return {k: [str(v) for v in st.query_params.get_all(k)] for k in st.query_params}


class PageView:
    """One run of one page: restores its widgets' values from the URL (or the session), then publishes."""

    def __init__(self, page: str) -> None:
        self.page = page
        self.params = {k: v for k, v in current_params().items() if k not in GLOBAL_PARAMS}
        self.fresh = bool(self.params) and self.params != st.session_state.get(_WRITTEN + page)
        self.fields: list[Field] = []
        self.defaults: dict[str, Any] = {}
        self.messages: list[str] = []

    def restore(self, choices: Mapping[str, Collection[Any]] | None = None,
                defaults: Mapping[str, Any] | None = None, only: Sequence[Field] | None = None) -> list[str]:
        """Seed the widgets of `only` (the page's fields by default) before they are drawn; returns (and
        shows) the messages about what a link held that this graph does not."""
        page_fields = list(urlstate.fields(self.page) if only is None else only)
        self.fields += page_fields
        self.defaults.update(defaults or {})
        if self.fresh:
            values, messages = urlstate.decode(page_fields, self.params, choices)
            for f in page_fields:
                if f.key in values:
                    st.session_state[f.key] = values[f.key]
                else:
                    st.session_state.pop(f.key, None)  # absent from the link: the widget's default
            if messages:
                st.warning(escape_md(" ".join(messages)), icon=":material/link_off:")
            self.messages += messages
            return messages
        if not self.params:
            kept = st.session_state.get(_WRITTEN + self.page) or {}
            values, _ = urlstate.decode(page_fields, kept, choices)
            for key, value in values.items():
                if key not in st.session_state:  # the widget is gone since the page was left
                    st.session_state[key] = value
        return []

    def publish(self) -> dict[str, str | list[str]]:
        """Write the widgets' values into the URL (the defaults left out); the parameters written."""
        values = {f.key: st.session_state[f.key] for f in self.fields if f.key in st.session_state}
        encoded = urlstate.encode(self.fields, values, self.defaults)
        as_lists = {k: ([v] if isinstance(v, str) else list(v)) for k, v in encoded.items()}
        prefix = urlstate.DYNAMIC_PREFIX.get(self.page)
        ours = {f.param for f in self.fields} | {k for k in current_params() if prefix and k.startswith(prefix)}
        foreign = {k: v for k, v in current_params().items() if k not in ours}  # kept as they are (?embed=…)
        st.session_state[_WRITTEN + self.page] = {**as_lists, **{k: v for k, v in foreign.items()
                                                                if k not in GLOBAL_PARAMS}}
        if as_lists != {k: v for k, v in self.params.items() if k in ours}:
            st.query_params.from_dict({**encoded, **foreign})
        return encoded


def view_for(page: str, choices: Mapping[str, Collection[Any]] | None = None,
             defaults: Mapping[str, Any] | None = None) -> PageView:
    """A `PageView` for `page` with its fields restored (the usual start of a page)."""
    view = PageView(page)
    view.restore(choices, defaults)
    return view


_COPY_HTML = """<style>
.atlas-copy-link{display:flex;gap:6px;align-items:center}
.atlas-copy-link input{flex:1;min-width:0;font:12px ui-monospace,monospace;padding:5px 6px;border:1px solid #CBD2D9;
border-radius:6px;background:#F4F6F8;color:#1F2933}
.atlas-copy-link button{font-size:13px;padding:5px 10px;border:1px solid #0B5C91;border-radius:6px;
background:#fff;color:#0B5C91;cursor:pointer;white-space:nowrap}
</style><div class="atlas-copy-link"><button type="button" title="Copy the address of this view">Copy link</button>
<input readonly aria-label="Link to this view"></div><script>
(function () {
  function refresh() {
    var inputs = document.querySelectorAll('.atlas-copy-link input');
    for (var i = 0; i < inputs.length; i++) {
      if (inputs[i].value !== window.location.href) { inputs[i].value = window.location.href; }
    }
  }
  function bind(box) {
    var button = box.querySelector('button'), input = box.querySelector('input');
    box.setAttribute('data-bound', '1');
    button.addEventListener('click', function () {
      refresh(); input.select();
      function done() {
        button.textContent = 'Copied';
        setTimeout(function () { button.textContent = 'Copy link'; }, 1500);
      }
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(input.value).then(done, function () { document.execCommand('copy'); done(); });
      } else { document.execCommand('copy'); done(); }
    });
  }
  var boxes = document.querySelectorAll('.atlas-copy-link:not([data-bound])');
  for (var i = 0; i < boxes.length; i++) { bind(boxes[i]); }
  refresh();
  if (!window.atlasCopyLinkTimer) { window.atlasCopyLinkTimer = setInterval(refresh, 400); }
})();
</script>"""


def copy_link() -> None:
    """A "Copy link" button with the address of the current view beside it (read from the browser, which
    alone knows the app's base URL; nothing is fetched). The HTML is this module's own, never user text."""
    st.html(_COPY_HTML, unsafe_allow_javascript=True)


def custom_from_url(load: uploads.Loader, data_dir: Path) -> dict[str, Any] | None:
    """The session's uploaded documents: as loaded in this session, or, in a new session (a reload, a
    shared link), rebuilt from the upload the URL's `upload` token names. A token naming nothing here is
    dropped from the URL with a note in the sidebar."""
    custom = st.session_state.get("atlas_custom")
    token = st.query_params.get(uploads.PARAM)
    if custom is not None or not token or st.session_state.get("atlas_upload_missing") == token:
        return custom
    try:
        with st.spinner("Loading data/ with the uploaded document of this link …"):
            custom = uploads.reopen(token, data_dir, load)
    except AtlasError:
        custom = None
    if custom is None:
        st.session_state["atlas_upload_missing"] = token
        del st.query_params[uploads.PARAM]
        st.sidebar.warning("The uploaded document this link names is no longer on this server: the graph is "
                           "built from data/ alone.", icon=":material/link_off:")
        return None
    st.session_state["atlas_custom"] = custom
    return custom


def keep_upload_in_url(custom: dict[str, Any] | None) -> None:
    """Put the upload's token in the URL (a page switch clears it), or take a stale one out."""
    token = (custom or {}).get("token")
    if token and st.query_params.get(uploads.PARAM) != token:
        st.query_params[uploads.PARAM] = token
    elif not token and uploads.PARAM in st.query_params:
        del st.query_params[uploads.PARAM]
