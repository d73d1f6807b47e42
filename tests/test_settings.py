"""Settings are read in one place (`atlas.settings`) and secrets never reach a message."""
from __future__ import annotations

from pathlib import Path

import pytest

from atlas.settings import DEFAULT_NEO4J_USER, Neo4jSettings, read_settings
from graph.errors import redact
from loaders.corpus import DEFAULT_DATA


def test_environment_settings():
    env = {"NEO4J_URI": "bolt://h:7687", "NEO4J_USER": "u", "NEO4J_PASSWORD": "p4ss", "PATTERN_ATLAS_DATA": "/c"}
    settings = read_settings(env)
    assert settings.neo4j == Neo4jSettings("bolt://h:7687", "u", "p4ss", None)
    assert settings.data_dir == Path("/c")
    assert "p4ss" not in repr(settings)


def test_defaults_are_the_same_for_every_front_end():
    assert read_settings({}).neo4j is None and read_settings({}).data_dir == DEFAULT_DATA
    only_uri = read_settings({"NEO4J_URI": "bolt://h"}).neo4j
    assert only_uri is not None and only_uri.user == DEFAULT_NEO4J_USER and only_uri.database is None
    assert read_settings({"NEO4J_URI": "bolt://h", "NEO4J_USERNAME": "v"}).neo4j.user == "v"


def test_secrets_come_before_the_environment():
    secrets = {"neo4j": {"uri": "neo4j://s", "user": "v", "password": "w9", "database": "atlas"}}
    neo4j = read_settings({"NEO4J_URI": "bolt://env"}, secrets).neo4j
    assert neo4j == Neo4jSettings("neo4j://s", "v", "w9", "atlas")


def test_a_broken_secrets_file_means_not_configured():
    class Broken:
        def __contains__(self, key):
            raise FileNotFoundError("no secrets")

    assert read_settings({}, Broken()).neo4j is None


@pytest.mark.parametrize("text", ["failed bolt://u:p4ss@h:7687 with p4ss", "p4ss", "neo4j+s://u:p4ss@h"])
def test_redaction_removes_passwords_and_uri_credentials(text):
    out = Neo4jSettings("bolt://u:p4ss@h:7687", "u", "p4ss").redact(text)
    assert "p4ss" not in out and "u:" not in out and "h:7687" not in out
    assert redact("bolt://u:p4ss@h:7687/db") == "bolt://h:7687/db"
