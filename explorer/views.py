"""Pure helpers behind the Streamlit pages: escaping, badges, tables, sentences and subgraphs.

The pages in `explorer/pages/` stay thin: they read widgets, call the store, and hand the results to
these functions, which take and return plain dicts, lists and strings (no Streamlit), so they are
easy to test and shared by every page.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from graph.narrate import edge_sentence, place
from graph.schema import EDGE_TYPES, kind_of

#: Kinds shown side by side on the Compare page, in this order (other kinds follow, by name).
COMPARE_KINDS: tuple[str, ...] = ("Capacity", "CoreIssue", "Origin", "Condition", "Concept", "Role")

#: Plural, reader-facing names of node kinds (for headings and tabs).
KIND_PLURALS: dict[str, str] = {
    "Pattern": "Patterns", "Subtype": "Subtypes", "Capacity": "Capacities", "CoreIssue": "Core issues",
    "Origin": "Origins", "Condition": "Conditions", "Concept": "Concepts", "Role": "Roles",
    "Mechanism": "Mechanisms", "Strategy": "Strategies", "Example": "Examples", "Source": "Sources",
    "DimensionGroup": "Dimension groups", "Dimension": "Dimensions", "Wound": "Wounds",
}

#: Kind priority when a whole-graph view must be capped: patterns first, documents last.
_CAP_PRIORITY = {"Pattern": 0, "Capacity": 1, "CoreIssue": 1, "Origin": 1, "Condition": 2, "Concept": 2,
                 "Role": 2, "Subtype": 3, "Mechanism": 3, "Strategy": 3, "Wound": 3, "Dimension": 3,
                 "DimensionGroup": 3, "Example": 4, "Source": 5}

#: What the Pattern card page says about whose words a pattern's card is.
DISCLAIMER = ("Study material, not clinical guidance: the user's own documents are shown as loaded, and the "
              "authored cards are summaries written for this project. Every claim links to the source line it "
              "came from.")

# -- escaping -------------------------------------------------------------------------------------

# Characters Streamlit's markdown may interpret anywhere in a line: HTML, emphasis, code, links,
# headings, tables, strikethrough, maths, colour/badge directives, entities.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#|~$&!:^])")
# Block markers that only matter at the start of a line: lists, ordered lists, rules, setext.
_MD_LINE_START = re.compile(r"^(\s*)([-+=]|\d+[.)])", re.MULTILINE)


def _literal_marker(m: re.Match[str]) -> str:
    """'\\-' for a bullet or rule, '1\\.' for an ordered-list number: markdown escapes punctuation only,
    so a backslash before the digit would be shown ('\\1. Afraid …')."""
    marker = m.group(2)
    return m.group(1) + (marker[:-1] + "\\" + marker[-1] if marker[0].isdigit() else "\\" + marker)


def escape_md(text: Any, *, multiline: bool = False) -> str:
    """Text made literal for `st.markdown`/`st.caption`: every markdown or HTML-ish character is
    backslash-escaped, so card text such as `<script>` or `**x**` shows as typed and runs nothing.

    Without `multiline`, white space (newlines included) is folded into single spaces.
    """
    s = "" if text is None else str(text)
    if not multiline:
        s = " ".join(s.split())
    s = _MD_SPECIAL.sub(r"\\\1", s)
    s = _MD_LINE_START.sub(_literal_marker, s)
    if multiline:
        s = s.replace("\n", "  \n")
    return s


def unescape_md(text: str) -> str:
    """The inverse of `escape_md` for single-line text (used by tests and plain-text exports)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)


# -- nodes ---------------------------------------------------------------------------------------

def node_label(node: Mapping[str, Any]) -> str:
    """'Insecure · Pattern': a node's name with its kind, for selectboxes and lists."""
    return f"{node.get('name') or node.get('id')} · {node.get('kind', '?')}"


def kind_plural(kind: str) -> str:
    return KIND_PLURALS.get(kind, kind + "s")


