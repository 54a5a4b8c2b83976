"""Read a caseload (JSON Lines or Parquet) into Polars and validate it, vectorised.

One pass: Polars infers the schema over the whole file, so every unknown field is found; every
value of every case is then checked against the contract with column expressions. Problems name
the line and the field path, like the single-case reader (`line 7: incidents[0].kind: ...`).
"""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
import pycountry
from polars._typing import PolarsDataType

from haven.cases.model import ID_MAX, NUL_MESSAGE
from haven.codes import EXTRA_COUNTRIES, check_country, check_region
from haven.errors import CaseError, Problem
from haven.policy.pack import Pack
from haven.vocab import Actor, Finding, IncidentKind, Reason, Sex, Sogi, Status

# The contract's case, as Polars types. Dates are read as strings and parsed with checks.
STRUCTS: dict[str, dict[str, Any]] = {
    "profile": {
        "sogi": pl.List(pl.String),
        "tags": pl.List(pl.String),
        "sex": pl.String,
        "birth_date": pl.String,
    },
    "credibility": {f: pl.String() for f in ("identity", "nationality", "region", "profile")},
    "procedure": {
        "lodged": pl.String,
        "status": pl.String,
        "decided": pl.String,
        "reasons": pl.List(pl.String),
    },
}
INCIDENT: dict[str, Any] = {
    "date": pl.String(),
    "kind": pl.String(),
    "actor": pl.String(),
    "credibility": pl.String(),
    "sought_protection": pl.Boolean(),
}
TOP: dict[str, Any] = {
    "id": pl.String(),
    "nationality": pl.String(),
    "region": pl.String(),
    **{k: pl.Struct(v) for k, v in STRUCTS.items()},
    "incidents": pl.List(pl.Struct(INCIDENT)),
}
MAX_REPORTED = 50
# The contract's date format, given explicitly: parsing is faster, and a value in any other
# format is an error here as it is for the single-case reader.
ISO = "%Y-%m-%d"
LINE = "_haven_line"  # internal: the input line of each case, for error messages

COUNTRIES = sorted({c.alpha_2 for c in pycountry.countries} | EXTRA_COUNTRIES)
_REGIONS = sorted(s.code for s in pycountry.subdivisions)


def scan(path: str | Path) -> pl.LazyFrame:
    """A lazy frame over the file; the schema is inferred from every line."""
    p = Path(path)
    if not p.is_file():
        raise CaseError([Problem(str(p), "no such file")])
    if p.suffix == ".parquet":
        return pl.scan_parquet(p)
    lf = pl.scan_ndjson(p, infer_schema_length=None)
    try:
        lf.collect_schema()  # inferred once, kept by the frame
    except pl.exceptions.PolarsError:
        if _blank(p):  # as the single-case reader says it (Polars: "... empty reader")
            raise CaseError([Problem("", "no case found: the input is empty")]) from None
    return lf


def _blank(p: Path) -> bool:
    """Whether a text file holds nothing but whitespace lines."""
    try:
        lines = pl.scan_csv(
            p, has_header=False, separator="\x01", quote_char=None, schema={"t": pl.String}
        )
        found: int = (
            lines.filter(pl.col("t").str.strip_chars() != "").select(pl.len()).collect().item()
        )
        return found == 0
    except pl.exceptions.NoDataError:
        return True
    except pl.exceptions.PolarsError:  # not text lines at all: not blank either
        return False


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


def validate(lf: pl.LazyFrame, pack: Pack) -> None:
    """Every value of every case, checked against the contract. Raises with up to 50 problems."""
    problems, _ = value_problems(lf, pack, MAX_REPORTED)
    problems += duplicate_problems(lf)
    if problems:
        raise CaseError(problems[:MAX_REPORTED])


