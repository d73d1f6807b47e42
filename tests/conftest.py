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
