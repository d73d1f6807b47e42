"""Sources: the loaded documents and the load report, each document's text, and loading more."""
from __future__ import annotations

import shutil
from pathlib import Path

import streamlit as st

from atlas.compose import load_documents
from explorer import source_views, uploads, views
from explorer.pages.common import atlas, correction_form, default_store, pattern_nodes, settings, tidy
from explorer.urlbind import view_for
from explorer.views import escape_md
from loaders.corrections import correctable, section_lines
from loaders.errors import LoadError
from loaders.text import REPO_ROOT

FLASH = "sources_flash"

ctx = atlas()
report = ctx.report

st.title("Sources")
st.caption("The documents the graph was built from, whose words each one is, and everything the loader "
           "noticed while reading them.")

flash = st.session_state.pop(FLASH, None)
if flash:
    st.success(escape_md(flash))
for note in ctx.notes:
    st.info(escape_md(note))

summary = source_views.report_summary(report)
metric_cols = st.columns(len(summary))
for col, (name, value) in zip(metric_cols, summary.items(), strict=False):
    col.metric(name.capitalize(), value)

warnings = report.get("warnings") or []
if warnings:
    st.warning(f"{len(warnings)} warning{'s' if len(warnings) != 1 else ''} while loading:")
    st.code("\n".join(tidy(source_views.warning_text(w)) for w in warnings), language=None, wrap_lines=True)
else:
    st.success("No warnings: every document was read without problems.")

docs_tab, inferred_tab, corrections_tab, alias_tab, unresolved_tab, counts_tab = st.tabs(
    ["Documents", "Inferred headings", "Corrections", "Alias links", "Unresolved patterns", "Counts"])
with docs_tab:
    st.dataframe([{"path": tidy(d.get("path", "")), "type": d.get("type"), "authorship": d.get("authorship"),
                   "encoding": d.get("encoding")} for d in report.get("documents") or []],
                 hide_index=True, width="stretch", height=min(600, 38 + 35 * len(report.get("documents") or [])))
    if report.get("skipped"):
        st.caption("Not graph documents (vocabulary and settings): " + escape_md(", ".join(report["skipped"])))
with inferred_tab:
    st.caption("Card sections whose heading was lost in extraction and inferred from position or wording.")
    st.dataframe(report.get("inferred") or [], hide_index=True, width="stretch")
with corrections_tab:
    st.caption("Corrections applied while loading, from corrections.yaml files beside the documents "
               "(the documents themselves are never changed). Make one below, under “Correct how a card was read”.")
    applied = report.get("corrections") or []
    if applied:
        st.dataframe([{"file": tidy(c.get("file", "")), "lines": c.get("lines"), "section": c.get("section"),
                       "not": c.get("not"), "corrections file": tidy(f"{c.get('sidecar')}:{c.get('sidecar_line')}")}
                      for c in applied], hide_index=True, width="stretch")
    else:
        st.caption("None.")
with alias_tab:
    st.caption("Article terms linked to card nodes through the alias table.")
    st.dataframe(report.get("alias_links") or [], hide_index=True, width="stretch")
with unresolved_tab:
    unresolved = report.get("unresolved") or []
    if unresolved:
        st.dataframe(unresolved, hide_index=True, width="stretch")
    else:
        st.caption("None: every pattern named in the documents has a card or a catalogue entry.")
with counts_tab:
    k_col, t_col = st.columns(2)
    k_col.dataframe([{"node kind": k, "count": v} for k, v in (report.get("node_counts") or {}).items()],
                    hide_index=True, width="stretch")
    t_col.dataframe([{"edge type": k, "count": v} for k, v in (report.get("edge_counts") or {}).items()],
                    hide_index=True, width="stretch")

st.subheader("Read a document", anchor=False)
paths = source_views.report_documents(report)
if paths:
    default = paths.index("data/cards/insecure.txt") if "data/cards/insecure.txt" in paths else 0
    view = view_for("sources", choices={"sources_doc": paths}, defaults={"sources_doc": paths[default]})
    chosen = st.selectbox("Document", paths, index=default, key="sources_doc", format_func=tidy)
    view.publish()
    file = source_views.resolve_document(chosen, report, REPO_ROOT)
    try:
        text = file.read_text(encoding="utf-8", errors="replace") if file else ""
    except OSError as exc:
        st.error(f"Cannot read {escape_md(chosen)} ({escape_md(exc.strerror or exc)}).")
    else:
        st.code(text, language=None, line_numbers=True, wrap_lines=True, height=460)


# -- correcting how a card was read ---------------------------------------------------------------

st.subheader("Correct how a card was read", anchor=False)
st.caption("When a card's headings were lost in extraction, the loader places each block of lines in a section "
           "of the card template by its position and wording. If it chose wrongly, pick the right section and "
           "save: the correction goes into a corrections.yaml beside the corpus (data/corrections.yaml for "
           "data/), never into the document, and the graph is reloaded.")
