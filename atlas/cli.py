"""The `pattern-atlas` command (installed by `pip install .`): one entry point for the three front ends.

    pattern-atlas load PATH... [-o FILE] [--neo4j] …    the same as `python -m loaders …`
    pattern-atlas query COMMAND …                       the same as `python -m graph …` (every subcommand)
    pattern-atlas app [--address A] [--port P] [--data DIR] [streamlit options …]
                                                        the Streamlit app, as scripts/run.sh starts it

`load` and `query` hand their arguments unchanged to the CLIs behind `python -m loaders` and
`python -m graph`, so the two spellings cannot drift apart.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from graph.shipped import CODE_ROOT

#: The Streamlit script: app.py sits beside the packages, in the checkout and in site-packages alike.
APP = CODE_ROOT / "app.py"

_USAGE = """pattern-atlas {load,query,app} ...

Pattern Atlas: psychotherapy pattern cards and the concepts they point to, as a graph.

commands:
  load    load cards, articles and catalogues into a graph (python -m loaders; see pattern-atlas load --help)
  query   answer questions from the graph: path, neighbours, compare, node, query, cypher, stats,
          differential, export, centrality, communities, similar (python -m graph; see pattern-atlas query --help)
  app     run the Streamlit app on the embedded store (see pattern-atlas app --help)
"""


def app_parser() -> argparse.ArgumentParser:
    """The options of `pattern-atlas app`; anything it does not know goes to `streamlit run`."""
    parser = argparse.ArgumentParser(
        prog="pattern-atlas app",
        description="Run the Pattern Atlas app (Streamlit) on the embedded store built from the shipped data/ "
                    "(or PATTERN_ATLAS_DATA / --data). With NEO4J_URI, NEO4J_USER and NEO4J_PASSWORD set, the "
                    "sidebar also offers the Neo4j store. Options it does not know are passed to `streamlit run`.",
    )
    parser.add_argument("--address", default=os.environ.get("PATTERN_ATLAS_ADDRESS", "127.0.0.1"),
                        help="the address to listen on (default: PATTERN_ATLAS_ADDRESS or 127.0.0.1: this machine)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PATTERN_ATLAS_PORT", "8501")),
                        help="the port (default: PATTERN_ATLAS_PORT or 8501)")
    parser.add_argument("--data", type=Path, metavar="DIR",
                        help="the corpus folder to build the embedded store from (sets PATTERN_ATLAS_DATA)")
    return parser


def streamlit_command(argv: list[str]) -> tuple[list[str], dict[str, str]]:
    """The `python -m streamlit run app.py …` command line for `pattern-atlas app ARGV` (as scripts/run.sh)
    and the environment to run it in (`--data` sets PATTERN_ATLAS_DATA there; this process's own
    environment is left as it was)."""
    args, rest = app_parser().parse_known_args(argv)
    env = dict(os.environ)
    if args.data is not None:
        env["PATTERN_ATLAS_DATA"] = str(args.data.resolve())
    command = [sys.executable, "-m", "streamlit", "run", str(APP),
               "--server.address", args.address, "--server.port", str(args.port),
               "--server.headless", "true", "--browser.gatherUsageStats", "false", *rest]
    return command, env


def run_app(argv: list[str]) -> int:
    """Replace this process with Streamlit serving app.py (its exit code and Ctrl-C are Streamlit's own)."""
    if not APP.is_file():
        print(f"error: the app script {APP} is missing from this installation", file=sys.stderr)
        return 2
    command, env = streamlit_command(argv)
    sys.stdout.flush()
    os.execve(command[0], command, env)


def main(argv: list[str] | None = None) -> int:
    """`pattern-atlas COMMAND …`: the exit code of the command's own CLI (2 for an unknown command)."""
    args = sys.argv[1:] if argv is None else list(argv)
    if not args or args[0] in ("-h", "--help"):
        print(f"usage: {_USAGE}", file=sys.stdout if args else sys.stderr)
        return 0 if args else 2
    command, rest = args[0], args[1:]
    if command == "load":
        from atlas.load_cli import run  # noqa: PLC0415 - each command imports only what it needs

        return run(rest, prog="pattern-atlas load")
    if command == "query":
        from atlas.query_cli import cli  # noqa: PLC0415

        return cli(rest, prog="pattern-atlas query")
    if command == "app":
        return run_app(rest)
    print(f"usage: {_USAGE.splitlines()[0]}\npattern-atlas: error: unknown command {command!r} "
          "(choose from load, query, app)", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
