"""The Streamlit app, page by page, through Streamlit's AppTest; and the pure helpers in explorer/views.py."""
from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
from pathlib import Path

import networkx as nx
import pytest
from streamlit.testing.v1 import AppTest

from atlas.compose import open_embedded
from explorer import result_views, source_views, views
from graph import export

REPO = Path(__file__).resolve().parents[1]
APP = str(REPO / "app.py")
FIXTURES = REPO / "tests" / "fixtures"
TIMEOUT = 30

XSS_CARD = (b"Xss Pattern\n\nDescription\n\n<script>alert(1)</script>\n\n"
            b"<img src=x onerror=alert(2)> **bold** [link](javascript:alert(3)) &lt;b&gt; :red[x] $x$\n")


# -- helpers -------------------------------------------------------------------------------------

def start(page: str | None = None, **secrets) -> AppTest:
    """The app run once (it opens on the Start page), then switched to `page` (a file name in
    explorer/pages/; Explore when none is given)."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in secrets.items():
        at.secrets[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    go(at, page or "explore")
    return at


def go(at: AppTest, page: str) -> AppTest:
    at.switch_page(f"explorer/pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def shown(at: AppTest) -> str:
    """Every markdown, caption, header and alert on the page as plain text (escapes removed)."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [h.value for h in at.title] + [h.value for h in at.header] + [h.value for h in at.subheader]
    parts += [e.value for e in at.info] + [e.value for e in at.success] + [e.value for e in at.warning]
    parts += [e.value for e in at.error]
    return "\n".join(views.unescape_md(re.sub(r"(?<!\\)\*\*", "", str(p))) for p in parts)


def bare(markup: str, text: str) -> bool:
    """Whether `markup` occurs in `text` without a backslash escape before it."""
    return re.search(r"(?<!\\)" + re.escape(markup), text) is not None


def drop_upload(at: AppTest) -> None:
    """Reload from data/ (which also deletes the upload's temporary folder)."""
    go(at, "sources")
    widget(at, "button", "sources_reload").click().run()
    assert "atlas_custom" not in at.session_state


def iframes(at: AppTest) -> list[str]:
    """What each network canvas on the page was given to draw (its JSON arguments), in page order."""
    return [el.proto.json_args for el in at.get("component_instance")
            if el.proto.component_name.endswith("atlas_network")]


def widget(at: AppTest, kind: str, key: str):
    return getattr(at, kind)(key=key)


# -- every page renders ---------------------------------------------------------------------------

@pytest.mark.parametrize("page,title", [
    (None, "Explore"), ("pattern_card", "Pattern card"), ("compare", "Compare patterns"),
    ("combinations", "Combinations"), ("paths", "Paths"), ("query", "Query"), ("sources", "Sources"),
    ("export", "Export"), ("start", "Pattern Atlas"), ("story", "Stories"),
])
def test_every_page_renders_without_errors(page, title):
    at = start(page)
    assert [t.value for t in at.title] == [title]
    assert not at.error
    assert "Graph: data/" in " ".join(c.value for c in at.sidebar.caption)
    assert not any(getattr(m.proto, "allow_html", False) for m in at.markdown)  # never raw HTML


# -- Explore -------------------------------------------------------------------------------------

def test_explore_whole_graph_with_filters_and_cap():
    at = start()
    assert widget(at, "selectbox", "explore_centre").value == ""  # (whole graph)
    assert widget(at, "slider", "explore_cap").value == 150
    assert widget(at, "selectbox", "explore_layout").value == "force"
    assert "Pattern" in widget(at, "multiselect", "explore_kinds").value
    assert "COMBINES_WITH" in widget(at, "multiselect", "explore_types").value
    assert "Showing 150 of" in shown(at) and "Narrow down" in shown(at)
    drawn = json.loads(iframes(at)[0])["graph"]
    assert len(drawn["nodes"]) == 150 and all("x" in n and "y" in n for n in drawn["nodes"])
    assert all(n["meta"]["provenance"] for n in drawn["nodes"] if n["meta"]["kind"] == "Pattern")
    assert "Pattern" in [row["kind"] for row in drawn["config"]["legend"]]  # the canvas's legend of kinds
    assert "COMBINES_WITH" in [row["type"] for row in drawn["config"]["edgeLegend"]]  # and of edge types

    widget(at, "slider", "explore_cap").set_value(1000).run()
    assert "Showing all" in shown(at)
    widget(at, "multiselect", "explore_kinds").set_value(["Pattern"]).run()
    patterns = len(open_embedded()[0].list_nodes(["Pattern"]))
    assert f"Showing all {patterns} nodes" in shown(at)
    widget(at, "multiselect", "explore_types").set_value([]).run()
    assert "Choose at least one node kind and one edge type" in shown(at)


