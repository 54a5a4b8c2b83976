"""Impact of a caseload file in batches, so memory stays flat however many cases it holds.

The file is read in batches of `batch_size` cases by the caseload reader (haven.cases: JSON
Lines by pyarrow with the contract's schema, arrow_jsonl, or the exact Polars reader where
pyarrow refuses; Parquet by Polars; CSV through the case model); each batch is validated,
evaluated on both dates (haven.impact.frame) and its changed cases handed to the caller, who
writes them out; only the counts are kept. Invalid input raises CaseError once the batches are
read (a wrong field name or JSON type anywhere in the file first, else the first 50 invalid
cases, then repeated ids), so a caller that spools its output writes nothing for a bad file.
Repeated ids across batches are found from a 64-bit hash per case (8 bytes a case, the one cost
that grows with N), then confirmed on the ids themselves."""

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import polars as pl

from haven.cases import arrow_jsonl as jsonl
from haven.cases.caseload import text_lines
from haven.errors import CaseError, Problem
from haven.impact import shape
from haven.impact.batch import (
    MAX_REPORTED,
    duplicate_problems,
    normalise,
    scan,
    value_problems,
)
from haven.impact.compare import Impact
from haven.impact.frame import Tally, change_objects, changes
from haven.policy.pack import Pack

BATCH_SIZE = 250_000
_TEXT = "_haven_json"  # internal: one line of the input as text
_SEED = 5  # any fixed seed: the hashes are compared within one run only


class ImpactStream:
    """Iterate for the changed cases, batch by batch (frames of frame.CHANGE_COLS, input order);
    then `impact()` gives the counts."""

    def __init__(
        self,
        path: str | Path,
        before: date,
        after: date,
        pack: Pack,
        after_pack: Pack | None = None,
        batch_size: int = BATCH_SIZE,
    ) -> None:
        self.path, self.before, self.after = path, before, after
        self.pack, self.after_pack = pack, after_pack or pack
        self.batch_size = batch_size
        self.tally = Tally()
        self.reader = ""  # which reader read a JSON Lines file: "arrow" or "polars"

    def __iter__(self) -> Iterator[pl.DataFrame]:
        problems: list[Problem] = []
        bad = 0  # invalid cases seen so far
        hashes: list[pl.Series] = []
        for df in self._batches():
            hashes.append(df.get_column("id").drop_nulls().hash(_SEED))
            if bad >= MAX_REPORTED:
                # Read on all the same: a field name or type that is wrong further on is
                # reported instead, as when the whole file's schema is checked first.
                continue
            found, rows = value_problems(df.lazy(), self.pack, MAX_REPORTED - bad)
            if not found and self.after_pack is not self.pack:  # its tags must be known too
                found, rows = value_problems(df.lazy(), self.after_pack, MAX_REPORTED - bad)
            problems += found
            bad += rows
            if problems:
                continue  # keep validating the rest, but evaluate nothing more
            part = changes(df.lazy(), self.before, self.after, self.pack, self.after_pack)
            self.tally.add(part)
            yield part.changed
        problems += self._repeated_ids(hashes)
        if problems:
            raise CaseError(problems[:MAX_REPORTED])

    def _batches(self) -> Iterator[pl.DataFrame]:
        """Normalised batches in input order; field names and types are checked first."""
        if Path(self.path).suffix.lower() not in (".parquet", ".csv") and Path(self.path).is_file():
            yield from self._json_batches()
            return
        lf = scan(self.path)
        normalise(lf)  # raises on unknown fields or wrong types, before any batch
        # Parquet: one slice at a time (the reader skips to its row groups). Measured on
        # 10M cases, collect_batches held ~2 GB read ahead; slices hold one batch.
        n = lf.select(pl.len()).collect().item()
        for start in range(0, n, self.batch_size):
            yield normalise(lf.slice(start, self.batch_size), first_line=start + 1).collect()

    def _json_batches(self) -> Iterator[pl.DataFrame]:
        """JSON Lines: read with the contract's schema (haven.cases.arrow_jsonl) while the file fits
        it; where it does not, Polars infers the schema over every line, which names the
        problem before the next batch, or, if there is none, goes on from where pyarrow
        stopped."""
        done = 0
        try:
            for df in jsonl.batches(self.path, self.batch_size):
                yield normalise(df.lazy(), first_line=done + 1).collect()
                done += df.height
            if done:
                self.reader = "arrow"
                return
        except jsonl.Refused:
            pass
        self.reader = "polars"
        lf = scan(self.path)  # an empty file is an error here
        normalise(lf)  # raises on unknown fields or wrong types
        problems = self._shape_problems()  # types that inference widened
        if problems:
            raise CaseError(problems)
        yield from self._decoded_batches(lf.collect_schema(), skip=done)

    def _lines(self) -> pl.LazyFrame:
        """The file's non-blank lines, as text (skipped as the NDJSON reader skips them)."""
        return text_lines(self.path, _TEXT)

    def _shape_problems(self) -> list[Problem]:
        """Lines whose values are not of the contract's JSON types (haven.impact.shape): Polars'
        inference widens mixed types to text (`"id": true` read as the id "true")."""
        bad = (
            self._lines()
            .with_row_index("line", offset=1)
            .filter(~pl.col(_TEXT).str.contains(shape.LINE))
            .head(MAX_REPORTED)
            .collect()
        )
        found = [
            Problem(f"line {n}: {path}" if path else f"line {n}", message)
            for n, text in bad.iter_rows()
            for path, message in shape.diagnose(text)
        ]
        return found[:MAX_REPORTED]

    def _decoded_batches(self, schema: pl.Schema, skip: int) -> Iterator[pl.DataFrame]:
        """JSON Lines, parsed as text lines decoded with the schema inferred over every line,
        from the non-blank line after `skip` on. Measured on 1M cases (490 MB): 1.8 s, where
        Polars' NDJSON reader takes 10 s even with the schema given. Every line already parsed
        during inference, so decoding cannot fail on syntax; blank lines are skipped as the
        NDJSON reader skips them."""
        lines = self._lines().slice(skip)
        first = skip + 1
        for chunk in lines.collect_batches(chunk_size=self.batch_size):
            cases = chunk.select(pl.col(_TEXT).str.json_decode(pl.Struct(schema))).unnest(_TEXT)
            yield normalise(cases.lazy(), first_line=first).collect()
            first += cases.height

    def _repeated_ids(self, hashes: list[pl.Series]) -> list[Problem]:
        if not hashes:
            return []
        h = pl.concat(hashes)
        suspects = h.filter(h.is_duplicated()).unique()
        if suspects.is_empty():
            return []
        # A second look at the file, at the suspect cases only: exact ids and their lines.
        lf = normalise(scan(self.path))
        return duplicate_problems(lf.filter(pl.col("id").hash(_SEED).is_in(suspects.implode())))

    def collect(self) -> Impact:
        """Every batch, and the Impact with all changed cases as objects (for reports)."""
        frames = list(self)
        changed = change_objects(pl.concat(frames)) if frames else []
        return self.tally.impact(self.before, self.after, self.pack, self.after_pack, changed)

    def impact(self) -> Impact:
        """The counts so far, with `changed` left empty (the caller streamed it)."""
        return self.tally.impact(self.before, self.after, self.pack, self.after_pack, [])
