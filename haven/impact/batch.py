"""Read a caseload (JSON Lines or Parquet) into Polars and validate it, vectorised.

The file is scanned by the caseload reader (haven.cases.caseload) and brought into the
contract's shape (haven.cases.frame_checks.normalise); invalid cases are found with column
expressions derived from the case model and worded by the model itself, so problems name the
line and field as the single-case reader does (`line 7: incidents[0].kind: ...`). What only a
pack can assess (haven.assess.admit) and repeated ids are checked here.
"""

import json
from pathlib import Path

import polars as pl

from haven.assess.admit import assessable_problems
from haven.cases.caseload import scan
from haven.cases.frame_checks import LINE, normalise, row_problems
from haven.cases.readers import parse_case
from haven.cases.schema import COUNTRIES, INCIDENT, ISO, STRUCTS, TOP, invalid
from haven.errors import CaseError, Problem
from haven.policy.pack import Pack

__all__ = [
    "COUNTRIES",
    "INCIDENT",
    "ISO",
    "LINE",
    "MAX_REPORTED",
    "STRUCTS",
    "TOP",
    "normalise",
    "read",
    "scan",
    "validate",
    "value_problems",
]

MAX_REPORTED = 50


def validate(lf: pl.LazyFrame, pack: Pack) -> None:
    """Every value of every case, checked against the contract. Raises with up to 50 problems."""
    problems, _ = value_problems(lf, pack, MAX_REPORTED)
    problems += duplicate_problems(lf)
    if problems:
        raise CaseError(problems[:MAX_REPORTED])


def value_problems(lf: pl.LazyFrame, pack: Pack, rows: int) -> tuple[list[Problem], int]:
    """Problems of the first `rows` invalid cases in `lf`, and how many cases they came from:
    what the case model refuses, in its words, else what makes a case one the pack cannot
    assess (haven.assess.admit: tags it does not know, a region of another country)."""
    tags = pl.col("profile").struct.field("tags").fill_null([])
    known = sorted(pack.tags)
    unknown_tag = tags.list.eval(~pl.element().is_in(known)).list.any().fill_null(False)
    # A region code starts with its country's code and a dash (haven.codes.RegionCode).
    foreign = ~pl.col("region").str.starts_with(pl.col("nationality") + "-")
    unassessable = (unknown_tag | foreign.fill_null(False)).alias("_unassessable")
    found = (
        lf.with_columns(unassessable, invalid().alias("_invalid"))
        .filter(pl.col("_unassessable") | pl.col("_invalid"))
        .head(rows)
        .collect()
    )
    problems: list[Problem] = []
    for row in found.iter_rows(named=True):
        row.pop("_unassessable")
        if row.pop("_invalid"):
            problems += row_problems(row)  # the case model's words; tags are not reached
            continue
        line = row.pop(LINE)
        case = parse_case(json.dumps(row))
        # as the explaining engine and the store word them
        problems += [
            Problem(f"line {line}: {p.where}", p.message) for p in assessable_problems(case, pack)
        ]
    return problems, found.height


def duplicate_problems(lf: pl.LazyFrame) -> list[Problem]:
    """Case ids that appear more than once among valid cases (the first 10, by the line of
    their first use), as the single-case reader counts them."""

    def repeated(frame: pl.LazyFrame) -> pl.LazyFrame:
        return (
            frame.filter(pl.col("id").is_not_null())
            .group_by("id")
            .agg(pl.col(LINE).min().alias("line"), pl.len())
            .filter(pl.col("len") > 1)
        )

    # Ids that repeat at all first (cheap); the model's checks only for their cases.
    suspects = repeated(lf).select("id").collect().get_column("id")
    if suspects.is_empty():
        return []
    valid = lf.filter(pl.col("id").is_in(suspects.implode())).filter(~invalid())
    dupes = repeated(valid).sort("line").head(10).collect()
    return [
        Problem(f"line {r['line']}: id", f"case id {r['id']!r} appears more than once")
        for r in dupes.iter_rows(named=True)
    ]


def read(path: str | Path, pack: Pack) -> pl.LazyFrame:
    """Scan, normalise and validate a caseload; the result feeds haven.impact.columnar."""
    lf = normalise(scan(path))
    if Path(path).suffix != ".parquet":
        # JSON text is expensive to parse: parse it once, not once per pass over the data.
        lf = lf.collect().lazy()
    validate(lf, pack)
    return lf
