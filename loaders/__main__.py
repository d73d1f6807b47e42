"""`python -m loaders PATH... [-o FILE] [--neo4j]`, kept under this name: the load CLI lives in
`atlas.load_cli`, because it may open the Neo4j store (the one import of `atlas` from `loaders/`)."""
import sys

from atlas.load_cli import run

if __name__ == "__main__":
    sys.exit(run())
