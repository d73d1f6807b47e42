"""Streamlit pieces the pages share: the active store, node pickers, the graph frame, sentences.

`app.py` calls `setup_store()` once per run (before the page runs); pages call `atlas()` for the
store and its load report. Everything shown from documents goes through `escape_md` or through
elements that do not interpret text (st.code, st.dataframe), and the graph goes through
the network canvas (`explorer.canvas_actions`), which shows text as text only.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

import streamlit as st

from atlas.compose import load_documents, open_embedded, open_neo4j
from atlas.settings import Neo4jSettings, read_settings
from explorer import canvas_actions, source_views, views
from explorer.urlbind import custom_from_url, keep_upload_in_url
from explorer.views import escape_md
from graph.errors import AtlasError, redact
from graph.store import GraphStore
from loaders import corrections
from loaders.text import display_path

EMBEDDED = "Embedded (data/)"
NEO4J = "Neo4j"
VIEW_KEY = "atlas_last_view"


@dataclass
class Atlas:
    """The graph the pages read: the store, its load report, and what to call it."""

    store: GraphStore
    report: dict[str, Any]
    label: str
    kind: str = "embedded"  # embedded | uploaded | neo4j
    notes: list[str] = field(default_factory=list)


def default_store() -> tuple[GraphStore, dict[str, Any]]:
    """The embedded store built from the corpus folder (data/, or `PATTERN_ATLAS_DATA`), or its saved
    copy, shared by every session. `default_store.clear()` drops it (the next run rebuilds when the
    sources changed)."""
    return _embedded_store(str(settings().data_dir.resolve()))


@st.cache_resource(show_spinner="Loading the graph …")
def _embedded_store(data_dir: str) -> tuple[GraphStore, dict[str, Any]]:
    """One store per corpus folder: a process that is pointed at another folder gets its graph."""
    store, report = open_embedded(Path(data_dir))
    store.warm()
    return store, report


default_store.clear = _embedded_store.clear  # type: ignore[attr-defined]


@st.cache_resource(show_spinner="Connecting to Neo4j …")
def _neo4j_store(uri: str, user: str, database: str | None, _settings: Neo4jSettings) -> GraphStore:
    """A connected Neo4j store (the password is not part of the cache key: leading underscore)."""
    return open_neo4j(_settings)


def corpus_label() -> str:
    """The corpus folder as the sidebar names it: `data/` as shipped, else the configured folder
    (`PATTERN_ATLAS_DATA`), relative to the repository or the working folder when inside one."""
    return display_path(settings().data_dir).rstrip("/") + "/"


def settings() -> Any:
    """The app's settings: Streamlit secrets, then the environment, then the defaults (`atlas.settings`)."""
    try:
        secrets = st.secrets if "neo4j" in st.secrets else None
    except Exception:  # noqa: BLE001 - no secrets file (or an unreadable one): not configured
        secrets = None
    return read_settings(secrets=secrets)


def _clear_neo4j_failure() -> None:
    st.session_state.pop("atlas_neo4j_error", None)


