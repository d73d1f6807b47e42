"""The Neo4j store: the same interface as the embedded store, on a Neo4j 5 server over Bolt.

Node kinds are labels and edge types relationship types, both taken only from the schema's fixed
lists. The package holds, by what they do:

- `statements`: every Cypher statement, built by pure functions (tested without a server);
- `encoding`: properties to and from what Neo4j holds (non-scalars as JSON under `<name>__json`);
- `connection`: connecting, and the store's errors (`Neo4jConfigError`, `LoadConflict`);
- `loading`: atomic replace (stage, swap, sweep in batched `UNWIND` transactions), merge, clear;
- `reads`: the primitives, the neighbourhood in one statement, simple paths, the node cache;
- `usercypher`: read-only user Cypher with timeouts, results in `graph.results`' shape;
- `store`: `Neo4jStore`, all of them behind `GraphStore`.
"""
from __future__ import annotations

from .connection import LoadConflict, Neo4jConfigError, Neo4jUnavailable
from .encoding import decode_props, encode_props
from .statements import COMMON_LABEL, RETIRED_LABEL, STAGING_LABEL
from .store import Neo4jStore

__all__ = ["COMMON_LABEL", "RETIRED_LABEL", "STAGING_LABEL", "LoadConflict", "Neo4jConfigError", "Neo4jStore",
           "Neo4jUnavailable", "decode_props", "encode_props"]
