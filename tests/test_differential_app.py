"""The Differential page through Streamlit's AppTest: the finder and a teaching exercise (issue 18)."""
from __future__ import annotations

import re

from explorer import views
from test_app import go, shown, start, widget


def test_page_says_it_is_study_material_first():
    at = start("differential")
    assert [t.value for t in at.title] == ["Differential"]
    banner = at.warning[0].value
    assert "Study material, not a diagnostic instrument." in banner
    assert "assesses no one" in banner
    assert not any(getattr(m.proto, "allow_html", False) for m in at.markdown)
    page = at.main  # the sidebar's store picker is the app's, not the page's
    widgets = [*page.text_area, *page.multiselect, *page.slider, *page.radio, *page.selectbox, *page.button]
    assert widgets and all(str(w.key).startswith("diff_") for w in widgets)


def test_finder_ranks_and_cites_every_match():
    at = start("differential")
    widget(at, "text_area", "diff_observations").set_value(
        "expects to be rejected\nfreezes when asked to perform").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert table.iloc[0]["Pattern"] == "Insecure" and table.iloc[0]["Observations matched"] == "2 of 2"
    text = shown(at)
    assert "Can experience a demand to perform and feel inadequate. Usually freezes." in text
    assert "data/cards/insecure.txt:12" in text and "data/cards/insecure.txt:18" in text
    # every shown match line ends with its place
    matches = [m.value for m in at.markdown if m.value.startswith("- ")]
    assert matches and all(re.search(r"`data/cards/[\w-]+\.txt:\d+`", m) for m in matches)
    assert "Telling the first 3 apart" in text
    assert "From Isolated's card: The insecure pattern is characterized by wanting connection while fearing" in text
    assert "Observations that would separate them" in text and "✓ Expects to be rejected by others" in text


def test_finder_takes_card_lines_and_named_concepts():
    at = start("differential")
    widget(at, "text_area", "diff_observations").set_value("social phobia").run()
    text = shown(at)
    assert "names the concept Social anxiety disorder" in text and "data/cards/insecure.txt:134" in text
    widget(at, "text_area", "diff_observations").set_value("").run()
    assert "Type an observation or pick a card line." in shown(at)
    assert widget(at, "multiselect", "diff_lines").disabled
    widget(at, "selectbox", "diff_line_card").set_value("pattern:victim").run()
    widget(at, "multiselect", "diff_lines").set_value(["data/cards/victim.txt:7"]).run()
    assert at.dataframe[0].value.iloc[0]["Pattern"] == "Victim"
    widget(at, "selectbox", "diff_line_card").set_value("pattern:needy").run()  # another card: picks start again
    assert not at.exception and widget(at, "multiselect", "diff_lines").value == []


def test_teaching_exercise_checks_picks_and_shows_the_evidence():
    at = start("differential")
    widget(at, "radio", "diff_mode").set_value("Teaching exercise").run()
    widget(at, "selectbox", "diff_vignette").set_value("afraid-to-ask-afraid-to-be-alone").run()
    assert "An invented case" in shown(at) and "Priya seeks reassurance" in shown(at)
    assert not at.dataframe  # nothing is revealed before the learner checks
    widget(at, "multiselect", "diff_picks").set_value(["pattern:needy", "pattern:isolated"]).run()
    widget(at, "button", "diff_check").click().run()
    assert not at.exception
    verdict = views.unescape_md(at.warning[1].value)
    assert "Not quite" in verdict and "right: Needy" in verdict and "missed: Insecure" in verdict
    assert "not intended: Isolated" in verdict
    text = shown(at)
    assert "Where the finder ranks them: Needy: rank 1; Insecure: rank 2" in text
    assert "Your pick or the intended pattern?" in text and "Isolated or Insecure?" in [e.label for e in at.expander]
    assert "From Isolated's card: The insecure pattern is characterized by wanting connection" in text

    widget(at, "multiselect", "diff_picks").set_value(["pattern:needy", "pattern:insecure"]).run()
    widget(at, "button", "diff_check").click().run()
    assert "Your picks match" in at.success[0].value
    widget(at, "selectbox", "diff_vignette").set_value("never-good-enough").run()
    assert widget(at, "multiselect", "diff_picks").value == [] and not at.dataframe  # a new exercise starts clean
    go(at, "compare")  # the other pages are unaffected