def test_explore_a_node_shows_details_beside_the_graph():
    at = start()
    widget(at, "selectbox", "explore_centre").set_value("pattern:insecure").run()
    text = shown(at)
    assert "Insecure" in [views.unescape_md(s.value) for s in at.subheader]
    assert "user's source document" in text
    assert "Insecure combines with Needy: feels insecure about the degree of need" in text
    assert "Source: data/cards/insecure.txt:119" in text
    assert "data/cards/insecure.txt:1" in text  # provenance places
    assert "Showing all" in text
    widget(at, "slider", "explore_hops").set_value(2).run()
    assert not at.exception and iframes(at)


# -- Pattern card --------------------------------------------------------------------------------

def test_pattern_card_marks_inferred_headings_and_lines():
    at = start("pattern_card")
    assert widget(at, "selectbox", "card_pattern").value == "pattern:insecure"
    text = shown(at)
    assert "user's source document" in text  # the badge
    assert "not clinical guidance" in text
    assert "#### Behavior :orange-badge[heading inferred]" in text
    assert "The heading was lost; " in text and "after the title" in text  # why, in plain words
    assert "#### Core Issues/Origins\n" in text + "\n"  # a heading read from the card: no mark
    assert "Withdrawn, self-effacing, easily hurt, shy, tentative :gray[insecure.txt:4]" in text
    assert iframes(at), "the 1-hop neighbourhood is drawn"


@pytest.mark.parametrize("pattern,badge", [
    ("pattern:needy", "authored summary"), ("pattern:controlling", "catalogue entry (no card)"),
])
def test_pattern_card_badges(pattern, badge):
    at = start("pattern_card")
    widget(at, "selectbox", "card_pattern").set_value(pattern).run()
    assert badge in shown(at)


# -- Compare -------------------------------------------------------------------------------------

def test_compare_distinctions_from_both_sides():
    at = start("compare")
    assert widget(at, "multiselect", "compare_patterns").value == [
        "pattern:insecure", "pattern:needy", "pattern:self-judging"]
    text = shown(at)
    assert "Insecure is distinguished from Needy: the needy pattern is characterized by" in text
    assert "Needy is distinguished from Insecure: the insecure pattern is characterized by" in text
    assert "Source: data/cards/needy.txt:47" in text and "Source: data/cards/insecure.txt:80" in text
    assert "Needy combines with Self-Judging" in text  # combinations between them
    assert "Shared by all" in text and "Only Needy" in text
    assert len(at.tabs) >= 4  # capacities, core issues, origins, conditions, …
    assert iframes(at)


def test_compare_needs_two():
    at = start("compare")
    widget(at, "multiselect", "compare_patterns").set_value(["pattern:needy"]).run()
    assert "Pick two or three patterns" in shown(at)


# -- Combinations --------------------------------------------------------------------------------

def test_combinations_matrix_and_cell_description():
    at = start("combinations")
    frame = at.dataframe[0].value
    assert frame.loc["Insecure", "Needy"] == "✓" and frame.loc["Needy", "Insecure"] == "✓"
    assert frame.loc["Insecure", result_views.short_label("Self-Judging")] == ""
    assert widget(at, "selectbox", "combo_a").value == "pattern:insecure"
    assert widget(at, "selectbox", "combo_b").value == "pattern:needy"
    text = shown(at).lower()
    assert "feels insecure about the degree of need" in text
    assert "fears that showing how much is needed will drive others away" in text  # the other direction
    assert "source: data/cards/insecure.txt:119" in text and "source: data/cards/needy.txt:70" in text

    widget(at, "selectbox", "combo_b").set_value("pattern:self-judging").run()
    text = shown(at)
    assert "Insecure's card states no combination with Self-Judging." in text
    # the combination line, not the weaker "Often found together with insecure pattern" mention (line 113)
    assert "Self-Judging combines with Insecure: fears that others will see the flaws the inner critic points out" in text
    assert "Source: data/cards/self-judging.txt:120" in text
    assert iframes(at)


# -- Paths ---------------------------------------------------------------------------------------