def value_problems(lf: pl.LazyFrame, pack: Pack, rows: int) -> tuple[list[Problem], int]:
    """Problems of the first `rows` invalid cases in `lf`, and how many cases they came from."""
    prof, cred, proc = pl.col("profile"), pl.col("credibility"), pl.col("procedure")
    inc = pl.col("incidents").fill_null([])

    def bad_date(e: pl.Expr) -> pl.Expr:
        return e.is_not_null() & _not_iso(e)

    def not_in(e: pl.Expr, allowed: list[str]) -> pl.Expr:
        return e.is_not_null() & ~e.is_in(allowed)

    def list_not_in(e: pl.Expr, allowed: list[str]) -> pl.Expr:
        return e.fill_null([]).list.eval(~pl.element().is_in(allowed)).list.any()

    def incidents_bad(pred: pl.Expr) -> pl.Expr:
        return inc.list.eval(pred).list.any().fill_null(False)

    el = pl.element().struct
    lodged = proc.struct.field("lodged")
    decided = proc.struct.field("decided")
    checks: list[tuple[str, str, pl.Expr]] = [
        ("id", "required field is missing", pl.col("id").is_null() | (pl.col("id") == "")),
        # The same messages as the case model's (haven.cases.model) for the same ids.
        (
            "id",
            f"String should have at most {ID_MAX} characters",
            pl.col("id").str.len_chars() > ID_MAX,
        ),
        ("id", NUL_MESSAGE, pl.col("id").str.contains("\x00", literal=True)),
        ("nationality", "required field is missing", pl.col("nationality").is_null()),
        (
            "profile.sogi",
            f"values must be among {', '.join(Sogi)}",
            list_not_in(prof.struct.field("sogi"), list(Sogi)),
        ),
        (
            "profile.tags",
            f"unknown tag; the {pack.meta.id} pack knows: {', '.join(sorted(pack.tags))}",
            list_not_in(prof.struct.field("tags"), sorted(pack.tags)),
        ),
        (
            "profile.birth_date",
            "not a date (expected YYYY-MM-DD)",
            bad_date(prof.struct.field("birth_date")),
        ),
        (
            "incidents[].kind",
            f"must be one of {', '.join(IncidentKind)}",
            incidents_bad(el.field("kind").is_null() | ~el.field("kind").is_in(list(IncidentKind))),
        ),
        (
            "incidents[].actor",
            f"must be one of {', '.join(Actor)}",
            incidents_bad(el.field("actor").is_null() | ~el.field("actor").is_in(list(Actor))),
        ),
        (
            "incidents[].credibility",
            f"must be one of {', '.join(Finding)}",
            incidents_bad(
                el.field("credibility").is_not_null()
                & ~el.field("credibility").is_in(list(Finding))
            ),
        ),
        (
            "incidents[].date",
            "not a date (expected YYYY-MM-DD)",
            incidents_bad(el.field("date").is_not_null() & _not_iso(el.field("date"))),
        ),
        ("procedure", "required field is missing", proc.is_null()),
        ("procedure.lodged", "required field is missing", proc.is_not_null() & lodged.is_null()),
        ("procedure.lodged", "not a date (expected YYYY-MM-DD)", bad_date(lodged)),
        ("procedure.decided", "not a date (expected YYYY-MM-DD)", bad_date(decided)),
        (
            "procedure.reasons",
            f"values must be among {', '.join(Reason)}",
            list_not_in(proc.struct.field("reasons"), list(Reason)),
        ),
    ]
    # Checks whose message quotes the case's own values, worded as the case model words them
    # (haven.cases.model), so that both readers refuse the same input with the same message.
    enums: list[tuple[str, pl.Expr, list[str]]] = [
        ("profile.sex", prof.struct.field("sex"), [v.value for v in Sex]),
        *(
            (f"credibility.{f}", cred.struct.field(f), [v.value for v in Finding])
            for f in ("identity", "nationality", "region", "profile")
        ),
        ("procedure.status", proc.struct.field("status"), [v.value for v in Status]),
    ]
    detailed: list[tuple[str, Callable[[Any], str], pl.Expr, pl.Expr]] = [
        ("nationality", _country, not_in(pl.col("nationality"), COUNTRIES), pl.col("nationality")),
        ("region", _region, not_in(pl.col("region"), _REGIONS), pl.col("region")),
        *(
            (field, _not_allowed(allowed), not_in(value, allowed), value)
            for field, value, allowed in enums
        ),
        *(
            (field, _twice, _repeats(column), _first_repeat(column))
            for field, column in (
                ("profile.sogi", prof.struct.field("sogi")),
                ("profile.tags", prof.struct.field("tags")),
                ("procedure.reasons", proc.struct.field("reasons")),
            )
        ),
        (
            "procedure",
            _decided_before_lodged,
            decided.str.to_date(ISO, strict=False) < lodged.str.to_date(ISO, strict=False),
            pl.concat_list(decided, lodged),
        ),
    ]
    flags = [f"bad{i}" for i in range(len(checks))] + [f"bad_d{i}" for i in range(len(detailed))]
    # The values quoted in messages are computed for the invalid cases only (after the filter).
    found = (
        lf.select(
            pl.col(LINE).alias("line"),
            *(c for c in TOP if c != "incidents"),
            *(expr.fill_null(False).alias(f"bad{i}") for i, (_, _, expr) in enumerate(checks)),
            *(bad.fill_null(False).alias(f"bad_d{i}") for i, (_, _, bad, _) in enumerate(detailed)),
        )
        .filter(pl.any_horizontal(flags))
        .head(rows)
        .with_columns(detail.alias(f"detail{i}") for i, (_, _, _, detail) in enumerate(detailed))
        .collect()
    )
    problems = []
    for row in found.iter_rows(named=True):
        at = f"line {row['line']}"
        problems += [
            Problem(f"{at}: {field}", message)
            for i, (field, message, _) in enumerate(checks)
            if row[f"bad{i}"]
        ]
        problems += [
            Problem(f"{at}: {field}", say(row[f"detail{i}"]))
            for i, (field, say, _, _) in enumerate(detailed)
            if row[f"bad_d{i}"]
        ]
    return problems, found.height