def setup_store() -> Atlas:
    """Choose the store for this run (sidebar), load it with progress shown, remember it."""
    neo4j = settings().neo4j
    custom = custom_from_url(load_documents, settings().data_dir)  # a reload keeps the uploaded documents
    keep_upload_in_url(custom)
    choice = EMBEDDED
    with st.sidebar:
        if neo4j:
            choice = st.radio("Graph store", [EMBEDDED, NEO4J], key="atlas_store_choice",
                              on_change=_clear_neo4j_failure,
                              help="The embedded store is built from the documents in data/. "
                                   "Neo4j is used when NEO4J_URI, NEO4J_USER and NEO4J_PASSWORD are set.")
    atlas_: Atlas | None = None
    if choice == NEO4J and neo4j:
        if "atlas_neo4j_error" not in st.session_state:
            try:
                store = _neo4j_store(neo4j.uri, neo4j.user, neo4j.database, neo4j)
                atlas_ = Atlas(store, default_store()[1], "Neo4j", "neo4j",
                               ["The load report shown is the one of data/; the Neo4j graph is whatever was "
                                "loaded into it."])
            except Exception as exc:  # noqa: BLE001 - any failure: say so (no secrets) and fall back
                st.session_state["atlas_neo4j_error"] = (
                    "Could not open the Neo4j store, so the embedded store is shown instead "
                    f"({type(exc).__name__}: {neo4j.redact(str(exc))}). "
                    "Check NEO4J_URI, NEO4J_USER and NEO4J_PASSWORD, and that the server is running.")
        if "atlas_neo4j_error" in st.session_state:
            st.error(st.session_state["atlas_neo4j_error"], icon=":material/cloud_off:")
    if atlas_ is None and custom:
        atlas_ = Atlas(custom["store"], custom["report"], custom["label"], "uploaded")
    if atlas_ is None:
        store, report = default_store()
        atlas_ = Atlas(store, report, corpus_label(), "embedded")
    with st.sidebar:
        kinds, types = atlas_.store.counts()
        st.caption(f"Graph: {escape_md(atlas_.label)} · {sum(kinds.values())} nodes · {sum(types.values())} edges")
        if atlas_.kind == "uploaded":
            st.caption("An uploaded document is loaded with data/. Reload from data/ on the Sources page.")
    st.session_state["atlas"] = atlas_
    return atlas_


def neo4j_failed(exc: BaseException) -> bool:
    """Handle a Neo4j store that stopped answering mid-page: say so (no secrets), drop the cached
    connection and go back to the embedded store on the next run. False if `exc` is something else."""
    from neo4j.exceptions import DriverError, Neo4jError  # noqa: PLC0415

    from graph.neo4j_store import Neo4jUnavailable  # noqa: PLC0415

    if not isinstance(exc, (Neo4jUnavailable, DriverError, Neo4jError)):  # raw driver errors: a missed edge
        return False
    _neo4j_store.clear()
    neo4j = settings().neo4j
    message = neo4j.redact(str(exc)) if neo4j else redact(str(exc))
    st.session_state["atlas_neo4j_error"] = (
        f"The Neo4j store stopped answering ({type(exc).__name__}: {message}); "
        "the embedded store is shown from now on. Choose Neo4j again in the sidebar to retry.")
    st.error(st.session_state["atlas_neo4j_error"], icon=":material/cloud_off:")
    return True


def tidy(text: str) -> str:
    """A path or message with the private upload folder shown as 'uploaded/'."""
    return source_views.friendly_path(str(text), (st.session_state.get("atlas_custom") or {}).get("tmpdir"))


def atlas() -> Atlas:
    """The store chosen for this run (set up by app.py; set up here when a page runs alone)."""
    current = st.session_state.get("atlas")
    return current if isinstance(current, Atlas) else setup_store()


# -- pickers -------------------------------------------------------------------------------------

def pick_node(label: str, nodes: Sequence[dict[str, Any]], default_id: str | None, *, key: str,
              allow_none: str | None = None, help: str | None = None) -> str | None:
    """A searchable selectbox over nodes (shown as 'Name · Kind'); returns the chosen id."""
    options, labels, where = _picker(nodes, allow_none is not None)
    index = where.get(default_id, 0) if default_id is not None else 0
    return st.selectbox(label, options, index=index, key=key, help=help,
                        format_func=lambda i: allow_none if i == "" else labels.get(i, i)) or None


_PICKERS: dict[int, tuple[list[str], dict[str, str], dict[str, int]]] = {}


def _picker(nodes: Sequence[dict[str, Any]], with_none: bool) -> tuple[list[str], dict[str, str], dict[str, int]]:
    """The picker's options in order, their labels and positions, kept for the same nodes: sorting and
    labelling 55,000 nodes took a third of a second on every rerun of a 10,000-card graph."""
    key = hash((with_none, tuple((n["id"], n["kind"], n["name"]) for n in nodes)))
    if key not in _PICKERS:
        ordered = sorted(nodes, key=lambda n: (n["kind"] != "Pattern", n["name"].lower(), n["id"]))
        options = ([""] if with_none else []) + [n["id"] for n in ordered]
        if len(_PICKERS) >= 8:
            _PICKERS.pop(next(iter(_PICKERS)))
        _PICKERS[key] = (options, {n["id"]: views.node_label(n) for n in ordered},
                         {o: i for i, o in enumerate(options)})
    return _PICKERS[key]


