"""Turning parsed documents into graph nodes and edges, with provenance on every one of them."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from graph.model import GraphData, Provenance
from graph.schema import EDGE_TYPES, display_name, name_key, node_id, pattern_display, pattern_slug, slug

from .article import ParsedArticle, article_scopes
from .card import ParsedCard
from .catalogue import Catalogue
from .errors import LoadError, Warning_
from .yamlio import LINE_KEY, strip_lines


@dataclass
class LoadReport:
    """What a load did: documents read, counts, warnings, inferred sections, alias links."""

    documents: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    warnings: list[Warning_] = field(default_factory=list)
    inferred: list[dict[str, Any]] = field(default_factory=list)
    corrections: list[dict[str, Any]] = field(default_factory=list)  # rows of corrections.yaml applied
    alias_links: list[dict[str, Any]] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)
    node_counts: dict[str, int] = field(default_factory=dict)
    edge_counts: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "skipped": self.skipped,
            "warnings": [w.to_dict() for w in self.warnings],
            "inferred": self.inferred,
            "corrections": self.corrections,
            "alias_links": self.alias_links,
            "unresolved": self.unresolved,
            "node_counts": self.node_counts,
            "edge_counts": self.edge_counts,
        }

    def format_text(self) -> str:
        """The report as the CLI prints it on standard error."""
        out = [f"loaded {len(self.documents)} documents: "
               + ", ".join(f"{d['path']} ({d['type']}, {d['authorship']})" for d in self.documents)]
        out.append(f"nodes: {sum(self.node_counts.values())} ("
                   + ", ".join(f"{k} {v}" for k, v in self.node_counts.items()) + ")")
        out.append(f"edges: {sum(self.edge_counts.values())} ("
                   + ", ".join(f"{k} {v}" for k, v in self.edge_counts.items()) + ")")
        for item in self.inferred:
            out.append(f"inferred: {item['file']}:{item['line']}: {item['pattern']} section "
                       f"'{item['section']}' ({item['reason']})")
        for fix in self.corrections:
            what = " and ".join(([f"section '{fix['section']}'"] if fix.get("section") else [])
                                + ([f"not {fix['not']}"] if fix.get("not") else []))
            out.append(f"corrected: {fix['file']}:{fix['lines']}: {what} "
                       f"(corrections file {fix['sidecar']}:{fix['sidecar_line']})")
        for link in self.alias_links:
            out.append(f"alias: {link['file']}:{link['line']}: '{link['term']}' -> {link['target']} "
                       f"(alias table {link['alias_file']}:{link['alias_line']})")
        for pid in self.unresolved:
            out.append(f"unresolved pattern: {pid} (referenced, but no card or catalogue entry)")
        for path in self.skipped:
            out.append(f"skipped: {path} (not a corpus document)")
        for warning in self.warnings:
            out.append(f"warning: {warning}")
        return "\n".join(out)


class Builder:
    """Accumulates a GraphData from catalogues, cards and articles, in that order."""

    def __init__(self) -> None:
        self.graph = GraphData()
        self.report = LoadReport()
        self.synonyms: dict[tuple[str, str], str] = {}
        self.card_of: dict[str, str] = {}
        self.aliases: list[tuple[Catalogue, dict[str, Any]]] = []
        self.articles: list[tuple[ParsedArticle, str, dict[str, str]]] = []
        self.wounds: list[tuple[Catalogue, dict[str, Any], str]] = []
        self._ids: dict[tuple[str, str], str] = {}  # resolve's answers (a card names the same things again)

    # -- helpers ---------------------------------------------------------------------------------
    def resolve(self, kind: str, name: str) -> str:
        """The id a name resolves to: a catalogue synonym's canonical node, else its own id."""
        found = self._ids.get((kind, name))
        if found is None:
            key = (kind, pattern_slug(name) if kind == "Pattern" else slug(name))
            found = self._ids[(kind, name)] = self.synonyms.get(key) or node_id(kind, name)
        return found

    def _source(self, path: str, doc_type: str, authorship: str, title: str, line: int, **attrs: Any) -> str:
        prov = Provenance(path, line, line, title, authorship)
        sid = node_id("Source", path)
        if sid in self.graph.nodes:  # another document's path makes the same id ('a/b c.txt', 'a/B-c.txt')
            number = 2
            while f"{sid}-{number}" in self.graph.nodes:
                number += 1
            self.report.warnings.append(Warning_(path, line, f"the paths {self.graph.nodes[sid]['name']!r} and "
                                                 f"{path!r} make one source id {sid}; this one is {sid}-{number}"))
            sid = f"{sid}-{number}"
        return self.graph.add_node("Source", path, [prov], id=sid, doc_type=doc_type,
                                   authorship=authorship, title=title, **attrs)

    # -- catalogues ------------------------------------------------------------------------------
    def add_catalogue(self, cat: Catalogue, authorship: str) -> None:
        self.report.documents.append({"path": cat.path, "type": f"catalogue:{cat.kind}", "authorship": authorship,
                                      "encoding": "utf-8"})
        sources = {s["id"]: s["citation"] for s in cat.data.get("sources", [])}

        def prov(row: dict, needle: str | None = None) -> Provenance:
            line = row[LINE_KEY]
            if needle:
                line = _find_line(cat.lines, line, needle)
            return Provenance(cat.path, line, line, cat.quote(line), authorship)

        def cites(row: dict) -> dict[str, str]:
            return {"citation": sources.get(row.get("source", ""), "")}

        if cat.kind == "aliases":
            self.aliases.extend((cat, row) for row in cat.data["aliases"])
            return
        if cat.kind == "pattern_names":  # names the card reader recognises (loaders.vocabulary); no nodes
            return
        if cat.kind == "concepts":
            for row in cat.data["concepts"]:
                cid = self.graph.add_node("Concept", row["name"], [prov(row)],
                                          codes=strip_lines(row.get("codes") or {}),
                                          synonyms=list(row.get("synonyms") or []), description=row.get("description"),
                                          kind_note=row.get("kind_note"), **cites(row))
                for name in [row["name"], *(row.get("synonyms") or [])]:
                    key = ("Concept", slug(name))
                    if key in self.synonyms and self.synonyms[key] != cid:
                        raise LoadError(cat.path, row[LINE_KEY], f"synonym {name!r} already names {self.synonyms[key]}")
                    self.synonyms[key] = cid
                    self._ids.clear()
            return
        for row in cat.data.get("groups", []) or []:
            self.graph.add_node("DimensionGroup", row["name"], [prov(row)], **cites(row))
        for row in cat.data["dimensions"]:
            did = self.graph.add_node("Dimension", row["name"], [prov(row)], **cites(row))
            gid = self.graph.add_node("DimensionGroup", row["group"], [prov(row, row["group"])])
            self.graph.add_edge(did, "IN_GROUP", gid, [prov(row, row["group"])])
            for cap in row.get("capacities", []) or []:
                cid = self.graph.add_node("Capacity", cap, [prov(row, cap)])
                self.graph.add_edge(did, "HAS_CAPACITY", cid, [prov(row, cap)])
            for member in row.get("patterns", []) or []:
                p = prov(member)
                pid = self.graph.add_node("Pattern", member["name"], [p], id=self.resolve("Pattern", member["name"]),
                                          status="unresolved")
                self.graph.add_edge(pid, "IN_DIMENSION", did, [p], side=member.get("side"))
        for row in cat.data.get("patterns", []) or []:
            pid = self.graph.add_node("Pattern", row["name"], [prov(row)], id=self.resolve("Pattern", row["name"]),
                                      status="catalogue", catalogue_description=row.get("description"), **cites(row))
            for cap in row.get("transformed_by", []) or []:
                cid = self.graph.add_node("Capacity", cap, [prov(row, cap)])
                self.graph.add_edge(pid, "TRANSFORMED_BY", cid, [prov(row, cap)])
        for row in cat.data.get("wounds", []) or []:
            self.graph.add_node("Wound", row["name"], [prov(row)], description=row.get("description"), **cites(row))
            self.wounds.append((cat, row, authorship))

    # -- cards -----------------------------------------------------------------------------------
    def add_card(self, card: ParsedCard, authorship: str, note: str | None = None) -> None:
        self.report.documents.append({"path": card.path, "type": "card", "authorship": authorship, "encoding": "utf-8"})
        self.report.warnings.extend(card.warnings)
        title = Provenance(card.path, card.title_line, card.title_line, card.title_text, authorship)
        pid = self.resolve("Pattern", card.pattern)
        if pid in self.card_of:
            raise LoadError(card.path, card.title_line,
                            f"{pattern_display(card.pattern)} already has a card in {self.card_of[pid]}; "
                            "one card per pattern (merge them or rename one)")
        self.card_of[pid] = f"{card.path}:{card.title_line}"
        sections = [s.to_dict(card.path) for s in card.sections]
        self.graph.add_node("Pattern", card.pattern, [title], id=pid, status="card", authorship=authorship,
                            card=card.path, sections=sections)
        # the card's own title line comes first, before places that merely mention the pattern
        self.graph.nodes[pid]["provenance"].sort(key=lambda p: (p["file"], p["start_line"]) !=
                                                 (card.path, card.title_line))
        sid = self._source(card.path, "card", authorship, card.title_text, card.title_line, note=note)
        self.graph.add_edge(sid, "DESCRIBES", pid, [title])
        for section in card.sections:
            if section.status in ("inferred", "unplaced"):
                self.report.inferred.append({"file": card.path, "line": section.start_line,
                                             "pattern": pattern_display(card.pattern), "section": section.heading,
                                             "status": section.status, "reason": section.reason or "no match"})
        parse_of = {s.key: getattr(s.spec, "parse", None) for s in card.sections}
        for fact in card.facts:
            end = fact.end_line or fact.line
            prov = {"file": card.path, "start_line": fact.line, "end_line": end, "text": fact.text,
                    "authorship": authorship}  # Provenance.to_dict's dict, made once (add_* copy it)
            attrs = dict(fact.node_attrs)
            if fact.kind == "Pattern":
                attrs.setdefault("status", "unresolved")
            try:
                other_id = self.resolve(fact.kind, fact.name)
            except ValueError:
                self.report.warnings.append(Warning_(card.path, fact.line, f"{fact.kind} name {fact.name!r} has no "
                                                     "letters or digits; no node made"))
                continue
            if other_id == pid:  # 'Needy: ...' among the Needy card's combinations: no edge to itself
                self.report.warnings.append(Warning_(card.path, fact.line, f"{pattern_display(card.pattern)} "
                                                     f"{EDGE_TYPES[fact.edge][0]} itself? The line names the card's "
                                                     f"own pattern; no {fact.edge} edge from a pattern to itself"))
                continue
            other = self.graph.add_node(fact.kind, fact.name, [prov], id=other_id, **attrs)
            source, target = (pid, other) if fact.direction == "out" else (other, pid)
            edge_attrs: dict[str, Any] = {"section": fact.section}
            if fact.description:
                edge_attrs["description"] = fact.description
            if self.graph.nodes[other]["name"] != _display(fact.kind, fact.name):
                edge_attrs["as_written"] = fact.name.strip(" \"\u201c\u201d")
            own = _OWN_PARSE.get(fact.edge)  # a mention elsewhere is weaker than the edge type's own section
            rank = 1 if own and parse_of.get(fact.section) != own else 0
            self.graph.add_edge(source, fact.edge, target, [prov], rank=rank, **edge_attrs)

    # -- articles --------------------------------------------------------------------------------
    def add_article(self, art: ParsedArticle, authorship: str, note: str | None = None) -> None:
        """Queue an article: it is linked after every card is in, so alias targets exist."""
        self.report.documents.append({"path": art.path, "type": "article", "authorship": authorship,
                                      "encoding": "utf-8"})
        self.report.warnings.extend(art.warnings)
        self.articles.append((art, authorship, {"note": note} if note else {}))

    def _link_article(self, art: ParsedArticle, authorship: str, extra: dict[str, str], scope: str) -> None:
        """Link a queued article; `scope` starts its case examples' ids (see `loaders.article.article_scopes`)."""
        def prov(line: int, text: str) -> Provenance:
            return Provenance(art.path, line, line, text, authorship)

        sid = self._source(art.path, "article", authorship, art.title, art.title_line, **extra)
        if art.frame:  # its introduction and closing lines are the document's own, about no one item
            self.graph.add_node("Source", art.path, [prov(p.line, p.raw) for p in art.frame], id=sid)
        subject = None
        for cat, row in self.aliases:
            if row["target"].startswith("pattern:") and _term_regex(row["term"]).search(art.title):
                subject = row["target"]
                self._alias_link(art.path, art.title_line, row, cat)
                break
        if subject is None:
            self.report.warnings.append(Warning_(art.path, art.title_line, "the article's subject pattern is not in "
                                                 "the alias table; its mechanisms and strategies are not linked"))
        elif subject not in self.graph.nodes:
            self.graph.add_node("Pattern", subject.split(":", 1)[1], [prov(art.title_line, art.title)], id=subject,
                                status="unresolved")
        if subject:
            self.graph.add_edge(sid, "DESCRIBES", subject, [prov(art.title_line, art.title)])
        for mech in art.mechanisms:
            body = " ".join(p.text for p in mech.body)
            first = _first_sentence(body)
            mprov = Provenance(art.path, mech.line, mech.end_line,
                               "\n".join([mech.raw, *(p.raw for p in mech.body)]), authorship)
            heads = [prov(p.line, p.raw) for p in mech.context]  # the heading over it, after its own place
            mid = self.graph.add_node("Mechanism", mech.name, [mprov, *heads], description=first)
            if subject:
                self.graph.add_edge(mid, "CONTRIBUTES_TO", subject, [mprov], description=first)
            for ex in mech.examples:
                eid = node_id("Example", f"{scope} {ex.name}")
                known = self.graph.nodes.get(eid)
                if known and known["provenance"] and known["provenance"][0]["file"] != art.path:
                    first = known["provenance"][0]
                    self.report.warnings.append(Warning_(art.path, ex.line, f"case example {ex.name!r} makes the "
                                                         f"id {eid} of {known['name']!r} in {first['file']}:"
                                                         f"{first['start_line']}; the two are merged"))
                self.graph.add_node("Example", ex.name, [prov(ex.line, ex.raw)], id=eid, description=ex.sentence,
                                    role=ex.role)
                self.graph.add_edge(eid, "ILLUSTRATES", mid, [prov(ex.line, ex.raw)], description=ex.sentence)
            for para in mech.body:
                self._alias_scan(art.path, para.line, para.text, para.raw, mid, authorship, subject)
        for strat in art.strategies:
            sprov = prov(strat.line, strat.raw)
            heads = [prov(p.line, p.raw) for p in strat.context]
            tid = self.graph.add_node("Strategy", strat.name, [sprov, *heads], description=strat.text)
            if subject:
                self.graph.add_edge(tid, "ADDRESSES", subject, [sprov], description=strat.text)
            self._alias_scan(art.path, strat.line, f"{strat.name}: {strat.text}", strat.raw, tid, authorship, subject)

    def _alias_scan(self, path: str, line: int, text: str, raw: str, source_id: str, authorship: str,
                    subject: str | None) -> None:
        """Link `source_id` to every alias target whose term occurs in the text (not the subject itself)."""
        low = text.lower() if text.isascii() else None
        for cat, row in self.aliases:
            first = _first_word(row["term"])
            if low is not None and first is not None and first not in low:
                continue  # cannot match (ASCII text and term: the regex's case-blind match is lower-case)
            match = _term_regex(row["term"]).search(text)
            if not match or row["target"] == subject:
                continue
            target = row["target"]
            if target == source_id:
                self.report.warnings.append(Warning_(path, line, f"alias term '{row['term']}' names {target}, the "
                                                     "node this line is about; no edge from a node to itself"))
                continue
            if target not in self.graph.nodes:
                self.report.warnings.append(Warning_(cat.path, row[LINE_KEY], f"alias target {target} is not in the "
                                                     f"graph; '{row['term']}' not linked"))
                continue
            provs = [Provenance(path, line, line, raw, authorship),
                     Provenance(cat.path, row[LINE_KEY], row[LINE_KEY], cat.quote(row[LINE_KEY]), "catalogue")]
            self.graph.add_edge(source_id, "CORRESPONDS_TO", target, provs, term=match.group(0),
                                description=row.get("note"))
            self._alias_link(path, line, row, cat)

    def _alias_link(self, path: str, line: int, row: dict, cat: Catalogue) -> None:
        self.report.alias_links.append({"term": row["term"], "file": path, "line": line, "target": row["target"],
                                        "alias_file": cat.path, "alias_line": row[LINE_KEY]})

    # -- finish ----------------------------------------------------------------------------------
    def finish(self) -> tuple[GraphData, LoadReport]:
        scopes = article_scopes([art.path for art, _, _ in self.articles])
        for (art, authorship, extra), scope in zip(self.articles, scopes, strict=True):
            self._link_article(art, authorship, extra, scope)
        for cat, row, authorship in self.wounds:
            wid = node_id("Wound", row["name"])
            for origin in row.get("origins", []) or []:
                oid = node_id("Origin", origin)
                line = _find_line(cat.lines, row[LINE_KEY], origin)
                if oid not in self.graph.nodes:
                    self.report.warnings.append(Warning_(cat.path, line, f"wound {row['name']!r} names origin "
                                                         f"{origin!r}, which no loaded card states"))
                    continue
                self.graph.add_edge(oid, "CORRESPONDS_TO", wid,
                                    [Provenance(cat.path, line, line, cat.quote(line), authorship)])
        self._name_warnings()
        self.report.unresolved = sorted(n["id"] for n in self.graph.nodes.values()
                                        if n["kind"] == "Pattern" and n.get("status") == "unresolved")
        self.report.node_counts, self.report.edge_counts = self.graph.counts()
        self.graph.settle()
        return self.graph, self.report

    def _name_warnings(self) -> None:
        """Warnings for names that could pass for others and for two names the id rules made one node
        (once per name and place), taken from the graph's build lists."""
        said: set[tuple] = set()
        for kind, name, place, why in self.graph.lookalikes:
            file, line = (place["file"], place["start_line"]) if place else ("?", 0)
            if (name, file, line) not in said:
                said.add((name, file, line))
                hidden = (" (left out of its id and display name)" if "bidi control" in why else
                          " (left out of its id)" if "invisible" in why else "")
                self.report.warnings.append(Warning_(file, line, f"{kind} name {name!r} may pass for another: "
                                                     f"{why}{hidden}"))
        for nid, kind, kept, kept_at, other, other_at in self.graph.collisions:
            if (nid, name_key(other)) in said:  # once per name, as its letters go
                continue
            said.add((nid, name_key(other)))
            file, line = (other_at["file"], other_at["start_line"]) if other_at else ("?", 0)
            first = f"{kept_at['file']}:{kept_at['start_line']}" if kept_at else "an earlier place"
            self.report.warnings.append(Warning_(file, line, f"{kind} {other!r} and {kept!r} ({first}) are one node "
                                                 f"{nid}: their names differ in more than case, punctuation and "
                                                 "spacing"))
        self.graph.lookalikes, self.graph.collisions = [], []