def test_paths_told_as_sentences():
    at = start("paths")
    assert widget(at, "selectbox", "paths_from").value == "pattern:insecure"
    assert widget(at, "selectbox", "paths_to").value == "pattern:self-judging"
    text = shown(at)
    assert "Insecure is distinguished from Self-Judging: the self-judging pattern can also involve" in text
    assert "Source: data/cards/insecure.txt:82" in text
    assert "simple paths of at most 2 steps" in text
    assert len(at.expander) >= 5
    assert "#E8590C" in iframes(at)[0] or "highlighted" in iframes(at)[0]

    widget(at, "multiselect", "paths_types").set_value(["COMBINES_WITH"]).run()
    assert "Self-Judging combines with Insecure: fears that others will see the flaws the inner critic" in shown(at)
    widget(at, "slider", "paths_len").set_value(3).run()
    widget(at, "selectbox", "paths_choice").set_value(1).run()
    assert not at.exception and "→" in shown(at)


def test_paths_without_a_connection():
    at = start("paths")
    widget(at, "multiselect", "paths_types").set_value(["IN_GROUP"]).run()
    assert "No path connects these two nodes" in shown(at)


# -- Query ---------------------------------------------------------------------------------------

def test_query_named_question_gives_table_graph_and_csv():
    at = start("query")
    assert at.dataframe, "the first question runs as soon as the page opens"
    widget(at, "selectbox", "query_name").set_value("strongest-combinations").run()
    assert not at.error
    table = at.dataframe[0].value
    assert len(table) > 0 and "pattern" in table.columns
    assert "Download CSV" in [b.label for b in at.get("download_button")]
    assert iframes(at), "the patterns named in the result are drawn"
    widget(at, "selectbox", "query_name").set_value("most-connected-patterns").run()
    widget(at, "number_input", "query_param_most-connected-patterns_top").set_value(3).run()
    assert len(at.dataframe[0].value) == 3


def test_query_cypher_read_only_and_results():
    at = start("query")
    widget(at, "text_area", "query_cypher").set_value("MATCH (n) DETACH DELETE n").run()
    widget(at, "button", "query_run_cypher").click().run()
    assert at.error and "read-only" in at.error[0].value
    widget(at, "text_area", "query_cypher").set_value("MATCH (p:Pattern) RETURN p LIMIT 3").run()
    widget(at, "button", "query_run_cypher").click().run()
    assert not at.error
    assert len(at.dataframe[-1].value) == 3
    assert len(iframes(at)) == 2  # the named question's graph and the Cypher result's


def test_query_draws_exactly_the_returned_relationships():
    """Issue 15, results as returned (a query with single-quoted strings): 24 BLOCKS rows draw their 24
    relationships, not the 92+ edges among the nodes; the table shows each relationship as
    (Insecure)-[:BLOCKS]->(Belonging)."""
    at = start("query")
    query = "MATCH (p:Pattern)-[r:BLOCKS]->(c:Capacity) WHERE p.name <> 'Nobody' RETURN p, r, c"  # single quotes
    widget(at, "text_area", "query_cypher").set_value(query).run()
    widget(at, "button", "query_run_cypher").click().run()
    assert not at.error
    result = at.session_state["query_result"]["result"]
    rows = result["rows"]
    wanted = {(r[1]["source"]["id"], r[1]["type"], r[1]["target"]["id"]) for r in rows}
    assert len(wanted) == len(rows) == 24
    view = at.session_state["atlas_last_view"]
    assert {(e["source"], e["type"], e["target"]) for e in view["edges"]} == wanted
    assert set(view["node_ids"]) == {r[0]["id"] for r in rows} | {r[2]["id"] for r in rows}
    every = open_embedded()[0].edges_among(view["node_ids"])
    assert len(every) > len(wanted)  # what used to be drawn
    table = at.dataframe[-1].value
    assert "(Insecure)-[:BLOCKS]->(Belonging)" in list(table["r"])
    assert "relationships (returned ones and path steps only)" in shown(at)


def test_query_named_with_node_pickers_and_names():
    """Issue 15, parameters by name: distinctions-between offers pickers of patterns; a pattern named
    in the picker answers (Insecure and Self-Judging's two sentences)."""
    at = start("query")
    widget(at, "selectbox", "query_name").set_value("distinctions-between").run()
    picker = widget(at, "selectbox", "query_param_distinctions-between_b")
    assert "pattern:self-judging" in picker.options or "Self-Judging" in picker.options
    picker.set_value("pattern:self-judging").run()
    assert not at.error
    table = at.dataframe[0].value
    assert sorted(table["stated_on"]) == ["Insecure", "Self-Judging"]
    widget(at, "selectbox", "query_name").set_value("distinctions-among").run()
    widget(at, "multiselect", "query_param_distinctions-among_patterns").set_value(
        ["pattern:insecure", "pattern:self-judging"]).run()
    assert not at.error and len(at.dataframe[0].value) == 2