def pattern_nodes(store: GraphStore) -> list[dict[str, Any]]:
    return sorted(store.list_nodes(["Pattern"]), key=lambda n: n["name"].lower())


# -- showing things ------------------------------------------------------------------------------

def draw(nodes: Sequence[dict[str, Any]], edges: Sequence[dict[str, Any]], *, label: str, height: int = 560,
         highlight_nodes: Iterable[str] = (), highlight_edges: Iterable[tuple[str, str]] = (),
         selected: str | None = None, key: str = "atlas_net", layout: str = "force", centre: str | None = None,
         kinds: Sequence[str] | None = None, types: Sequence[str] | None = None) -> None:
    """Draw a subgraph on the network canvas, which expands, centres, opens cards and compares from the
    drawing (`explorer.canvas_actions.show`), and remember what is drawn as the current view (for the
    Export page). `key` names the canvas (one per page), `kinds` and `types` bound what an expansion adds."""
    drawn_nodes, drawn_edges = canvas_actions.show(
        atlas().store, nodes, edges, key=key, title=label[:1].upper() + label[1:], height=height, layout=layout,
        centre=centre, kinds=kinds, types=types, highlight_nodes=list(highlight_nodes),
        highlight_edges=list(highlight_edges), selected=selected)
    st.session_state[VIEW_KEY] = {"label": label, "node_ids": [n["id"] for n in drawn_nodes],
                                  "edges": [dict(e) for e in drawn_edges]}


def badge(node: dict[str, Any]) -> None:
    """The pattern's card badge: user's source document, authored summary, catalogue, referenced."""
    text, color = views.badge_for(node)
    st.badge(text, color=color)  # type: ignore[arg-type]


def disclaimer() -> None:
    st.caption(views.DISCLAIMER)


#: Sentences shown at once, then in a "more" expander: a hub of a big corpus has thousands of edges.
TOLD_FIRST, TOLD_MORE = 60, 300


def show_told(items: Sequence[dict[str, str]], *, empty: str = "Nothing stated.") -> None:
    """Sentences, each with its source place (and the source's words when they add something): the
    first `TOLD_FIRST`, the next `TOLD_MORE` in an expander, then a count of the rest."""
    if not items:
        st.caption(escape_md(empty))
        return
    _told(items[:TOLD_FIRST])
    if len(items) > TOLD_FIRST:
        with st.expander(f"{len(items) - TOLD_FIRST:,} more"):
            _told(items[TOLD_FIRST:TOLD_FIRST + TOLD_MORE])
            if len(items) > TOLD_FIRST + TOLD_MORE:
                st.caption(f"… and {len(items) - TOLD_FIRST - TOLD_MORE:,} more: narrow down with the Explore "
                           "filters, or query them (Query page, or `python -m graph neighbours`).")


def _told(items: Sequence[dict[str, str]]) -> None:
    for item in items:
        head, rest = item.get("head") or item["text"], item.get("rest") or ""
        if item["text"].startswith(head) and rest:
            st.markdown(f"**{escape_md(head)}**: {escape_md(rest)}")
        else:
            st.markdown(f"**{escape_md(item['text'])}**")
        note = f"Source: {tidy(item['source'])}" if item.get("source") else "Source: not recorded"
        if item.get("quote"):
            note += f" — “{item['quote']}”"
        st.caption(escape_md(note))


#: Places listed in the "more places" expander; a hub of a big corpus is stated in thousands.
MORE_PLACES = 200