carded = [p for p in pattern_nodes(ctx.store) if p.get("status") == "card"]
if carded:
    card_ids = [p["id"] for p in carded]
    card_names = {p["id"]: p["name"] for p in carded}
    fix_pid = st.selectbox("Card", card_ids, key="sources_fix_card", format_func=lambda i: card_names.get(i, i),
                           index=card_ids.index("pattern:insecure") if "pattern:insecure" in card_ids else 0)
    fix_node = ctx.store.get_node(fix_pid) or {}
    blocks = correctable(fix_node.get("sections") or [])
    if not blocks:
        st.caption("Every section of this card was read under its own heading: nothing to correct.")
    for block in blocks:
        first, last = section_lines(block)
        with st.container(border=True):
            where = f"line {first}" if first == last else f"lines {first}–{last}"
            st.markdown(f"**{escape_md(block.get('heading') or block.get('key'))}** "
                        f":{views.status_colour(block.get('heading_status'))}-badge[{escape_md(block.get('heading_status'))}]"
                        f" · {where}")
            st.caption(escape_md(views.plain_reason(block)))
            opening = next((str(i.get("text") or "") for i in block.get("items") or []), "")
            st.caption(escape_md(f"“{opening[:140]}{'…' if len(opening) > 140 else ''}”"))
            correction_form(ctx, block, fix_node.get("name", ""), key=f"sources_fix_{fix_pid}_{first}", flash=FLASH)
else:
    st.caption("No pattern card is loaded.")


# -- loading more --------------------------------------------------------------------------------

def load_with_data(extra: Path, label: str, tmpdir: str | None = None, token: str | None = None) -> None:
    """Build a new embedded store from data/ plus `extra`; keep the previous graph on any error."""
    error = None
    with st.status(f"Loading data/ with {label} …", expanded=False) as status:
        paths = [settings().data_dir, extra]
        try:
            store, new_report = load_documents(paths)
        except LoadError as exc:
            error = source_views.friendly_path(str(exc), tmpdir)
        except Exception as exc:  # noqa: BLE001 - any loader failure keeps the previous graph
            error = source_views.friendly_path(f"{label}: could not be loaded ({type(exc).__name__}: {exc})", tmpdir)
        status.update(label="Load failed; the previous graph is kept" if error else f"Loaded data/ with {label}",
                      state="error" if error else "complete")
    if error:
        if tmpdir:
            shutil.rmtree(tmpdir, ignore_errors=True)
        st.error(error)
        return
    uploads.discard(st.session_state.get("atlas_custom"))
    st.session_state["atlas_custom"] = {"store": store, "report": new_report, "label": f"data/ + {label}",
                                        "tmpdir": tmpdir, "paths": [str(p) for p in paths], "token": token}
    st.session_state[FLASH] = (f"Loaded data/ with {label}: {len(new_report.get('documents') or [])} documents, "
                               f"{len(new_report.get('warnings') or [])} warnings. Every page now shows this graph.")
    st.rerun()


st.subheader("Load another document", anchor=False)
st.caption("Add a pattern card or an article (.txt or .md, up to 1 MB) to the documents in data/. The text is "
           "parsed, never run, and data/ is not changed. An uploaded file is kept on this server under a random "
           "name that the page's link carries, so a reload (or the link) shows the same graph until Reload from "
           "data/.")
up_col, dir_col = st.columns(2, gap="large")
with up_col:
    uploaded = st.file_uploader("Upload a card or article", type=["txt", "md"], key="sources_upload",
                                max_upload_size=1)
    if st.button("Load the uploaded file with data/", key="sources_load_upload", disabled=uploaded is None):
        problem = source_views.check_upload(uploaded.name, uploaded.size) if uploaded is not None else "no file"
        if problem:
            st.error(escape_md(problem))
        else:
            token, folder = uploads.new_upload_dir()  # kept for a reload: its token goes in the URL
            target = folder / source_views.safe_upload_name(uploaded.name)
            target.write_bytes(uploaded.getvalue())
            load_with_data(target, target.name, str(folder), token)
with dir_col:
    folder_text = st.text_input("Or a folder on this computer", key="sources_folder",
                                placeholder="a folder of .txt / .md cards and articles")
    if st.button("Load the folder with data/", key="sources_load_folder", disabled=not folder_text):
        folder_path = Path(folder_text).expanduser()
        if folder_path.is_dir():  # a file named here would be read whatever it is or points to
            load_with_data(folder_path, folder_path.name or str(folder_path))
        else:
            st.error(escape_md(f"{folder_text} is not a folder on this computer: give the folder that holds "
                               "the documents (only regular files inside it are read)."))

if st.button("Reload from data/", key="sources_reload", icon=":material/refresh:",
             help="Drop any uploaded document and rebuild the graph from the files in data/."):
    uploads.discard(st.session_state.pop("atlas_custom", None))
    default_store.clear()
    st.session_state[FLASH] = "Reloaded the graph from data/."
    st.rerun()
