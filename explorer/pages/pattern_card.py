"""Pattern card: one pattern's card, section by section, every line with its source place."""
from __future__ import annotations

import streamlit as st

from explorer import drawings, views
from explorer.pages.common import atlas, badge, correction_form, disclaimer, draw, pattern_nodes, show_provenance, tidy
from explorer.urlbind import view_for
from explorer.views import escape_md
from loaders.corrections import CORRECTABLE, section_lines

FLASH = "card_flash"

ctx = atlas()
store = ctx.store
patterns = pattern_nodes(store)

st.title("Pattern card")
flash = st.session_state.pop(FLASH, None)
if flash:
    st.success(escape_md(flash))
if not patterns:
    st.info("No patterns are loaded.")
    st.stop()

ids = [p["id"] for p in patterns]
names = {p["id"]: p["name"] for p in patterns}
default = ids.index("pattern:insecure") if "pattern:insecure" in ids else 0
view = view_for("card", choices={"card_pattern": ids}, defaults={"card_pattern": ids[default]})
pid = st.selectbox("Pattern", ids, index=default, key="card_pattern", format_func=lambda i: names.get(i, i),
                   help="Type to search. Patterns without a card come from the catalogue or are only referenced.")
view.publish()
node = store.get_node(pid) or {"id": pid, "kind": "Pattern", "name": names.get(pid, pid)}

st.header(escape_md(node["name"]), anchor=False)
badge(node)
disclaimer()

sections = node.get("sections") or []
if node.get("card"):
    st.caption(f"Card: `{tidy(node['card']).replace('`', '')}` · {len(sections)} "
               f"section{'s' if len(sections) != 1 else ''} · every line ends with the place it was read from")

hood = drawings.card_view(store, pid, node["name"])  # as a story step draws it
with st.expander(f"Neighbourhood: {len(hood.nodes) - 1} nodes one step away", expanded=True):
    draw(hood.nodes, hood.edges, label=hood.label, height=460, key="card_net", layout=hood.layout,
         centre=hood.centre)


def show_section(section: dict) -> None:
    """One section: heading (marked when inferred, with the reason), then each line with file:line."""
    note = views.heading_note(section)
    title = escape_md(section.get("heading") or section.get("key") or "Section")
    if note:
        flag = ("heading inferred" if section.get("heading_status") == "inferred"
                else note.split(":", 1)[0])
        colour = views.status_colour(section.get("heading_status"))
        st.markdown(f"#### {title} :{colour}-badge[{escape_md(flag)}]", help=escape_md(note))
        st.caption(escape_md(views.plain_reason(section) or note[0].upper() + note[1:]))
        if section.get("heading_status") in CORRECTABLE and section.get("items"):
            first, _ = section_lines(section)
            with st.expander("Wrong section? Correct it", icon=":material/edit:"):
                correction_form(ctx, section, node["name"], key=f"card_fix_{pid}_{first}", flash=FLASH)
    else:
        st.markdown(f"#### {title}")
    lines = []
    for row in views.section_rows(section):
        text = escape_md(row["text"])
        where = f":gray[{escape_md(row['place'].rsplit('/', 1)[-1])}]"
        lines.append(f"\n**{text}** {where}\n" if row["subheading"] else f"- {text} {where}")
    if lines:
        st.markdown("\n".join(lines))


if not sections:
    st.info("This pattern has no card loaded: it comes from the catalogue or is named by other cards.")
    if node.get("catalogue_description") or node.get("description"):
        st.markdown(escape_md(node.get("catalogue_description") or node.get("description")))
    st.markdown("**Stated at**")
    show_provenance(node)
else:
    # Two columns, split where the running line count passes half (reading order: left, then right).
    sizes = [len(s.get("items") or []) + 3 for s in sections]
    half, running, split = sum(sizes) / 2, 0, len(sections)
    for i, size in enumerate(sizes):
        if running >= half:
            split = i
            break
        running += size
    left, right = st.columns(2, gap="large")
    with left:
        for section in sections[:split]:
            show_section(section)
    with right:
        for section in sections[split:]:
            show_section(section)
