"""Telling graph facts as sentences: 'Insecure combines with Needy: feels insecure about …'."""
from __future__ import annotations

from typing import Any

from .schema import EDGE_TYPES


def place(edge_or_node: dict[str, Any]) -> str:
    """'file:line' (or 'file:start-end') of the first provenance entry, or ''."""
    prov = edge_or_node.get("provenance") or []
    if not prov:
        return ""
    p = prov[0]
    lines = f"{p['start_line']}" if p["start_line"] == p["end_line"] else f"{p['start_line']}-{p['end_line']}"
    return f"{p['file']}:{lines}"


def edge_sentence(edge: dict[str, Any], names: dict[str, str]) -> str:
    """One edge as a sentence, in its stored direction, with its description when it has one."""
    verb = EDGE_TYPES.get(edge["type"], (edge["type"].lower().replace("_", " "), ""))[0]
    text = f"{names.get(edge['source'], edge['source'])} {verb} {names.get(edge['target'], edge['target'])}"
    desc = edge.get("description")
    if edge.get("side"):
        text += f" ({edge['side']} side)"
    if desc and edge["type"] not in ("DESCRIBES",):
        d = desc[0].lower() + desc[1:] if desc[:1].isupper() and not desc[1:2].isupper() else desc
        text += f": {d}"
    return text


def path_sentences(path: dict[str, Any]) -> list[dict[str, str]]:
    """Each step of a path as sentences with the source place behind each: [{'text', 'source'}]."""
    names = {n["id"]: n["name"] for n in path["nodes"]}
    out = []
    for step in path["steps"]:
        for edge in step["edges"]:
            out.append({"text": edge_sentence(edge, names), "source": place(edge),
                        "quote": (edge.get("provenance") or [{}])[0].get("text", "")})
    return out
