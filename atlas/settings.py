"""Settings, read in one place: the corpus folder and the Neo4j connection.

Sources, first match wins: Streamlit secrets (`[neo4j] uri/user/password/database`, the app only), the
environment (`PATTERN_ATLAS_DATA`, `NEO4J_URI`, `NEO4J_USER` or `NEO4J_USERNAME`, `NEO4J_PASSWORD`,
`NEO4J_DATABASE`), then the defaults (the repository's `data/`; user `neo4j`; the server's default
database). Every front end (both CLIs, the app, the benchmark, the tests) reads settings through
`read_settings`, so they cannot disagree about a default.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from graph.errors import redact as _redact
from loaders.corpus import DEFAULT_DATA

DEFAULT_NEO4J_USER = "neo4j"


@dataclass(frozen=True)
class Neo4jSettings:
    """Where and how to connect to Neo4j (the password is left out of `repr`)."""

    uri: str
    user: str = DEFAULT_NEO4J_USER
    password: str = field(default="", repr=False)
    database: str | None = None

    def redact(self, text: str) -> str:
        """`text` without this connection's password, and without its URI (with or without credentials):
        what the app shows of a failed connection."""
        return _redact(text, [self.password, self.uri, _redact(self.uri)])


@dataclass(frozen=True)
class Settings:
    """What a front end needs to open a store: the corpus folder, and Neo4j when configured."""

    data_dir: Path = DEFAULT_DATA
    neo4j: Neo4jSettings | None = None


def _secrets_section(secrets: Mapping[str, Any] | None) -> Mapping[str, Any]:
    """The `[neo4j]` table of Streamlit secrets, or {} (a missing or broken secrets file is "not set")."""
    try:
        if secrets is not None and "neo4j" in secrets:
            return secrets["neo4j"] or {}
    except Exception:  # noqa: BLE001 - Streamlit raises several kinds for a missing/unreadable file
        return {}
    return {}


def read_settings(environ: Mapping[str, str] | None = None,
                  secrets: Mapping[str, Any] | None = None) -> Settings:
    """The settings from `secrets`, then `environ` (default `os.environ`), then the defaults.

    Neo4j counts as configured when a URI is given; the user defaults to `neo4j`."""
    env = os.environ if environ is None else environ
    section = _secrets_section(secrets)

    def pick(key: str, *names: str) -> str:
        return str(section.get(key) or next((env[n] for n in names if env.get(n)), ""))

    uri = pick("uri", "NEO4J_URI")
    neo4j = None
    if uri:
        neo4j = Neo4jSettings(uri=uri, user=pick("user", "NEO4J_USER", "NEO4J_USERNAME") or DEFAULT_NEO4J_USER,
                              password=pick("password", "NEO4J_PASSWORD"),
                              database=pick("database", "NEO4J_DATABASE") or None)
    data = env.get("PATTERN_ATLAS_DATA")
    return Settings(data_dir=Path(data) if data else DEFAULT_DATA, neo4j=neo4j)
