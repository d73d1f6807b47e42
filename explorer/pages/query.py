"""Query: the named query library and a read-only Cypher box, with a table, a graph and CSV."""
from __future__ import annotations

from typing import Any

import streamlit as st

from explorer import result_views, urlstate
from explorer.pages.common import atlas, draw
from explorer.urlbind import PageView
from explorer.urlstate import Field
from explorer.views import escape_md

RESULT_KEY = "query_result"
EXAMPLE = "MATCH (p:Pattern)-[:COMBINES_WITH]->(q:Pattern)\nRETURN p.name, q.name\nLIMIT 25"

ctx = atlas()
store = ctx.store
view = PageView("query")
view_fields = urlstate.fields("query")

st.title("Query")
st.caption("Ready-made questions about the graph, or your own read-only Cypher. Results come as a table, as a "
           "graph of exactly the nodes, relationships and paths they return, and as CSV. Parameters that name a "
           "node are picked from the nodes of their kind.")


def run(fn: Any) -> dict | None:
    """Run a query; show its error instead when it fails (the message is meant for readers)."""
    from graph.cypher import CypherError  # noqa: PLC0415 - the query modules load only on this page

    try:
        with st.spinner("Running the query …"):
            return fn()
    except CypherError as exc:
        st.error(str(exc))
    except (ValueError, LookupError) as exc:  # bad parameters: unknown pattern, not a number …
        st.error(str(exc))
    return None


def show_result(title: str, result: dict, key: str) -> None:
    """A result as a table with a CSV download, and the nodes it returns as a graph."""
    columns, rows = result.get("columns", []), result.get("rows", [])
    note = f"{len(rows)} row{'s' if len(rows) != 1 else ''}"
    if result.get("truncated"):
        note += " (cut at the row limit; add a LIMIT or narrow the query)"
    st.caption(note)
    if rows:
        st.dataframe(result_views.result_records(columns, rows), hide_index=True, width="stretch",
                     height=min(400, 38 + 35 * len(rows)))
    else:
        st.info("The query returned no rows.")
    st.download_button("Download CSV", result_views.result_csv(columns, rows), file_name=f"{key}.csv",
                       mime="text/csv", key=f"{key}_csv", icon=":material/download:")
    sub = result.get("subgraph") or {}
    nodes, edges = sub.get("nodes") or [], sub.get("edges") or []
    named = False
    if not nodes:  # names, not nodes, came back: draw the nodes those names denote (when unambiguous)
        ids = []
        for name in result_views.names_in_rows(rows):
            found = store.nodes_by_name(name)
            if len(found) == 1:
                ids.append(found[0]["id"])
        if ids:
            got = store.get_nodes(ids)
            nodes, edges, named = [got[i] for i in ids if i in got], [], True
    if nodes:
        if named:
            st.caption("The nodes named in the result (it returns names, not relationships, so no edges are "
                       "drawn; in Cypher, RETURN p, r, q draws them):")
        else:
            st.caption(f"What the result returns: {len(nodes)} node{'s' if len(nodes) != 1 else ''} and "
                       f"{len(edges)} relationship{'s' if len(edges) != 1 else ''} (returned ones and path "
                       "steps only):")
        draw(nodes, edges, label=title, height=480, key=f"{key}_net")
    else:
        st.caption("No nodes to draw: return whole nodes, relationships or paths (e.g. RETURN p, r, q) to see "
                   "the result as a graph.")


def node_defaults(p: Any, names: dict[str, str]) -> list[str]:
    """The ids of the library's default for a node parameter (names or ids, resolved as the CLI does)."""
    defaults = []
    for ref in (str(p.default or "").split(",") if p.many else [str(p.default or "")]):
        try:
            nid = store.resolve(ref) if ref.strip() else None
        except LookupError:
            nid = None
        if nid in names:
            defaults.append(nid)
    return defaults


def node_picker(p: Any, key: str) -> str:
    """A selectbox (a multiselect for `many`) of the nodes of the parameter's kind, by name; starts on
    the library's default (names or ids, resolved as the CLI resolves them)."""
    choices = store.list_nodes([p.node])
    names = {n["id"]: n["name"] for n in choices}
    ids = list(names)
    defaults = node_defaults(p, names)
    label = f"{p.name} ({p.node}{'s' if p.many else ''})"
    if p.many:
        picked = st.multiselect(label, ids, default=defaults, key=key, format_func=lambda i: names.get(i, i),
                                help=p.description or None)
        return ",".join(picked)
    index = ids.index(defaults[0]) if defaults else 0
    picked = st.selectbox(label, ids, index=index if ids else None, key=key,
                          format_func=lambda i: names.get(i, i), help=p.description or None)
    return picked or ""


