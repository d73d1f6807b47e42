"""The one exception root of Pattern Atlas.

Every error the project raises for a user to read derives from `AtlasError`, so a front end (the CLIs,
the app, the benchmark) catches one class; driver and library errors are translated into these at the
boundary where they occur. This module imports nothing of the project: it is the bottom layer.
"""
from __future__ import annotations


class AtlasError(Exception):
    """Something Pattern Atlas cannot do, with a message meant for the user (one line, no secrets)."""
