"""Query results for the page: cells as text, records for the table, CSV, the names a result holds,
and short labels for matrix columns. Pure functions, no Streamlit."""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from typing import Any

from graph.results import text


def cell_text(value: Any) -> Any:
    """A result cell for a table: scalars as they are, a node as its name, a relationship or path as
    Cypher draws it (`(Insecure)-[:BLOCKS]->(Belonging)`), anything else as JSON."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    drawn = text(value)
    if drawn is not None:
        return drawn
    if isinstance(value, Mapping) and "id" in value and "name" in value:
        return f"{value.get('name')} ({value.get('id')})"
    if isinstance(value, list) and value and all(text(v) is not None for v in value):
        return ", ".join(text(v) for v in value)
    return json.dumps(value, ensure_ascii=False, default=str)


def result_records(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[dict[str, Any]]:
    """Query rows as records for `st.dataframe` (column names made unique)."""
    names = _unique_names(columns)
    return [{n: cell_text(v) for n, v in zip(names, row)} for row in rows]


def _unique_names(columns: Sequence[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for c in columns:
        c = str(c)
        seen[c] = seen.get(c, 0) + 1
        out.append(c if seen[c] == 1 else f"{c} ({seen[c]})")
    return out


def result_csv(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    """Query rows as CSV bytes (UTF-8, nodes as 'name (id)', nested values as JSON)."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([str(c) for c in columns])
    for row in rows:
        writer.writerow(["" if v is None else cell_text(v) for v in row])
    return buf.getvalue().encode("utf-8")


def short_label(name: str, limit: int = 10) -> str:
    """A column header that fits a narrow matrix: 'Passive-Aggressive' -> 'Passive-A.', 'Codependent'
    -> 'Codepend.'; names up to `limit` characters stay whole (the full name goes in a tooltip)."""
    if len(name) <= limit:
        return name
    if "-" in name:
        head, tail = name.split("-", 1)
        short = f"{head}-{tail[:1]}."
        if len(short) <= limit + 1:
            return short
    return name[: limit - 2].rstrip("- ") + "."


def short_labels(names: Sequence[str], limit: int = 10) -> list[str]:
    """`short_label` for each name, kept unique (a clash keeps the full names)."""
    shorts = [short_label(n, limit) for n in names]
    return [s if shorts.count(s) == 1 else n for s, n in zip(shorts, names)]


def names_in_rows(rows: Sequence[Sequence[Any]], limit: int = 200) -> list[str]:
    """The distinct short text cells of result rows (candidate node names), in first-seen order.

    Why: library queries often return names rather than nodes; the page looks these up to draw
    the result as a graph anyway.
    """
    seen: dict[str, None] = {}
    for row in rows:
        for cell in row:
            values = cell if isinstance(cell, list) else [cell]
            for v in values:
                if isinstance(v, str) and 0 < len(v) <= 120 and v not in seen:
                    seen[v] = None
                    if len(seen) >= limit:
                        return list(seen)
    return list(seen)
