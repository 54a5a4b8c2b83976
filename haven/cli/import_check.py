"""Checking the rows of `haven cases import`: each parsed, admitted (as the API would) and
serialised for the store, in worker processes when the input is large.

Validation is the import's largest cost after the writes (Pydantic's strict model, ~30 µs a
case), and it is independent per row, so large inputs are split into chunks checked by forked
workers, one per core; the writer then only seals and inserts. Workers inherit the rows, the
pack and the date by fork (nothing is pickled but chunk bounds and the results); where fork
is unavailable, or for small inputs, the rows are checked in this process.
"""

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from multiprocessing.pool import Pool

from haven.assess.admit import admit
from haven.cases import Case
from haven.errors import CaseError, Problem
from haven.policy.pack import Pack
from haven.store.bulk_import import Prepared

# One row of the input: its label (`line 3`), how to name its id field, and how to validate it.
Entry = tuple[str, str, Callable[[], Case]]
# A row's index and what it became: a case ready to store, or what is wrong with it.
Checked = tuple[int, Prepared | list[Problem]]

# Rows per chunk sent to a worker (and per step of the progress bar).
CHUNK = 1000
# Inputs smaller than this are checked in-process: forking costs more than it saves.
PARALLEL = 4000

# The job of the forked workers, set before the fork (read-only there).
_job: tuple[Sequence[Entry], Pack, date] | None = None


def _check(span: tuple[int, int]) -> list[Checked]:
    assert _job is not None
    entries, pack, day = _job
    out: list[Checked] = []
    for n in range(*span):
        label, _, check = entries[n]
        try:
            # What the API and the web editor refuse is refused here too (issue 17, #3).
            out.append((n, Prepared.of(admit(check(), pack, day, prefix=f"{label}: "))))
        except CaseError as e:
            out.append((n, list(e.problems)))
    return out


def _workers(rows: int) -> int:
    """Worker processes for `rows` rows: one per usable core, none for small inputs."""
    if rows < PARALLEL or "fork" not in multiprocessing.get_all_start_methods():
        return 0
    return min(len(os.sched_getaffinity(0)), 8)


@contextmanager
def checker(
    entries: Sequence[Entry], pack: Pack, day: date
) -> Iterator[Callable[[Callable[[int], None]], Iterator[Checked]]]:
    """`check(progress)` yields every row's result in input order, calling `progress(n)` per
    chunk. Enter this before starting threads (a progress bar): the workers fork here."""
    global _job
    _job = (entries, pack, day)
    spans = [(i, min(i + CHUNK, len(entries))) for i in range(0, len(entries), CHUNK)]
    workers = _workers(len(entries))
    pool: Pool | None = None
    if workers > 1:
        pool = multiprocessing.get_context("fork").Pool(workers)

    def check(progress: Callable[[int], None]) -> Iterator[Checked]:
        parts = pool.imap(_check, spans) if pool else map(_check, spans)
        for part in parts:
            yield from part
            progress(len(part))

    try:
        yield check
    finally:
        _job = None
        if pool:
            pool.terminate()
            pool.join()