def _repeats(values: pl.Expr) -> pl.Expr:
    """Whether a list holds a value twice (cheap: for every case)."""
    return values.fill_null([]).list.n_unique() != values.fill_null([]).list.len()


def _first_repeat(values: pl.Expr) -> pl.Expr:
    """The first value of a list that an earlier one repeats (null when all differ)."""
    repeats = pl.element().filter(pl.element().cum_count().over(pl.element()) > 1)
    return values.fill_null([]).list.eval(repeats).list.first()


def _not_iso(day: pl.Expr) -> pl.Expr:
    """Not a YYYY-MM-DD date. The length check refuses what the parser would let through
    (2015-3-1), as the case model does."""
    return (day.str.len_bytes() != 10) | day.str.to_date(ISO, strict=False).is_null()


def _country(code: Any) -> str:
    try:
        check_country(str(code))
    except ValueError as e:
        return str(e)
    return "not an ISO 3166-1 alpha-2 country code"


def _region(code: Any) -> str:
    try:
        check_region(str(code))
    except ValueError as e:
        return str(e)
    return "not an ISO 3166-2 region code"


def _not_allowed(allowed: list[str]) -> Callable[[Any], str]:
    """Worded as haven.validation words an enum error of the case model."""
    expected = ", ".join(repr(str(v)) for v in allowed[:-1]) + f" or {str(allowed[-1])!r}"

    def say(value: Any) -> str:
        return f"{value!r} is not allowed; expected {expected}"

    return say


def _twice(value: Any) -> str:
    return f"{str(value)!r} is listed twice"


def _decided_before_lodged(dates: Any) -> str:
    decided, lodged = dates
    return f"decided ({decided}) is before lodged ({lodged})"


def duplicate_problems(lf: pl.LazyFrame) -> list[Problem]:
    """Case ids that appear more than once (the first 10, by the line of their first use)."""
    dupes = (
        lf.filter(pl.col("id").is_not_null())  # a missing id is reported as missing
        .group_by("id")
        .agg(pl.col(LINE).min().alias("line"), pl.len())
        .filter(pl.col("len") > 1)
        .sort("line")
        .head(10)
        .collect()
    )
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


def _first_line(err: Exception) -> str:
    return str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
