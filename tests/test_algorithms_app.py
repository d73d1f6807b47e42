"""The Explore page's "colour by community" and "size by centrality" through AppTest (issue 15)."""
from __future__ import annotations

from explorer import colouring
from graph import algorithms
from atlas.compose import open_embedded
from test_app import iframes, start, widget


def test_colour_by_community_and_size_by_centrality():
    at = start()
    assert widget(at, "toggle", "explore_community").value is False
    assert widget(at, "selectbox", "explore_size").value == "kind (default)"
    plain = iframes(at)[0]
    widget(at, "toggle", "explore_community").set_value(True).run()
    widget(at, "selectbox", "explore_size").set_value("PageRank").run()
    assert not at.exception
    html = iframes(at)[0]
    assert html != plain
    store = open_embedded()[0]
    found = algorithms.communities(store)
    insecure_colour = colouring.community_colours(found)[0]["pattern:insecure"]
    assert insecure_colour in html
    assert any("Communities (shape still shows the kind)" in h.proto.body and found[0]["label"] in h.proto.body
               for h in at.get("html"))
    widget(at, "selectbox", "explore_centre").set_value("pattern:insecure").run()
    assert not at.exception and insecure_colour in iframes(at)[0]


def test_a_node_may_bring_its_own_colour_and_size():
    from explorer.network_html import KIND_STYLES, render_network

    own = render_network([{"id": "a", "kind": "Pattern", "name": "A", "color": "#123456", "size": 33}], [])
    assert "#123456" in own and '"size":33.0' in own
    bad = render_network([{"id": "a", "kind": "Pattern", "name": "A", "color": "red;}</script>", "size": "x"}], [])
    assert "red;" not in bad and KIND_STYLES["Pattern"]["color"] in bad
