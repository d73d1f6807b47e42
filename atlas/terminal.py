"""Text output of the query CLI: control characters from documents escaped, result tables, JSON.

A card's text can hold terminal escapes (ANSI colour, OSC title or clipboard sequences, CR, backspace);
nothing printed by `python -m graph` lets them act: strings pass through `visible`, and standard output
is wrapped in `TerminalText`, which escapes whatever was printed without it.
"""
from __future__ import annotations

import json
import re
from typing import Any, TextIO

from graph import export
from graph.results import text

#: Controls a terminal may act on: C0 (tab and LF too), DEL and C1. ESC starts ANSI colour, cursor and
#: OSC (title, hyperlink, clipboard) sequences; CR and backspace overwrite what was printed.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")
#: The same, less tab and LF: what the program's own output may hold (its lines and columns).
_CONTROLS_BUT_LAYOUT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _escape(match: re.Match[str]) -> str:
    return f"\\x{ord(match.group()):02x}"


def visible(text: str) -> str:
    """`text` with every control character written as an escape (`\\x1b`, `\\x0a`): a card's text can
    neither drive the terminal nor start a line of its own."""
    return _CONTROLS.sub(_escape, text)


def visible_all(value: Any) -> Any:
    """A store's answer with every string in it (keys too) passed through `visible`."""
    if isinstance(value, str):
        return visible(value)
    if isinstance(value, dict):
        return {(visible(k) if isinstance(k, str) else k): visible_all(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [visible_all(v) for v in value]
    return value


class TerminalText:
    """Standard output for text answers: whatever reaches it is written with its control characters
    escaped (tab and LF, the output's own layout, pass), in case a value was printed without `visible`."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(_CONTROLS_BUT_LAYOUT.sub(_escape, text))
        return len(text)

    def flush(self) -> None:
        self._stream.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def json_dumps(value: Any) -> str:
    """`--json` output: exact JSON, with every control character (DEL and C1 too) as a `\\u` escape."""
    return export.json_text(json.dumps(value, ensure_ascii=False, indent=1))


def cell(value: Any) -> str:
    """A result cell as text: a relationship or path as Cypher draws it, other lists and maps as JSON."""
    drawn = text(value)
    if drawn is not None:
        return drawn
    if isinstance(value, list) and value and all(text(v) is not None for v in value):
        return ", ".join(text(v) for v in value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else str(value)


def print_table(result: dict[str, Any]) -> None:
    columns = [visible(str(c)) for c in result["columns"]]
    rows = [[visible(cell(v)) for v in row] for row in result["rows"]]
    widths = [min(60, max([len(c)] + [len(r[i]) for r in rows])) for i, c in enumerate(columns)]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join((v if len(v) <= w else v[: w - 1] + "…").ljust(w) for v, w in zip(row, widths, strict=True)))
    more = ", more exist: cut at the limit" if result["truncated"] else ""
    print(f"({len(rows)} row{'s' if len(rows) != 1 else ''}{more})")
