"""What a generated corpus should load as: its nodes and edges counted while the cards are written."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from graph.schema import node_id


@dataclass
class Expected:
    """What the loader must produce, from the generator's own bookkeeping."""

    nodes: dict[str, set[str]] = field(default_factory=dict)
    edges: set[tuple[str, str, str]] = field(default_factory=set)
    inferred_sections: int = 0
    lossy_cards: int = 0
    inferred_by_section: Counter = field(default_factory=Counter)

    def node(self, kind: str, name: str, nid: str | None = None) -> str:
        nid = nid or node_id(kind, name)
        self.nodes.setdefault(kind, set()).add(nid)
        return nid

    def edge(self, s: str, t: str, d: str) -> None:
        self.edges.add((s, t, d))

    def to_dict(self, cards: int, articles: int, seed: int) -> dict:
        return {
            "cards": cards, "articles": articles, "seed": seed,
            "node_counts": {k: len(v) for k, v in sorted(self.nodes.items())},
            "edge_counts": dict(sorted(Counter(t for _, t, _ in self.edges).items())),
            "nodes": sum(len(v) for v in self.nodes.values()),
            "edges": len(self.edges),
            "inferred_sections": self.inferred_sections,
            "inferred_by_section": dict(sorted(self.inferred_by_section.items())),
            "lossy_cards": self.lossy_cards,
        }


#: Sections whose heading may be lost (the loader infers them by cue or position), as in the seed card.
