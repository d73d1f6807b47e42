"""Placing blocks whose heading was lost in the card template: a small dynamic programme over blocks and
template slots, scoring each placement by the block's content and its order between the headings around
it. Pure: the caller says how many of a block's lines look like a section."""
from __future__ import annotations

from typing import Any, Callable

from .cardmodel import Section
from .vocabulary import SectionSpec

#: A block that fits a section by content scores its share of matching lines; by position alone it
#: scores this little (so any content cue wins), out of the template's order it loses this much.
POSITION_SCORE = 0.05
IN_WINDOW_BONUS = 0.3
WEAK_SHARE = 0.34  # fewer lines than this matching a section's cues is noise, not content
OUT_OF_ORDER_PENALTY = 0.25
STRONG_SHARE = 0.5
CUE_SHARE = 0.6
UNPLACED_SCORE = -1.0
CONTINUE_PENALTY = 0.1  # a second block in the section the block before it took

#: A placement: (section, share of lines that look like it, how many do, whether in the template's order).
Placement = tuple[SectionSpec, float, int, bool]


def _window_fits(blocks: list[Section], window: list[SectionSpec],
                 content: Callable[[Section, SectionSpec], int]) -> list[list[tuple[float, int] | None]]:
    """fits[i][k]: (score, matching lines) of block i in window slot k, or None where it cannot go."""
    fits: list[list[tuple[float, int] | None]] = []
    for block in blocks:
        row: list[tuple[float, int] | None] = []
        n = max(1, len(block.items))
        for spec in window:
            hits = content(block, spec)
            share = hits / n
            if share < WEAK_SHARE:
                hits = 0
            if hits == 0:
                row.append((POSITION_SCORE + IN_WINDOW_BONUS, 0) if spec.infer == "position" else None)
            elif spec.infer == "cue" and share < CUE_SHARE:
                row.append(None)
            else:
                row.append((share + IN_WINDOW_BONUS, hits))
        fits.append(row)
    return fits


def _strongest(blocks: list[Section], strong: list[SectionSpec],
               content: Callable[[Section, SectionSpec], int]) -> list[tuple[float, SectionSpec, int] | None]:
    """Per block: the strong section most of its lines say it is (share, section, lines), or None."""
    outside: list[tuple[float, SectionSpec, int] | None] = []
    for block in blocks:
        n = max(1, len(block.items))
        strongest: tuple[float, SectionSpec, int] | None = None
        for spec in strong:
            hits = content(block, spec)
            if hits / n >= STRONG_SHARE and (strongest is None or hits / n > strongest[0]):
                strongest = (hits / n, spec, hits)
        outside.append(strongest)
    return outside


def _best_choices(fits: list[list[tuple[float, int] | None]],
                  outside: list[tuple[float, SectionSpec, int] | None], nw: int) -> list[list[Any]]:
    """choice[i][j]: what block i does when window slots j.. are free ("none", "out" or "in" slot k), so
    that blocks i.. score best; filled from the last block back (iterative, no recursion)."""
    nb = len(fits)
    best = [[0.0] * (nw + 1) for _ in range(nb + 1)]  # best[i][j]: the best score for blocks i.., slots j..
    choice: list[list[Any]] = [[None] * (nw + 1) for _ in range(nb + 1)]
    for i in range(nb - 1, -1, -1):
        for j in range(nw, -1, -1):
            top, pick = best[i + 1][j] + UNPLACED_SCORE, ("none", j)
            if (strong_fit := outside[i]) is not None:
                score = strong_fit[0] - OUT_OF_ORDER_PENALTY + best[i + 1][j]
                if score > top + 1e-9:
                    top, pick = score, ("out", j)
            for k in range(max(0, j - 1), nw):
                fit = fits[i][k]
                if fit is None:
                    continue
                if k < j:  # the slot the block before took: this block continues that section
                    score = fit[0] - CONTINUE_PENALTY + best[i + 1][j]
                else:
                    score = fit[0] + best[i + 1][k + 1]
                if score > top + 1e-9:
                    top, pick = score, ("in", k)
            best[i][j] = top
            choice[i][j] = pick
    return choice


def assign(blocks: list[Section], window: list[SectionSpec], strong: list[SectionSpec],
           content: Callable[[Section, SectionSpec], int]) -> list[Placement | None]:
    """Blocks to template sections with the best total score: in order into the window's slots (content
    share plus a bonus for the right place; position alone scores little), out of order into a strong
    section when most of the block's lines say so, or unplaced. Iterative dynamic programme over
    (block, next free slot): O(blocks x slots^2), no recursion."""
    fits = _window_fits(blocks, window, content)
    outside = _strongest(blocks, strong, content)
    choice = _best_choices(fits, outside, len(window))
    out: list[Placement | None] = []
    j = 0
    for i, block in enumerate(blocks):
        how, k = choice[i][j]
        n = max(1, len(block.items))
        fit = fits[i][k] if how == "in" else None
        if fit is not None:
            out.append((window[k], fit[1] / n, fit[1], True))
            j = max(j, k + 1)
        elif how == "out" and (chosen := outside[i]) is not None:  # "out" is only chosen where there is one
            share, spec, hits = chosen
            out.append((spec, share, hits, False))
        else:
            out.append(None)
    return out
