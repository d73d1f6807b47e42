"""Loading a corpus: find the documents under the given paths, read them, build one graph.

Catalogues are read first (their synonyms decide node ids), then cards, then articles. Authorship
comes from a `corpus.yaml` manifest found in a document's folder or above it.
"""
from __future__ import annotations

import errno
import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from graph.model import GraphData, gc_paused
from graph.schema import pattern_slug
from graph.shipped import SHIPPED_DATA

from .article import parse_article
from .build import Builder, LoadReport
from .card import card_title
from .cardparsing import Job, parse_cards
from .catalogue import Catalogue, read_catalogue
from .corrections import CORRECTIONS, corrections_for, find_sidecars
from .errors import LoadError, Warning_
from .parsecache import ParseCache, known_digest, reader_digest, reader_files
from .text import REPO_ROOT, Document, display_path, read_document
from .vocabulary import Vocabulary, load_vocabulary
from .yamlio import LINE_KEY, YamlMap, known_items, load_yaml, rows_under

DOCUMENT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
YAML_SUFFIXES = {".yaml", ".yml"}
MANIFEST = "corpus.yaml"
DEFAULT_DATA = SHIPPED_DATA
#: A folder of teaching vignettes (graph/vignettes.py): exercises, not corpus documents, never walked.
VIGNETTES = "vignettes"
#: Folders under a corpus that hold the app's material, not documents: vignettes and stories
#: (explorer/stories.py); never walked, so they are neither documents, warnings nor in the sources digest.
NOT_DOCUMENTS = (VIGNETTES, "stories")


@dataclass
class LoadResult:
    graph: GraphData
    report: LoadReport


def discover(paths: Iterable[Path], warnings: list[Warning_] | None = None) -> list[Path]:
    """Every document and YAML file under the paths (sorted, hidden files and folders skipped).

    Only regular files are read. A path given directly must be a file or a folder: anything else (a
    FIFO, a device, a socket, a symlink loop) is a LoadError naming it. Inside a folder, special files
    and symlinks that resolve outside that folder, nowhere or in a loop are skipped, each with a warning
    added to `warnings`; symlinked folders are not walked (one inside the folder is walked where it is).
    """
    return list(_discover(paths, warnings).values())


def _discover(paths: Iterable[Path], warnings: list[Warning_] | None = None) -> dict[Path, Path]:
    """`discover`'s files by their resolved paths (each file resolved once, here, for every later use)."""
    skipped = warnings if warnings is not None else []
    found: list[Path] = []
    for path in paths:
        try:
            mode = path.stat().st_mode
        except OSError as exc:
            raise LoadError(str(path), 1, _unreadable_path(path, exc)) from None
        if stat.S_ISDIR(mode):
            found += [f for f in _walk(path, skipped) if not is_vignette(f, path)]
        elif stat.S_ISREG(mode):
            found.append(path)
        else:
            raise LoadError(str(path), 1, f"{_special_kind(mode)}, not a regular file: only regular files are read")
    unique: dict[Path, Path] = {}
    parents: dict[Path, str] = {}  # a folder's real path, once: realpath reads every part of every path
    for p in found:
        parent = parents.get(p.parent)
        if parent is None:
            parent = parents[p.parent] = os.path.realpath(p.parent)
        real = os.path.realpath(p) if os.path.islink(p) else os.path.join(parent, p.name)
        unique.setdefault(Path(real), p)
    return unique


def is_vignette(file: Path, folder: Path) -> bool:
    """Whether a file found under `folder` lies in a `vignettes/` or `stories/` folder there: teaching
    exercises for the Differential page and stories for the Story page, which are not graph documents
    (nor "skipped" YAML in the load report)."""
    return any(part in NOT_DOCUMENTS for part in file.relative_to(folder).parts[:-1])


