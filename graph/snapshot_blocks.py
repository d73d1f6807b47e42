"""Writing a snapshot's rows (`graph.snapshot`) in blocks: rows grouped as they come into blocks of a few
KiB (`BLOCK_BYTES`), each compressed alone (zlib level 1), so a reader decompresses only the block that holds the row it
wants (`graph.snapshot_rows`)."""
from __future__ import annotations

import zlib
from typing import Iterable

import orjson

#: Rows are grouped into blocks of about this many bytes (uncompressed) before compression, per family:
#: nodes, edges and places are read a few at a time (a page's drawing: small blocks waste less), a card's
#: sections one card at a time.
BLOCK_BYTES = {"nodes": 8 * 1024, "sections": 32 * 1024, "edges": 8 * 1024, "places": 8 * 1024}


class Blocks:
    """One family's rows grouped into compressed blocks as they come, so the encoded rows of only one block
    are held at a time (orjson gives each row a buffer of a few KiB)."""

    def __init__(self, block_bytes: int) -> None:
        self.block_bytes = block_bytes
        self.out: list[bytes] = []
        self.size, self.count = 0, 0
        self.pending: list[bytes] = []
        self.starts: list[int] = []
        self.offsets = [0]

    def add(self, row: bytes) -> None:
        self.pending.append(row)
        self.size += len(row) + 1
        self.count += 1
        if self.size >= self.block_bytes:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            self.close(b"[" + b",".join(self.pending) + b"]", len(self.pending))
            self.pending, self.size = [], 0

    def close(self, block: bytes, rows: int) -> None:
        """Add a block of `rows` rows (its bytes before compression)."""
        packed = zlib.compress(block, 1)
        self.out.append(packed)
        self.starts.append(self.count - rows)
        self.offsets.append(self.offsets[-1] + len(packed))

    def table(self, blocks: list[bytes]) -> tuple[list[int], list[int]]:
        """Append the blocks to `blocks`; the block table: the first row of each block, and where each
        starts in `blocks` (one more: where the last ends)."""
        self.flush()
        base = sum(map(len, blocks))
        blocks.extend(self.out)
        return self.starts, [base + o for o in self.offsets]


def place_blocks(places: Iterable[tuple]) -> Blocks:
    """Provenance entries in blocks of columns (file, start line, end line, text, authorship, and the whole
    entry where it has other keys: a 1-tuple of its JSON): the places of a hub are read many at a time, and
    columns are checked and turned into dicts several times faster than rows."""
    family = Blocks(BLOCK_BYTES["places"])
    chunk: list[tuple] = []
    size = 0
    for place in places:
        chunk.append(place)
        family.count += 1
        size += len(place[3]) + len(place[0]) + 24 if len(place) == 5 else 200
        if size >= family.block_bytes:
            family.close(_columns(chunk), len(chunk))
            chunk, size = [], 0
    if chunk:
        family.close(_columns(chunk), len(chunk))
    return family


def _columns(chunk: list[tuple]) -> bytes:
    columns = [[p[c] if len(p) == 5 else None for p in chunk] for c in range(5)]
    columns.append([None if len(p) == 5 else orjson.loads(p[0]) for p in chunk])
    return orjson.dumps(columns)
