"""A deterministic synthetic corpus for the benchmarks: N pattern cards, some articles, an alias table.

    python -m bench.generate --cards N [--seed S] [--articles A] --out DIR

Cards follow the seed card's format (`data/cards/insecure.txt`, `data/cards/needy.txt`): a `<Name> Pattern`
title, then the template's sections, a heading followed by lines separated by blank lines, two blank lines
before each heading. Patterns are named `Synth-0042` (one hyphenated word, so the free-text mention and
distinction parsers find them). Capacities, conditions, concepts, origins, core issues and roles are drawn
from shared pools with a skewed (Zipf-like) choice, so nodes are shared across cards and some become hubs,
as "belonging" or "social situations" are in the real corpus. Each card names other generated patterns in
its distinctions, related patterns, combinations and potential problems. About a third of the cards lost
some headings that the loader can infer (the heading line is removed, leaving three blank lines, as
extraction does). Articles follow `data/articles/roots-of-insecurity.txt` (numbered causes with a case
person "Name, a …", a "Strategies …" section of "Name: text" lines); `aliases.yaml` maps each article's
subject word to its pattern and some article phrases to card nodes, in `data/catalogue/aliases.yaml`'s format.

The same arguments always write the same bytes. `expected.json` (not a corpus document: the loaders skip
`.json`) records the node and edge counts the loader must produce, per kind and type, computed here from
the generator's own bookkeeping.
"""
from __future__ import annotations

import argparse
import itertools
import json
import random
import shutil
import sys
from pathlib import Path
from typing import Any, Callable

from bench import words as W
from bench.expected import Expected
from graph.schema import node_id

DEFAULT_SEED = 42
EDGES_PER_CARD_TARGET = 40

# -- word pools ------------------------------------------------------------------------------------

DROPPABLE = ("behavior", "motivation", "statement", "self_other", "distinctions", "subtypes",
             "associated_features", "related_patterns", "transference", "reparation", "reinforcement",
             "experimenting")


