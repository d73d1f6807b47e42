"""Views in the URL, through Streamlit's AppTest: every page opens the view a link describes, writes its
view back into the URL, and keeps it across page switches (explorer/urlbind.py)."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from explorer.views import unescape_md

REPO = Path(__file__).resolve().parents[1]
APP = str(REPO / "app.py")
TIMEOUT = 60

#: page file -> (a link's parameters, the widget values they must give)
LINKS = {
    "explore": ({"centre": "pattern:needy", "hops": "2", "kinds": ["Pattern", "Capacity"], "types": ["BLOCKS"],
                 "layout": "radial", "community": "1"},
                {"explore_centre": "pattern:needy", "explore_hops": 2, "explore_kinds": ["Pattern", "Capacity"],
                 "explore_types": ["BLOCKS"], "explore_layout": "radial", "explore_community": True}),
    "pattern_card": ({"pattern": "pattern:victim"}, {"card_pattern": "pattern:victim"}),
    "compare": ({"patterns": ["pattern:needy", "pattern:victim"]},
                {"compare_patterns": ["pattern:needy", "pattern:victim"]}),
    "combinations": ({"a": "pattern:needy", "b": "pattern:insecure"},
                     {"combo_a": "pattern:needy", "combo_b": "pattern:insecure"}),
    "paths": ({"from": "pattern:needy", "to": "pattern:victim", "length": "3", "types": ["COMBINES_WITH"]},
              {"paths_from": "pattern:needy", "paths_to": "pattern:victim", "paths_len": 3,
               "paths_types": ["COMBINES_WITH"]}),
    "query": ({"cypher": "MATCH (p:Pattern) RETURN p.name LIMIT 3"},
              {"query_cypher": "MATCH (p:Pattern) RETURN p.name LIMIT 3"}),
    "differential": ({"observations": "Clings to a partner"}, {"diff_observations": "Clings to a partner"}),
    "sources": ({"document": "data/cards/needy.txt"}, {"sources_doc": "data/cards/needy.txt"}),
}


def opened(page: str, params: dict) -> AppTest:
    """A fresh session (as a new browser) opening `page` at a URL with `params`."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()  # AppTest opens the default page (Start) first
    at.query_params.clear()
    at.switch_page(f"explorer/pages/{page}.py")
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def url(at: AppTest) -> dict[str, list[str]]:
    return {k: [str(x) for x in (v if isinstance(v, list) else [v])] for k, v in at.query_params.items()}


@pytest.mark.parametrize("page", list(LINKS))
def test_a_link_opens_the_same_view_and_the_url_keeps_it(page):
    params, expected = LINKS[page]
    at = opened(page, params)
    for key, value in expected.items():
        assert at.session_state[key] == value, key
    want = {k: v if isinstance(v, list) else [v] for k, v in params.items()}
    assert url(at) == want  # the view written back is the one the link described
    assert not at.warning or all("link" not in w.value for w in at.warning)


def test_changing_a_widget_rewrites_the_url():
    at = opened("explore", {})
    assert url(at) == {}
    at.selectbox(key="explore_centre").set_value("pattern:insecure").run()
    at.slider(key="explore_hops").set_value(2).run()
    assert url(at) == {"centre": ["pattern:insecure"], "hops": ["2"]}
    at.query_params.clear()  # the sidebar's page switch clears the URL's parameters
    at.switch_page("explorer/pages/compare.py").run()
    at.query_params.clear()
    at.switch_page("explorer/pages/explore.py").run()
    assert at.session_state["explore_centre"] == "pattern:insecure"  # reset to the whole graph before
    assert url(at) == {"centre": ["pattern:insecure"], "hops": ["2"]}


def test_unknown_ids_in_a_link_are_left_out_with_a_message():
    at = opened("compare", {"patterns": ["pattern:needy", "pattern:nobody", "pattern:victim"]})
    assert at.session_state["compare_patterns"] == ["pattern:needy", "pattern:victim"]
    assert any("pattern:nobody" in unescape_md(w.value) and "left out" in w.value for w in at.warning)
    at = opened("explore", {"centre": "pattern:nobody", "hops": "99"})
    assert not at.session_state["explore_centre"] and at.session_state["explore_hops"] == 1
    assert url(at) == {}


def test_named_question_parameters_are_in_the_url():
    at = opened("query", {"question": "distinctions-between", "p.b": "pattern:victim", "p.min_patterns": "3"})
    assert at.session_state["query_name"] == "distinctions-between"
    assert at.session_state["query_param_distinctions-between_b"] == "pattern:victim"
    assert url(at) == {"question": ["distinctions-between"], "p.b": ["pattern:victim"]}  # p.min_patterns: not its


def test_parameters_of_others_do_not_freeze_the_widgets():
    """A parameter no page owns (?embed=true) is kept in the URL by publish, and must not make every run
    look like a newly opened link (which would put the widgets back to the link's values)."""
    at = opened("explore", {"embed": "true"})
    at.selectbox(key="explore_centre").set_value("pattern:victim").run()
    at.run()  # a second run: the URL now holds the centre, and the widget keeps it
    assert at.session_state["explore_centre"] == "pattern:victim"
    assert url(at) == {"embed": ["true"], "centre": ["pattern:victim"]}