# -- Sources and loading -------------------------------------------------------------------------

def test_sources_lists_documents_and_a_clean_report():
    at = start("sources")
    docs = at.dataframe[0].value
    assert "data/cards/insecure.txt" in list(docs["path"])
    row = docs[docs["path"] == "data/cards/insecure.txt"].iloc[0]
    assert row["authorship"] == "user-source" and row["type"] == "card"
    assert "No warnings" in shown(at)
    assert at.code[-1].value.startswith("Insecure Pattern\n")
    assert at.code[-1].proto.show_line_numbers
    widget(at, "selectbox", "sources_doc").set_value("data/cards/needy.txt").run()
    assert at.code[-1].value.startswith("Needy Pattern")


def test_upload_of_a_bad_file_names_file_and_line_and_keeps_the_graph():
    at = start("sources")
    widget(at, "file_uploader", "sources_upload").set_value(("bad card.txt", b"Worried Pattern\n\nDe\x00sc\n", "text/plain"))
    at.run()
    widget(at, "button", "sources_load_upload").click().run()
    errors = [e.value for e in at.error]
    assert errors and "bad-card.txt:3" in errors[0] and "binary" in errors[0]
    assert "pattern-atlas-upload" not in errors[0]  # the private temp folder is not shown
    assert "atlas_custom" not in at.session_state
    assert "Graph: data/ ·" in " ".join(c.value for c in at.sidebar.caption)


def test_upload_of_a_good_card_builds_a_new_graph_then_reload():
    at = start("sources")
    card = (FIXTURES / "worried-full.txt").read_bytes()
    widget(at, "file_uploader", "sources_upload").set_value(("worried.txt", card, "text/plain"))
    at.run()
    widget(at, "button", "sources_load_upload").click().run()
    assert not at.error
    assert "Loaded data/ with worried.txt" in shown(at)
    assert "data/ + worried.txt" in " ".join(c.value for c in at.sidebar.caption)
    go(at, "pattern_card")
    widget(at, "selectbox", "card_pattern").set_value("pattern:worried").run()
    assert "uploaded card" in shown(at)
    go(at, "sources")
    widget(at, "button", "sources_reload").click().run()
    assert "Reloaded the graph from data/" in shown(at)
    assert "atlas_custom" not in at.session_state


def test_load_warnings_are_listed_with_file_and_line():
    at = start("sources")
    card = b"Worried Pattern\n\nDescription\n\nCaf\xe9 plans go wrong\n"  # Windows-1252, not UTF-8
    widget(at, "file_uploader", "sources_upload").set_value(("worried.txt", card, "text/plain"))
    at.run()
    widget(at, "button", "sources_load_upload").click().run()
    assert not at.error, [e.value for e in at.error]
    assert "1 warning while loading" in shown(at)
    assert "uploaded/worried.txt:5: not UTF-8" in at.code[0].value
    drop_upload(at)


def test_uploaded_hostile_text_is_shown_not_run():
    at = start("sources")
    widget(at, "file_uploader", "sources_upload").set_value(("xss.txt", XSS_CARD, "text/plain"))
    at.run()
    widget(at, "button", "sources_load_upload").click().run()
    assert not at.error, [e.value for e in at.error]
    go(at, "pattern_card")
    widget(at, "selectbox", "card_pattern").set_value("pattern:xss").run()
    bodies = [m.value for m in at.markdown]
    raw = "\n".join(bodies)
    assert not bare("<script>", raw) and not bare("<img", raw) and "](javascript" not in raw
    assert "\\<script\\>alert\\(1\\)\\</script\\>" in raw  # escaped, so markdown shows the characters
    plain = shown(at)
    assert "<script>alert(1)</script>" in plain and "<img src=x onerror=alert(2)>" in plain
    assert not any(getattr(m.proto, "allow_html", False) for m in at.markdown)
    for html in iframes(at):
        assert "<script>alert" not in html and "<img src=x" not in html
    drop_upload(at)


# -- Corrections ---------------------------------------------------------------------------------

@pytest.fixture
def corpus_copy(tmp_path, monkeypatch):
    """The app pointed at a copy of data/ (PATTERN_ATLAS_DATA): corrections are written there, and the
    shipped corrections file and the user's card stay byte-identical."""
    data = REPO / "data"
    shipped = {p: hashlib.sha256(p.read_bytes()).digest() for p in (data / "corrections.yaml", data / "cards/insecure.txt")}
    root = tmp_path / "data"
    shutil.copytree(data, root, ignore=shutil.ignore_patterns("graph.json"))
    monkeypatch.setenv("PATTERN_ATLAS_DATA", str(root))
    yield root
    assert {p: hashlib.sha256(p.read_bytes()).digest() for p in shipped} == shipped


