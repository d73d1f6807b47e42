"""`python -m loaders.evaluate [DIR]`: measure the card reader against gold-annotated cards.

Each card in DIR (default `eval/gold/`) has a `NAME.gold.yaml` beside it with the right section of every
non-blank line and every fact a careful reader finds (see `eval/README.md`). The card is loaded the way
users load it (`load_paths`), and the facts of the built graph are compared with the gold ones: precision
and recall per edge type and overall, and section accuracy over lines. Exit 0; 2 on a bad gold file.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import yaml

from graph.schema import pattern_slug, slug

from .corpus import load_paths
from .errors import LoadError
from .text import REPO_ROOT, read_document

DEFAULT_GOLD = REPO_ROOT / "eval" / "gold"
_ID_KINDS = {"Pattern", "Capacity"}
_ARTICLE = re.compile(r"^(?:the|a|an)\s+")


@dataclass(frozen=True)
class GoldFact:
    edge: str
    kind: str
    name: str
    line: int
    direction: str = "out"


@dataclass(frozen=True)
class ReadFact:
    edge: str
    kind: str
    name: str
    lines: tuple[int, int]
    direction: str
    other: str


@dataclass
class CardScore:
    """One card's comparison: matched, missed and extra facts, and its lines by (gold, read) section."""

    card: str
    matched: list[tuple[GoldFact, ReadFact]] = field(default_factory=list)
    missed: list[GoldFact] = field(default_factory=list)
    extra: list[ReadFact] = field(default_factory=list)
    lines: list[tuple[int, str, str]] = field(default_factory=list)  # (line, gold section, read section)


def words(name: str) -> frozenset[str]:
    """The words of a free-text name, lower case, without punctuation or a leading article."""
    text = _ARTICLE.sub("", name.lower().strip())
    return frozenset(re.findall(r"[^\W_]+", text))


def same_name(kind: str, gold: str, read: str) -> bool:
    """Pattern and capacity names compare by id; free-text names by their words (nearly all shared)."""
    if kind == "Pattern":
        return pattern_slug(gold) == pattern_slug(read)
    if kind in _ID_KINDS:
        return slug(gold) == slug(read)
    a, b = words(gold), words(read)
    if not a or not b:
        return False
    return len(a & b) / len(a | b) >= 0.75


def _range(value: Any, where: str) -> tuple[int, int]:
    text = str(value).strip()
    match = re.fullmatch(r"(\d+)(?:\s*-\s*(\d+))?", text)
    if not match:
        raise LoadError(where, 1, f"bad line range {value!r}")
    start = int(match.group(1))
    return start, int(match.group(2) or start)


def read_gold(path: Path) -> tuple[Path, dict[int, str], list[GoldFact]]:
    """(card file, section by line, facts) of one gold file; LoadError when it is malformed."""
    shown = path.as_posix()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise LoadError(shown, 1, f"invalid YAML: {exc}") from None
    if not isinstance(data, dict) or "card" not in data:
        raise LoadError(shown, 1, "a gold file needs 'card', 'sections' and 'facts'")
    card = path.parent / str(data["card"])
    if not card.is_file():
        raise LoadError(shown, 1, f"no card {data['card']!r} beside the gold file")
    sections: dict[int, str] = {}
    lines = read_document(card).lines
    for row in data.get("sections") or []:
        start, end = _range(row["lines"], shown)
        for number in range(start, end + 1):
            if 0 < number <= len(lines) and lines[number - 1].strip():
                sections[number] = str(row["section"])
    facts = [GoldFact(str(f["edge"]), str(f["kind"]), str(f["name"]), int(f["line"]), str(f.get("direction", "out")))
             for f in data.get("facts") or []]
    return card, sections, facts


def read_facts(graph: Any, pattern_id: str, card_path: str) -> list[ReadFact]:
    """The facts the reader stated from this card: edges at the card's pattern with a place in the card."""
    out: list[ReadFact] = []
    for (source, etype, target), edge in graph.edges.items():
        if etype == "DESCRIBES" or pattern_id not in (source, target):
            continue
        direction = "out" if source == pattern_id else "in"
        other = target if direction == "out" else source
        node = graph.nodes[other]
        for place in edge["provenance"]:
            if place["file"] != card_path:
                continue
            name = edge.get("as_written") or node["name"]
            out.append(ReadFact(etype, node["kind"], name, (place["start_line"], place["end_line"]), direction, other))
    return out


