"""Corrections to how the loader read a document, kept beside the corpus in `corrections.yaml`.

The documents themselves are never changed: a correction says that lines start..end of a card belong
to a given section (`section:`, a key of `data/vocabulary/sections.yaml`), or that they state no fact
of an edge type (`not:`). A document's corrections are found the way `corpus.yaml` manifests are: in
a `corrections.yaml` in the document's folder or in a folder above it. Rows name their document
relative to the corrections file's folder:

    corrections:
      - file: cards/insecure.txt
        lines: 33-34
        section: statement
      - file: cards/needy.txt
        lines: 80
        not: DISTINGUISHED_FROM

Every row is validated; a bad one is a LoadError naming the corrections file and the row's line.
`write_correction` adds a row, or replaces the row for the same document and lines, keeping every
other row and comment as written, and replaces the file atomically (a temporary file renamed over it).
"""
from __future__ import annotations

from .rows import CORRECTIONS, HEADER, Correction, corrections_for, find_sidecars, read_corrections, sidecar_for
from .sections import CORRECTABLE, correct_section, correctable, document_path, section_choices, section_lines
from .writing import write_correction

__all__ = ["CORRECTABLE", "CORRECTIONS", "HEADER", "Correction", "correct_section", "correctable", "corrections_for",
           "document_path", "find_sidecars", "read_corrections", "section_choices", "section_lines", "sidecar_for",
           "write_correction"]
