"""Writing a file people keep, all or nothing: a temporary file beside it, renamed over it on success only.

In graph/, the bottom layer, because the graph cache (graph.embedded, graph.snapshot) is written with it
too; the loaders and the CLIs import it from here.

Every file the project writes for people (the CLI's `-o` and `--report-json` files, a corpus's
corrections.yaml, the graph cache data/graph.json) goes through `replacing`, so a run that fails or is
interrupted (bad input, a database error, Ctrl-C, a full disk) leaves the previous file exactly as it
was, never empty or half written.
"""
from __future__ import annotations

import os
import secrets
import stat
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


@contextmanager
def replacing(path: Path, *, devices_in_place: bool = False) -> Iterator[Path]:
    """A new temporary file beside `path` for the block to write; when the block ends without an
    exception it is flushed to disk and renamed to `path`; when the block raises (KeyboardInterrupt
    too) it is removed and `path` is untouched.

    A regular file replaced keeps its permissions; a new one gets those `open()` would give it (the
    umask's). Whatever else is at `path` (a symlink, a FIFO) is replaced, never written through, so a
    write reaches no file but the one named. With `devices_in_place` (a command line's output, named
    as on a shell command line) a device, a FIFO or a stream (/dev/null, /dev/stdout) is written in place
    instead: the block gets `path` itself.
    """
    path = Path(path)
    if devices_in_place and _is_device(path):
        yield path
        return
    try:
        old = os.lstat(path)
    except FileNotFoundError:
        old = None
    tmp = _create_beside(path)
    try:
        if old is not None and stat.S_ISREG(old.st_mode):
            os.chmod(tmp, stat.S_IMODE(old.st_mode))
            mine = os.stat(tmp)
            if (old.st_uid, old.st_gid) != (mine.st_uid, mine.st_gid):
                try:
                    os.chown(tmp, old.st_uid, old.st_gid)
                except OSError:
                    pass  # not allowed to give it away: the file becomes the writer's, as with cp
        yield tmp
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)  # a full disk or an I/O error shows here, before the old file is given up
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_atomic(path: Path, data: bytes | str, *, devices_in_place: bool = False) -> None:
    """Replace `path` with `data` (str as UTF-8, newlines as given) all or nothing (see `replacing`)."""
    with replacing(path, devices_in_place=devices_in_place) as tmp, open(tmp, "wb") as fh:
        fh.write(data.encode("utf-8") if isinstance(data, str) else data)


def _is_device(path: Path) -> bool:
    """Whether `path` is a device, a FIFO or a process's stream (anything under /dev or /proc)."""
    if str(path.absolute()).startswith(("/dev/", "/proc/")):
        return True
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def _create_beside(target: Path) -> Path:
    """A new empty file in `target`'s folder, hidden so that a corpus walk never reads a leftover."""
    for _ in range(100):
        tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666)
        except FileExistsError:
            continue
        os.close(fd)
        return tmp
    raise FileExistsError(f"no free temporary name beside {target}")