class Generator:
    def __init__(self, cards: int, seed: int = DEFAULT_SEED, articles: int | None = None) -> None:
        if cards < 3:
            raise ValueError("need at least 3 cards")
        self.n = cards
        self.seed = seed
        self.n_articles = max(1, cards // 50) if articles is None else articles
        self.rng = random.Random(seed)
        self.width = max(4, len(str(cards - 1)))
        rng = self.rng
        n = cards
        self.capacities = W.Skewed(W.pool(rng, min(40 + n // 100, 600), W.CAPACITY_MODS, W.CAPACITIES,
                                          base=W.CAPACITIES))
        self.core_issues = W.Skewed(W.pool(rng, min(20 + n // 50, 160), W.CORE_MODS, W.CORE_ISSUES, base=W.CORE_ISSUES))
        self.origins = W.Skewed(W.pool(rng, min(60 + n // 20, 900), W.ORIGIN_A, W.ORIGIN_B, W.ORIGIN_C,
                                     base=["lack of validation or mirroring", "rejection", "neglect",
                                           "abandonment", "parentification"]))
        self.conditions = W.Skewed(W.pool(rng, min(100 + n // 5, 2400), W.COND_SUBJECTS, W.COND_CONTEXTS), s=0.7)
        self.concepts = W.Skewed([W.cap(c) for c in W.pool(rng, min(50 + n // 20, 800), W.CONCEPT_PRE, W.CONCEPT_A,
                                                            W.CONCEPT_B)])
        self.roles = W.Skewed(W.pool(rng, min(30 + n // 100, 210), ["The"], W.ROLE_A, W.ROLE_B))
        self.mechanisms = W.Skewed(W.MECHANISMS, s=0.5)
        self.strategies = W.Skewed(W.STRATEGIES, s=0.5)
        self.expected = Expected()
        self.used_origins: list[str] = []
        self.used_capacities: list[str] = []

    def name(self, i: int) -> str:
        return f"Synth-{i:0{self.width}d}"

    def pid(self, i: int) -> str:
        return f"pattern:{self.name(i).lower()}"

    def others(self, i: int, k: int) -> list[int]:
        """k distinct other card indices: mostly near neighbours (clusters), some anywhere."""
        rng = self.rng
        out: list[int] = []
        while len(out) < min(k, self.n - 1):
            if rng.random() < 0.6:
                j = (i + rng.randint(-25, 25)) % self.n
            else:
                j = rng.randrange(self.n)
            if j != i and j not in out:
                out.append(j)
        return out

    # -- one card --------------------------------------------------------------------------------
    def card(self, i: int, path: str) -> str:
        """Card `i` as text, its nodes and edges counted in `self.expected` (sections in the template's
        order; the random draws in a fixed order, so a seed gives the same corpus)."""
        name = self.name(i)
        pid = self.expected.node("Pattern", name, self.pid(i))
        sid = self.expected.node("Source", path)
        self.expected.edge(sid, "DESCRIBES", pid)
        sections: list[tuple[str, str, list[Any]]] = []  # (key, heading, lines, or blocks of lines)

        def add(key: str, heading: str, lines: list[Any]) -> None:
            sections.append((key, heading, lines))

        self._person(i, name, pid, add)
        self._relations(i, name, pid, add)
        self._therapy(i, name, pid, add)
        return self._render(name, sections)

    def _person(self, i: int, name: str, pid: str, add: Callable[[str, str, list[Any]], None]) -> None:
        """Behavior to activating conditions: what the person does, feels and believes, and why."""
        rng, exp = self.rng, self.expected
        add("behavior", "Behavior", [
            f"{rng.choice(W.VERBS).capitalize()} {rng.choice(W.PERSONAL_SITES)} and {rng.choice(W.VERBS)} "
            f"{rng.choice(W.PERSONAL_SITES)}"
            for _ in range(rng.randint(4, 6))] + [
            f"Acts so as to avoid being {rng.choice(W.ADJS)} or being too much for others"])
        add("motivation", "Motivation", [
            f"Feels {rng.choice(W.ADJS)} when {rng.choice(W.SITES)} become demanding" for _ in range(rng.randint(2, 3))
        ] + [f"Expects to be seen as {rng.choice(W.ADJS)} by others, to not be recognized or appreciated"])
        core = self.core_issues.sample(rng, rng.randint(2, 3))
        origins = self.origins.sample(rng, rng.randint(3, 5))
        for c in core:
            exp.edge(pid, "HAS_CORE_ISSUE", exp.node("CoreIssue", c))
        for o in origins:
            exp.edge(pid, "ORIGINATES_IN", exp.node("Origin", o))
            self.used_origins.append(o)
        add("core_issues", "Core Issues/Origins", [W.cap(", ".join(core)), "Derives from " + ", ".join(origins)])
        add("statement", "Statement", [f"No one sees me as I am. I can't manage {rng.choice(W.SITES)}."])
        add("unconscious_thought", "Unconscious Thought", [f"I am {rng.choice(W.ADJS)}. I am {rng.choice(W.ADJS)}."])
        add("self_other", "Representations", [
            "Self: " + W.cap(", ".join(rng.sample(W.ADJS, 3))),
            "Other: " + W.cap(", ".join(rng.sample(W.OTHER_ADJS, 3)))])
        add("sees_others_as", "Sees Others As", [
            f"People who can potentially {rng.choice(['reject', 'judge', 'abandon', 'validate'])} the client"])
        blocked = self.capacities.sample(rng, rng.randint(3, 6))
        for c in blocked:
            exp.edge(pid, "BLOCKS", exp.node("Capacity", c))
            self.used_capacities.append(c)
        add("capacities_blocked", "Healthy Capacities Blocked", [W.cap(", ".join(blocked))])
        add("demographics", "Gender and Culture", [
            f"More common in cultures that value {rng.choice(['restraint', 'achievement', 'harmony', 'modesty'])}",
            f"Described more often in {rng.choice(['women', 'men'])} in some settings"])
        conds = self.conditions.sample(rng, rng.randint(6, 10))
        for c in conds:
            exp.edge(pid, "ACTIVATED_BY", exp.node("Condition", c))
        add("activating_conditions", "Activating Conditions", conds)

    def _relations(self, i: int, name: str, pid: str, add: Callable[[str, str, list[Any]], None]) -> None:
        """Distinctions, subtypes, related patterns, combinations and concepts."""
        rng, exp = self.rng, self.expected
        low = name.lower()
        dist = self.others(i, rng.randint(2, 4))
        lines = []
        for j in dist:
            lines.append(f"The {self.name(j).lower()} pattern is characterized by {rng.choice(W.ABOUT)}, "
                         f"while the {low} pattern is characterized by {rng.choice(W.ABOUT)}.")
            exp.edge(pid, "DISTINGUISHED_FROM", self.pid(j))
        add("distinctions", "Distinctions", lines)
        subs = rng.sample(W.SUBTYPE_SUFFIXES, rng.randint(2, 4))
        blocks = []
        for s in subs:
            sub = f"{name} {s}"
            exp.edge(pid, "HAS_SUBTYPE", exp.node("Subtype", sub))
            blocks.append([sub, f"Afraid of being {rng.choice(W.ADJS)} in {rng.choice(W.SITES)}, "
                                "especially when tired."])
        add("subtypes", "Subtypes", blocks)  # blocks: two blank lines between subtypes
        if rng.random() < 0.5:
            add("associated_features", "Associated Features", [
                f"Generally worried about {rng.choice(W.SITES)}, health and the future",
                f"Feels pressured by others to perform in {rng.choice(W.SITES)}"])
        under, comb = self.others(i, 2)
        add("related_patterns", "Related Patterns", [
            f"Often underlies the {self.name(under).lower()} pattern, where the need is met indirectly",
            f"Sometimes combined with {self.name(comb).lower()} pattern"])
        exp.edge(pid, "MAY_UNDERLIE", self.pid(under))  # "often underlies the X pattern": this one lies under X
        exp.edge(pid, "COMBINES_WITH", self.pid(comb))
        combos = self.others(i, rng.randint(4, 8))
        lines = []
        for j in combos:
            desc = rng.choice(W.COMBINE_DESCS).format(a=rng.choice(W.ADJS), b=rng.choice(W.SITES))
            lines.append(f"{self.name(j)}: {desc}")
            exp.edge(pid, "COMBINES_WITH", self.pid(j))
        add("combinations", f"Combinations of {name} Pattern with Other Patterns", lines)
        concepts = self.concepts.sample(rng, rng.randint(2, 4))
        for c in concepts:
            exp.edge(pid, "RELATED_CONCEPT", exp.node("Concept", c))
        add("related_concepts", "Related Technical Concepts", concepts)

    def _therapy(self, i: int, name: str, pid: str, add: Callable[[str, str, list[Any]], None]) -> None:
        """Transference to potential problems: the therapy sections."""
        rng, exp = self.rng, self.expected
        add("transference", "Transference", [
            f"The client fears being judged by the therapist and wants to be seen as {rng.choice(W.OTHER_ADJS)}"])
        add("countertransference_toward", f"Countertransference toward {name} Client", [
            "Overly involved in reassuring the client", f"Irritated by how {rng.choice(W.ADJS)} the client feels"])
        add("countertransference_of", f"Countertransference of {name} Therapist", [
            "Needing too much reassurance from clients.", "Difficulty challenging clients or setting boundaries"])
        roles = self.roles.sample(rng, rng.randint(1, 2))
        for r in roles:
            exp.edge(pid, "PLAYS_ROLE", exp.node("Role", r))
        add("group_roles", "Group Roles/Positions", roles)
        add("alliance", "Forming the Alliance and Disconfirming the Pattern", [
            "Being warm, accepting, interested, and empathic helps to bring the client into therapy and "
            "disconfirm the expectation of being rejected."])
        add("understanding_needed", "Understanding of Pattern Needed by Client", [
            f"Recognizing how the fear of being {rng.choice(W.ADJS)} drives the search for reassurance."])
        add("accessing_core", "Accessing Core Issue and Origins", [
            "It is important for the client to reveal the hurt, even when that feels risky",
            f"The {rng.choice(['rejection', 'neglect', 'criticism'])} and the care that was missing."])
        add("reparation", "Reparation", ["Receiving caring, understanding, interest, empathy",
                                         "Gradually taking in this care so that it becomes an inner source of comfort"])
        develops = self.capacities.sample(rng, rng.randint(2, 3))
        for c in develops:
            exp.edge(pid, "DEVELOPS", exp.node("Capacity", c))
            self.used_capacities.append(c)
        add("accessing_capacities", "Accessing Healthy Capacities", [W.cap(", ".join(develops))])
        add("experimenting", "Experimenting with Healthy Behavior", [
            "Reaching out to others despite fears of rejection", "Speaking up despite fears"])
        add("reinforcement", "Reinforcement", ["Appreciation for taking risks", "Positive responses from others"])
        add("healing_relationship", "Healing Relationship", [
            "A relationship in which the client learns to reach out and is received positively"])
        (deeper,) = self.others(i, 1)
        add("potential_problems", "Potential Problems", [
            "If reparation does not work, deeper access may be needed. "
            f"Also look for underlying {self.name(deeper).lower()} pattern"])
        exp.edge(self.pid(deeper), "MAY_UNDERLIE", pid)


    def _render(self, name: str, sections: list[tuple[str, str, list[Any]]]) -> str:
        """The card's text; a third of the cards lose some headings (three blank lines where one was)."""
        rng, exp = self.rng, self.expected
        lossy = rng.random() < 0.33
        dropped: set[str] = set()
        if lossy:
            present = [k for k, _, _ in sections if k in DROPPABLE]
            dropped = {k for k in present if rng.random() < 0.3} or {rng.choice(present)}
            exp.lossy_cards += 1
            exp.inferred_sections += len(dropped)
            exp.inferred_by_section.update(h for k, h, _ in sections if k in dropped)

        out = [f"{name} Pattern"]
        for key, heading, lines in sections:
            out += ["", ""]
            if key in dropped:
                out.append("")  # the heading line is lost: three blank lines before the text
            else:
                out += [heading, ""]
            if key == "subtypes":
                out += "\n\n\n".join("\n\n".join(b) for b in lines).split("\n")
            else:
                out += "\n\n".join(lines).split("\n")
        return "\n".join(out) + "\n"


    # -- one article -----------------------------------------------------------------------------
    def article(self, a: int, subject: int, word: str, path: str, phrases: list[tuple[str, str]],
                capacity_terms: list[tuple[str, str]]) -> str:
        rng, exp = self.rng, self.expected
        pid = self.pid(subject)
        sid = exp.node("Source", path)
        exp.edge(sid, "DESCRIBES", pid)
        low = word.lower()
        out = [f"Understanding the Roots of {word}: Insights from Psychological Mechanisms", "",
               f"{word} is a complex experience that stems from a sense of being {rng.choice(W.ADJS)} or "
               f"uncertain about oneself. It can affect personal relationships, work and self-esteem. Here, we "
               f"explore some common psychological mechanisms that contribute to {low}, illustrated through "
               f"examples.", ""]
        names = rng.sample(W.FIRST_NAMES, 12)
        stem = Path(path).stem
        for k, mech in enumerate(self.mechanisms.sample(rng, rng.randint(4, 6)), 1):
            mid = exp.node("Mechanism", mech)
            exp.edge(mid, "CONTRIBUTES_TO", pid)
            person = names[k - 1]
            eid = exp.node("Example", f"{stem} {person}")
            exp.edge(eid, "ILLUSTRATES", mid)
            intro = (f"For instance, {person}, a {rng.choice(W.PERSON_ROLES)}, recalls how this shaped the years "
                     "that followed." if rng.random() < 0.7 else
                     f"{person}, for example, felt {rng.choice(W.ADJS)} whenever {rng.choice(W.SITES)} came up.")
            extra = ""
            if phrases and rng.random() < 0.6:
                term, target = rng.choice(phrases)
                extra = f" Achievements were {term} at home, which left a lasting mark."
                exp.edge(mid, "CORRESPONDS_TO", target)
            out += [f"{k}. {mech}", "",
                    f"The roots of {low} often trace back to {mech.lower()}. {intro}{extra} "
                    f"These feelings persisted into adult life, affecting {rng.choice(W.SITES)} and "
                    f"{rng.choice(W.SITES)}.", ""]
        out += [f"Strategies to Overcome {word}", "",
                f"Understanding the causes of {low} is the first step toward addressing it. Here are a few "
                "strategies that can help:", ""]
        for strat in self.strategies.sample(rng, rng.randint(3, 5)):
            tid = exp.node("Strategy", strat)
            exp.edge(tid, "ADDRESSES", pid)
            extra = ""
            if capacity_terms and rng.random() < 0.4:
                term, target = rng.choice(capacity_terms)
                extra = f" Over time this can {term} in daily life."
                exp.edge(tid, "CORRESPONDS_TO", target)
            out += [f"{strat}: Regular practice can help individuals understand the sources of their "
                    f"{low} and challenge their self-limiting beliefs.{extra}", ""]
        out += [f"{word} is a common issue that many people grapple with. By exploring its roots, individuals "
                "can lead more fulfilling lives."]
        return "\n".join(out) + "\n"

    # -- the corpus ------------------------------------------------------------------------------
    def write(self, out: Path) -> dict:
        out.mkdir(parents=True, exist_ok=True)
        for sub in ("cards", "articles"):
            if (out / sub).exists():
                shutil.rmtree(out / sub)
            (out / sub).mkdir()
        for stale in ("aliases.yaml", "pattern-names.yaml", "expected.json", "graph.json"):
            (out / stale).unlink(missing_ok=True)
        from loaders.text import display_path  # noqa: PLC0415 - source ids are display paths

        for i in range(self.n):
            file = out / "cards" / f"{self.name(i).lower()}.txt"
            file.write_text(self.card(i, display_path(file)), encoding="utf-8")

        rng = self.rng
        # Alias rows: article phrases for card origins ("seldom praised" -> an origin) and capacity
        # terms ("strengthen trust" -> capacity:trust), then each article's subject word.
        origin_ids = sorted({node_id("Origin", o) for o in self.used_origins})
        cap_names = sorted(set(self.used_capacities))
        phrase_terms = [f"{a} {b}" for a, b in itertools.product(W.ALIAS_ADVERBS, W.ALIAS_PARTICIPLES)]
        rng.shuffle(phrase_terms)
        phrases = [(t, rng.choice(origin_ids))
                   for t in phrase_terms[: min(len(phrase_terms), 10 + self.n_articles // 2)]]
        cap_terms = [(f"strengthen {c}", node_id("Capacity", c))
                     for c in rng.sample(cap_names, min(len(cap_names), 10 + self.n_articles // 4))]
        subjects = rng.sample(range(self.n), min(self.n, self.n_articles))
        rows = []
        for term, target in phrases:
            rows.append((term, target, "An article phrase for a card origin (synthetic)."))
        for term, target in cap_terms:
            rows.append((term, target, "An article phrase for a capacity a card blocks (synthetic)."))
        for a, subject in enumerate(subjects):
            word = W.pseudo_word(a)
            file = out / "articles" / f"roots-of-{word.lower()}.txt"
            file.write_text(self.article(a, subject, word, display_path(file), phrases, cap_terms), encoding="utf-8")
            rows.append((word.lower(), self.pid(subject), f"The subject word of {file.name} (synthetic)."))
        lines = ["# The alias table of a synthetic benchmark corpus (bench/generate.py): article terms -> card nodes.",
                 "aliases:"]
        for term, target, note in rows:
            lines += [f"  - term: {term}", f"    target: {target}", f"    note: {note}"]
        (out / "aliases.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
        # the synthetic patterns' names, as the shipped catalogue lists the Pattern System's: cards
        # recognise pattern names from catalogues, never from each other
        names = ["# The pattern names of a synthetic benchmark corpus (bench/generate.py).", "sources:",
                 "  - {id: synthetic, citation: bench/generate.py}", "pattern_names:",
                 "  - source: synthetic", "    names:"] + [f"      - {self.name(i)}" for i in range(self.n)]
        (out / "pattern-names.yaml").write_text("\n".join(names) + "\n", encoding="utf-8")
        expected = self.expected.to_dict(self.n, len(subjects), self.seed)
        (out / "expected.json").write_text(json.dumps(expected, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        return expected


def generate(cards: int, out: Path, seed: int = DEFAULT_SEED, articles: int | None = None) -> dict:
    """Write a corpus of `cards` cards (and articles, and aliases.yaml) to `out`; returns expected counts."""
    return Generator(cards, seed, articles).write(Path(out))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--cards", type=int, required=True, help="number of pattern cards")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    parser.add_argument("--articles", type=int, default=None, help="number of articles (default cards/50, at least 1)")
    parser.add_argument("--out", type=Path, required=True, help="folder to write (cards/, articles/, aliases.yaml)")
    args = parser.parse_args(argv)
    expected = generate(args.cards, args.out, args.seed, args.articles)
    print(f"wrote {expected['cards']} cards and {expected['articles']} articles to {args.out}: "
          f"expect {expected['nodes']} nodes, {expected['edges']} edges "
          f"({expected['edges'] / expected['cards']:.1f} per card), {expected['lossy_cards']} cards with lost headings",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