#: Edge types with a card section of their own (by its parse mode in data/vocabulary/sections.yaml): there
#: a statement carries its full description ("Needy: feels insecure about the degree of need"), so it
#: outranks the same edge from a free-text mention in another section ("Sometimes combined with needy
#: pattern"); see GraphData.add_edge.
_OWN_PARSE = {"COMBINES_WITH": "named", "DISTINGUISHED_FROM": "distinction"}


@lru_cache(maxsize=1 << 16)  # a big corpus names the same capacities and conditions thousands of times
def _display(kind: str, name: str) -> str:
    return pattern_display(name) if kind == "Pattern" else display_name(name)


@lru_cache(maxsize=None)  # one regex per alias term, not one per term and paragraph
def _term_regex(term: str) -> re.Pattern[str]:
    return re.compile(r"\b" + r"\s+".join(re.escape(w) for w in term.split()) + r"\b", re.IGNORECASE)


@lru_cache(maxsize=None)
def _first_word(term: str) -> str | None:
    """A term's first word in lower case, which any text it matches holds; None when it is not ASCII
    (case-blind matching of other letters is not `str.lower`) or the term has no words."""
    words = term.split()
    return words[0].lower() if words and words[0].isascii() else None


def _first_sentence(text: str) -> str:
    match = re.search(r"^(.+?[.!?])(?:\s|$)", text)
    return match.group(1) if match else text


def _find_line(lines: list[str], start: int, needle: str) -> int:
    """The first line at or after `start` that contains `needle` (case-insensitive), else `start`."""
    low = needle.lower()
    for number in range(start, min(len(lines), start + 60) + 1):
        if low in lines[number - 1].lower():
            return number
    return start