def _walk(folder: Path, skipped: list[Warning_]) -> list[Path]:
    """The regular document and YAML files in `folder` and its sub-folders, sorted; what is passed over
    for being special, or a symlink leading out of `folder`, nowhere or round in a loop, goes to `skipped`."""
    root = folder.resolve()
    wanted = DOCUMENT_SUFFIXES | YAML_SUFFIXES
    found: list[Path] = []
    passed: list[Warning_] = []
    pending = [folder]
    while pending:
        current = pending.pop()
        try:
            with os.scandir(current) as listing:
                entries = list(listing)
        except OSError as exc:
            passed.append(Warning_(_link_shown(current), 1,
                                   f"cannot list this folder ({exc.strerror or exc}); skipped"))
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            child = current / entry.name
            named = child.suffix.lower() in wanted
            if not entry.is_symlink():
                if entry.is_dir(follow_symlinks=False):
                    pending.append(child)
                elif named and entry.is_file(follow_symlinks=False):
                    found.append(child)
                elif named:
                    kind = _special_kind(entry.stat(follow_symlinks=False).st_mode)
                    passed.append(Warning_(_link_shown(child), 1, f"{kind}, not a regular file; skipped"))
                continue
            try:
                target = child.resolve(strict=True)
                mode = target.stat().st_mode
            except (OSError, RuntimeError) as exc:  # RuntimeError: Python 3.11's "Symlink loop"
                if named:
                    what = "a symlink loop" if isinstance(exc, RuntimeError) or exc.errno == errno.ELOOP \
                        else "a symlink to nothing (its target is missing)"
                    passed.append(Warning_(_link_shown(child), 1, f"{what}; skipped"))
                continue
            inside = target.is_relative_to(root)
            if stat.S_ISDIR(mode):
                if not inside:
                    passed.append(Warning_(_link_shown(child), 1, f"a symlink to the folder {target.as_posix()}, "
                                                                  f"outside {display_path(folder)}; skipped"))
                continue  # inside, its files are found where they are
            if not named:
                continue
            if not inside:
                passed.append(Warning_(_link_shown(child), 1, f"a symlink to {target.as_posix()}, outside "
                                                              f"{display_path(folder)}; skipped"))
            elif not stat.S_ISREG(mode):
                passed.append(Warning_(_link_shown(child), 1, f"a symlink to {_special_kind(mode)}, "
                                                              "not a regular file; skipped"))
            else:
                found.append(child)
    skipped.extend(sorted(passed, key=lambda w: w.file))
    return sorted(found)


def _unreadable_path(path: Path, exc: OSError) -> str:
    """Why a path given to the loader cannot be looked at, in words."""
    if exc.errno == errno.ELOOP:
        return "a symlink loop"
    if isinstance(exc, FileNotFoundError) and os.path.lexists(path):
        return "a symlink to nothing (its target is missing)"
    if isinstance(exc, FileNotFoundError):
        return "no such file or folder"
    return f"cannot read it ({exc.strerror or exc})"


def _special_kind(mode: int) -> str:
    """'a FIFO', 'a character device', ...: what a file that is not a regular file or folder is."""
    for test, name in ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder")):
        if test(mode):
            return name
    return "a special file"


def _link_shown(path: Path) -> str:
    """A path as messages show it, without following a symlink at its end (display_path would)."""
    parent = display_path(path.parent)
    return path.name if parent == "." else f"{parent}/{path.name}"


def _manifest_entries(files: Iterable[Path]) -> dict[Path, dict]:
    """Manifest rows by resolved document path, from every corpus.yaml at or above the files (resolved)."""
    entries: dict[Path, dict] = {}
    seen: set[Path] = set()
    parents_done: set[Path] = set()
    for file in files:
        parent = file.parent
        if parent in parents_done:  # the same folder's manifests, already read for a sibling file
            continue
        parents_done.add(parent)
        for folder in [parent, *parent.parents]:
            manifest = folder / MANIFEST
            if manifest in seen:
                continue
            seen.add(manifest)
            if manifest.is_file():
                for document, row in read_manifest(manifest).items():
                    entries.setdefault(document, row)
            if folder == REPO_ROOT or folder == folder.parent:
                break
    return entries


