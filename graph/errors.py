"""The one exception root of Pattern Atlas.

Every error the project raises for a user to read derives from `AtlasError`, so a front end (the CLIs,
the app, the benchmark) catches one class; driver and library errors are translated into these at the
boundary where they occur. This module imports nothing of the project: it is the bottom layer.
"""
from __future__ import annotations

import re
from typing import Iterable


class AtlasError(Exception):
    """Something Pattern Atlas cannot do, with a message meant for the user (one line, no secrets)."""


_URI = re.compile(r"\b([a-z][a-z0-9+.-]*://)([^\s/@]*@)?([^\s'\"]*)", re.IGNORECASE)


def redact(text: str, secrets: Iterable[str | None] = ()) -> str:
    """`text` with each of `secrets` (passwords, whole URIs) shown as `***` and the user and password
    removed from any URI in it (`bolt://u:p@h:7687` → `bolt://h:7687`).

    Why: driver errors can quote the connection string; no page, CLI message or log may show a
    credential. The one redaction of the project (settings and stores both use it)."""
    hidden = [s for s in secrets if s and len(s) >= 2]
    out = str(text)
    for secret in hidden:
        out = out.replace(secret, "***")
    out = _URI.sub(lambda m: m.group(1) + m.group(3), out)
    for secret in hidden:  # a secret URI is hidden in its shape without credentials too
        out = out.replace(secret, "***")
    return out
