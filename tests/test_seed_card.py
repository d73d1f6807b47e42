"""What the user's Insecure card and article give, asserted from the real seed files."""
from __future__ import annotations

from conftest import SEED_CARD, SEED_ARTICLE

INSECURE = "pattern:insecure"


def out_edges(graph, source, etype):
    return {t: e for (s, ty, t), e in graph.edges.items() if s == source and ty == etype}


def test_seed_files_are_the_users_documents_unchanged():
    seeds = SEED_CARD.parents[3] / "shared" / "seeds"
    if seeds.is_dir():  # beside a clone, as CI has it
        assert SEED_CARD.read_bytes() == (seeds / "003_d848229d230b5f14.txt").read_bytes()
        assert SEED_ARTICLE.read_bytes() == (seeds / "000_8824ee6a51d4fdc8.txt").read_bytes()
    assert SEED_CARD.read_bytes().startswith(b"Insecure Pattern\n")
    assert b"Peopl who the client" in SEED_CARD.read_bytes()  # typos kept


def test_combinations_with_descriptions(seed_graph):
    combos = out_edges(seed_graph, INSECURE, "COMBINES_WITH")
    assert set(combos) == {"pattern:needy", "pattern:codependent", "pattern:isolated", "pattern:suspicious",
                           "pattern:passive-aggressive"}
    assert combos["pattern:needy"]["description"] == "Feels insecure about the degree of need"
    assert combos["pattern:suspicious"]["description"] == "Looks of evidence that others will reject him"
    assert "combined with passive-aggressive" in combos["pattern:passive-aggressive"]["description"]
    assert combos["pattern:needy"]["provenance"][0]["start_line"] == 119


def test_distinctions_with_sentences(seed_graph):
    dist = out_edges(seed_graph, INSECURE, "DISTINGUISHED_FROM")
    assert set(dist) == {"pattern:needy", "pattern:self-judging"}
    assert dist["pattern:needy"]["description"].startswith("The needy pattern is characterized by the person")
    assert "fear of rejection" in dist["pattern:needy"]["description"]
    assert dist["pattern:self-judging"]["provenance"][0]["start_line"] == 82


def test_subtypes_capacities_concepts_role(seed_graph):
    subtypes = out_edges(seed_graph, INSECURE, "HAS_SUBTYPE")
    assert {seed_graph.nodes[s]["name"] for s in subtypes} == {
        "Socially Insecure", "Insecure about Relationships", "Insecure about Work", "Fear of Success"}
    assert seed_graph.nodes["subtype:fear-of-success"]["description"].startswith("Fear of being successful")
    assert set(out_edges(seed_graph, INSECURE, "BLOCKS")) == {"capacity:belonging", "capacity:confidence",
                                                              "capacity:value"}
    assert set(out_edges(seed_graph, INSECURE, "DEVELOPS")) == {"capacity:aggressive-desire"}
    assert len(out_edges(seed_graph, INSECURE, "RELATED_CONCEPT")) == 3
    assert set(out_edges(seed_graph, INSECURE, "PLAYS_ROLE")) == {"role:silent-member"}
    assert seed_graph.nodes["role:silent-member"]["name"] == "Silent member"


def test_core_issues_origins_conditions(seed_graph):
    assert set(out_edges(seed_graph, INSECURE, "HAS_CORE_ISSUE")) == {"coreissue:inadequacy", "coreissue:shame"}
    assert set(out_edges(seed_graph, INSECURE, "ORIGINATES_IN")) == {"origin:rejection",
                                                                    "origin:lack-of-validation-or-mirroring"}
    conditions = out_edges(seed_graph, INSECURE, "ACTIVATED_BY")
    assert len(conditions) == 6
    assert "condition:peopl-who-the-client-is-attracted-to-or-wants-approval-from" in conditions


