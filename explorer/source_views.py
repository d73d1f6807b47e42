"""The Sources page's pure helpers: safe upload names and checks, paths shown without private
folders, and the load report's documents, counts and warnings. No Streamlit."""
from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path, PurePath
from typing import Any

MAX_UPLOAD_BYTES = 1024 * 1024
UPLOAD_SUFFIXES = (".txt", ".md")


def safe_upload_name(name: str) -> str:
    """A harmless file name for an uploaded document: no folders, only plain characters, .txt/.md.

    Why: the upload is written to a private temporary folder and read by the loaders; its name
    must not reach outside that folder or look like anything but a text document.
    """
    base = PurePath(str(name).replace("\\", "/")).name
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, "txt"
    suffix = suffix.lower() if f".{suffix.lower()}" in UPLOAD_SUFFIXES else "txt"
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-.")[:80] or "upload"
    return f"{stem}.{suffix}"


def check_upload(name: str, size: int) -> str | None:
    """Why an upload is refused (wrong type, too big), or None when it may be loaded."""
    if not str(name).lower().endswith(UPLOAD_SUFFIXES):
        return f"{name}: only .txt and .md documents can be loaded"
    if size > MAX_UPLOAD_BYTES:
        return f"{name}: the file is {size:,} bytes; the upload limit is {MAX_UPLOAD_BYTES:,} bytes (1 MB)"
    return None


def friendly_path(message: str, folder: str | Path | None, shown_as: str = "uploaded") -> str:
    """A loader message with a private temporary folder shown as 'uploaded/' (file and line stay)."""
    if not folder:
        return message
    folder = str(folder).rstrip("/")
    return message.replace(folder + "/", shown_as + "/").replace(folder, shown_as)


def report_documents(report: Mapping[str, Any]) -> list[str]:
    """The document paths listed in a load report (the only files the Sources page will show)."""
    return [str(d["path"]) for d in report.get("documents") or [] if d.get("path")]


def resolve_document(path: str, report: Mapping[str, Any], root: Path) -> Path | None:
    """The file behind a report path, only if the report lists it (relative paths from `root`)."""
    if path not in report_documents(report):
        return None
    p = Path(path)
    return p if p.is_absolute() else root / p


def report_summary(report: Mapping[str, Any]) -> dict[str, int]:
    """Headline numbers of a load report: documents, nodes, edges, warnings, inferred sections,
    alias links and unresolved patterns."""
    return {
        "documents": len(report.get("documents") or []),
        "nodes": sum((report.get("node_counts") or {}).values()),
        "edges": sum((report.get("edge_counts") or {}).values()),
        "warnings": len(report.get("warnings") or []),
        "inferred sections": len(report.get("inferred") or []),
        "alias links": len(report.get("alias_links") or []),
        "unresolved patterns": len(report.get("unresolved") or []),
    }


def warning_text(warning: Any) -> str:
    """'file:line: message' for a warning given as a dict or a string."""
    if isinstance(warning, Mapping):
        return f"{warning.get('file', '?')}:{warning.get('line', '?')}: {warning.get('message', '')}"
    return str(warning)