def badge_for(node: Mapping[str, Any]) -> tuple[str, str]:
    """(label, colour) telling whose words a pattern's card is, or that it has no card.

    Why: authored cards are study summaries, and a reader must see at a glance which pattern comes
    from the user's own document, from a summary written for the project, or from a catalogue only.
    """
    if node.get("kind") != "Pattern":
        return (node.get("kind", "node"), "gray")
    status = node.get("status")
    if status == "card":
        who = node.get("authorship")
        if who == "user-source":
            return ("user's source document", "green")
        if who == "authored-summary":
            return ("authored summary", "blue")
        return ("uploaded card (authorship not recorded)", "violet")
    if status == "catalogue":
        return ("catalogue entry (no card)", "orange")
    return ("referenced, no card", "gray")


def provenance_items(item: Mapping[str, Any]) -> list[dict[str, str]]:
    """Each provenance entry of a node or edge as {'place': 'file:line', 'text', 'authorship'}."""
    out = []
    for p in item.get("provenance") or []:
        start, end = p.get("start_line"), p.get("end_line")
        lines = f"{start}" if start == end or end is None else f"{start}-{end}"
        out.append({"place": f"{p.get('file', '?')}:{lines}", "text": str(p.get("text") or ""),
                    "authorship": str(p.get("authorship") or "")})
    return out


def told(edge: Mapping[str, Any], names: Mapping[str, str]) -> dict[str, str]:
    """An edge as a sentence with the place and words behind it:
    {'text', 'head', 'rest', 'source', 'quote', 'type'}: `text` is the whole sentence, `head` its
    'A verb B' part and `rest` the description after it. The quote is left empty when it only
    repeats the description the sentence already ends with.
    """
    text = edge_sentence(dict(edge), dict(names))
    head = edge_sentence({k: v for k, v in edge.items() if k != "description"}, dict(names))
    quote = str(((edge.get("provenance") or [{}])[0]).get("text") or "")
    desc = str(edge.get("description") or "")
    if quote and (_same_words(quote, desc) or _norm(quote) in _norm(text)):
        quote = ""  # the sentence already says it word for word
    rest = text[len(head):].lstrip(": ") if text.startswith(head) else ""
    return {"text": text, "head": head, "rest": rest, "source": place(dict(edge)), "quote": quote,
            "type": str(edge.get("type", ""))}


def _norm(s: str) -> str:
    return re.sub(r"[^0-9a-z]+", " ", s.lower().replace("\u2019", "'")).strip()


def _same_words(a: str, b: str) -> bool:
    return bool(a) and _norm(a) == _norm(b)


def node_edge_sentences(edges: Iterable[Mapping[str, Any]], names: Mapping[str, str],
                        skip_types: Iterable[str] = ("DESCRIBES",)) -> list[dict[str, str]]:
    """A node's edges told as sentences (see `told`), grouped by type in the schema's order (so
    combinations and distinctions come first), in the store's order within a type."""
    skip = set(skip_types)
    order = {t: i for i, t in enumerate(EDGE_TYPES)}
    items = [told(e, names) for e in edges if e.get("type") not in skip]
    return sorted(items, key=lambda i: (order.get(i["type"], len(order)), i["type"]))


