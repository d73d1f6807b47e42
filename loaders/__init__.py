"""Loaders: pattern cards, prose articles and catalogues -> graph nodes and edges with provenance."""
