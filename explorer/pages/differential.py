"""Differential: from what is observed to the patterns it may point to, and what tells them apart.

STUDY MATERIAL, not a diagnostic instrument (the banner says so first). Two modes, thin over
`graph.differential` and `graph.vignettes`: the finder (observations typed or card lines picked) and
teaching exercises (read a vignette, pick patterns, then see the finder's evidence and the distinctions).
"""
from __future__ import annotations

from typing import Any

import streamlit as st

from explorer.pages.common import atlas, tidy
from explorer.urlbind import view_for
from explorer.views import escape_md
from graph import differential as diff
from graph.errors import AtlasError
from graph.vignettes import check, load_vignettes

FINDER, EXERCISE = "Find patterns", "Teaching exercise"
EXAMPLE = "Expects to be rejected by others\nFreezes when asked to perform"

ctx = atlas()
store = ctx.store

st.title("Differential")
st.warning(f"**Study material, not a diagnostic instrument.** {escape_md(diff.NOTICE.split('. ', 1)[1])}",
           icon=":material/school:")


def vignette_ids() -> list[str]:
    """The vignettes' ids a link may name (none when the vignettes cannot be read; the exercise says why)."""
    try:
        return [v.id for v in load_vignettes()]
    except AtlasError:
        return []


view = view_for("differential", choices={"diff_mode": [FINDER, EXERCISE], "diff_vignette": vignette_ids()},
                defaults={"diff_mode": FINDER, "diff_observations": EXAMPLE})
mode = st.radio("Mode", [FINDER, EXERCISE], key="diff_mode", horizontal=True, label_visibility="collapsed")


def place(line: dict[str, Any]) -> str:
    return f"`{tidy(line['place']).replace('`', '')}`"


def show_ranking(result: dict[str, Any]) -> None:
    """The ranked patterns, each with its matching card lines (file:line) per observation."""
    n = len(result["observations"])
    unmatched = [o["text"] for o in result["observations"] if not o["matched"]]
    if unmatched:
        st.caption("No card line shares a word with: " + "; ".join(f"“{escape_md(u)}”" for u in unmatched))
    if not result["ranking"]:
        st.info("No card line matches these observations. Try the words a card would use, or pick card lines.")
        return
    st.subheader("Patterns ranked by the evidence", anchor=False)
    st.caption("Per observation, each pattern's best line counts, relative to the best line of any pattern (at most "
               "1 per observation); the scores are summed. Ties go to the pattern matching more observations.")
    st.dataframe([{"Rank": p["rank"], "Pattern": p["name"], "Score": p["score"],
                   "Observations matched": f"{p['observations_matched']} of {n}"} for p in result["ranking"]],
                 hide_index=True, key="diff_table",
                 column_config={"Score": st.column_config.NumberColumn(format="%.2f")})
    for p in result["ranking"]:
        with st.expander(f"{p['rank']}. {escape_md(p['name'])} · score {p['score']:.2f} · "
                         f"{p['observations_matched']} of {n} observations", expanded=p["rank"] == 1):
            for ev in p["evidence"]:
                st.markdown(f"“{escape_md(ev['text'])}” :gray[({ev['share']:.2f})]")
                for m in ev["matches"]:
                    why = f"names the concept {escape_md(m['concept'])} · " if m.get("concept") else ""
                    st.markdown(f"- {escape_md(m['text'])}  \n  :gray[{why}{escape_md(m['heading'])} ·] {place(m)}")


def show_apart(pairs: list[dict[str, Any]], title: str, sections: int = 3, per_side: int = 4) -> None:
    """For each pair: the distinction sentences from both cards, and the sections that differ most with
    the lines on one card and not the other (what to look for next)."""
    if not pairs:
        return
    st.subheader(title, anchor=False)
    for n, pair in enumerate(pairs):
        names = [escape_md(pair["names"][pair[x]]) for x in ("a", "b")]
        with st.expander(f"{names[0]} or {names[1]}?", expanded=n == 0):
            show_pair(pair, sections, per_side)


def show_pair(pair: dict[str, Any], sections: int, per_side: int) -> None:
    """One pair: its distinction sentences with their places, then per section the lines pointing to
    one pattern and not the other, in two columns."""
    a, b = pair["a"], pair["b"]
    na, nb = pair["names"][a], pair["names"][b]
    for d in pair["distinctions"]:
        st.markdown(f"**From {escape_md(pair['names'][d['stated_on']])}'s card**: {escape_md(d['sentence'])}")
        st.caption("Source: " + ", ".join(tidy(x) for x in d["places"]))
    if not pair["distinctions"]:
        st.caption("Neither card states a distinction between them.")
    st.markdown("**Observations that would separate them**, from the sections that differ most "
                "(lines on one card with no like line on the other; ✓ = already observed):")
    for s in [s for s in pair["sections"] if s["difference"] > 0][:sections]:
        st.markdown(f"*{escape_md(s['heading'])}* :gray[· {s['difference']:.0%} of its words on one card only]")
        cols = st.columns(2)
        for col, side, name in ((cols[0], a, na), (cols[1], b, nb)):
            with col:
                lines = s["only"][side][:per_side]
                if not lines:
                    st.caption(f"Nothing only on {escape_md(name)}'s card here.")
                for ln in lines:
                    mark = "✓ " if ln["observed"] else ""
                    st.markdown(f"- {mark}{escape_md(ln['text'])}  \n  :gray[points to {escape_md(name)} ·] "
                                f"{place(ln)}")