_MANIFEST_KEYS = ("path", "authorship", "note")


def read_manifest(manifest: Path) -> dict[Path, dict]:
    """The rows of one corpus.yaml by resolved document path, checked: a mapping whose `documents` is a
    list of mappings, each with `path` and optionally `authorship` and `note`, all text, one row per
    document. Anything else is a LoadError naming the manifest and the line."""
    data, shown, _ = load_yaml(manifest)
    got = rows_under(data, shown, "documents", "a manifest", "each with 'path' and optionally 'authorship' and 'note'")
    if got is None:
        return {}
    rows, _ = got
    found: dict[Path, dict] = {}
    item_lines: Sequence[int] = getattr(rows, "item_lines", ())
    for index, row in enumerate(rows):
        line = item_lines[index] if index < len(item_lines) else 1
        if not isinstance(row, YamlMap):
            raise LoadError(shown, line,
                            "a manifest row is a mapping with 'path' and optionally 'authorship' and 'note'")
        for key, value, where in known_items(row, shown, line, _MANIFEST_KEYS, lambda k: (
                f"unknown key {k!r}; a manifest row has {', '.join(_MANIFEST_KEYS)}")):
            if not isinstance(value, str) or (key != "note" and not value.strip()):
                raise LoadError(shown, where, f"'{key}' must be text, not {value!r}"[:200])
        if "path" not in row:
            raise LoadError(shown, line, "manifest row needs a 'path'")
        try:
            document = (manifest.parent / row["path"]).resolve()
        except (OSError, RuntimeError, ValueError) as exc:  # a loop of symlinks, a NUL in the path
            raise LoadError(shown, row.key_lines.get("path", line), f"bad path {row['path']!r}: {exc}"[:200]) from None
        if document in found:
            raise LoadError(shown, line, f"a second row for {row['path']!r}; the first is at line "
                                         f"{found[document][LINE_KEY]}")
        found[document] = row
    return found


def load_paths(paths: Iterable[Path], cache: ParseCache | None = None) -> LoadResult:
    """Load every card, article and catalogue under the paths into one graph with a report (see
    `_load_paths`), with the cyclic garbage collector paused: a load makes millions of long-lived dicts
    and lists and no cycles, and each full collection would walk all of them again. With a `cache`
    (`loaders.parsecache`), cards read before and unchanged are taken from it, and it is saved after."""
    with gc_paused():
        result = _load_paths(paths, cache)
    if cache is not None:
        cache.save()
    return result


def _load_paths(paths: Iterable[Path], cache: ParseCache | None = None) -> LoadResult:
    """Load every card, article and catalogue under the paths into one graph with a report.

    Raises LoadError (file and line) for input that cannot be used; nothing is half-built: the
    caller gets a whole graph or the error.
    """
    vocab = load_vocabulary()
    passed_over: list[Warning_] = []  # special files and symlinks out of a folder, skipped
    files = _discover(list(paths), passed_over)  # by resolved path: each file resolved once
    manifest = _manifest_entries(files)
    corrections = corrections_for(files, real=True)  # rows of corrections.yaml files at or above the documents
    builder = Builder()
    builder.report.warnings.extend(passed_over)
    catalogues, documents = _read_files(files, builder.report.skipped)

    def authorship(real: Path, default: str = "unspecified") -> tuple[str, str | None]:
        row = manifest.get(real, {}) if manifest else {}
        return row.get("authorship", default), row.get("note")

    order = {"aliases": 0, "concepts": 1, "dimensions": 2, "pattern_names": 3}
    for cat in sorted(catalogues, key=lambda c: order[c.kind]):
        builder.add_catalogue(cat, authorship((REPO_ROOT / cat.path).resolve(), "catalogue")[0])
    known = _known_patterns(vocab, builder, catalogues)
    keys = (known_digest(known), reader_digest()) if cache is not None else None
    cards = [(f, d, card_title(d)) for f, d in documents]
    del documents
    jobs: list[Job] = [(doc, corrections.get(real, [])) for real, doc, title in cards if title is not None]
    parsed = parse_cards(jobs, vocab, known, cache, keys)  # in order, lazily: parsing overlaps assembly
    try:
        for index, (real, doc, title) in enumerate(cards):
            cards[index] = None  # type: ignore[call-overload]  # its lines freed once it is in the graph
            who, note = authorship(real)
            fixes = corrections.get(real, [])
            if title is not None:
                builder.add_card(next(parsed), who, note)
                builder.report.corrections.extend(fix.to_report() for fix in fixes)
                continue
            if fixes:
                raise LoadError(fixes[0].source, fixes[0].source_line,
                                f"{doc.path} is not a pattern card; corrections apply to cards only")
            heading = _card_heading(doc)
            if heading is not None:
                raise LoadError(doc.path, 1, f"looks like a pattern card (heading {heading[1]!r} at line {heading[0]}) "
                                             "but has no title: its first line must be '<Name> Pattern'")
            builder.add_article(parse_article(doc), who, note)
    finally:
        parsed.close()  # workers still parsing stop at once on an error
    graph, report = builder.finish()
    return LoadResult(graph, report)