def score_card(gold_file: Path) -> CardScore:
    """Load the card as a user would and compare it with its gold file."""
    card, gold_sections, gold_facts = read_gold(gold_file)
    result = load_paths([card])
    graph = result.graph
    card_node = next((n for n in graph.nodes.values() if n["kind"] == "Pattern" and n.get("status") == "card"), None)
    if card_node is None:
        raise LoadError(card.as_posix(), 1, "the card did not load as a pattern card")
    path = card_node["card"]
    score = CardScore(path)
    read = read_facts(graph, card_node["id"], path)
    unused = list(read)
    for fact in gold_facts:
        found = next((r for r in unused if r.edge == fact.edge and r.direction == fact.direction
                      and r.lines[0] <= fact.line <= r.lines[1] and r.kind == fact.kind
                      and same_name(fact.kind, fact.name, r.name)), None)
        if found is None:
            score.missed.append(fact)
        else:
            unused.remove(found)
            score.matched.append((fact, found))
    score.extra = unused
    section_of: dict[int, str] = {}
    for section in card_node.get("sections", []):
        key = section["key"]
        if section.get("heading_line"):
            section_of[section["heading_line"]] = key
        for item in section["items"]:
            section_of[item["line"]] = key
    score.lines = [(n, g, section_of.get(n, "none")) for n, g in sorted(gold_sections.items())]
    return score


def summarise(scores: Iterable[CardScore]) -> dict[str, Any]:
    """Precision and recall per edge type and overall, section accuracy: the evaluation's figures."""
    per: dict[str, dict[str, int]] = {}

    def row(edge: str) -> dict[str, int]:
        return per.setdefault(edge, {"gold": 0, "read": 0, "matched": 0})

    lines_total = lines_right = 0
    cards = []
    for s in scores:
        for g, r in s.matched:
            row(g.edge)["matched"] += 1
            row(g.edge)["gold"] += 1
            row(r.edge)["read"] += 1
        for g in s.missed:
            row(g.edge)["gold"] += 1
        for r in s.extra:
            row(r.edge)["read"] += 1
        right = sum(1 for _, g, r in s.lines if g == r)
        lines_total += len(s.lines)
        lines_right += right
        cards.append({"card": s.card, "facts_gold": len(s.matched) + len(s.missed), "matched": len(s.matched),
                      "extra": len(s.extra), "lines": len(s.lines), "lines_right": right})

    def figures(r: dict[str, int]) -> dict[str, Any]:
        return {**r, "precision": r["matched"] / r["read"] if r["read"] else 1.0,
                "recall": r["matched"] / r["gold"] if r["gold"] else 1.0}

    total = {k: sum(r[k] for r in per.values()) for k in ("gold", "read", "matched")}
    return {
        "edges": {edge: figures(r) for edge, r in sorted(per.items())},
        "overall": figures(total),
        "section_accuracy": lines_right / lines_total if lines_total else 1.0,
        "lines": lines_total,
        "cards": cards,
    }


def gold_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.gold.yaml"))


def _heading_lines(lines: list[str]) -> set[int]:
    """Indexes of the lines that are section headings (by the vocabulary), for the shape variants."""
    from .card import clean_line  # noqa: PLC0415
    from .vocabulary import load_vocabulary  # noqa: PLC0415

    vocab = load_vocabulary()
    out = set()
    for i, raw in enumerate(lines):
        text, _ = clean_line(raw) if raw.strip() else ("", False)
        if i > 0 and text and len(text.split()) <= 12 and vocab.match_heading(text) is not None:
            out.add(i)
    return out


def _bullets(lines: list[str]) -> list[str]:
    heads = _heading_lines(lines)
    return [ln if i == 0 or i in heads or not ln.strip() or ln.lstrip().startswith("#") else "- " + ln.strip()
            for i, ln in enumerate(lines)]


def _colons(lines: list[str]) -> list[str]:
    heads = _heading_lines(lines)
    return [ln.rstrip() + ":" if i in heads else ln for i, ln in enumerate(lines)]


def _upper(lines: list[str]) -> list[str]:
    heads = _heading_lines(lines)
    return [ln.upper() if i in heads else ln for i, ln in enumerate(lines)]


