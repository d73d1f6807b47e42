"""The differential finder (graph/differential.py), the vignettes (graph/vignettes.py) and the loader's
rule for the vignettes folder (issue 18). Study material, not a diagnostic instrument."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from conftest import DATA, REPO
from graph import differential as diff
from graph.queries import run_named
from graph.vignettes import VignetteError, check, load_vignettes
from loaders.corpus import discover, load_paths, sources_digest

CARDS = {"insecure", "needy", "codependent", "isolated", "suspicious", "self-judging", "passive-aggressive", "victim"}
VIGNETTES = load_vignettes()
EXAMPLE = ["expects to be rejected", "freezes when asked to perform"]


def _line_of(file: str, number: int) -> str:
    return (REPO / file).read_text(encoding="utf-8").splitlines()[number - 1].replace("’", "'")


# -- the vignettes ------------------------------------------------------------------------------------

def test_vignettes_cover_every_shipped_card():
    assert len(VIGNETTES) >= 8
    assert {p.split(":", 1)[1] for v in VIGNETTES for p in v.patterns} == CARDS
    assert len({v.id for v in VIGNETTES}) == len(VIGNETTES)
    assert all(len(v.observations) >= 3 and v.note for v in VIGNETTES)


@pytest.mark.parametrize("vignette", VIGNETTES, ids=lambda v: v.id)
def test_every_vignette_ranks_its_patterns_in_the_top_three(corpus_store, vignette):
    result = diff.find(corpus_store, vignette.observations, top=8)
    ranks = {p["pattern"]: p["rank"] for p in result["ranking"]}
    assert all(ranks.get(p, 99) <= 3 for p in vignette.patterns), (vignette.id, ranks)


def test_check_says_which_picks_match(corpus_store):
    v = next(v for v in VIGNETTES if v.id == "afraid-to-ask-afraid-to-be-alone")
    out = check(corpus_store, v, ["pattern:needy", "pattern:isolated"])
    assert (out["right"], out["missed"], out["extra"], out["all_right"]) == (
        ["pattern:needy"], ["pattern:insecure"], ["pattern:isolated"], False)
    assert out["finder_ranks"]["pattern:needy"] == 1 and out["finder"]["notice"] == diff.NOTICE
    assert check(corpus_store, v, ["pattern:insecure", "pattern:needy"])["all_right"]


@pytest.mark.parametrize("text,error", [
    ("vignettes: [{id: a, title: A, text: x}]", "missing patterns"),
    ("vignettes: [{id: a, title: A, text: x, patterns: [Needy]}, {id: a, title: B, text: y, patterns: [Needy]}]",
     "a second vignette with the id 'a'"),
    ("vignettes: [{id: a, title: A, text: x, patterns: Needy}]", "must be a list"),
    ("- just a list", "expected a mapping with a 'vignettes' list"),
])
def test_bad_vignette_files_are_refused_with_the_entry(tmp_path, text, error):
    (tmp_path / "v.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(VignetteError, match=error):
        load_vignettes(tmp_path)


# -- matching and ranking -----------------------------------------------------------------------------

def test_every_match_cites_its_card_line(corpus_store):
    result = diff.find(corpus_store, [o for v in VIGNETTES for o in v.observations] + ["social phobia"], top=8)
    matches = [m for p in result["ranking"] for ev in p["evidence"] for m in ev["matches"]]
    assert len(matches) > 100
    for m in matches:
        assert m["place"] == f"{m['file']}:{m['line']}" and m["file"].startswith("data/cards/")
        assert m["text"] in _line_of(m["file"], m["line"]), m
        assert m["section"] in diff.COUNTED or (m["section"] == diff.CONCEPT_SECTION and m["concept"])


def test_scores_sum_the_best_line_per_observation(corpus_store):
    result = diff.find(corpus_store, EXAMPLE + ["zzz qqq"], top=8)
    assert [o["matched"] for o in result["observations"]] == [True, True, False]
    first = result["ranking"][0]
    assert (first["name"], first["score"], first["observations_matched"]) == ("Insecure", 2.0, 2)
    assert [m["place"] for m in first["evidence"][1]["matches"]][0] == "data/cards/insecure.txt:12"
    for p in result["ranking"]:
        assert p["score"] == pytest.approx(sum(ev["share"] for ev in p["evidence"]), abs=0.01)
        assert p["observations_matched"] == len(p["evidence"])
        assert all(0 < ev["share"] <= 1 and ev["matches"][0]["score"] == ev["share"] for ev in p["evidence"])
    keys = [(-p["score"], -p["observations_matched"]) for p in result["ranking"]]
    assert keys == sorted(keys)


def test_an_observation_naming_a_catalogue_concept_matches_the_cards_naming_it(corpus_store):
    result = diff.find(corpus_store, ["learned helplessness"], top=8)
    assert result["observations"][0]["concepts"] == ["Learned helplessness"]
    victim = next(p for p in result["ranking"] if p["pattern"] == "pattern:victim")
    named = [m for m in victim["evidence"][0]["matches"] if m.get("concept")]
    assert named and named[0]["place"] == "data/cards/victim.txt:135" and named[0]["text"] == "Learned helplessness"
    # a catalogue synonym ("Social phobia") finds the card wording ("Social phobias")
    insecure = diff.find(corpus_store, ["social phobia"])["ranking"][0]
    assert any(m.get("concept") == "Social anxiety disorder" and m["place"] == "data/cards/insecure.txt:134"
               for m in insecure["evidence"][0]["matches"])


def test_observations_are_split_and_cleaned():
    assert diff.split_observations("Shy.  Freezes when asked!\n\n- avoids groups; SHY.") == [
        "Shy.", "Freezes when asked!", "avoids groups;"]
    assert len(diff.clean_observations(["x" * 5000])[0]) == diff.MAX_CHARS
    with pytest.raises(ValueError):
        diff.find(None, ["  "], index=diff.LineIndex([], {}, [], None))  # type: ignore[arg-type]


def test_no_distinction_or_therapy_section_counts(corpus_store):
    sections = {ln.section for ln in diff.line_index(corpus_store).lines}
    assert sections <= set(diff.COUNTED) and "distinctions" not in sections and "transference" not in sections
    assert {"behavior", "motivation", "statement", "activating_conditions", "origins"} <= sections


# -- telling apart ------------------------------------------------------------------------------------

def test_distinctions_from_both_cards_and_what_separates(corpus_store):
    (pair,) = diff.tell_apart(corpus_store, ["pattern:insecure", "pattern:needy"])
    assert {(d["stated_on"], tuple(d["places"])) for d in pair["distinctions"]} == {
        ("pattern:insecure", ("data/cards/insecure.txt:80",)), ("pattern:needy", ("data/cards/needy.txt:47",))}
    assert all("fear of rejection" in d["sentence"] for d in pair["distinctions"])
    weights = [s["weight"] for s in pair["sections"] if 0 not in s["lines"].values()]
    assert weights == sorted(weights, reverse=True)
    behaviour = next(s for s in pair["sections"] if s["section"] == "behavior")
    assert "Seeks frequent contact, reassurance, and attention from others" in \
        [ln["text"] for ln in behaviour["only"]["pattern:needy"]]


def test_a_line_both_cards_have_separates_nothing(corpus_store):
    (pair,) = diff.tell_apart(corpus_store, ["pattern:insecure", "pattern:isolated"])
    conditions = next(s for s in pair["sections"] if s["section"] == "activating_conditions")
    only = [ln["text"] for side in conditions["only"].values() for ln in side]
    assert "Social situations" not in only and "Large groups or groups of strangers" not in only
    assert "Situations where one is performing or being evaluated" in only


def test_find_tells_its_first_three_apart(corpus_store):
    result = diff.find(corpus_store, EXAMPLE, top=5)
    first = [p["pattern"] for p in result["ranking"][:3]]
    assert [(p["a"], p["b"]) for p in result["telling_apart"]] == [
        (first[0], first[1]), (first[0], first[2]), (first[1], first[2])]
    observed = [ln for p in result["telling_apart"] for s in p["sections"] for side in s["only"].values()
                for ln in side if ln["observed"]]
    assert any(ln["place"] == "data/cards/insecure.txt:18" for ln in observed)


def test_named_query_lists_the_distinctions_among_patterns(corpus_store):
    got = run_named(corpus_store, "distinctions-among",
                    {"patterns": "pattern:insecure, pattern:needy,pattern:isolated"})
    assert [(r[0], r[1]) for r in got["rows"]] == [
        ("Insecure", "Needy"), ("Isolated", "Insecure"), ("Needy", "Insecure")]


# -- both stores --------------------------------------------------------------------------------------

@pytest.mark.parametrize("observations", [EXAMPLE, ["social phobia", "learned helplessness", "sulks"],
                                          *[v.observations for v in VIGNETTES]])
def test_both_stores_give_the_same_answer(any_store, corpus_store, observations):
    got = diff.find(any_store, observations, top=8)
    assert got == diff.find(corpus_store, observations, top=8)
    assert got["ranking"]


# -- the loader never reads the vignettes -------------------------------------------------------------

def test_the_loader_does_not_read_the_vignettes_folder(tmp_path, corpus_result):
    report = corpus_result.report.to_dict()
    said = json.dumps(report)
    assert "vignettes" not in said  # not a document, not "skipped", no warning
    assert not any("vignettes" in p["file"] for n in corpus_result.graph.nodes.values() for p in n["provenance"])
    root = tmp_path / "corpus"
    shutil.copytree(DATA / "cards", root / "cards")
    (root / "vignettes").mkdir()
    shutil.copy(DATA / "vignettes" / "vignettes.yaml", root / "vignettes")
    (root / "vignettes" / "stray.txt").write_text("Stray Pattern\n\nBehavior\n\nAn exercise, not a card\n",
                                                 encoding="utf-8")
    assert not [f for f in discover([root]) if "vignettes" in f.parts]
    before = sources_digest([root])
    loaded = load_paths([root])
    assert "pattern:stray" not in loaded.graph.nodes and not loaded.report.skipped
    assert not [w for w in loaded.report.warnings if "vignettes" in str(w)]
    (root / "vignettes" / "stray.txt").write_text("changed", encoding="utf-8")
    assert sources_digest([root]) == before  # editing an exercise does not rebuild the graph


# -- the command line ---------------------------------------------------------------------------------

def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "graph", "differential", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=120)


def test_cli_differential_text_and_json():
    proc = _cli(*EXAMPLE, "--top", "3")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == diff.NOTICE
    assert "1. Insecure  score 2.00 (2 of 2 observations)" in lines
    assert any("Usually freezes.  [Behavior, data/cards/insecure.txt:12]" in ln for ln in lines)
    assert "Telling Insecure and Isolated apart" in lines
    proc = _cli(*EXAMPLE, "--top", "2", "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["notice"] == diff.NOTICE and [p["name"] for p in data["ranking"]][:1] == ["Insecure"]
    assert len(data["ranking"]) == 2 and len(data["telling_apart"]) == 1
    proc = _cli("  ")
    assert proc.returncode == 2 and "give at least one observation" in proc.stderr
