"""The embedded store's Cypher worker: a query runs in a forked process, so it can be stopped.

The parent forks a worker per query (the engine and its loaded graph are already in memory, so the
fork is cheap: copy-on-write); the worker caps its own address space (RLIMIT_AS) at its size plus
`worker_memory_mb()` MiB, runs the query and pipes back the answer (at most `MAX_RESULT_BYTES`). The
parent waits at most the timeout, then kills it. Whatever the engine does inside, a runaway query ends
at the time limit, and one that allocates past the cap ends with a one-line error instead of swapping.
"""
from __future__ import annotations

import multiprocessing
import os
import pickle
from typing import Any, Callable

from .cypher import CypherError, QueryTimeout, QueryTooLarge, ReadOnlyViolation, UnsupportedQuery, check_timeout

#: How much the worker's address space may grow (MiB) beyond its size when forked;
#: PATTERN_ATLAS_CYPHER_MEMORY_MB overrides it.
WORKER_MEMORY_MB = 1024
#: The largest answer (pickled) the worker sends back.
MAX_RESULT_BYTES = 64 * 2**20


def worker_memory_mb() -> int:
    """MiB the Cypher worker may grow by: PATTERN_ATLAS_CYPHER_MEMORY_MB, else WORKER_MEMORY_MB."""
    try:
        return max(16, int(os.environ.get("PATTERN_ATLAS_CYPHER_MEMORY_MB", WORKER_MEMORY_MB)))
    except ValueError:
        return WORKER_MEMORY_MB


def _limit_memory(budget_mb: int) -> None:
    """Cap this process's address space (RLIMIT_AS) at its present size plus `budget_mb` MiB, so an
    allocation past it fails with MemoryError instead of growing until the machine swaps."""
    try:
        import resource  # noqa: PLC0415 - POSIX only

        with open("/proc/self/status", encoding="ascii") as status:
            size = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize:"))
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = size + budget_mb * 2**20
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, OSError, StopIteration, ValueError):  # no /proc or no RLIMIT_AS: time limit only
        pass


def near_memory_cap() -> bool:
    """Whether this process's address space has come within 1/16 of its RLIMIT_AS (a failed allocation
    inside an engine then reads as running out of memory: graphqlite reports only "Query execution
    failed"; measured: a cross product under a 256 MiB cap peaks at 255.9 MiB)."""
    try:
        import resource  # noqa: PLC0415 - POSIX only

        limit, _ = resource.getrlimit(resource.RLIMIT_AS)
        with open("/proc/self/status", encoding="ascii") as status:
            peak = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmPeak:"))
    except (ImportError, OSError, StopIteration, ValueError):
        return False
    return limit != resource.RLIM_INFINITY and peak >= limit - limit // 16


def _worker(conn: Any, fn: Callable[..., Any], args: tuple, budget_mb: int) -> None:
    _limit_memory(budget_mb)
    outcome: tuple[Any, ...] = ("memory", budget_mb)
    try:
        outcome = ("ok", fn(*args))
    except MemoryError:
        pass  # the frames holding the memory are released before the answer is encoded
    except CypherError as exc:  # a refusal of ours (the hop cap on the parse tree)
        outcome = ("refused", type(exc).__name__, str(exc))
    except Exception as exc:  # noqa: BLE001 - reported to the parent as a message
        memory = isinstance(exc.__context__, MemoryError) or isinstance(exc.__cause__, MemoryError)
        outcome = ("memory", budget_mb) if memory else ("error", f"{type(exc).__name__}: {str(exc)[:2000]}")
    try:
        data = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
        if len(data) > MAX_RESULT_BYTES:
            data = pickle.dumps(("large", len(data)))
    except MemoryError:
        data = pickle.dumps(("memory", budget_mb))
    try:
        conn.send_bytes(data)
    finally:
        conn.close()


def _memory_message(budget_mb: int) -> str:
    return (f"the query needed more than {budget_mb:,} MiB of memory (the embedded store's memory limit per "
            "query, PATTERN_ATLAS_CYPHER_MEMORY_MB) and was stopped; narrow it (fewer MATCH clauses over all "
            "nodes, a LIMIT) or use the Neo4j store")


def run_with_timeout(fn: Callable[..., Any], args: tuple, timeout: float,
                     explain: Callable[[str], CypherError] = CypherError) -> Any:
    """Run fn(*args) in a forked process with its memory capped; kill it and raise QueryTimeout past
    `timeout` seconds, QueryTooLarge when it runs out of memory or its answer is too large, and
    `explain(first line of the error)` when fn raised something else (the engine's own error)."""
    timeout = check_timeout(timeout)
    budget = worker_memory_mb()
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_worker, args=(child, fn, args, budget), daemon=True)
    proc.start()
    child.close()
    try:
        if not parent.poll(timeout):
            raise QueryTimeout(f"the query ran longer than {timeout:g} s and was stopped; narrow it "
                               "(fewer hops, a LIMIT) or use the Neo4j store")
        outcome = pickle.loads(parent.recv_bytes())
    except (EOFError, OSError, pickle.UnpicklingError):
        proc.join(1)
        how = f" (signal {-proc.exitcode})" if proc.exitcode is not None and proc.exitcode < 0 else ""
        raise CypherError(f"the query worker stopped without an answer{how}; it may have run out of memory "
                          f"(limit {budget:,} MiB, PATTERN_ATLAS_CYPHER_MEMORY_MB)") from None
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join(1)
        parent.close()
    status = outcome[0]
    if status == "ok":
        return outcome[1]
    if status == "memory":
        raise QueryTooLarge(_memory_message(outcome[1]))
    if status == "large":
        raise QueryTooLarge(f"the answer is {outcome[1] / 2**20:,.0f} MiB, more than the {MAX_RESULT_BYTES // 2**20} "
                            "MiB the embedded store sends back (result size limit); return fewer or smaller values")
    if status == "refused":
        cls = {c.__name__: c for c in (ReadOnlyViolation, UnsupportedQuery, QueryTimeout, QueryTooLarge)}
        raise cls.get(outcome[1], CypherError)(outcome[2])
    raise explain((outcome[1].splitlines() or [""])[0][:300])


