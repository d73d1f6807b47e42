"""Hostile paths and outputs (issue 13): special files and symlinks given to the loader, output files
a failed run must leave as they were, and a reader that closes the pipe early."""
from __future__ import annotations

import json
import os
import resource
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, SEED_CARD

CARD = REPO / "tests" / "fixtures" / "worried-full.txt"  # not in data/, so the app can load it beside data/
from loaders.corpus import discover, load_paths
from loaders.errors import LoadError

SECRET = "Zebracorn secret line that must never be read"


def cli(*args: str, env: dict | None = None, preexec=None, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "loaders", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=timeout, env=env, preexec_fn=preexec)


@pytest.fixture
def hostile(tmp_path) -> tuple[Path, Path]:
    """A corpus folder with one good card and every kind of path that must not be read, and the folder
    beside it that its symlinks point into."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(f"Secret notes\n\n{SECRET}\n", encoding="utf-8")
    corpus = tmp_path / "corpus"
    (corpus / "sub").mkdir(parents=True)
    (corpus / "worried.txt").write_bytes(CARD.read_bytes())
    (corpus / "sub" / "notes.md").write_text("Notes\n\nAn article inside the folder.\n", encoding="utf-8")
    os.mkfifo(corpus / "pipe.txt")
    os.symlink(outside / "secret.txt", corpus / "secret-link.txt")  # a file outside
    os.symlink(outside, corpus / "outside-link")  # a folder outside
    os.symlink(corpus / "sub" / "notes.md", corpus / "inside-link.md")  # inside: fine, read once
    os.symlink(corpus, corpus / "sub" / "up")  # a folder loop through a symlink
    os.symlink("loop-b.txt", corpus / "loop-a.txt")
    os.symlink("loop-a.txt", corpus / "loop-b.txt")
    os.symlink(corpus / "gone.txt", corpus / "dangling.txt")
    os.symlink(corpus / "pipe.txt", corpus / "pipe-link.txt")  # a symlink to a special file
    return corpus, outside


# -- class 10: paths given to the loader ----------------------------------------------------------

@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "fifo-behind-symlink"])
def test_a_special_file_given_directly_is_an_error_naming_it(tmp_path, kind):
    fifo = tmp_path / "cards.txt"
    os.mkfifo(fifo)
    if kind == "fifo":
        path = fifo
    elif kind == "dev-zero":
        path = Path("/dev/zero")
    else:
        path = tmp_path / "link.txt"
        os.symlink(fifo, path)
    proc = cli(str(path), timeout=30)  # a FIFO that were opened would wait for a writer forever
    assert proc.returncode == 2 and proc.stdout == "", proc.stderr
    message = proc.stderr.strip()
    assert len(message.splitlines()) == 1 and message.startswith(f"error: {path}:1:"), message
    assert "not a regular file" in message


def test_inside_a_folder_only_regular_files_within_it_are_read(hostile):
    corpus, outside = hostile
    proc = cli(str(corpus), timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert SECRET not in proc.stdout and SECRET not in proc.stderr
    graph = json.loads(proc.stdout)
    files = {p["file"] for n in graph["nodes"] for p in n["provenance"]}
    assert not any("secret" in f or "outside" in f for f in files), files
    warnings = [line for line in proc.stderr.splitlines() if line.startswith("warning:")]
    said = "\n".join(warnings)
    assert f"secret-link.txt:1: a symlink to {(outside / 'secret.txt').as_posix()}, outside" in said
    assert f"outside-link:1: a symlink to the folder {outside.as_posix()}, outside" in said
    assert "pipe.txt:1: a FIFO (named pipe), not a regular file; skipped" in said
    assert "pipe-link.txt:1: a symlink to a FIFO (named pipe), not a regular file; skipped" in said
    assert "loop-a.txt:1: a symlink loop; skipped" in said and "loop-b.txt:1: a symlink loop" in said
    assert "dangling.txt:1: a symlink to nothing" in said
    result = load_paths([corpus])
    assert result.graph.nodes["pattern:worried"]["status"] == "card"
    read = [d["path"] for d in result.report.to_dict()["documents"]]
    assert len(read) == 2 and sum("notes.md" in p for p in read) == 1, read  # the inside link: no second copy


def test_symlink_loops_given_directly_are_named_and_do_not_hang(tmp_path):
    os.symlink("b.txt", tmp_path / "a.txt")
    os.symlink("a.txt", tmp_path / "b.txt")
    proc = cli(str(tmp_path / "a.txt"), timeout=30)
    assert proc.returncode == 2 and proc.stderr.strip() == f"error: {tmp_path / 'a.txt'}:1: a symlink loop"
    with pytest.raises(LoadError, match="a symlink to nothing"):
        os.symlink(tmp_path / "gone", tmp_path / "dangling")
        discover([tmp_path / "dangling"])


def test_a_file_swapped_for_a_fifo_after_it_was_found_is_refused_not_waited_on(tmp_path):
    """read_document itself refuses a special file (the folder walk may have seen a regular file there)."""
    fifo = tmp_path / "card.txt"
    os.mkfifo(fifo)
    code = ("import sys; from pathlib import Path; from loaders.text import read_document\n"
            "from loaders.errors import LoadError\n"
            f"try:\n    read_document(Path({str(fifo)!r}))\nexcept LoadError as exc:\n    print(exc)\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0 and "card.txt:1: not a regular file" in proc.stdout, proc.stderr


def test_the_apps_folder_option_reads_only_regular_files_inside_the_folder(hostile):
    from test_app import shown, start, widget

    corpus, _ = hostile
    at = start("sources")
    widget(at, "text_input", "sources_folder").set_value(str(corpus / "secret-link.txt")).run()
    widget(at, "button", "sources_load_folder").click().run()
    assert [e.value for e in at.error] and "is not a folder" in at.error[0].value
    assert "atlas_custom" not in at.session_state  # a file named as the folder is never read
    widget(at, "text_input", "sources_folder").set_value(str(corpus)).run()
    widget(at, "button", "sources_load_folder").click().run()
    assert not at.error, [e.value for e in at.error]
    text = shown(at) + "\n".join(c.value for c in at.code)
    assert "Loaded data/ with corpus" in text and SECRET not in text
    assert "a symlink to" in text and "outside" in text and "a FIFO (named pipe)" in text
    paths = [str(p) for p in at.session_state["atlas_custom"]["report"]["documents"]]
    assert not any("secret" in p for p in paths)
    widget(at, "button", "sources_reload").click().run()


# -- class 3: output files ------------------------------------------------------------------------

def _no_core_no_big_files(limit: int):
    def limit_file_size() -> None:  # a disk that fills after `limit` bytes of any file written
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return limit_file_size


@pytest.mark.parametrize("failure", ["bad-input", "neo4j-not-configured", "disk-full"])
def test_a_failed_run_leaves_existing_output_files_as_they_were(tmp_path, failure):
    out, report = tmp_path / "graph.json", tmp_path / "report.json"
    out.write_text("the previous graph\n", encoding="utf-8")
    report.write_text("the previous report\n", encoding="utf-8")
    os.chmod(out, 0o640)
    before = {p: (p.read_bytes(), stat.S_IMODE(p.stat().st_mode)) for p in (out, report)}
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
    args = [str(SEED_CARD), "-o", str(out), "--report-json", str(report)]
    preexec = None
    if failure == "bad-input":
        bad = tmp_path / "bad.txt"
        bad.write_bytes(b"Broken Pattern\n\x00binary")
        args.insert(1, str(bad))
    elif failure == "neo4j-not-configured":
        args.append("--neo4j")
    else:
        preexec = _no_core_no_big_files(4096)  # the graph is bigger: the write fails part way
    proc = cli(*args, env=env, preexec=preexec)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr, proc.stderr
    assert proc.stderr.strip().splitlines()[-1].startswith("error: ")
    assert {p: (p.read_bytes(), stat.S_IMODE(p.stat().st_mode)) for p in (out, report)} == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "bad.txt") == ["graph.json", "report.json"]


def test_an_interrupted_run_leaves_existing_output_files_as_they_were(tmp_path, monkeypatch):
    import atlas.compose
    from atlas.load_cli import main

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(atlas.compose, "open_neo4j", interrupted)
    out, report = tmp_path / "graph.json", tmp_path / "report.json"
    out.write_text("the previous graph\n", encoding="utf-8")
    report.write_text("the previous report\n", encoding="utf-8")
    with pytest.raises(KeyboardInterrupt):
        main([str(SEED_CARD), "-o", str(out), "--report-json", str(report), "--neo4j"])
    assert out.read_text(encoding="utf-8") == "the previous graph\n"
    assert report.read_text(encoding="utf-8") == "the previous report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.json", "report.json"]


def test_a_good_run_replaces_the_files_keeping_permissions_not_writing_through_links_or_replacing_devices(tmp_path):
    out, report, real = tmp_path / "graph.json", tmp_path / "report.json", tmp_path / "real.json"
    out.write_text("old\n", encoding="utf-8")
    os.chmod(out, 0o640)
    real.write_text("old\n", encoding="utf-8")
    os.symlink(real, report)
    proc = cli(str(SEED_CARD), "-o", str(out), "--report-json", str(report))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(out.read_text(encoding="utf-8"))["nodes"] and stat.S_IMODE(out.stat().st_mode) == 0o640
    assert json.loads(report.read_text(encoding="utf-8"))["documents"] and not report.is_symlink()
    assert real.read_text(encoding="utf-8") == "old\n"  # a symlink is replaced, never written through
    fresh = tmp_path / "new" / "graph.json"
    proc = cli(str(SEED_CARD), "-o", str(fresh))
    umask = os.umask(0)
    os.umask(umask)
    assert proc.returncode == 0 and stat.S_IMODE(fresh.stat().st_mode) == 0o666 & ~umask  # as open() makes it
    proc = cli(str(SEED_CARD), "-o", os.devnull)  # a device is written, never replaced by a file
    assert proc.returncode == 0 and stat.S_ISCHR(os.stat(os.devnull).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.json", "new", "real.json", "report.json"]


def test_the_atomic_helper_keeps_the_old_file_on_any_failure_and_writes_through_nothing(tmp_path):
    """What corrections.yaml and data/graph.json are written with: a symlink or FIFO at the name (a corpus
    folder may hold either) is replaced by the new file; its target is never written, a FIFO never waited on."""
    from graph.atomic import replacing, write_atomic

    kept = tmp_path / "corrections.yaml"
    kept.write_text("old\n", encoding="utf-8")
    for failure in (ValueError, KeyboardInterrupt):
        with pytest.raises(failure), replacing(kept) as tmp:
            tmp.write_text("half", encoding="utf-8")
            raise failure
        assert kept.read_text(encoding="utf-8") == "old\n"
    outside = tmp_path / "outside.txt"
    outside.write_text("untouched\n", encoding="utf-8")
    link = tmp_path / "graph.json"
    os.symlink(outside, link)
    write_atomic(link, b"new")
    assert not link.is_symlink() and link.read_bytes() == b"new" and outside.read_text(encoding="utf-8") == "untouched\n"
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    write_atomic(fifo, "rows\n")  # with no reader, writing into a FIFO would wait forever
    assert fifo.is_file() and fifo.read_text(encoding="utf-8") == "rows\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corrections.yaml", "fifo.yaml", "graph.json", "outside.txt"]


# -- class 6: a reader that goes away ---------------------------------------------------------------

def test_a_reader_that_closes_the_pipe_early_ends_the_run_quietly():
    """`python -m loaders data | head -1`: the reader is gone before the graph is written."""
    proc = subprocess.Popen([sys.executable, "-m", "loaders", str(SEED_CARD)], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait(timeout=60) == 141  # as SIGPIPE ends other tools; the same as python -m graph
    assert err == "", err