def test_victim_and_passive_aggressive_may_underlie(seed_graph):
    for other in ("pattern:victim", "pattern:passive-aggressive"):
        edge = seed_graph.edges[(other, "MAY_UNDERLIE", INSECURE)]
        assert edge["provenance"][0]["start_line"] == 220
        assert "look for underlying victim or passive-aggressive pattern" in edge["provenance"][0]["text"]


def test_unresolved_patterns_are_marked(seed_result):
    graph = seed_result.graph
    assert graph.nodes[INSECURE]["status"] == "card"
    assert graph.nodes["pattern:victim"]["status"] == "unresolved"
    assert "pattern:victim" in seed_result.report.unresolved


def test_mechanisms_examples_strategies(seed_graph):
    mechanisms = {t for (s, ty, t) in seed_graph.edges if ty == "CONTRIBUTES_TO" and t == INSECURE}
    assert mechanisms == {INSECURE}
    mech = {s for (s, ty, t) in seed_graph.edges if ty == "CONTRIBUTES_TO"}
    assert {seed_graph.nodes[m]["name"] for m in mech} == {
        "Early Childhood Experiences", "Social Comparisons", "Past Failures", "Relationship Dynamics", "Perfectionism"}
    examples = {seed_graph.nodes[s]["name"]: t for (s, ty, t) in seed_graph.edges if ty == "ILLUSTRATES"}
    assert examples == {
        "Ethan": "mechanism:early-childhood-experiences", "Charlotte": "mechanism:social-comparisons",
        "Kyle": "mechanism:past-failures", "Madeline": "mechanism:relationship-dynamics",
        "Hailey": "mechanism:perfectionism"}
    strategies = {seed_graph.nodes[s]["name"] for (s, ty, t) in seed_graph.edges if ty == "ADDRESSES" and t == INSECURE}
    assert strategies == {"Self-Reflection", "Seeking Professional Help", "Building Supportive Relationships",
                          "Setting Realistic Goals"}


def test_alias_link_reported(seed_result):
    edge = seed_result.graph.edges[("mechanism:early-childhood-experiences", "CORRESPONDS_TO",
                                    "origin:lack-of-validation-or-mirroring")]
    assert edge["term"] == "lack of support and recognition"
    assert {p["file"] for p in edge["provenance"]} == {"data/articles/roots-of-insecurity.txt",
                                                       "data/catalogue/aliases.yaml"}
    assert any(l["term"] == "lack of support and recognition" and l["line"] == 7
               for l in seed_result.report.alias_links)


def test_inferred_sections_reported(seed_result):
    inferred = {(i["line"], i["section"]) for i in seed_result.report.inferred}
    assert (33, "Statement") in inferred
    assert (42, "Representations") in inferred
    assert (80, "Distinctions") in inferred
    assert (87, "Subtypes") in inferred
    assert (140, "Transference") in inferred
    sections = {s["key"]: s for s in seed_result.graph.nodes[INSECURE]["sections"]}
    assert sections["core_issues"]["heading_status"] == "read"
    assert sections["transference"]["heading_status"] == "inferred"
    assert sections["demographics"]["items"][0]["text"] == "More common in classes and cultures that are oppressed"


def test_every_node_and_edge_has_true_provenance(seed_graph, corpus_result):
    from graph.schema import clean_text
    from loaders.text import REPO_ROOT

    cache: dict[str, list[str]] = {}
    for graph in (seed_graph, corpus_result.graph):
        things = [(n["id"], n["provenance"]) for n in graph.nodes.values()]
        things += [(k, e["provenance"]) for k, e in graph.edges.items()]
        for what, provs in things:
            assert provs, f"{what} has no provenance"
            for p in provs:
                assert not p["file"].startswith("/"), p
                lines = cache.setdefault(p["file"], (REPO_ROOT / p["file"]).read_text(encoding="utf-8").splitlines())
                assert 1 <= p["start_line"] <= p["end_line"] <= len(lines), (what, p)
                window = clean_text(" ".join(lines[p["start_line"] - 1:p["end_line"]]))
                for part in p["text"].split("\n"):
                    assert clean_text(part) in window, (what, p)