def _read_files(files: dict[Path, Path], skipped: list[str]) -> tuple[list[Catalogue], list[tuple[Path, Document]]]:
    """The catalogues and the documents (with their resolved paths) among `files` (by resolved path),
    in order; YAML files that are not catalogues go to `skipped`, manifests and corrections are left out."""
    documents: list[tuple[Path, Document]] = []
    catalogues: list[Catalogue] = []
    for real, file in files.items():
        if file.name in (MANIFEST, CORRECTIONS):
            continue
        if file.suffix.lower() in YAML_SUFFIXES:
            cat = read_catalogue(file)
            if cat is None:
                skipped.append(display_path(file))
            else:
                catalogues.append(cat)
        else:
            documents.append((real, read_document(real, real=True)))
    return catalogues, documents


def _known_patterns(vocab: Vocabulary, builder: Builder, catalogues: list[Catalogue]) -> frozenset[str]:
    """Pattern names a card recognises: the shipped catalogue's (in the vocabulary) and those of the
    catalogues loaded with it, never other cards' titles, so a card reads the same in any company."""
    known = set(vocab.known_patterns)
    known |= {pattern_slug(n["name"]) for n in builder.graph.nodes.values() if n["kind"] == "Pattern"}
    for cat in catalogues:
        if cat.kind == "pattern_names":
            known |= {pattern_slug(name) for row in cat.data["pattern_names"] for name in row["names"]}
    return frozenset(known)


def _card_heading(doc: Document) -> tuple[int, str] | None:
    """The first card-section heading in a document that has two or more of them, else None."""
    from .card import clean_line  # noqa: PLC0415

    vocab = load_vocabulary()
    found = []
    for number, raw in enumerate(doc.lines, 1):
        text, _ = clean_line(raw) if raw.strip() else ("", False)
        if text and len(text.split()) <= 8 and vocab.match_heading(text) is not None:
            found.append((number, text))
            if len(found) >= 2:
                return found[0]
    return None


def sources_digest(paths: Iterable[Path]) -> str:
    """A digest of every input file's bytes, of the corrections files at or above them, and of the
    vocabulary (with the catalogue names the card reader always uses) and loader code (cache key)."""
    found = _discover(list(paths))  # each file resolved once: a big corpus has tens of thousands
    resolved = [str(real) for real in found]
    inside = set(resolved)
    for extra in [*find_sidecars(found, real=True), *reader_files()]:  # corrections; code, vocabulary, names
        real = os.path.realpath(extra)
        if real not in inside:
            resolved.append(real)
            inside.add(real)
    # the working folder too: provenance shows paths outside the repository relative to it
    digest = hashlib.sha256(os.getcwd().encode() + b"\0")
    for real in resolved:
        digest.update(real.encode() + b"\0")
        with open(real, "rb") as fh:
            digest.update(fh.read())
    return digest.hexdigest()
