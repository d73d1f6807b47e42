"""Fuzzing the card loader with mutated copies of the seed card (hypothesis).

The loader must either return a graph whose every node and edge has provenance, or raise the
documented LoadError. A few hundred examples run in the normal suite; set
PATTERN_ATLAS_FUZZ_EXAMPLES=10000 for the long, nightly-style run.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import SEED_CARD
from line_edits import COMMON_OPS, edit_lines
from loaders.corpus import load_paths
from loaders.errors import LoadError

SEED_LINES = SEED_CARD.read_text(encoding="utf-8").split("\n")
EXAMPLES = int(os.environ.get("PATTERN_ATLAS_FUZZ_EXAMPLES", "300"))
NASTY = st.sampled_from(["\x00", "\x0b", "\x0c", "\x1b", "\u2028", "\u00a0", "\ufeff", "\u202e", "\r", "\t",
                         "##", "**", ":", "- ", "•", " Pattern", "$x", "<script>", "\\", "'", '"', "`"])


@st.composite
def mutated_cards(draw) -> bytes:
    lines = list(SEED_LINES)
    for _ in range(draw(st.integers(0, 12))):
        op = draw(st.sampled_from(["delete", "duplicate", "swap", "insert", "blank", "unicode"]))
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        if op in COMMON_OPS:
            edit_lines(draw, lines, op, i, 40)
        elif op == "blank":
            lines[i:i] = [""] * draw(st.integers(1, 5))
        else:
            pos = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:pos] + draw(st.one_of(NASTY, st.text(min_size=1, max_size=5))) + lines[i][pos:]
    if draw(st.booleans()):
        lines = draw(st.permutations(lines))
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-16"]))
    return "\n".join(lines).encode(encoding, errors="surrogatepass")


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_cards())
def test_mutated_seed_card_gives_graph_with_provenance_or_load_error(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "card.txt"
        path.write_bytes(data)
        try:
            result = load_paths([path])
        except LoadError as exc:
            assert exc.line >= 1 and "card.txt" in exc.file and "\n" not in str(exc)
            return
        for node in result.graph.nodes.values():
            assert node["provenance"], node["id"]
            for p in node["provenance"]:
                assert p["start_line"] >= 1 and p["end_line"] >= p["start_line"]
        for key, edge in result.graph.edges.items():
            assert edge["provenance"], key
