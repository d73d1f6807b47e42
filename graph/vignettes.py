"""Teaching vignettes (`data/vignettes/*.yaml`): short invented cases, each with the patterns it was written
to show, used as exercises. STUDY MATERIAL, not clinical cases and not a diagnostic instrument.

A learner reads a vignette and picks patterns; `check` then says which picks match the patterns the
vignette was written for, and the finder (`graph.differential.find`) shows its evidence for the text.
The loader never reads this folder (`loaders.corpus`), so vignettes are not graph documents.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import yaml

from .differential import find, split_observations
from .errors import AtlasError
from .schema import pattern_slug
from .shipped import SHIPPED_DATA
from .store import GraphStore

VIGNETTES = SHIPPED_DATA / "vignettes"


@dataclass(frozen=True)
class Vignette:
    """One exercise: its text, the patterns (ids) it was written to show, and what it brings out."""

    id: str
    title: str
    text: str
    patterns: tuple[str, ...]
    note: str
    file: str

    @property
    def observations(self) -> list[str]:
        """The text as observations: one per sentence."""
        return split_observations(self.text)


class VignetteError(AtlasError, ValueError):
    """A vignette file that cannot be used (the message names the file and the entry)."""


def load_vignettes(folder: Path = VIGNETTES) -> list[Vignette]:
    """Every vignette of every YAML file in `folder` (sorted by file, then in file order), checked: each
    has a unique id, a title, a text and one or more pattern names."""
    found: list[Vignette] = []
    seen: set[str] = set()
    for file in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]) if folder.is_dir() else []:
        with open(file, encoding="utf-8") as fh:
            doc = yaml.safe_load(fh) or {}
        rows = doc.get("vignettes") if isinstance(doc, dict) else None
        if not isinstance(rows, list):
            raise VignetteError(f"{file.name}: expected a mapping with a 'vignettes' list")
        for n, row in enumerate(rows, 1):
            where = f"{file.name}: vignette {n}"
            if not isinstance(row, dict):
                raise VignetteError(f"{where}: expected a mapping")
            missing = [k for k in ("id", "title", "text", "patterns") if not row.get(k)]
            if missing:
                raise VignetteError(f"{where}: missing {', '.join(missing)}")
            if not isinstance(row["patterns"], list) or not all(isinstance(p, str) for p in row["patterns"]):
                raise VignetteError(f"{where}: 'patterns' must be a list of pattern names")
            if row["id"] in seen:
                raise VignetteError(f"{where}: a second vignette with the id {row['id']!r}")
            seen.add(row["id"])
            found.append(Vignette(str(row["id"]), str(row["title"]), str(row["text"]).strip(),
                                  tuple(f"pattern:{pattern_slug(p)}" for p in row["patterns"]),
                                  str(row.get("note") or ""), file.name))
    return found


def check(store: GraphStore, vignette: Vignette, picks: Sequence[str], top: int = 5) -> dict[str, Any]:
    """The learner's picks against the patterns the vignette was written for, with the finder's answer
    for the vignette's text (its ranking, evidence and distinctions between the first patterns)."""
    picks = list(dict.fromkeys(picks))
    wanted = list(vignette.patterns)
    result = find(store, vignette.observations, top=top)
    ranks = {p["pattern"]: p["rank"] for p in result["ranking"]}
    return {"vignette": vignette.id, "picked": picks, "written_for": wanted,
            "right": [p for p in picks if p in wanted], "missed": [p for p in wanted if p not in picks],
            "extra": [p for p in picks if p not in wanted], "all_right": sorted(picks) == sorted(wanted),
            "finder_ranks": {p: ranks.get(p) for p in dict.fromkeys([*wanted, *picks])}, "finder": result}
