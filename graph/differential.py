"""Differential finder: from what is observed to the patterns it may point to, and what tells them apart.

STUDY MATERIAL, NOT A DIAGNOSTIC INSTRUMENT. It ranks card lines by the words they share with what a
learner typed; it assesses no one. It exists so that clinicians in training and educators can practise
telling patterns apart without already knowing which patterns to compare.

How it works (the README's "Differential finder" section says the same):

1. Every line of the sections in `COUNTED` of every carded Pattern (from the node's `sections`, each
   line with its file and line number) is one document of a BM25 index (`bm25s`, Lucene scoring), after
   light normalisation: lower case, bm25s's English stop words (`STOPWORDS`), the Snowball English stemmer from
   PyStemmer when it is installed (plain tokens otherwise). Nothing is downloaded.
2. Each observation is scored against every line. Per observation and pattern the best line counts,
   divided by the best line of any pattern for that observation, so each observation adds at most 1 to a
   pattern; lines below `FLOOR` of that best are not matches. An observation that names a technical
   concept of the catalogue (its name, a synonym or a card's wording: "social phobia", "learned
   helplessness") also matches, at full weight, the cards whose Related Technical Concepts line names it.
3. A pattern's score is the sum over observations; patterns are ranked by score, then by the number of
   observations they match, then by name. Each match keeps its card line, section, file and line.
4. For the first `TELL_APART` patterns, every pair gets its DISTINGUISHED_FROM sentences (both
   directions, with their places), its counted sections (on both cards first) ordered by the separating
   material they hold (how many lines have no like line on the other card, times the share of the
   section's stemmed words found on one card only), and those lines: the observations that would
   separate them.

Only the `GraphStore` interface is used, so both stores give the same answer.
"""
from __future__ import annotations

import re
import weakref
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from itertools import combinations
from typing import Any, Iterable, Sequence

import bm25s
import bm25s.stopwords
import numpy as np

from .store import GraphStore

NOTICE = ("Study material, not a diagnostic instrument. It ranks the lines of study cards by the words they "
          "share with what you typed, to practise telling patterns apart; it assesses no one and is not "
          "clinical guidance.")

