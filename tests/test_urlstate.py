"""Views in the URL: the pure encoding and decoding of a page's state (explorer/urlstate.py)."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from explorer import urlstate
from explorer.urlstate import FIELDS, MAX_TEXT, Field

EXPLORE = urlstate.fields("explore")
IDS = {"pattern:insecure", "pattern:needy", "capacity:belonging"}


def as_lists(encoded: dict) -> dict[str, list[str]]:
    return {k: [v] if isinstance(v, str) else list(v) for k, v in encoded.items()}


def test_explore_round_trip_leaves_defaults_out():
    values = {"explore_centre": "pattern:insecure", "explore_hops": 2, "explore_kinds": ["Pattern", "Capacity"],
              "explore_types": ["BLOCKS"], "explore_cap": 150, "explore_layout": "radial",
              "explore_community": True, "explore_size": "PageRank"}
    defaults = {"explore_cap": 150, "explore_layout": "force", "explore_hops": 1}
    encoded = urlstate.encode(EXPLORE, values, defaults)
    assert encoded == {"centre": "pattern:insecure", "hops": "2", "kinds": ["Pattern", "Capacity"],
                       "types": ["BLOCKS"], "layout": "radial", "community": "1", "size": "PageRank"}
    choices = {"explore_centre": IDS, "explore_kinds": {"Pattern", "Capacity"}, "explore_types": {"BLOCKS"},
               "explore_size": {"PageRank", "None"}, "explore_layout": {"force", "radial"}}
    decoded, messages = urlstate.decode(EXPLORE, as_lists(encoded), choices)
    assert messages == []
    assert decoded == {k: v for k, v in values.items() if k != "explore_cap"}


def test_every_page_round_trips_through_a_query_string():
    for page, page_fields in FIELDS.items():
        values = {}
        for f in page_fields:
            values[f.key] = {"one": "a:b c/d", "many": ["x:1", "y,2"], "int": f.high, "bool": True,
                             "text": "MATCH (p) RETURN p.name // é & ?"}[f.shape]
        query = urlstate.query_string(urlstate.encode(page_fields, values))
        params = parse_qs(urlsplit("http://h/p" + query).query)
        decoded, messages = urlstate.decode(page_fields, params)
        assert (decoded, messages) == (values, []), page


def test_unknown_ids_are_left_out_with_a_message():
    params = {"centre": ["pattern:nobody"], "kinds": ["Pattern", "Spaceship"], "hops": ["2"]}
    decoded, messages = urlstate.decode(EXPLORE, params, {"explore_centre": IDS, "explore_kinds": {"Pattern"}})
    assert decoded == {"explore_kinds": ["Pattern"], "explore_hops": 2}
    assert len(messages) == 2
    assert "centre" in messages[0] and "'pattern:nobody'" in messages[0]
    assert "kinds" in messages[1] and "'Spaceship'" in messages[1]


@pytest.mark.parametrize("given", ["0", "5", "two", "1e3", "9" * 40, "", " "])
def test_numbers_out_of_range_or_not_numbers_are_left_out(given):
    decoded, messages = urlstate.decode(EXPLORE, {"hops": [given]})
    assert decoded == {}
    assert messages and "from 1 to 4" in messages[0]


def test_bad_booleans_long_texts_and_long_lists():
    decoded, messages = urlstate.decode(EXPLORE, {"community": ["maybe"]})
    assert decoded == {} and "not 1 or 0" in messages[0]
    decoded, messages = urlstate.decode(EXPLORE, {"community": ["TRUE"]})
    assert decoded == {"explore_community": True} and messages == []
    query = urlstate.fields("query")
    decoded, messages = urlstate.decode(query, {"cypher": ["x" * (MAX_TEXT + 1)]})
    assert decoded == {} and "longer than" in messages[0]
    many = [f"k{i}" for i in range(200)]
    decoded, messages = urlstate.decode(EXPLORE, {"kinds": many})
    assert decoded["explore_kinds"] == many[:urlstate.MAX_ITEMS] and messages


def test_last_value_wins_for_single_fields_and_duplicates_drop():
    decoded, _ = urlstate.decode(EXPLORE, {"centre": ["pattern:needy", "pattern:insecure"],
                                           "kinds": ["Pattern", "Pattern"]}, {"explore_centre": IDS})
    assert decoded == {"explore_centre": "pattern:insecure", "explore_kinds": ["Pattern"]}


def test_empty_values_and_unknown_params_are_ignored():
    assert urlstate.encode(EXPLORE, {"explore_centre": None, "explore_kinds": []}) == {}
    assert urlstate.decode(EXPLORE, {"utm_source": ["x"], "centre": []}) == ({}, [])
    assert urlstate.query_string({}) == ""


def test_extra_fields_for_a_page_built_at_run_time():
    extra = (Field("p.pattern", "query_param_x_pattern"), Field("p.limit", "query_param_x_limit", "int", 0, 99))
    encoded = urlstate.encode(extra, {"query_param_x_pattern": "pattern:needy", "query_param_x_limit": 5})
    assert encoded == {"p.pattern": "pattern:needy", "p.limit": "5"}
    assert urlstate.decode(extra, as_lists(encoded))[0] == {"query_param_x_pattern": "pattern:needy",
                                                            "query_param_x_limit": 5}


def test_every_page_with_a_view_has_its_script():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    for page in FIELDS:
        assert (root / urlstate.page_file(page)).is_file(), page
    assert urlstate.page_file("card") == "explorer/pages/pattern_card.py"


def test_every_widget_key_is_unique_and_namespaced_by_page():
    keys = [f.key for fs in FIELDS.values() for f in fs]
    assert len(keys) == len(set(keys))
    prefixes = {"explore": "explore_", "card": "card_", "compare": "compare_", "combinations": "combo_",
                "paths": "paths_", "query": "query_", "differential": "diff_", "sources": "sources_",
                "export": "export_", "story": "story_"}
    for page, fs in FIELDS.items():
        assert all(f.key.startswith(prefixes[page]) for f in fs), page