def test_correcting_a_section_on_the_sources_page_reloads_the_graph(corpus_copy):
    card = corpus_copy / "cards" / "insecure.txt"
    card_bytes = card.read_bytes()
    at = start("sources")
    assert widget(at, "selectbox", "sources_fix_card").value == "pattern:insecure"
    blocks = [m.value for m in at.markdown if ":orange-badge[inferred]" in m.value]
    assert any("line 108" in b for b in blocks), blocks
    assert "The heading was lost; " in shown(at)
    choice = widget(at, "selectbox", "sources_fix_pattern:insecure_108")
    assert choice.value != "related_concepts"
    choice.set_value("related_concepts").run()
    widget(at, "button", "sources_fix_pattern:insecure_108_save").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    text = shown(at)
    assert "Saved: lines 108 of" in text and "the document is unchanged" in text
    assert "Related Technical Concepts :blue-badge[corrected] · line 108" in text
    assert f"A correction placed these lines here (corrected in {corpus_copy / 'corrections.yaml'}:" in text
    assert "lines: 108\n    section: related_concepts" in (corpus_copy / "corrections.yaml").read_text(encoding="utf-8")
    applied = [d for d in at.dataframe if "corrections file" in d.value.columns]
    assert applied and list(applied[0].value["lines"]) == ["108"]
    assert card.read_bytes() == card_bytes  # the document is never written

    go(at, "pattern_card")  # the reloaded graph: the line is now a related concept of Insecure
    text = shown(at)
    assert "#### Related Technical Concepts :blue-badge[heading corrected]" in text
    assert "Generally phobic, agoraphobic, hypochondriac, fears about disaster, death" in iframes(at)[0]
    store, report = open_embedded(corpus_copy)
    assert report["corrections"][0]["lines"] == "108"
    assert any(e["type"] == "RELATED_CONCEPT" and e["target"].startswith("concept:generally-phobic")
               for e in store.neighbourhood("pattern:insecure", hops=1)["edges"])


def test_correcting_a_section_on_the_pattern_card_page(corpus_copy):
    at = start("pattern_card")
    assert "Wrong section? Correct it" in [e.label for e in at.expander]
    widget(at, "selectbox", "card_fix_pattern:insecure_33").set_value("unconscious_thought").run()
    widget(at, "button", "card_fix_pattern:insecure_33_save").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    text = shown(at)
    assert "Saved: lines 33 of" in text and "belong to Unconscious Thought" in text
    assert "Unconscious Thought :blue-badge[heading corrected]" in text
    assert "section: unconscious_thought" in (corpus_copy / "corrections.yaml").read_text(encoding="utf-8")


def test_plain_reasons_and_status_colours():
    assert views.plain_reason({"heading_status": "read", "reason": None}) == ""
    assert views.plain_reason({"heading_status": "inferred", "reason": "1 of 1 lines look like X; after 'A'"}) == \
        "The heading was lost; 1 of 1 lines look like X; after 'A'."
    assert views.plain_reason({"heading_status": "corrected", "reason": "corrected in data/corrections.yaml:14"}) == \
        "A correction placed these lines here (corrected in data/corrections.yaml:14)."
    assert "kept as text" in views.plain_reason({"heading_status": "unplaced", "reason": None})
    assert [views.status_colour(s) for s in ("inferred", "corrected", "unplaced")] == ["orange", "blue", "red"]


# -- Export --------------------------------------------------------------------------------------

@pytest.fixture
def captured(monkeypatch):
    """The bytes the Export page hands to its download buttons, by format."""
    out: dict[str, bytes] = {}
    for name in ("to_graphml", "to_gexf", "to_node_link_json", "to_csv_zip"):
        real = getattr(export, name)

        def wrapper(nodes, edges, _real=real, _name=name):
            out[_name] = _real(nodes, edges)
            return out[_name]

        monkeypatch.setattr(export, name, wrapper)
    return out


def test_export_whole_graph_re_reads(captured):
    at = start("export")
    assert len(at.get("download_button")) >= 4
    g = nx.read_graphml(io.BytesIO(captured["to_graphml"]))
    assert g.number_of_nodes() > 150 and g.number_of_edges() > 250
    assert nx.read_gexf(io.BytesIO(captured["to_gexf"])).number_of_nodes() == g.number_of_nodes()
    data = json.loads(captured["to_node_link_json"])
    assert len(data["nodes"]) == g.number_of_nodes()
    assert captured["to_csv_zip"][:2] == b"PK"


