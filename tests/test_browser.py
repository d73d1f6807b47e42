"""The running app in a real browser (Debian's chromium via Playwright): the graph is drawn, and
nothing is fetched from anywhere but the local server.

Starts `streamlit run app.py` on a free local port, visits every page through the sidebar, waits for
the network canvas inside the graph's iframe on Explore and Paths, and saves screenshots to
out/screenshots/ (git-ignored). Skipped when chromium is missing, unless CI=true.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlsplit

import pytest

REPO = Path(__file__).resolve().parents[1]
SHOTS = REPO / "out" / "screenshots"
CHROMIUM = os.environ.get("PATTERN_ATLAS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
                 "--no-first-run", "--disable-component-update", "--disable-sync"]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
HARMLESS_SCHEMES = {"data", "blob", "about"}
#: The network canvas's frame (the Streamlit component explorer.network_component draws in).
CANVAS = "iframe[title*='atlas_network']"

#: Sidebar link text -> screenshot name, and whether the page draws a graph to wait for.
PAGES = [("Explore", "explore", True), ("Pattern card", "pattern-card", True), ("Compare", "compare", True),
         ("Differential", "differential", False), ("Combinations", "combinations", True), ("Paths", "paths", True),
         ("Query", "query", False), ("Export", "export", False), ("Sources", "sources", False)]

pytestmark = pytest.mark.browser


def _need_browser() -> None:
    if Path(CHROMIUM).exists():
        return
    message = f"chromium not found at {CHROMIUM} (apt-get install chromium)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _external(url: str) -> bool:
    """Whether a request URL goes anywhere but this machine (data:, blob:, about: are fine)."""
    parts = urlsplit(url)
    if parts.scheme in HARMLESS_SCHEMES:
        return False
    return parts.hostname not in LOCAL_HOSTS


@pytest.fixture(scope="module")
def server():
    """The app on a free local port; stopped (by its own process id) after the tests."""
    _need_browser()
    with _serve({}, "browser-server.log") as base:
        yield base


@pytest.fixture(scope="module")
def copy_server(tmp_path_factory):
    """The app on a copy of data/ (PATTERN_ATLAS_DATA), for tests that write corrections: (url, folder)."""
    _need_browser()
    root = tmp_path_factory.mktemp("corpus") / "data"
    shutil.copytree(REPO / "data", root, ignore=shutil.ignore_patterns("graph.json"))
    with _serve({"PATTERN_ATLAS_DATA": str(root)}, "browser-server-copy.log") as base:
        yield base, root


@contextmanager
def _serve(extra_env: dict[str, str], log_name: str):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}  # the embedded store only
    env.update(extra_env)
    (REPO / "out").mkdir(exist_ok=True)
    log = open(REPO / "out" / log_name, "w", encoding="utf-8")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the app did not start (see {log.name})")
            time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@contextmanager
def offline_page() -> Iterator[tuple[Any, list[str]]]:
    """A page in Debian's Chromium whose every request (every frame, every page) is recorded; on leaving,
    the browser closes and no request may have left this machine."""
    playwright = pytest.importorskip("playwright.sync_api")
    SHOTS.mkdir(parents=True, exist_ok=True)
    requested: list[str] = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1440, "height": 1000})
            context.on("request", lambda req: requested.append(req.url))
            yield context.new_page(), requested
        finally:
            browser.close()
    outside = sorted({u for u in requested if _external(u)})
    assert not outside, f"requests left this machine: {outside}"


def test_pages_draw_offline(server):
    with offline_page() as (page, requested):
        page.goto(server, wait_until="domcontentloaded")
        page.get_by_test_id("stSidebarNav").wait_for(timeout=60_000)
        for link, name, graph in PAGES:
            page.get_by_test_id("stSidebarNav").get_by_role("link", name=link, exact=True).click()
            page.get_by_role("heading", level=1).filter(has_text=link).first.wait_for(timeout=60_000)
            if graph:
                frame = page.frame_locator(CANVAS).first
                canvas = frame.locator("#atlas-network canvas")
                canvas.wait_for(state="visible", timeout=60_000)
                frame.locator("body[data-atlas-ready='true']").wait_for(timeout=60_000)
                box = canvas.bounding_box()
                assert box and box["width"] > 200 and box["height"] > 200, f"{link}: canvas too small {box}"
            if name == "paths":
                page.get_by_text("Insecure is distinguished from Self-Judging").first.wait_for(timeout=30_000)
            _settle(page)
            _screenshot(page, SHOTS / f"{name}.png")
    assert requested, "no requests were recorded"
    for name in ("explore", "paths"):
        assert (SHOTS / f"{name}.png").stat().st_size > 10_000


def test_differential_finder_and_teaching_exercise(server):
    """The Differential page: its study-material banner, the finder on typed observations (ranked
    patterns with file:line, the distinctions between the first three), then a teaching exercise
    answered and checked."""
    with offline_page() as (page, requested):
        page.goto(f"{server}/differential", wait_until="domcontentloaded")
        page.get_by_role("heading", level=1).filter(has_text="Differential").first.wait_for(timeout=60_000)
        page.get_by_text("Study material, not a diagnostic instrument.").first.wait_for(timeout=30_000)
        box = page.locator(".st-key-diff_observations textarea")
        box.wait_for(timeout=30_000)
        _settle(page)
        box.fill("expects to be rejected\nfreezes when asked to perform\nsocial phobia")
        box.press("Control+Enter")
        page.get_by_text("names the concept Social anxiety disorder").first.wait_for(timeout=60_000)
        page.get_by_text("Telling the first 3 apart").first.wait_for(timeout=30_000)
        page.get_by_text("data/cards/insecure.txt:12").first.wait_for(timeout=30_000)
        _settle(page)
        _screenshot(page, SHOTS / "differential-finder.png")

        page.get_by_text("Teaching exercise", exact=True).click()
        _pick(page, page.locator(".st-key-diff_vignette input").first, "Afraid to ask")
        page.get_by_text("Priya seeks reassurance").first.wait_for(timeout=30_000)
        _settle(page)
        picks = page.locator(".st-key-diff_picks input").first
        for name in ("Needy", "Insecure"):
            picks.click()
            page.keyboard.type(name)
            page.keyboard.press("Enter")
            _settle(page)
        page.keyboard.press("Escape")
        page.locator(".st-key-diff_check button").click()
        page.get_by_text("Your picks match").first.wait_for(timeout=60_000)
        page.get_by_text("Where the finder ranks them: Needy: rank 1; Insecure: rank 2").first.wait_for(timeout=30_000)
        _settle(page)
        _screenshot(page, SHOTS / "differential-exercise.png")
    for name in ("differential-finder", "differential-exercise"):
        assert (SHOTS / f"{name}.png").stat().st_size > 10_000


def test_hostile_card_shows_its_characters_and_runs_nothing(server, tmp_path):
    card = tmp_path / "xss.txt"
    card.write_text("Xss Pattern\n\nDescription\n\n<script>alert(1)</script>\n\n"
                    "<img src=x onerror=alert(2)> **not bold**\n", encoding="utf-8")
    dialogs: list[str] = []
    with offline_page() as (page, requested):
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(f"{server}/sources", wait_until="domcontentloaded")
        page.get_by_role("heading", level=1).filter(has_text="Sources").first.wait_for(timeout=60_000)
        page.locator("[data-testid=stFileUploader] input[type=file]").set_input_files(str(card))
        button = page.get_by_role("button", name="Load the uploaded file with data/")
        page.wait_for_function("b => !b.disabled", arg=button.element_handle(), timeout=30_000)
        button.click()
        page.get_by_text("Loaded data/ with xss.txt").first.wait_for(timeout=60_000)
        _settle(page)
        _open_page(page, "Pattern card")
        _pick(page, page.locator("[data-testid=stSelectbox]").filter(has_text="Pattern").locator("input").first, "Xss")
        page.get_by_text("<script>alert(1)</script>").first.wait_for(timeout=60_000)
        page.get_by_text("<img src=x onerror=alert(2)> **not bold**").first.wait_for(timeout=30_000)
        frame = page.frame_locator(CANVAS).first
        frame.locator("body[data-atlas-ready='true']").wait_for(timeout=60_000)
        _settle(page)
        assert page.locator("[data-testid=stMain] img[src=x]").count() == 0
        _screenshot(page, SHOTS / "hostile-card.png")
        # Reload from data/, which also deletes the upload's temporary folder.
        _open_page(page, "Sources")
        page.get_by_role("button", name="Reload from data/").click()
        page.get_by_text("Reloaded the graph from data/").first.wait_for(timeout=60_000)
    assert not dialogs, f"document text ran as script: {dialogs}"


def test_correcting_a_section_reloads_the_graph(copy_server):
    """Pick the right section for an inferred block on the Sources page and save: the corrections file
    beside the corpus gets the row, the graph reloads with the block corrected, the card is unchanged."""
    base, root = copy_server
    card = root / "cards" / "insecure.txt"
    card_bytes = card.read_bytes()
    shipped = {p: p.read_bytes()
               for p in (REPO / "data" / "corrections.yaml", REPO / "data" / "cards" / "insecure.txt")}
    with offline_page() as (page, requested):
        page.goto(f"{base}/sources", wait_until="domcontentloaded")
        page.get_by_role("heading", level=1).filter(has_text="Sources").first.wait_for(timeout=60_000)
        block = page.locator(".st-key-sources_fix_pattern-insecure_108")
        _pick(page, block.locator("input").first, "Related Technical Concepts")
        _settle(page)
        page.locator(".st-key-sources_fix_pattern-insecure_108_save button").click()
        page.get_by_text("Saved: lines 108 of").first.wait_for(timeout=60_000)
        page.get_by_text("A correction placed these lines here").first.wait_for(timeout=30_000)
        _settle(page)
        _screenshot(page, SHOTS / "correction-sources.png")
        _open_page(page, "Pattern card")
        page.get_by_text("heading corrected").first.wait_for(timeout=60_000)
        page.frame_locator(CANVAS).first.locator("body[data-atlas-ready='true']").wait_for(timeout=60_000)
        _settle(page)
        _screenshot(page, SHOTS / "correction-card.png")
    text = (root / "corrections.yaml").read_text(encoding="utf-8")
    assert "  - file: cards/insecure.txt\n    lines: 108\n    section: related_concepts\n" in text
    assert card.read_bytes() == card_bytes
    assert {p: p.read_bytes() for p in shipped} == shipped
    from atlas.compose import open_embedded  # noqa: PLC0415 - the graph the app rebuilt and saved

    store, report = open_embedded(root)
    assert [c["lines"] for c in report["corrections"]] == ["108"]
    assert any(e["type"] == "RELATED_CONCEPT" and e["target"].startswith("concept:generally-phobic")
               for e in store.neighbourhood("pattern:insecure", hops=1)["edges"])


def test_query_results_as_returned(server):
    """Issue 15 on the Query page: a named question answers with a pattern picked by name, and a Cypher
    query returning relationships draws exactly those (24 BLOCKS, not every edge among their ends)."""
    with offline_page() as (page, requested):
        page.goto(f"{server}/query", wait_until="domcontentloaded")
        page.get_by_role("heading", level=1).filter(has_text="Query").first.wait_for(timeout=60_000)
        _pick(page, page.locator(".st-key-query_name input").first, "Distinctions between")
        _pick(page, page.locator(".st-key-query_param_distinctions-between_b input").first, "Self-Judging")
        _settle(page)
        page.get_by_text("2 rows", exact=True).first.wait_for(timeout=60_000)
        page.frame_locator(CANVAS).first.locator("body[data-atlas-ready='true']").wait_for(timeout=60_000)
        _settle(page)
        _screenshot(page, SHOTS / "query-named-by-name.png")

        page.get_by_role("tab", name="Cypher (read-only)").click()
        box = page.locator(".st-key-query_cypher textarea")
        box.wait_for(timeout=30_000)
        box.fill("MATCH (p:Pattern)-[r:BLOCKS]->(c:Capacity) WHERE p.name <> 'Nobody' RETURN p, r, c")
        box.press("Control+Enter")
        _settle(page)
        page.locator(".st-key-query_run_cypher button").click()
        page.get_by_text("24 relationships (returned ones and path steps only)").first.wait_for(timeout=60_000)
        _settle(page)
        drawn = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not any(len(e) == 24 for e in drawn):
            drawn = [frame.evaluate("() => window.atlasNetwork ? window.atlasNetwork.body.data.edges.getIds() : null")
                     for frame in page.frames if frame != page.main_frame]
            drawn = [e for e in drawn if e]
            time.sleep(0.5)
        assert any(len(e) == 24 for e in drawn), f"edges drawn per graph: {[len(e) for e in drawn]}"
        _settle(page)
        _screenshot(page, SHOTS / "query-cypher-relationships.png")
    for name in ("query-named-by-name", "query-cypher-relationships"):
        assert (SHOTS / f"{name}.png").stat().st_size > 10_000


def _screenshot(page, path: Path) -> None:
    """The whole page: Streamlit scrolls inside its main block, so the viewport is grown to fit it."""
    height = page.evaluate("Math.max(...Array.from(document.querySelectorAll("
                           "'[data-testid=stMain], [data-testid=stAppViewContainer]'), e => e.scrollHeight), 0)")
    page.set_viewport_size({"width": 1440, "height": max(1000, min(int(height or 0), 8000))})
    time.sleep(1.2)
    page.screenshot(path=str(path))
    page.set_viewport_size({"width": 1440, "height": 1000})


def _open_page(page, title: str, tries: int = 3) -> None:
    """Click a sidebar link until the page's title shows: a click that lands while Streamlit is still
    finishing a run can be swallowed on a loaded machine."""
    heading = page.get_by_role("heading", level=1).filter(has_text=title).first
    for attempt in range(tries):
        page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True).click()
        try:
            heading.wait_for(timeout=20_000)
            _settle(page)
            return
        except Exception:  # noqa: BLE001 - retried, then the last wait raises
            if attempt == tries - 1:
                raise


def _pick(page, box, text: str) -> None:
    """Choose `text` in a Streamlit selectbox: wait for its input, let the page settle, type, Enter."""
    box.wait_for(timeout=60_000)
    _settle(page)
    box.click()
    page.keyboard.type(text)
    page.keyboard.press("Enter")


def _settle(page) -> None:
    """Wait until Streamlit has finished the run (no 'Running…' widget) and the layout is still."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if page.locator("[data-testid=stStatusWidget]").count() == 0:
            break
        time.sleep(0.2)
    time.sleep(0.8)


def test_external_url_check():
    assert _external("https://fonts.gstatic.com/x.svg")
    assert _external("http://example.invalid/")
    assert not _external("http://127.0.0.1:8501/static/app.js")
    assert not _external("http://localhost:8501/_stcore/stream")
    assert not _external("data:image/png;base64,AAAA")
    assert not _external("blob:http://127.0.0.1:8501/abc")
    assert not _external("about:srcdoc")