def show_provenance(node: dict[str, Any], limit: int = 8) -> None:
    """Where a node is stated: each place with the quoted line; the next `MORE_PLACES` in an expander."""
    items = views.provenance_items(node)
    if not items:
        st.caption("No source recorded.")
        return

    def one(p: dict[str, str]) -> None:
        st.markdown(f"`{tidy(p['place']).replace('`', '')}`  \n“{escape_md(p['text'])}”")

    for p in items[:limit]:
        one(p)
    if len(items) > limit:
        with st.expander(f"{len(items) - limit:,} more places"):
            for p in items[limit:limit + MORE_PLACES]:
                one(p)
            if len(items) > limit + MORE_PLACES:
                st.caption(f"… and {len(items) - limit - MORE_PLACES:,} more: every place is in the node's "
                           f"export (`python -m graph node {node.get('id', '')} --json`).")


def names_of(store: GraphStore, ids: Iterable[str]) -> dict[str, str]:
    return {i: n["name"] for i, n in store.get_nodes(list(dict.fromkeys(ids)), sections=False).items()}


# -- corrections ---------------------------------------------------------------------------------

def corpus_roots(ctx: Atlas) -> list[Path]:
    """The folders (and files) the shown graph was loaded from: where corrections files belong."""
    custom = st.session_state.get("atlas_custom") or {}
    if ctx.kind == "uploaded" and custom.get("paths"):
        return [Path(p) for p in custom["paths"]]
    return [settings().data_dir]



#: Widget keys of the section pickers (and their save buttons) on the Pattern card and Sources pages.
FIX_KEYS = ("card_fix_", "sources_fix_")
KEEP_KEYS = {"sources_fix_card"}


def correction_form(ctx: Atlas, section: dict[str, Any], pattern: str, *, key: str, flash: str) -> None:
    """Pick the right section for an inferred (or corrected, or unplaced) section of a card and save it:
    a row in the corpus's corrections.yaml (never the document), then the graph is reloaded."""
    if ctx.kind == "neo4j":
        st.caption("Corrections are made on the embedded store (choose it in the sidebar).")
        return
    choices = corrections.section_choices(pattern)
    keys = list(choices)
    current = section.get("key")
    chosen = st.selectbox("Right section", keys, index=keys.index(current) if current in keys else None,
                          key=key, format_func=lambda k: choices.get(k, k),
                          placeholder="Choose the section these lines belong to",
                          help="The sections of the card template, in order. Saving writes a correction "
                               "file beside the corpus; the document itself is never changed.")
    if st.button("Save the correction", key=f"{key}_save", disabled=chosen is None, icon=":material/save:"):
        save_correction(ctx, section, str(chosen), choices.get(str(chosen), str(chosen)), flash)


def save_correction(ctx: Atlas, section: dict[str, Any], key: str, heading: str, flash: str) -> None:
    """Write the correction, reload the graph and rerun; an error is shown and nothing is reloaded."""
    from explorer.source_views import report_documents  # noqa: PLC0415

    if str(section.get("file")) not in report_documents(ctx.report):
        st.error("Only a document the graph was loaded from can be corrected.")
        return
    custom = st.session_state.get("atlas_custom") or {}
    paths = [Path(p) for p in custom.get("paths") or []] if ctx.kind == "uploaded" else []
    try:
        with st.spinner("Saving the correction and reloading the graph …"):
            if paths:
                sidecar, row, built = corrections.correct_section(section, key, corpus_roots(ctx),
                                                                  reload=lambda: load_documents(paths))
                custom["store"], custom["report"] = built
            else:
                sidecar, row, _ = corrections.correct_section(section, key, corpus_roots(ctx),
                                                              reload=lambda: open_embedded(settings().data_dir))
        default_store.clear()  # the shared graph is rebuilt on its next use if its corpus changed
    except (AtlasError, ValueError, OSError) as exc:
        st.error(escape_md(tidy(f"The correction was not saved: {exc}")))
        return
    for name in [k for k in st.session_state if str(k).startswith(FIX_KEYS) and k not in KEEP_KEYS]:
        del st.session_state[name]  # every section picker starts again from the reloaded graph's section
    st.session_state[flash] = (f"Saved: lines {row.lines} of {tidy(row.file)} belong to {heading} "
                               f"({tidy(display_path(sidecar))}:{row.source_line}; the document is unchanged). "
                               "The graph was reloaded.")
    st.rerun()
