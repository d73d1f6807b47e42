"""Uploaded documents survive a reload (explorer/uploads.py, explorer/urlbind.py): the upload's token rides
in the URL, a new session with that URL loads data/ with the same document, a page switch keeps the token,
a malformed or stale token is ignored with a note, and Reload from data/ deletes the upload."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from explorer import uploads

REPO = Path(__file__).resolve().parents[1]
APP = str(REPO / "app.py")
WORRIED = (REPO / "tests" / "fixtures" / "worried-full.txt").read_bytes()


@pytest.fixture(autouse=True)
def own_uploads(tmp_path, monkeypatch):
    monkeypatch.setenv("PATTERN_ATLAS_UPLOADS", str(tmp_path / "uploads"))


def run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def sources(at: AppTest) -> AppTest:
    at.query_params.clear()
    at.switch_page("explorer/pages/sources.py")
    return run(at)


def sidebar_text(at: AppTest) -> str:
    return " ".join([c.value for c in at.sidebar.caption] + [w.value for w in at.sidebar.warning])


def uploaded_session() -> tuple[AppTest, str]:
    at = sources(run(AppTest.from_file(APP, default_timeout=60)))
    at.get("file_uploader")[0].set_value(("worried.txt", WORRIED, "text/plain"))
    run(at)
    at.button(key="sources_load_upload").click()
    run(at)
    token = at.query_params["upload"]
    return at, token


def test_a_reload_keeps_the_uploaded_document():
    at, token = uploaded_session()
    assert "data/ + worried.txt" in sidebar_text(at)
    folder = uploads.upload_dir(token)
    assert folder is not None and (folder / "worried.txt").read_bytes() == WORRIED
    at.query_params.clear()  # the sidebar's page switch: the token comes back into the URL
    at.switch_page("explorer/pages/compare.py")
    run(at)
    assert at.query_params["upload"] == token

    again = AppTest.from_file(APP, default_timeout=60)  # a reload: a new session with the same URL
    again.query_params["upload"] = token
    run(again)
    assert "data/ + worried.txt" in sidebar_text(again)
    assert "pattern:worried" in {n["id"] for n in again.session_state["atlas"].store.list_nodes(["Pattern"])}

    sources(at)
    at.button(key="sources_reload").click()
    run(at)
    assert uploads.upload_dir(token) is None and "upload" not in at.query_params
    assert "data/ + worried.txt" not in sidebar_text(at)


@pytest.mark.parametrize("token", ["../../etc", "x" * 24 + "/..", "short", "A" * 24])
def test_a_token_naming_nothing_is_ignored_with_a_note(token):
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["upload"] = token
    run(at)
    assert "no longer on this server" in sidebar_text(at)
    assert "upload" not in at.query_params
    assert "Graph: data/ ·" in sidebar_text(at)


def test_tokens_are_random_and_folders_private():
    first, folder = uploads.new_upload_dir()
    second, _ = uploads.new_upload_dir()
    assert first != second and len(first) == 24 and uploads.upload_dir(first) == folder
    assert folder.stat().st_mode & 0o077 == 0
    (folder / "link.txt").symlink_to("/etc/hostname")
    assert uploads.upload_files(folder) == []  # a symlink is not an uploaded document