def param_fields(spec: Any) -> tuple[list[Field], dict[str, Any], dict[str, Any]]:
    """The URL fields of a named question's parameters (`p.<name>`), the values each may take and
    their defaults, so a link holds the question's parameters too."""
    found: list[Field] = []
    choices: dict[str, Any] = {}
    defaults: dict[str, Any] = {}
    for p in spec.params:
        key = f"query_param_{spec.name}_{p.name}"
        if p.node:
            found.append(Field(f"p.{p.name}", key, "many" if p.many else "one"))
            names = {n["id"]: n["name"] for n in store.list_nodes([p.node])}
            choices[key] = names
            picked = node_defaults(p, names)
            defaults[key] = picked if p.many else (picked[0] if picked else None)
        elif p.choices:  # one of a few values (an algorithm's measure)
            found.append(Field(f"p.{p.name}", key, "one"))
            choices[key] = {c: c for c in p.choices}
            defaults[key] = p.default
        elif isinstance(p.default, int) and not isinstance(p.default, bool):
            found.append(Field(f"p.{p.name}", key, "int", -(10 ** 9), 10 ** 9))
            defaults[key] = int(p.default)
        else:
            found.append(Field(f"p.{p.name}", key, "text"))
            defaults[key] = str(p.default or "")
    return found, choices, defaults


named_tab, cypher_tab = st.tabs(["Named questions", "Cypher (read-only)"])

with named_tab:
    try:
        from graph import queries  # noqa: PLC0415

        library = queries.load_library()
    except Exception as exc:  # noqa: BLE001 - a missing or broken library must not take the page down
        library = []
        st.warning(f"The query library could not be loaded ({escape_md(type(exc).__name__)}: {escape_md(exc)}).")
    if library:
        by_name = {q.name: q for q in library}
        view.restore({"query_name": list(by_name)}, {"query_name": next(iter(by_name))},
                     only=[f for f in view_fields if f.key == "query_name"])
        name = st.selectbox("Question", list(by_name), key="query_name",
                            format_func=lambda n: n.replace("-", " ").capitalize())
        spec = by_name[name]
        extra, extra_choices, extra_defaults = param_fields(spec)
        view.restore(extra_choices, extra_defaults, only=extra)
        st.caption(escape_md(spec.description))
        params: dict[str, Any] = {}
        if spec.params:
            cols = st.columns(min(3, len(spec.params)))
            for i, p in enumerate(spec.params):
                with cols[i % len(cols)]:
                    key = f"query_param_{name}_{p.name}"
                    if p.node:  # a picker of the nodes of that kind; the value is their id(s)
                        params[p.name] = node_picker(p, key)
                    elif p.choices:
                        params[p.name] = st.selectbox(p.name, list(p.choices), index=list(p.choices).index(p.default),
                                                      key=key, help=p.description or None)
                    elif isinstance(p.default, int) and not isinstance(p.default, bool):
                        params[p.name] = st.number_input(p.name, value=int(p.default), step=1, key=key,
                                                         help=p.description or None)
                    else:
                        params[p.name] = st.text_input(p.name, value=str(p.default or ""), key=key,
                                                       help=p.description or None)
        result = run(lambda: queries.run_named(store, spec.name, params))
        if result is not None:
            show_result(spec.name.replace("-", " ").capitalize(), result, f"query-{spec.name}")

with cypher_tab:
    st.caption("Only reading is allowed: CREATE, MERGE, SET, DELETE, REMOVE, LOAD CSV and procedure calls are "
               "refused. The embedded store understands a subset of Cypher; the Neo4j store runs it all.")
    view.restore(defaults={"query_cypher": EXAMPLE}, only=[f for f in view_fields if f.key == "query_cypher"])
    text = st.text_area("Cypher", value=EXAMPLE, height=130, key="query_cypher")
    lim_col, run_col = st.columns([1, 3], vertical_alignment="bottom")
    with lim_col:
        limit = st.number_input("Row limit", min_value=1, max_value=10_000, value=1000, step=100, key="query_limit")
    with run_col:
        clicked = st.button("Run Cypher", type="primary", key="query_run_cypher")
    if clicked:
        st.session_state.pop(RESULT_KEY, None)
        outcome = run(lambda: store.cypher(text or "", None, limit=int(limit), timeout=10.0))
        if outcome is not None:
            st.session_state[RESULT_KEY] = {"query": text, "result": outcome}
    kept = st.session_state.get(RESULT_KEY)
    if kept and kept.get("query") == text:
        show_result("Cypher query", kept["result"], "cypher-result")
    elif kept:
        st.caption("The query changed: run it to see its result.")
view.publish()