def section_rows(section: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A card section's lines as {'place': 'file:line', 'line', 'text', 'subheading'}."""
    file = section.get("file") or ""
    return [{"place": f"{file}:{item.get('line')}", "line": item.get("line"),
             "text": str(item.get("text") or item.get("raw") or ""), "subheading": bool(item.get("subheading"))}
            for item in section.get("items") or []]


def heading_note(section: Mapping[str, Any]) -> str:
    """'' for a heading read from the card; otherwise why and how it was inferred (for a caption)."""
    status = section.get("heading_status") or "read"
    if status == "read":
        return ""
    reason = section.get("reason") or "no reason recorded"
    label = {"inferred": "heading inferred", "unknown": "heading unknown",
             "unplaced": "lines not placed under a heading"}.get(status, f"heading {status}")
    return f"{label}: {reason}"


def status_colour(status: str | None) -> str:
    """The badge colour of a section's heading status: inferred orange, corrected blue, unplaced red."""
    return {"corrected": "blue", "unplaced": "red"}.get(str(status), "orange")


def plain_reason(section: Mapping[str, Any]) -> str:
    """Why a section's lines are where they are, as a sentence ('' for a heading read from the card)."""
    status = section.get("heading_status") or "read"
    reason = str(section.get("reason") or "").strip().rstrip(".")
    if status == "read":
        return ""
    if status == "corrected":
        placed = "A correction placed these lines here"
        return f"{placed} ({reason})." if reason else f"{placed}."
    if status == "unplaced":
        return (f"The heading was lost and these lines were not placed: {reason}; they are kept as text."
                if reason else "The heading was lost and these lines were not placed; they are kept as text.")
    if status == "inferred":
        return f"The heading was lost; {reason}." if reason else "The heading was lost."
    return f"{reason[:1].upper()}{reason[1:]}." if reason else ""


# -- whole graph ---------------------------------------------------------------------------------

def cap_by_degree(nodes: Sequence[Mapping[str, Any]], degree: Mapping[str, int], cap: int) -> list[dict[str, Any]]:
    """At most `cap` nodes for a whole-graph view: the best connected (by `degree`, from
    `GraphStore.degrees`) first within kind priority (patterns, then their capacities, issues and
    origins, …), returned in id order."""
    if len(nodes) <= cap:
        return [dict(n) for n in nodes]
    ranked = sorted(nodes, key=lambda n: (_CAP_PRIORITY.get(n.get("kind", ""), 6), -degree.get(n["id"], 0), n["id"]))
    keep = {n["id"] for n in ranked[:max(1, cap)]}
    return [dict(n) for n in nodes if n["id"] in keep]


def showing_caption(shown: int, total: int) -> str:
    """'Showing 150 of 185 nodes' plus a hint to narrow down when some were left out."""
    if shown >= total:
        return f"Showing all {total} nodes."
    return (f"Showing {shown} of {total} nodes. Narrow down: centre on a node, pick fewer kinds or "
            "edge types, or raise the cap.")


# -- compare -------------------------------------------------------------------------------------

def between(edges: Iterable[Mapping[str, Any]], source: str) -> list[dict[str, Any]]:
    """The edges stated on `source`'s side (its card), in order."""
    return [dict(e) for e in edges if e["source"] == source]


def compare_columns(cmp: Mapping[str, Any], names: Mapping[str, str]) -> list[dict[str, Any]]:
    """Shared and unique neighbours of compared patterns, per kind, for side-by-side columns.

    Returns [{'kind', 'shared': [names], 'some': [(name, [pattern names])], 'unique': {id: [names]}}]:
    `shared` are linked to every compared pattern, `some` (three or more patterns) to several but
    not all, `unique` to one only. Kinds in `COMPARE_KINDS` order first, then others, then Pattern.
    """
    ids = [p["id"] for p in cmp["patterns"]]
    linked: dict[str, set[str]] = {}
    kind_of: dict[str, str] = {}
    other_names: dict[str, str] = {}
    for pid in ids:
        for e in cmp["edges"].get(pid, []):
            other = e["target"] if e["source"] == pid else e["source"]
            if other in ids:
                continue
            linked.setdefault(other, set()).add(pid)
    for group in [cmp.get("shared", {})] + list(cmp.get("unique", {}).values()):
        for kind, items in group.items():
            for n in items:
                kind_of[n["id"]] = kind
                other_names[n["id"]] = n["name"]
    for other in linked:
        if other not in kind_of:
            kind_of[other] = _kind_from_id(other)
            other_names[other] = names.get(other, other)
    kinds = sorted(set(kind_of.values()),
                   key=lambda k: (COMPARE_KINDS.index(k) if k in COMPARE_KINDS
                                  else len(COMPARE_KINDS) + (k == "Pattern"), k))
    out = []
    for kind in kinds:
        members = sorted((o for o in linked if kind_of[o] == kind), key=lambda o: other_names[o].lower())
        row = {"kind": kind, "shared": [], "some": [], "unique": {pid: [] for pid in ids}}
        for o in members:
            who = linked[o]
            if len(who) == len(ids):
                row["shared"].append(other_names[o])
            elif len(who) == 1:
                row["unique"][next(iter(who))].append(other_names[o])
            else:
                row["some"].append((other_names[o], [names.get(p, p) for p in ids if p in who]))
        out.append(row)
    return out


def _kind_from_id(node_id: str) -> str:
    try:
        return kind_of(node_id)
    except ValueError:
        return "?"


def compare_subgraph(cmp: Mapping[str, Any], kinds: Iterable[str] = COMPARE_KINDS,
                     per_pattern: int = 12) -> tuple[list[str], list[str]]:
    """(node ids to draw, shared ids to highlight): the compared patterns, their shared neighbours,
    and up to `per_pattern` unique neighbours each, of the given kinds."""
    wanted = set(kinds)
    ids = [p["id"] for p in cmp["patterns"]]
    shared = [n["id"] for k, items in cmp.get("shared", {}).items() if k in wanted or k == "Pattern" for n in items]
    draw = list(ids) + shared
    for pid in ids:
        unique = [n["id"] for k, items in cmp.get("unique", {}).get(pid, {}).items() if k in wanted for n in items]
        draw += unique[:per_pattern]
    return list(dict.fromkeys(draw)), shared


# -- combinations --------------------------------------------------------------------------------

def combination_matrix(patterns: Sequence[Mapping[str, Any]], edges: Iterable[Mapping[str, Any]],
                       only_linked: bool = True) -> tuple[list[str], list[str], list[list[str]]]:
    """(row ids, column ids, cells) of COMBINES_WITH: rows are sources, columns targets, '✓' where
    an edge exists. With `only_linked`, patterns with no combination at all are left out."""
    pairs = {(e["source"], e["target"]) for e in edges if e.get("type", "COMBINES_WITH") == "COMBINES_WITH"}
    ids = [p["id"] for p in patterns]
    if only_linked:
        rows = [i for i in ids if any(s == i for s, _ in pairs)]
        cols = [i for i in ids if any(t == i for _, t in pairs)]
    else:
        rows, cols = list(ids), list(ids)
    cells = [["✓" if (r, c) in pairs else "" for c in cols] for r in rows]
    return rows, cols, cells


def pair_edges(edges: Iterable[Mapping[str, Any]], a: str, b: str) -> list[dict[str, Any]]:
    """The edges between a and b in both directions, a's side first."""
    found = [dict(e) for e in edges if {e["source"], e["target"]} == {a, b} and a != b]
    return sorted(found, key=lambda e: (e["source"] != a, e.get("type", ""), e["target"]))


# -- paths ---------------------------------------------------------------------------------------

def path_label(path: Mapping[str, Any]) -> str:
    """'Insecure → Needy → Self-Judging (2 steps)'."""
    names = " → ".join(n["name"] for n in path["nodes"])
    steps = path.get("length", len(path["nodes"]) - 1)
    return f"{names} ({steps} step{'s' if steps != 1 else ''})"


def path_highlight(path: Mapping[str, Any]) -> tuple[list[str], list[tuple[str, str]]]:
    """(node ids, (from, to) pairs) of a path, for `render_network`'s highlight arguments."""
    nodes = [n["id"] for n in path["nodes"]]
    return nodes, list(zip(nodes, nodes[1:]))


def paths_node_ids(paths: Iterable[Mapping[str, Any]]) -> list[str]:
    """Every node id on the given paths, in first-seen order."""
    return list(dict.fromkeys(n["id"] for p in paths for n in p["nodes"]))


def path_steps(path: Mapping[str, Any]) -> list[dict[str, str]]:
    """A path told step by step: each edge as a sentence with its source place and quote."""
    names = {n["id"]: n["name"] for n in path["nodes"]}
    return [told(e, names) for step in path["steps"] for e in step["edges"]]


def path_ends(nodes: Sequence[Mapping[str, Any]], preferred: tuple[str, str] = ("pattern:insecure",
                                                                               "pattern:self-judging")
              ) -> tuple[str | None, str | None]:
    """The Paths page's first From and To: the preferred patterns where the graph has them, else its first
    two patterns (then nodes), never the same node twice (a corpus without Insecure opened on "Choose two
    different nodes")."""
    ids = [str(n["id"]) for n in nodes]
    known = set(ids)
    patterns = [str(n["id"]) for n in nodes if n.get("kind") == "Pattern"] + ids
    start = preferred[0] if preferred[0] in known else next(iter(patterns), None)
    end = preferred[1] if preferred[1] in known and preferred[1] != start else \
        next((p for p in patterns if p != start), None)
    return start, end