#: Shape variants that keep every line where it is (so the gold annotation still holds): what real
#: extractions also do to a card. Each is applied to every gold card by `evaluate_shapes`.
SHAPES: dict[str, Any] = {
    "as written": lambda lines: lines,
    "CRLF line endings": "crlf",
    "whitespace-only blank lines": lambda lines: [ln if ln.strip() else " \t " for ln in lines],
    "bulleted items": _bullets,
    "headings with a colon": _colons,
    "headings in capitals": _upper,
}


def evaluate_shapes(directory: Path = DEFAULT_GOLD) -> dict[str, dict[str, Any]]:
    """The evaluation's figures for every shape variant of the gold cards (written to a temporary folder)."""
    import tempfile  # noqa: PLC0415

    out: dict[str, dict[str, Any]] = {}
    for name, change in SHAPES.items():
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            for gold in gold_files(directory):
                card = read_gold(gold)[0]
                text = card.read_bytes().decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
                lines = text.split("\n")
                if change == "crlf":
                    data = "\r\n".join(lines)
                else:
                    data = "\n".join(change(lines))
                (folder / card.name).write_bytes(data.encode("utf-8"))
                (folder / gold.name).write_bytes(gold.read_bytes())
            out[name] = evaluate(folder)[0]
    return out


def evaluate(directory: Path = DEFAULT_GOLD) -> tuple[dict[str, Any], list[CardScore]]:
    scores = [score_card(path) for path in gold_files(directory)]
    return summarise(scores), scores


def format_report(summary: dict[str, Any], scores: list[CardScore], verbose: bool = False) -> str:
    out = [f"{'edge type':<22}{'gold':>6}{'read':>6}{'right':>7}{'precision':>11}{'recall':>8}"]
    for edge, r in summary["edges"].items():
        out.append(f"{edge:<22}{r['gold']:>6}{r['read']:>6}{r['matched']:>7}{r['precision']:>11.1%}{r['recall']:>8.1%}")
    o = summary["overall"]
    out.append(f"{'all facts':<22}{o['gold']:>6}{o['read']:>6}{o['matched']:>7}"
               f"{o['precision']:>11.1%}{o['recall']:>8.1%}")
    out.append(f"section accuracy: {summary['section_accuracy']:.1%} of {summary['lines']} lines "
               f"in {len(summary['cards'])} cards")
    for card in summary["cards"]:
        out.append(f"  {card['card']}: facts {card['matched']}/{card['facts_gold']} found, {card['extra']} extra; "
                   f"sections {card['lines_right']}/{card['lines']} lines")
    if verbose:
        for s in scores:
            for g in s.missed:
                out.append(f"missed: {s.card}:{g.line}: {g.edge} {g.kind} {g.name!r} ({g.direction})")
            for r in s.extra:
                out.append(f"extra:  {s.card}:{r.lines[0]}: {r.edge} {r.kind} {r.name!r} ({r.direction})")
            for n, gold, read in s.lines:
                if gold != read:
                    out.append(f"section: {s.card}:{n}: gold {gold}, read {read}")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m loaders.evaluate",
        description="Measure the card reader on gold-annotated cards: precision and recall of facts per edge "
                    "type and overall, and section accuracy over lines.")
    parser.add_argument("directory", nargs="?", type=Path, default=DEFAULT_GOLD,
                        help="folder of cards with NAME.gold.yaml beside each (default: eval/gold)")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every missed and extra fact and "
                        "every line placed in the wrong section")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--shapes", action="store_true", help="also read every gold card in other shapes real "
                        "extractions take (CRLF, whitespace-only blank lines, bullets, headings with a colon or "
                        "in capitals) and print the figures of each")
    args = parser.parse_args(argv)
    try:
        summary, scores = evaluate(args.directory)
        shapes = evaluate_shapes(args.directory) if args.shapes and scores else {}
    except LoadError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not scores:
        print(f"error: {args.directory}:1: no *.gold.yaml files", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps({**summary, "shapes": shapes} if shapes else summary, indent=1))
        return 0
    print(format_report(summary, scores, args.verbose))
    if shapes:
        print(f"\n{'shape':<30}{'precision':>11}{'recall':>8}{'sections':>10}")
        for name, fig in shapes.items():
            o = fig["overall"]
            print(f"{name:<30}{o['precision']:>11.1%}{o['recall']:>8.1%}{fig['section_accuracy']:>10.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
