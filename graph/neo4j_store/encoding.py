"""Node and relationship properties to and from what Neo4j can hold.

Scalars and lists of strings are stored as they are; anything else (provenance, sections, codes) as a
JSON string under `<name>__json`, decoded on the way out. Internal properties are left out of reads.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping

import orjson

from .statements import LOAD_PROP

JSON_SUFFIX = "__json"
#: Internal properties on every node, left out of what reads return.
INTERNAL_PROPS = frozenset({"name_lower", LOAD_PROP})


def encode_props(attrs: Mapping[str, Any], skip: Iterable[str] = ()) -> dict[str, Any]:
    """Properties Neo4j can hold: scalars and lists of scalars as they are, the rest as JSON strings
    (orjson: encoding provenance was most of the client's time in a large load with the json module)."""
    out: dict[str, Any] = {}
    for key, value in attrs.items():
        if key in skip or value is None:
            continue
        if isinstance(value, (str, int, float, bool)):
            out[key] = value
        elif isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            out[key] = value
        else:
            out[key + JSON_SUFFIX] = orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()
    return out


def decode_props(props: Mapping[str, Any]) -> dict[str, Any]:
    """What `encode_props` stored, back as the loaders gave it (internal properties left out)."""
    out: dict[str, Any] = {}
    for key, value in props.items():
        if key.endswith(JSON_SUFFIX):
            out[key[: -len(JSON_SUFFIX)]] = orjson.loads(value)
        elif key not in INTERNAL_PROPS:
            out[key] = list(value) if isinstance(value, (list, tuple)) else value
    return out


def node_props(nid: str, node: Mapping[str, Any]) -> dict[str, Any]:
    """A node's stored properties: encoded, with its id and the lower-case name the name index holds."""
    props = encode_props(node)
    props["id"] = nid
    props["name_lower"] = str(node["name"]).lower()
    return props


def value_rows(props: list[dict[str, Any]],
               heads: list[list[Any]] | None = None) -> tuple[list[str], list[list[Any]]]:
    """The property keys of a batch and one row per item: `heads[i]` then its values in key order
    (None where an item lacks a key: setting a property to null on a new entity sets nothing)."""
    keys = sorted({k for p in props for k in p})
    heads = heads if heads is not None else [[] for _ in props]
    return keys, [head + [p.get(k) for k in keys] for head, p in zip(heads, props, strict=True)]


def edge_record(source: str, etype: str, target: str, props: Mapping[str, Any]) -> dict[str, Any]:
    """An edge as the stores return it: source, target, type and its decoded properties."""
    out = {"source": source, "target": target, "type": etype}
    out.update(decode_props(props))
    return out
