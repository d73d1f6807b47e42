"""Running a command's `main` as a program, the same way for `python -m graph` and `python -m loaders`."""
from __future__ import annotations

import os
import sys
from typing import Callable


def run_program(main: Callable[[list[str] | None], int], argv: list[str] | None = None) -> int:
    """`main(argv)` as a program: a reader that stops early (`| head -1`) ends it quietly with 141, as
    SIGPIPE ends other tools, instead of a BrokenPipeError traceback; Ctrl-C ends it with 130 (files
    being written are left as they were: see loaders.atomic)."""
    try:
        code = main(argv)
        sys.stdout.flush()  # a broken pipe shows here at the latest, not as a message at exit
    except BrokenPipeError:
        # the standard way (Python docs, "Note on SIGPIPE"): point standard output at devnull so the
        # interpreter's last flush has nowhere to fail
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return code
