"""A caseload as a Polars frame in the contract's shape, and the problems of its invalid cases.

`normalise` checks field names and types against the schema derived from the case model
(haven.cases.schema) and casts to it; `problems` finds invalid cases with column expressions
(schema.invalid) and has the case model itself say what is wrong with each, so the columnar
reader words every problem as the single-case reader does. Pure: frames in, problems out.
"""

import json
from typing import Any

import polars as pl
from polars._typing import PolarsDataType

from haven.cases.readers import parse_case
from haven.cases.schema import INCIDENT, ISO, TOP, invalid
from haven.errors import CaseError, Problem

LINE = "_haven_line"  # internal: the input line of each case, for error messages


def normalise(lf: pl.LazyFrame, first_line: int = 1) -> pl.LazyFrame:
    """Check field names and types, fill absent optional fields, cast to the contract's shape.
    Cases are numbered from `first_line` (for error messages)."""
    try:
        schema = lf.collect_schema()
    except pl.exceptions.PolarsError as err:
        raise CaseError([Problem("", f"not a valid caseload: {_first_line(err)}")]) from None
    if LINE in schema:  # already normalised
        lf = lf.drop(LINE)
        schema = lf.collect_schema()
    problems = [Problem(name, "unknown field") for name in schema if name not in TOP]
    exprs: list[pl.Expr] = []
    for name, dtype in TOP.items():
        if name not in schema:
            exprs.append(pl.lit(None, dtype).alias(name))
            continue
        got = schema[name]
        if isinstance(dtype, pl.Struct):
            exprs.append(_struct(name, got, dtype, problems))
        elif name == "incidents":
            exprs.append(_incidents(got, problems))
        elif got in (pl.String, pl.Null):
            exprs.append(pl.col(name).cast(pl.String))
        else:
            problems.append(Problem(name, f"must be a string, got {got}"))
    if problems:
        raise CaseError(problems)
    # with_columns, not select: when no field is present at all (lines of `{}`), a select of
    # literals alone would be one row, not one per case.
    names = list(TOP)
    return lf.with_columns(exprs).select(names).with_row_index(LINE, offset=first_line)


def _struct(name: str, got: pl.DataType, want: pl.Struct, problems: list[Problem]) -> pl.Expr:
    if got == pl.Null:
        return pl.lit(None, want).alias(name)
    if not isinstance(got, pl.Struct):
        problems.append(Problem(name, "must be an object"))
        return pl.lit(None, want).alias(name)
    have = {f.name: f.dtype for f in got.fields}
    fields = []
    for f in want.fields:
        if f.name not in have:
            fields.append(pl.lit(None, f.dtype).alias(f.name))
        elif have[f.name] in (f.dtype, pl.Null, pl.List(pl.Null)):
            fields.append(pl.col(name).struct.field(f.name).cast(f.dtype).alias(f.name))
        elif f.dtype == pl.String and _is_temporal(have[f.name]):
            fields.append(_iso_text(pl.col(name).struct.field(f.name), have[f.name]).alias(f.name))
        else:
            problems.append(
                Problem(f"{name}.{f.name}", f"wrong type {have[f.name]}, expected {f.dtype}")
            )
    problems += [
        Problem(f"{name}.{k}", "unknown field")
        for k in have
        if k not in dict((f.name, 0) for f in want.fields)
    ]
    return (
        pl.when(pl.col(name).is_not_null()).then(pl.struct(fields)).alias(name)
        if fields
        else pl.lit(None, want).alias(name)
    )


def _incidents(got: pl.DataType, problems: list[Problem]) -> pl.Expr:
    want = pl.List(pl.Struct(INCIDENT))
    if got == pl.Null or got == pl.List(pl.Null):
        return pl.col("incidents").cast(want).alias("incidents")
    inner = got.inner if isinstance(got, pl.List) else None
    if not isinstance(inner, pl.Struct):
        problems.append(Problem("incidents", "must be a list of objects"))
        return pl.lit(None, want).alias("incidents")
    have = {f.name: f.dtype for f in inner.fields}
    problems += [Problem(f"incidents[].{k}", "unknown field") for k in have if k not in INCIDENT]
    fields = []
    for k, dtype in INCIDENT.items():
        if k not in have:
            fields.append(pl.lit(None, dtype).alias(k))
        elif have[k] in (dtype, pl.Null):
            fields.append(pl.element().struct.field(k).cast(dtype).alias(k))
        elif dtype == pl.String and _is_temporal(have[k]):
            fields.append(_iso_text(pl.element().struct.field(k), have[k]).alias(k))
        else:
            problems.append(Problem(f"incidents[].{k}", f"wrong type {have[k]}, expected {dtype}"))
    return pl.col("incidents").list.eval(pl.struct(fields)).alias("incidents")


def _is_temporal(dtype: PolarsDataType) -> bool:
    return isinstance(dtype, pl.Date | pl.Datetime)


def _iso_text(value: pl.Expr, dtype: PolarsDataType) -> pl.Expr:
    """A date column of a Parquet file (date32, or a timestamp as Polars, pyarrow and pandas
    write dates) as the contract's YYYY-MM-DD text. A timestamp with a time of day is not a
    date: it becomes text the date check refuses, as the JSON readers refuse it."""
    if isinstance(dtype, pl.Date):
        return value.dt.strftime(ISO)
    midnight = value.dt.truncate("1d") == value
    return pl.when(midnight).then(value.dt.strftime(ISO)).otherwise(value.dt.to_string())


def problems(lf: pl.LazyFrame, rows: int) -> tuple[list[Problem], int]:
    """Problems of the first `rows` invalid cases of a normalised frame, in the case model's
    words, and how many cases they came from."""
    found = lf.filter(invalid()).head(rows).collect()
    out: list[Problem] = []
    for row in found.iter_rows(named=True):
        out += row_problems(row)
    return out, found.height


def row_problems(row: dict[str, Any]) -> list[Problem]:
    """What the case model says of one normalised row (none if it is valid after all)."""
    line = row.pop(LINE)
    try:
        parse_case(json.dumps(row), where=f"line {line}: ")
    except CaseError as err:
        return err.problems
    return []


def _first_line(err: Exception) -> str:
    return str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
