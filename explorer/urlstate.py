"""A page's view as URL query parameters, and back: pure functions, no Streamlit.

Every page keeps what it shows (the Explore centre and filters, the compared patterns, the path ends,
the query …) in the URL, so a link opens the same view for someone else and survives a reload and a
page switch. `FIELDS` says, per page, which URL parameter holds which widget's value and of what shape;
`encode` writes a view's values as parameters (leaving out the ones at their default), `decode` reads
parameters back, checking each against what the graph holds: an unknown id, a number out of range or a
text too long is left out with a message, never an error (a link may come from another corpus).
`explorer/urlbind.py` ties these to `st.query_params` and the widgets.
"""
from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

#: Longest text kept from a URL parameter (a Cypher query, observations); longer ones are left out.
MAX_TEXT = 4000
#: Most values kept for one list parameter (node kinds, edge types, compared patterns).
MAX_ITEMS = 64
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


@dataclass(frozen=True)
class Field:
    """One piece of a page's view: its URL parameter, the widget key holding it and its shape.

    shape: "one" (a value from a known set, e.g. a node id), "many" (a list of such values), "int"
    (between `low` and `high`), "bool", or "text" (free text up to MAX_TEXT characters).
    """

    param: str
    key: str
    shape: str = "one"
    low: int = 0
    high: int = 0


FIELDS: dict[str, tuple[Field, ...]] = {
    "explore": (Field("centre", "explore_centre"), Field("hops", "explore_hops", "int", 1, 4),
                Field("kinds", "explore_kinds", "many"), Field("types", "explore_types", "many"),
                Field("cap", "explore_cap", "int", 10, 1000), Field("layout", "explore_layout"),
                Field("community", "explore_community", "bool"), Field("size", "explore_size")),
    "card": (Field("pattern", "card_pattern"),),
    "compare": (Field("patterns", "compare_patterns", "many"),),
    "combinations": (Field("a", "combo_a"), Field("b", "combo_b")),
    "paths": (Field("from", "paths_from"), Field("to", "paths_to"), Field("types", "paths_types", "many"),
              Field("length", "paths_len", "int", 1, 6)),
    "query": (Field("question", "query_name"), Field("cypher", "query_cypher", "text")),
    "differential": (Field("mode", "diff_mode"), Field("observations", "diff_observations", "text"),
                     Field("vignette", "diff_vignette")),
    "sources": (Field("document", "sources_doc"),),
    "export": (Field("what", "export_what"),),
    "story": (Field("story", "story_id"), Field("step", "story_step", "int", 1, 50)),
}

#: Parameters a page makes at run time (a named question's parameters), all its own: one not used now goes.
DYNAMIC_PREFIX = {"query": "p."}
#: Parameters every page keeps (the uploaded-documents token, see explorer/urlbind.py).
GLOBAL_PARAMS = ("upload",)


def page_file(page: str) -> str:
    """The script of a page (by its URL path, as app.py names it), for st.switch_page and st.page_link."""
    return f"explorer/pages/{'pattern_card' if page == 'card' else page}.py"


def fields(page: str) -> tuple[Field, ...]:
    """The page's fields (none for a page without a view to keep)."""
    return FIELDS.get(page, ())


def encode(page_fields: Sequence[Field], values: Mapping[str, Any],
           defaults: Mapping[str, Any] | None = None) -> dict[str, str | list[str]]:
    """The URL parameters of a view: `values` by widget key; a value equal to its default (by widget key
    in `defaults`) or empty is left out, so a plain view has a short URL. Lists become repeated
    parameters (`?patterns=a&patterns=b`), booleans 1/0."""
    defaults = defaults or {}
    out: dict[str, str | list[str]] = {}
    for f in page_fields:
        if f.key not in values:
            continue
        value = values[f.key]
        if f.key in defaults and _same(value, defaults[f.key]):
            continue
        if value is None or value == "" or (f.shape == "many" and not value):
            continue
        if f.shape == "many":
            out[f.param] = [str(v) for v in value]
        elif f.shape == "bool":
            out[f.param] = "1" if value else "0"
        else:
            out[f.param] = str(value)
    return out


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return list(a) == list(b)
    return bool(a == b)


def decode(page_fields: Sequence[Field], params: Mapping[str, Sequence[str]],
           choices: Mapping[str, Collection[Any]] | None = None) -> tuple[dict[str, Any], list[str]]:
    """(values by widget key, messages) from URL parameters (each a list of the values given). A "one" or
    "many" field whose key has `choices` keeps only values among them; the rest are left out, each with
    a message naming the parameter and value. Parameters the page does not know are ignored."""
    choices = choices or {}
    values: dict[str, Any] = {}
    messages: list[str] = []
    for f in page_fields:
        given = [str(v) for v in params.get(f.param, ()) if v is not None]
        if not given:
            continue
        value, problem = _read(f, given, choices.get(f.key))
        if problem:
            messages.append(f"The link's {f.param} {problem}; it was left out.")
        if value is not None:
            values[f.key] = value
    return values, messages


def _read(f: Field, given: list[str], allowed: Collection[Any] | None) -> tuple[Any, str]:
    """One field's value from its parameter's values, and what was wrong with them ('' if nothing)."""
    if f.shape == "many":
        kept = list(dict.fromkeys(v for v in given[:MAX_ITEMS] if allowed is None or v in allowed))
        unknown = [v for v in given[:MAX_ITEMS] if allowed is not None and v not in allowed]
        problem = f"names what this graph does not hold ({_listed(unknown)})" if unknown else ""
        if len(given) > MAX_ITEMS:
            problem = problem or f"has more than {MAX_ITEMS} values (the rest)"
        return (kept or None), problem
    value = given[-1]
    if f.shape == "text":
        return (value, "") if len(value) <= MAX_TEXT else (None, f"is longer than {MAX_TEXT:,} characters")
    if f.shape == "bool":
        low = value.lower()
        if low in _TRUE | _FALSE:
            return low in _TRUE, ""
        return None, f"is {_short(value)}, not 1 or 0"
    if f.shape == "int":
        try:
            number = int(value.strip()) if len(value) <= 12 else None
        except ValueError:
            number = None
        if number is None or not f.low <= number <= f.high:
            return None, f"is {_short(value)}, not a whole number from {f.low} to {f.high}"
        return number, ""
    if allowed is not None and value not in allowed:
        return None, f"names what this graph does not hold ({_short(value)})"
    return value, ""


def _short(value: str) -> str:
    return repr(value if len(value) <= 60 else value[:57] + "...")


def _listed(values: Sequence[str]) -> str:
    shown = ", ".join(_short(v) for v in values[:3])
    return shown + (f" and {len(values) - 3} more" if len(values) > 3 else "")


def query_string(params: Mapping[str, str | Sequence[str]]) -> str:
    """`?a=1&b=x&b=y` for parameters as `encode` gives them ('' for none), percent-encoded."""
    from urllib.parse import urlencode  # noqa: PLC0415 - small, only needed here

    pairs = [(k, v) for k, vs in params.items() for v in ([vs] if isinstance(vs, str) else vs)]
    return "?" + urlencode(pairs) if pairs else ""
