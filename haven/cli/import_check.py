"""Checking the rows of `haven cases import`: each parsed, admitted (as the API would) and
serialised for the store, chunk by chunk, so the caller can write checked batches while the
rest of the file is still to be checked (and keep only the small Prepared rows in memory).

Worker processes (fork, one per core) were tried for the checking and removed: on the shared
2-core test machine a pool of one or two workers checked 100,000 rows in 2.6 s against 2.0 s
in this process (the parent's receipt of the results was the bottleneck), and end to end the
import was no faster (benchmarks/results/bulk-import.md).
"""

from collections.abc import Callable, Iterator, Sequence
from datetime import date

from haven.assess.admit import admit
from haven.cases import Case
from haven.errors import CaseError, Problem
from haven.policy.pack import Pack
from haven.store.bulk_import import Prepared

# One row of the input: its label (`line 3`), how to name its id field, and how to validate it.
Entry = tuple[str, str, Callable[[], Case]]
# A row's index and what it became: a case ready to store, or what is wrong with it.
Checked = tuple[int, Prepared | list[Problem]]

# Rows per step of the progress bar.
CHUNK = 1000


def check_rows(
    entries: Sequence[Entry], pack: Pack, day: date, progress: Callable[[int], None]
) -> Iterator[Checked]:
    """Every row's result in input order; `progress(n)` after each chunk of n rows."""
    for n, (label, _, check) in enumerate(entries):
        try:
            # What the API and the web editor refuse is refused here too (issue 17, #3).
            yield n, Prepared.of(admit(check(), pack, day, prefix=f"{label}: "))
        except CaseError as e:
            yield n, list(e.problems)
        if (n + 1) % CHUNK == 0 or n + 1 == len(entries):
            progress((n % CHUNK) + 1)