#: The card sections whose lines count as evidence, with why: each describes the person (what they do,
#: fear, want, say, believe, how they see themselves and others, what sets the pattern off, where it
#: comes from). Left out: distinctions and combinations (they describe other patterns, so their words
#: would point at the wrong card), related technical concepts (labels, not observations; they count only
#: when an observation names one, see `find`), gender and culture, and the therapy sections
#: (transference, countertransference, alliance, phases), which describe the therapy, not the person.
COUNTED: dict[str, str] = {
    "behavior": "what the person does, as others see it",
    "group_behavior": "the same in groups, teams and at work",
    "motivation": "what the person fears or wants",
    "statement": "what the person says",
    "unconscious_thought": "the belief beneath what they say",
    "self_other": "how they describe themselves and others (Self:/Other: lines)",
    "sees_others_as": "how they see other people",
    "activating_conditions": "the situations that set the pattern off",
    "core_issues": "the card's core issues (and origins, where the card keeps them together)",
    "origins": "where the pattern derives from, when the history is known",
    "subtypes": "the variants' descriptions: the pattern in one area of life (their names are left out)",
}
CONCEPT_SECTION = "related_concepts"
#: A line scoring below this share of the observation's best line is not a match.
FLOOR = 0.3
#: How many of the ranked patterns are told apart pair by pair.
TELL_APART = 3
#: Two lines are alike (a counterpart) when their stemmed word sets overlap at least this much (Jaccard).
ALIKE = 0.34
MAX_OBSERVATIONS, MAX_CHARS = 40, 600
#: bm25s's longer English stop-word list (pronouns, auxiliaries, "when", "out" …), keeping the few words
#: that carry meaning on the cards ("used against them", "on my own", "hurt again").
STOPWORDS = sorted(set(bm25s.stopwords.STOPWORDS_EN_PLUS) - {"against", "own", "again"})
_SENTENCE = re.compile(r"(?<=[.!?;])\s+|\n+")
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class CardLine:
    """One line of a card, where it is, and the pattern it belongs to."""

    pattern: str
    section: str
    heading: str
    file: str
    line: int
    text: str

    @property
    def place(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass
class LineIndex:
    """The BM25 index over the counted card lines of one store's graph, and the catalogue concepts."""

    lines: list[CardLine]
    names: dict[str, str]
    words: list[frozenset[str]]
    retriever: Any
    #: (concept id, concept name, phrase tokens) for every name, synonym and card wording of a concept
    phrases: list[tuple[str, str, tuple[str, ...]]] = field(default_factory=list)
    #: concept id -> the card lines naming it (Related Technical Concepts)
    naming: dict[str, list[CardLine]] = field(default_factory=dict)

    def scores(self, tokens: list[str]) -> np.ndarray:
        """BM25 score of every line for a tokenised observation (zeros when no word is known)."""
        known = [t for t in tokens if t in self.retriever.vocab_dict] if self.retriever else []
        if not known:
            return np.zeros(len(self.lines), dtype=np.float32)
        return np.asarray(self.retriever.get_scores(known), dtype=np.float32)


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    """The Snowball English stemmer (PyStemmer, no download), or None when it is not installed."""
    try:
        import Stemmer  # noqa: PLC0415 - optional

        return Stemmer.Stemmer("english")
    except ImportError:
        return None


def tokenize(texts: Sequence[str]) -> list[list[str]]:
    """bm25s's normalisation: lower case, words of two or more letters, `STOPWORDS` removed, stemmed
    when PyStemmer is there."""
    if not texts:
        return []
    out = bm25s.tokenize(list(texts), lower=True, stopwords=STOPWORDS, stemmer=_stemmer(), return_ids=False,
                         show_progress=False)
    return [list(t) for t in out]


def split_observations(text: str) -> list[str]:
    """Free text as observations: one per line or sentence, blanks dropped, at most `MAX_OBSERVATIONS`."""
    parts = (p.strip(" \t-•*") for p in _SENTENCE.split(text or ""))
    return clean_observations(parts)


def clean_observations(observations: Iterable[str]) -> list[str]:
    """Observations trimmed, each cut at `MAX_CHARS`, blanks and repeats dropped, at most `MAX_OBSERVATIONS`."""
    seen: dict[str, None] = {}
    for o in observations:
        o = " ".join(str(o).split())[:MAX_CHARS]
        if o and o.lower() not in {s.lower() for s in seen}:
            seen[o] = None
    return list(seen)[:MAX_OBSERVATIONS]


def build_index(store: GraphStore) -> LineIndex:
    """Read every carded pattern's counted lines (ordered by pattern id, section and line, so both
    stores index the same lines in the same order) and the catalogue concepts, and index them."""
    ids = sorted(n["id"] for n in store.list_nodes(["Pattern"]))
    nodes = store.get_nodes(ids)
    lines: list[CardLine] = []
    names: dict[str, str] = {}
    for pid in ids:
        node = nodes.get(pid) or {}
        names[pid] = node.get("name", pid)
        for section in node.get("sections") or []:
            if section.get("key") not in COUNTED:
                continue
            for item in section.get("items") or []:
                if item.get("subheading") or not str(item.get("text", "")).strip():
                    continue
                lines.append(CardLine(pid, section["key"], section.get("heading") or section["key"],
                                      str(section.get("file", "")), int(item["line"]), str(item["text"])))
    tokens = tokenize([ln.text for ln in lines])
    retriever = None
    if any(tokens):
        retriever = bm25s.BM25(method="lucene")
        retriever.index(tokens, show_progress=False)
    index = LineIndex(lines, names, [frozenset(t) for t in tokens], retriever)
    _index_concepts(store, index)
    return index


def _index_concepts(store: GraphStore, index: LineIndex) -> None:
    """The concepts' names, catalogue synonyms and card wordings as phrases, and the card lines naming each."""
    ids = sorted(n["id"] for n in store.list_nodes(["Concept"]))
    if not ids:
        return
    nodes = store.get_nodes(ids)
    edges = store.incident_edges(ids, ["RELATED_CONCEPT"])
    wordings: dict[str, set[str]] = {}
    for e in edges:
        if e["source"] not in index.names:
            continue
        wordings.setdefault(e["target"], set()).add(str(e.get("as_written") or ""))
        for p in e.get("provenance") or []:
            index.naming.setdefault(e["target"], []).append(CardLine(
                e["source"], CONCEPT_SECTION, "Related Technical Concepts", p["file"], int(p["start_line"]),
                p["text"]))
    for cid in ids:
        node = nodes.get(cid) or {}
        texts = sorted({node.get("name", ""), *(node.get("synonyms") or []), *wordings.get(cid, ())} - {""})
        for phrase in {tuple(t) for t in tokenize(texts) if t}:
            index.phrases.append((cid, node.get("name", cid), phrase))
    index.phrases.sort()
    for cid in index.naming:
        index.naming[cid] = sorted(set(index.naming[cid]), key=lambda ln: (ln.pattern, ln.file, ln.line))


_INDEXES: "weakref.WeakKeyDictionary[GraphStore, tuple[Any, LineIndex]]" = weakref.WeakKeyDictionary()


def line_index(store: GraphStore) -> LineIndex:
    """The store's index, built once and rebuilt when its node or edge counts change."""
    signature = store.counts()
    cached = _INDEXES.get(store)
    if cached is None or cached[0] != signature:
        cached = (signature, build_index(store))
        _INDEXES[store] = cached
    return cached[1]


def _contains(tokens: list[str], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(tuple(tokens[i:i + n]) == phrase for i in range(len(tokens) - n + 1))


def _match(line: CardLine, score: float, **extra: Any) -> dict[str, Any]:
    return {**asdict(line), "place": line.place, "score": round(float(score), 3), **extra}


def find(store: GraphStore, observations: Sequence[str], top: int = 5, *, index: LineIndex | None = None,
         lines_per_match: int = 3) -> dict[str, Any]:
    """Rank patterns by how well the card lines match the observations, with the matching lines, and
    tell the first `TELL_APART` apart (see the module's docstring). Plain data, ready for JSON."""
    index = index or line_index(store)
    observations = clean_observations(observations)
    if not observations:
        raise ValueError("give at least one observation")
    tokens = tokenize(observations)
    per_pattern: dict[str, dict[str, Any]] = {}
    told: list[dict[str, Any]] = []
    for i, (text, toks) in enumerate(zip(observations, tokens, strict=False)):
        raw = index.scores(toks)
        best_by: dict[str, list[tuple[float, CardLine, str | None]]] = {}
        for j in np.flatnonzero(raw > 0):
            ln = index.lines[j]
            best_by.setdefault(ln.pattern, []).append((float(raw[j]), ln, None))
        named = sorted({cid: name for cid, name, phrase in index.phrases if _contains(toks, phrase)}.items())
        top_raw = float(raw.max()) if len(raw) and raw.max() > 0 else 1.0
        for cid, name in named:
            for ln in index.naming.get(cid, []):
                best_by.setdefault(ln.pattern, []).append((top_raw, ln, name))
        best = max((s for hits in best_by.values() for s, _, _ in hits), default=0.0)
        matched = []
        for pid, hits in sorted(best_by.items()):
            hits = sorted((h for h in hits if h[0] >= FLOOR * best),
                          key=lambda h: (-h[0], h[1].file, h[1].line))
            if not hits:
                continue
            share = hits[0][0] / best
            entry = per_pattern.setdefault(pid, {"pattern": pid, "name": index.names.get(pid, pid), "score": 0.0,
                                                 "observations_matched": 0, "evidence": []})
            entry["score"] += share
            entry["observations_matched"] += 1
            entry["evidence"].append({"observation": i, "text": text, "share": round(share, 3), "matches": [
                _match(ln, s / best, **({"concept": c} if c else {})) for s, ln, c in hits[:lines_per_match]]})
            matched.append(pid)
        told.append({"text": text, "words": toks, "matched": bool(matched), "concepts": [n for _, n in named]})
    ranking = sorted(per_pattern.values(), key=lambda p: (-round(p["score"], 6), -p["observations_matched"],
                                                          p["name"].lower(), p["pattern"]))
    for rank, p in enumerate(ranking, 1):
        p["rank"], p["score"] = rank, round(p["score"], 3)
    shown = ranking[:max(1, int(top))]
    observed = {(m["file"], m["line"]) for p in ranking for ev in p["evidence"] for m in ev["matches"]}
    apart = tell_apart(store, [p["pattern"] for p in shown[:TELL_APART]], index=index, observed=observed)
    return {"notice": NOTICE, "observations": told, "counted_sections": list(COUNTED),
            "patterns_ranked": len(ranking), "ranking": shown, "telling_apart": apart}


def tell_apart(store: GraphStore, ids: Sequence[str], *, index: LineIndex | None = None,
               observed: set[tuple[str, int]] | None = None) -> list[dict[str, Any]]:
    """For every pair of `ids`: the distinction sentences between them (both directions, from every card
    that states one, with places), and their counted sections, those that separate them most first
    (sections on both cards before those on one only; see the module's docstring), with the lines on one
    card that have no like line on the other (`observed` marks lines the observations matched; they come
    first)."""
    index = index or line_index(store)
    ids = list(dict.fromkeys(ids))
    observed = observed or set()
    edges = store.edges_among(ids, ["DISTINGUISHED_FROM"]) if len(ids) > 1 else []
    by_section: dict[tuple[str, str], list[int]] = {}
    for j, ln in enumerate(index.lines):
        by_section.setdefault((ln.pattern, ln.section), []).append(j)
    pairs = []
    for a, b in combinations(ids, 2):
        sentences = [{"stated_on": e["source"], "about": e["target"], "sentence": e.get("description") or "",
                      "places": [f"{p['file']}:{p['start_line']}" for p in e.get("provenance") or []]}
                     for e in edges if {e["source"], e["target"]} == {a, b}]
        sections: list[dict[str, Any]] = []
        for key in COUNTED:
            la, lb = by_section.get((a, key), []), by_section.get((b, key), [])
            if not la and not lb:
                continue
            wa = frozenset().union(*(index.words[j] for j in la))
            wb = frozenset().union(*(index.words[j] for j in lb))
            differ = 1 - len(wa & wb) / len(wa | wb) if wa | wb else 0.0
            heading = index.lines[(la or lb)[0]].heading
            only = {a: _separating(index, la, lb, observed), b: _separating(index, lb, la, observed)}
            sections.append({"section": key, "heading": heading, "difference": round(differ, 3),
                             "weight": round(differ * (len(only[a]) + len(only[b])), 3),
                             "lines": {a: len(la), b: len(lb)}, "only": only})
        order = list(COUNTED)
        # sections on both cards first (a section one card lacks differs trivially), then by how much
        # separating material they hold: separating lines times the share of words on one card only (a
        # one-line section differs wholly and says little)
        sections.sort(key=lambda s: (0 in s["lines"].values(), -round(s["weight"], 6), order.index(s["section"])))
        pairs.append({"a": a, "b": b, "names": {a: index.names.get(a, a), b: index.names.get(b, b)},
                      "distinctions": sentences, "sections": sections})
    return pairs


def _alike(index: LineIndex, j: int, others: list[int]) -> bool:
    words = index.words[j]
    for k in others:
        union = words | index.words[k]
        if union and len(words & index.words[k]) / len(union) >= ALIKE:
            return True
    return False


def _separating(index: LineIndex, mine: list[int], theirs: list[int],
                observed: set[tuple[str, int]]) -> list[dict[str, Any]]:
    """The lines of `mine` with no like line among `theirs`: those the observations matched first."""
    out = []
    for j in mine:
        if not _alike(index, j, theirs):
            ln = index.lines[j]
            out.append({**asdict(ln), "place": ln.place, "observed": (ln.file, ln.line) in observed})
    return sorted(out, key=lambda x: not x["observed"])


# -- text, for the command line ------------------------------------------------------------------------

def _plain(text: Any) -> str:
    """Document text for a terminal: control characters written as escapes."""
    return _CONTROLS.sub(lambda m: f"\\x{ord(m.group()):02x}", str(text))


def report_lines(result: dict[str, Any], most_different: int = 3, per_side: int = 3) -> list[str]:
    """`find`'s answer as plain text lines: the notice, the ranking with every match's file:line, and
    for each pair of the first patterns the distinctions and what would separate them."""
    out = [NOTICE, ""]
    unmatched = [o["text"] for o in result["observations"] if not o["matched"]]
    out.append(f"{len(result['observations'])} observation(s); {result['patterns_ranked']} pattern(s) matched"
               + (f"; no card line matches: {'; '.join(_plain(u) for u in unmatched)}" if unmatched else ""))
    for p in result["ranking"]:
        out.append(f"\n{p['rank']}. {_plain(p['name'])}  score {p['score']:.2f} "
                   f"({p['observations_matched']} of {len(result['observations'])} observations)")
        for ev in p["evidence"]:
            out.append(f"   \"{_plain(ev['text'])}\"  ({ev['share']:.2f})")
            for m in ev["matches"]:
                why = f"names {m['concept']}; " if m.get("concept") else ""
                out.append(f"     - {_plain(m['text'])}  [{why}{_plain(m['heading'])}, {_plain(m['place'])}]")
    for pair in result["telling_apart"]:
        a, b = pair["a"], pair["b"]
        na, nb = (_plain(pair["names"][x]) for x in (a, b))
        out.append(f"\nTelling {na} and {nb} apart")
        for d in pair["distinctions"]:
            out.append(f"  {_plain(pair['names'][d['stated_on']])}'s card: {_plain(d['sentence'])}  "
                       f"[{', '.join(_plain(x) for x in d['places'])}]")
        if not pair["distinctions"]:
            out.append("  (neither card states a distinction between them)")
        out.append("  Sections that differ most, and observations that would separate them:")
        for s in [s for s in pair["sections"] if s["difference"] > 0][:most_different]:
            lone = [n for side, n in ((a, na), (b, nb)) if not s["lines"][side]]
            out.append(f"   {_plain(s['heading'])} (differ {s['difference']:.0%}"
                       + (f"; not on {lone[0]}'s card)" if lone else ")"))
            for side, name in ((a, na), (b, nb)):
                for ln in s["only"][side][:per_side]:
                    seen = ", observed" if ln["observed"] else ""
                    out.append(f"     only {name}: {_plain(ln['text'])}  [{_plain(ln['place'])}{seen}]")
    return out
