"""Uploaded documents that outlive a browser session: each upload is kept in its own folder on the server,
named by a random token, and the token rides in every page's URL (`?upload=…`), so a reload, or the same
link opened in another browser on this server, loads data/ with the same uploaded document again.

The token is 24 random URL-safe characters (`secrets.token_urlsafe`); a URL parameter that is not one is
ignored, so it can never name another folder. Reload from data/ on the Sources page deletes the folder.
The folders live under `PATTERN_ATLAS_UPLOADS` (default: `pattern-atlas-uploads` in the system's temporary
folder), never in data/.
"""
from __future__ import annotations

import os
import re
import secrets
import shutil
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from explorer.source_views import UPLOAD_SUFFIXES

PARAM = "upload"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{24}\Z")


def uploads_root() -> Path:
    """Where the upload folders are kept."""
    return Path(os.environ.get("PATTERN_ATLAS_UPLOADS") or Path(tempfile.gettempdir()) / "pattern-atlas-uploads")


def new_upload_dir() -> tuple[str, Path]:
    """(token, folder): a new, empty folder for one upload, readable by this user only."""
    root = uploads_root()
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    token = secrets.token_urlsafe(18)
    folder = root / token
    folder.mkdir(mode=0o700)
    return token, folder


def upload_dir(token: Any) -> Path | None:
    """The folder of an upload token, or None when the token is malformed or its folder is gone."""
    if not isinstance(token, str) or not _TOKEN.match(token):
        return None
    folder = uploads_root() / token
    try:
        mode = os.lstat(folder).st_mode
    except OSError:
        return None
    return folder if stat.S_ISDIR(mode) else None


def upload_files(folder: Path) -> list[Path]:
    """The uploaded documents in an upload folder (regular .txt and .md files, sorted)."""
    return sorted(p for p in folder.iterdir()
                  if p.suffix.lower() in UPLOAD_SUFFIXES and stat.S_ISREG(os.lstat(p).st_mode))


Loader = Callable[[list[Path]], tuple[Any, dict[str, Any]]]


def reopen(token: Any, data_dir: Path, load: Loader) -> dict[str, Any] | None:
    """The session's custom graph (as the Sources page makes it) rebuilt from an upload token's folder:
    data/ plus the uploaded documents; None when the token names no upload here."""
    folder = upload_dir(token)
    files = upload_files(folder) if folder else []
    if folder is None or not files:
        return None
    paths = [data_dir, *files]
    store, report = load(paths)
    return {"store": store, "report": report, "label": "data/ + " + ", ".join(f.name for f in files),
            "tmpdir": str(folder), "paths": [str(p) for p in paths], "token": token}


def discard(custom: dict[str, Any] | None) -> None:
    """Delete an upload's folder (the graph goes back to data/); nothing for a folder loaded in place."""
    if custom and custom.get("tmpdir"):
        shutil.rmtree(custom["tmpdir"], ignore_errors=True)