def finder() -> None:
    index = diff.line_index(store)
    text = st.text_area("Observations, one per line", EXAMPLE, key="diff_observations", height=120,
                        help="What you observed, in your own words. Each line (or sentence) is one observation.")
    carded = sorted({ln.pattern for ln in index.lines}, key=lambda i: index.names[i].lower())
    cols = st.columns([1, 2])
    with cols[0]:
        card = st.selectbox("…or pick lines from a card", [""] + carded, key="diff_line_card",
                            on_change=lambda: st.session_state.pop("diff_lines", None),
                            format_func=lambda i: index.names.get(i, "(none)"),
                            help="A card's own words as observations: the finder then shows which other cards "
                                 "say something alike.")
    by_place = {ln.place: ln for ln in index.lines if ln.pattern == card}
    with cols[1]:
        picked = st.multiselect("Card lines", list(by_place), key="diff_lines", disabled=not card,
                                format_func=lambda k: f"{by_place[k].text} ({by_place[k].heading}, {tidy(k)})")
    top = st.slider("Patterns shown", 2, 10, 5, key="diff_top")
    observations = diff.clean_observations([*diff.split_observations(text),
                                            *(by_place[k].text for k in picked if k in by_place)])
    if not observations:
        st.info("Type an observation or pick a card line.")
        return
    result = diff.find(store, observations, top=top)
    show_ranking(result)
    first = min(diff.TELL_APART, len(result["ranking"]))
    show_apart(result["telling_apart"], f"Telling the first {first} apart")


def _new_vignette() -> None:
    st.session_state.pop("diff_picks", None)
    st.session_state.pop("diff_checked", None)


def exercise() -> None:
    vignettes = {v.id: v for v in load_vignettes()}
    if not vignettes:
        st.info("No vignettes in data/vignettes/.")
        return
    index = diff.line_index(store)
    names = {n: index.names[n] for n in sorted({ln.pattern for ln in index.lines}, key=lambda i: index.names[i])}
    vid = st.selectbox("Vignette", list(vignettes), key="diff_vignette", on_change=_new_vignette,
                       format_func=lambda i: vignettes[i].title)
    v = vignettes[vid]
    st.caption("An invented case written for this project to practise with: not a real person.")
    with st.container(border=True):
        st.markdown(escape_md(v.text, multiline=True))
    picks = st.multiselect("Which patterns does it show? Pick one or more", list(names), key="diff_picks",
                           format_func=lambda i: names.get(i, i))
    if st.button("Check my picks", key="diff_check", disabled=not picks, icon=":material/task_alt:"):
        st.session_state["diff_checked"] = vid
    if st.session_state.get("diff_checked") != vid:
        st.caption("Pick patterns, then check them against the patterns the vignette was written to show.")
        return
    outcome = check(store, v, picks)

    def said(ids: list[str]) -> str:
        return ", ".join(names.get(i, i) for i in ids)

    if outcome["all_right"]:
        st.success(f"Your picks match: this vignette was written to show {escape_md(said(outcome['written_for']))}.")
    else:
        parts = [f"written to show {said(outcome['written_for'])}"]
        parts += [f"right: {said(outcome['right'])}"] if outcome["right"] else []
        parts += [f"missed: {said(outcome['missed'])}"] if outcome["missed"] else []
        parts += [f"not intended: {said(outcome['extra'])}"] if outcome["extra"] else []
        st.warning(escape_md("Not quite. This vignette was " + "; ".join(parts) + "."))
    if v.note:
        st.caption(escape_md(f"What it brings out: {v.note}"))
    ranks = "; ".join(f"{names.get(p, p)}: {'rank ' + str(r) if r else 'not matched'}"
                      for p, r in outcome["finder_ranks"].items())
    st.caption(escape_md(f"Where the finder ranks them: {ranks}."))
    result = outcome["finder"]
    show_ranking(result)
    show_apart(result["telling_apart"], "What tells the finder's first patterns apart")
    pairs = [(x, w) for x in outcome["extra"] for w in outcome["written_for"]][:3]
    if pairs:
        apart = [p for x, w in pairs for p in diff.tell_apart(store, [x, w])]
        show_apart(apart, "Your pick or the intended pattern?")


if mode == EXERCISE:
    exercise()
else:
    finder()
view.publish()
