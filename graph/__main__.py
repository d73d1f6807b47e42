"""`python -m graph …`, kept under this name: the query CLI lives in `atlas.query_cli`, because it opens
stores and that is the composition layer's job (the one import of `atlas` from `graph/`, by design)."""
import sys

from atlas.query_cli import cli

if __name__ == "__main__":
    sys.exit(cli())
