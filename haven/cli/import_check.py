"""Checking the rows of `haven cases import`, chunk by chunk, so the caller can write checked
batches while the rest of the file is still to be checked (and keep only the small Prepared
rows in memory).

A JSON Lines file is checked in bulk (`check_lines`): read by pyarrow with the contract's
schema (haven.cases.arrow_jsonl), validated with the columnar checks derived from the case
model (haven.cases.schema.invalid, the same verdicts as the model: tests/test_case_contract.py)
and the admission checks as column expressions (haven.assess.admit.surely_admissible), and
each valid case's stored JSON written by Polars, byte for byte what `model_dump_json` writes
(haven.cases.schema.dumped). Only rows these do not clear (an invalid case, a tag the pack does
not know, an id outside printable ASCII, ...) are parsed and admitted one by one with the model
(`check_rows`), which words their problems and decides. The model's parse, admission and
dump cost ~30 µs a row (100,000 rows: ~3 s); in bulk, 100,000 rows take ~1 s (pyarrow ~0.6 s,
most of it in its own thread; Polars ~0.25 s; the rest making the Prepared rows).
Other inputs (CSV, Parquet, a JSON array, standard input) are checked row by row.

Worker processes (fork, one per core) were tried for the per-row checking and removed: the
parent's receipt of the results was the bottleneck (benchmarks/results/bulk-import.md).
"""

from collections.abc import Callable, Iterator, Sequence
from datetime import date
from pathlib import Path

import polars as pl

from haven.assess.admit import admit, surely_admissible
from haven.cases import Case, arrow_jsonl
from haven.cases.schema import dumped, filled, invalid, plain_dates
from haven.errors import CaseError, Problem
from haven.policy.pack import Pack
from haven.store.bulk_import import BATCH, Prepared

# One row of the input: its label (`line 3`), how to name its id field, and how to validate it.
Entry = tuple[str, str, Callable[[], Case]]
# A row's index and what it became: a case ready to store, or what is wrong with it.
Checked = tuple[int, Prepared | list[Problem]]

# Rows per step of the progress bar.
CHUNK = 1000
# Rows checked in bulk at once (the progress bar's step there; memory: ~1 KB a row).
FRAME = 20_000
# A stored text that only printable ASCII, without `"` or `\`, makes the same in every encoder.
# (Any escape is a backslash; the class is printable ASCII but the backslash.)
_ESCAPED = r"[^ -\[\]-~]"


def check_rows(
    entries: Sequence[Entry],
    pack: Pack,
    day: date,
    progress: Callable[[int], None],
    start: int = 0,
) -> Iterator[Checked]:
    """Every row's result in input order, from row `start`; `progress(n)` after each chunk of
    n rows."""
    for n in range(start, len(entries)):
        yield check_one(entries[n], n, pack, day)
        done = n + 1 - start
        if done % CHUNK == 0 or n + 1 == len(entries):
            progress((done - 1) % CHUNK + 1)


def check_one(entry: Entry, n: int, pack: Pack, day: date) -> Checked:
    label, _, parse = entry
    try:
        # What the API and the web editor refuse is refused here too (issue 17, #3).
        return n, Prepared.of(admit(parse(), pack, day, prefix=f"{label}: "))
    except CaseError as e:
        return n, list(e.problems)


def check_lines(
    path: str | Path,
    entries: Sequence[Entry],
    pack: Pack,
    day: date,
    progress: Callable[[int], None],
) -> Iterator[Checked]:
    """`check_rows` for a JSON Lines file, in bulk: the same results. `entries` (the file's
    rows as `caseload.entries` lists them) is read only for rows the model has to check, so it
    may be built lazily. Anything pyarrow refuses (a field outside the contract, a repeated key,
    another layout) is checked by `check_rows` from the first case of its piece on."""
    done = 0
    try:
        # The first frame one batch long: the first batch is written while the next is checked.
        for frame in arrow_jsonl.batches(path, FRAME, first=min(BATCH, FRAME)):
            yield from _frame_rows(frame, done, entries, pack, day)
            done += frame.height
            progress(frame.height)
    except arrow_jsonl.Refused as refused:
        yield from check_rows(entries, pack, day, progress, start=refused.done)


def _frame_rows(
    frame: pl.DataFrame, start: int, entries: Sequence[Entry], pack: Pack, day: date
) -> Iterator[Checked]:
    case = filled()
    text = dumped(case)
    clear = ~invalid() & surely_admissible(pack, day) & plain_dates() & ~text.str.contains(_ESCAPED)
    status = case.struct.field("procedure").struct.field("status")
    found = frame.select(
        clear.alias("clear"),
        pl.col("id"),
        pl.col("nationality"),
        status.alias("status"),
        text.cast(pl.Binary).alias("text"),
    )
    columns = [found.get_column(c).to_list() for c in ("clear", "id", "nationality", "status")]
    texts = found.get_column("text").to_list()
    for i, (ok, ref, nationality, state, content) in enumerate(zip(*columns, texts, strict=True)):
        n = start + i
        if ok:
            yield n, Prepared(ref, nationality, state, content)
        else:
            yield check_one(entries[n], n, pack, day)
