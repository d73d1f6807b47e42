"""Shared fixtures: the shipped corpus and the seed documents alone, loaded once per session."""
from __future__ import annotations

from pathlib import Path

import pytest

from graph.embedded import EmbeddedStore
from loaders.corpus import load_paths

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"
SEED_CARD = DATA / "cards" / "insecure.txt"
SEED_ARTICLE = DATA / "articles" / "roots-of-insecurity.txt"
ALIASES = DATA / "catalogue" / "aliases.yaml"


@pytest.fixture(scope="session")
def seed_result():
    """The two user documents and the alias table only: what the seed files themselves give."""
    return load_paths([SEED_CARD, SEED_ARTICLE, ALIASES])


@pytest.fixture(scope="session")
def seed_graph(seed_result):
    return seed_result.graph


@pytest.fixture(scope="session")
def corpus_result():
    """The whole shipped corpus under data/."""
    return load_paths([DATA])


@pytest.fixture(scope="session")
def corpus_store(corpus_result):
    store = EmbeddedStore()
    store.replace_all(corpus_result.graph)
    return store


def _neo4j_or_skip():
    """A Neo4jStore from the environment; skipped when not configured, but a failure under CI=true."""
    import os

    if not os.environ.get("NEO4J_URI"):
        message = "NEO4J_URI is not set: start a server with `eval \"$(scripts/neo4j.sh start)\"`"
        if os.environ.get("CI") == "true":
            pytest.fail(f"Neo4j is required under CI=true: {message}")
        pytest.skip(message)
    from atlas import open_neo4j, read_settings

    return open_neo4j(read_settings().neo4j)


@pytest.fixture(scope="session")
def neo4j_raw():
    """A connection to the test server (whatever it holds)."""
    store = _neo4j_or_skip()
    yield store
    store.close()


@pytest.fixture(scope="session")
def neo4j_corpus_store(neo4j_raw, corpus_result):
    """The test server holding the shipped corpus."""
    neo4j_raw.replace_all(corpus_result.graph)
    return neo4j_raw


@pytest.fixture(scope="session")
def snapshot_store(corpus_store):
    """The embedded store as the app opens it: from the saved snapshot, its rows read only when asked for."""
    from graph import snapshot

    return EmbeddedStore(snapshot.decode(snapshot.encode(corpus_store.compact, {})))


@pytest.fixture(params=["embedded", "snapshot", "neo4j"])
def any_store(request, corpus_store):
    """Each store, holding the shipped corpus: the parity suite runs every test on each (the embedded
    store both as built and as opened from its snapshot)."""
    if request.param == "embedded":
        return corpus_store
    if request.param == "snapshot":
        return request.getfixturevalue("snapshot_store")
    store = request.getfixturevalue("neo4j_corpus_store")
    if store.counts() != corpus_store.counts():  # another test replaced the graph: restore it
        store.replace_all(request.getfixturevalue("corpus_result").graph)
    return store