def test_export_page_and_cli_give_the_same_bytes(captured, tmp_path):
    """`python -m graph export FORMAT -o FILE` writes what the page's download buttons hand out for the
    whole graph (one shared function, graph.export.render over graph.export.whole_graph)."""
    import subprocess
    import sys

    start("export")
    for fmt, spec in export.FORMATS.items():
        out = tmp_path / f"pattern-atlas.{spec.ext}"
        proc = subprocess.run([sys.executable, "-m", "graph", "export", fmt, "-o", str(out)], cwd=REPO,
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        assert out.read_bytes() == captured[spec.function], fmt


def test_export_current_view(captured):
    at = start("paths")
    go(at, "export")
    radio = widget(at, "radio", "export_what")
    assert radio.options[-1].startswith("The current view: paths from Insecure to Self-Judging")
    radio.set_value("view").run()
    g = nx.read_graphml(io.BytesIO(captured["to_graphml"]))
    assert "pattern:insecure" in g and "pattern:self-judging" in g
    assert g.number_of_nodes() < 40


# -- Neo4j choice --------------------------------------------------------------------------------

def test_unreachable_neo4j_falls_back_without_showing_credentials():
    secret = "pw-do-not-show-4417"
    at = start(None, neo4j={"uri": f"bolt://atlas:{secret}@127.0.0.1:9", "user": "atlas", "password": secret})
    radio = widget(at, "radio", "atlas_store_choice")
    assert radio.options == ["Embedded (data/)", "Neo4j"]
    radio.set_value("Neo4j").run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert errors and "Could not open the Neo4j store" in errors[0]
    assert secret not in errors[0] and "bolt://" not in errors[0] and "atlas:" not in errors[0]
    assert "Graph: data/" in " ".join(c.value for c in at.sidebar.caption)
    assert iframes(at)  # the embedded graph is still drawn
    assert secret not in "\n".join(iframes(at)) and secret not in shown(at)


def test_chosen_neo4j_store_is_used(monkeypatch):
    """The wiring only (a real server is exercised by the Neo4j tests): the store from_settings
    returns is the one every page reads, and the settings it got are the configured ones."""
    neo4j_store = pytest.importorskip("graph.neo4j_store")
    seen = {}

    def fake(cls, uri, user, password, database=None, **_):
        seen.update(uri=uri, user=user, password=password, database=database)
        return open_embedded()[0]

    monkeypatch.setattr(neo4j_store.Neo4jStore, "from_settings", classmethod(fake))
    at = start(None, neo4j={"uri": "bolt://127.0.0.1:7999", "user": "reader", "password": "pw-x", "database": "atlas"})
    widget(at, "radio", "atlas_store_choice").set_value("Neo4j").run()
    assert not at.error and not at.exception
    assert seen == {"uri": "bolt://127.0.0.1:7999", "user": "reader", "password": "pw-x", "database": "atlas"}
    assert "Graph: Neo4j" in " ".join(c.value for c in at.sidebar.caption)
    go(at, "sources")
    assert "The load report shown is the one of data/" in shown(at)


def test_neo4j_that_stops_answering_falls_back(monkeypatch):
    neo4j_store = pytest.importorskip("graph.neo4j_store")
    from neo4j.exceptions import ServiceUnavailable

    class Dying(type(open_embedded()[0])):
        def list_nodes(self, kinds=None, limit=None):
            raise ServiceUnavailable("connection to bolt://reader:pw-y@127.0.0.1:7998 lost")

    def fake(cls, uri, user, password, database=None, **_):
        return Dying(open_embedded()[0].graph)

    monkeypatch.setattr(neo4j_store.Neo4jStore, "from_settings", classmethod(fake))
    at = start(None, neo4j={"uri": "bolt://127.0.0.1:7998", "user": "reader", "password": "pw-y"})
    widget(at, "radio", "atlas_store_choice").set_value("Neo4j").run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert errors and "stopped answering" in errors[0] and "pw-y" not in errors[0] and "bolt://" not in errors[0]
    at.run()
    assert not at.exception and "Graph: data/" in " ".join(c.value for c in at.sidebar.caption)
    assert iframes(at)


def test_no_store_choice_without_settings(monkeypatch):
    for name in ("NEO4J_URI", "NEO4J_USER", "NEO4J_USERNAME", "NEO4J_PASSWORD", "NEO4J_DATABASE"):
        monkeypatch.delenv(name, raising=False)
    at = start()
    assert not [r for r in at.radio if r.key == "atlas_store_choice"]


# -- explorer/views.py ---------------------------------------------------------------------------

def test_escape_md_makes_markup_literal():
    hostile = "<script>x</script> **b** _i_ `c` [l](u) # h | t ~s~ $m$ &amp; :red[x] !"
    escaped = views.escape_md(hostile)
    for raw in ("<", "*", "`", "[", "$", "&", ":red", "#", "|", "~"):
        assert not bare(raw, escaped), raw
    assert views.unescape_md(escaped) == hostile
    assert views.escape_md("- item\n1. two", multiline=True).startswith("\\- item")
    assert views.escape_md("1. two") == "1\\. two"  # the dot: markdown shows a backslash before a digit
    assert views.escape_md("a\n\nb") == "a b"
    assert views.escape_md(None) == ""


def test_badges():
    assert views.badge_for({"kind": "Pattern", "status": "card", "authorship": "user-source"})[0] == "user's source document"
    assert views.badge_for({"kind": "Pattern", "status": "card", "authorship": "authored-summary"})[0] == "authored summary"
    assert views.badge_for({"kind": "Pattern", "status": "catalogue"})[0] == "catalogue entry (no card)"
    assert views.badge_for({"kind": "Pattern", "status": "unresolved"})[0] == "referenced, no card"


def test_combination_matrix_and_pairs():
    patterns = [{"id": "pattern:a", "name": "A"}, {"id": "pattern:b", "name": "B"}, {"id": "pattern:c", "name": "C"}]
    edges = [{"source": "pattern:a", "target": "pattern:b", "type": "COMBINES_WITH", "description": "x"},
             {"source": "pattern:b", "target": "pattern:a", "type": "COMBINES_WITH", "description": "y"}]
    rows, cols, cells = views.combination_matrix(patterns, edges)
    assert rows == cols == ["pattern:a", "pattern:b"] and cells == [["", "✓"], ["✓", ""]]
    assert [e["description"] for e in views.pair_edges(edges, "pattern:b", "pattern:a")] == ["y", "x"]


def test_cap_by_degree_prefers_patterns_and_hubs():
    nodes = [{"id": f"condition:{i}", "kind": "Condition"} for i in range(5)] + [{"id": "pattern:p", "kind": "Pattern"}]
    edges = [{"source": "pattern:p", "target": "condition:3"}, {"source": "condition:3", "target": "condition:4"}]
    degree: dict[str, int] = {}
    for e in edges:
        for end in (e["source"], e["target"]):
            degree[end] = degree.get(end, 0) + 1
    kept = {n["id"] for n in views.cap_by_degree(nodes, degree, 2)}
    assert kept == {"pattern:p", "condition:3"}
    assert views.showing_caption(2, 6).startswith("Showing 2 of 6 nodes. Narrow down")
    assert len(views.cap_by_degree(nodes, degree, 100)) == 6


def test_upload_names_and_limits():
    assert source_views.safe_upload_name("../../etc/passwd") == "passwd.txt"
    assert source_views.safe_upload_name("My Card (v2).MD") == "My-Card-v2.md"
    assert source_views.safe_upload_name("x.exe") == "x.txt"
    assert source_views.check_upload("a.pdf", 10) is not None
    assert source_views.check_upload("a.txt", source_views.MAX_UPLOAD_BYTES + 1) is not None
    assert source_views.check_upload("a.md", 100) is None
    assert source_views.friendly_path("/tmp/pa-x/bad.txt:3: boom", "/tmp/pa-x") == "uploaded/bad.txt:3: boom"


def test_documents_only_from_the_report(tmp_path):
    report = {"documents": [{"path": "data/cards/insecure.txt"}]}
    assert source_views.resolve_document("data/cards/insecure.txt", report, REPO) == REPO / "data/cards/insecure.txt"
    assert source_views.resolve_document("/etc/passwd", report, REPO) is None
    assert source_views.resolve_document("../secrets.txt", report, REPO) is None


def test_told_sentences_keep_source_and_drop_repeated_quotes():
    edge = {"source": "pattern:insecure", "target": "pattern:needy", "type": "COMBINES_WITH",
            "description": "Feels insecure about the degree of need",
            "provenance": [{"file": "data/cards/insecure.txt", "start_line": 119, "end_line": 119,
                            "text": "Needy: Feels insecure about the degree of need"}]}
    item = views.told(edge, {"pattern:insecure": "Insecure", "pattern:needy": "Needy"})
    assert item["text"] == "Insecure combines with Needy: feels insecure about the degree of need"
    assert item["head"] == "Insecure combines with Needy"
    assert item["source"] == "data/cards/insecure.txt:119" and item["quote"] == ""
    edge["provenance"][0]["text"] = "Something else entirely"
    assert views.told(edge, {})["quote"] == "Something else entirely"


def test_query_results_as_records_and_csv():
    cols = ["p", "n", "p"]
    rows = [[{"id": "pattern:a", "kind": "Pattern", "name": "A"}, 2, ["x", "y"]]]
    assert result_views.result_records(cols, rows) == [{"p": "A (pattern:a)", "n": 2, "p (2)": '["x", "y"]'}]
    assert result_views.result_csv(cols, rows).decode().splitlines() == ["p,n,p", 'A (pattern:a),2,"[""x"", ""y""]"']


def test_community_legend_escapes_and_checks_colours():
    from explorer import colouring
    out = colouring.legend_html([("red;background:url(x)", "<b>"), (colouring.PALETTE[0], "Insecure & co")])
    assert "<b>" not in out and "url(x)" not in out and colouring.PALETTE[0] in out and "Insecure &amp; co" in out


def test_a_hubs_connections_are_shown_in_parts(monkeypatch):
    """A hub's thousands of connections: the first few shown, the next in an expander, the rest counted."""
    from explorer.pages import common
    monkeypatch.setattr(common, "TOLD_FIRST", 2)
    monkeypatch.setattr(common, "TOLD_MORE", 3)
    at = start()
    widget(at, "selectbox", "explore_centre").set_value("pattern:insecure").run()
    assert not at.exception
    more = [e for e in at.expander if re.fullmatch(r"[\d,]+ more", e.label)]
    assert more, [e.label for e in at.expander]
    total = int(more[0].label.split()[0].replace(",", "")) + 2
    assert f"… and {total - 5:,} more" in shown(at)
    assert f"**Connections ({total})**" in [m.value for m in at.markdown]


def test_documents_loaded_on_the_sources_page_join_the_configured_corpus(corpus_copy, tmp_path):
    """An added folder is loaded with PATTERN_ATLAS_DATA's corpus, not with the repository's data/
    (the Sources page used to read data/ whatever the setting said)."""
    (corpus_copy / "cards" / "victim.txt").unlink()  # the configured corpus has no Victim card
    extra = tmp_path / "extra"
    extra.mkdir()
    shutil.copy(REPO / "data" / "cards" / "victim.txt", extra / "victim-again.txt")
    at = start("sources")
    widget(at, "text_input", "sources_folder").set_value(str(extra)).run()
    widget(at, "button", "sources_load_folder").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    custom = at.session_state["atlas_custom"]
    documents = [d["path"] for d in custom["report"]["documents"]]
    assert any(p.endswith("victim-again.txt") for p in documents)
    assert not any(p.endswith("/victim.txt") for p in documents), documents  # not the repository's data/
    assert custom["paths"][0] == str(corpus_copy)
    drop_upload(at)


def test_the_sidebar_names_the_configured_corpus(corpus_copy):
    """With PATTERN_ATLAS_DATA set, the sidebar names that folder (it said data/ whatever the setting)."""
    at = start("explore")
    captions = " ".join(views.unescape_md(c.value) for c in at.sidebar.caption)
    assert f"Graph: {corpus_copy.as_posix()}/ ·" in captions and "Graph: data/" not in captions


def test_the_paths_page_opens_on_two_different_nodes_in_any_corpus():
    """Without Insecure and Self-Judging (a corpus of other cards), From and To are two different patterns:
    the page opened on the same node twice ("Choose two different nodes")."""
    nodes = [{"id": "capacity:trust", "kind": "Capacity"}, {"id": "pattern:a", "kind": "Pattern"},
             {"id": "pattern:b", "kind": "Pattern"}]
    assert views.path_ends(nodes) == ("pattern:a", "pattern:b")
    assert views.path_ends(nodes[:2]) == ("pattern:a", "capacity:trust")
    assert views.path_ends(nodes[:1]) == ("capacity:trust", None)
    assert views.path_ends([]) == (None, None)
    shipped = [{"id": i, "kind": "Pattern"} for i in ("pattern:needy", "pattern:insecure", "pattern:self-judging")]
    assert views.path_ends(shipped) == ("pattern:insecure", "pattern:self-judging")
    assert views.path_ends(shipped[:2]) == ("pattern:insecure", "pattern:needy")
