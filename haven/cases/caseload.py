"""The one caseload reader: JSON, JSON Lines, CSV and Parquet files, for both engines and the
store. This module and haven.cases.arrow_jsonl are the cases package's reading edge (I/O).

- `entries(source)`: every case of a file as a labelled entry that parses it with the case model
  (`haven cases import` validates entry by entry, names conflicts by label).
- `read_caseload(source)`: every case, validated; every bad case reported (the explaining
  engine).
- `scan(path)`: a lazy Polars frame over a JSON Lines or Parquet file (the columnar engine,
  which validates with haven.cases.frame_checks: the same model, the same words).

Parquet columns are brought into the contract's shape first (haven.cases.frame_checks.normalise:
native dates, date32 or timestamps at midnight, become YYYY-MM-DD), then every row is parsed by
the case model like a JSON line, so a Parquet file is read alike by every path.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import IO

import polars as pl

from haven.cases import tabular
from haven.cases.frame_checks import LINE, normalise
from haven.cases.model import Case
from haven.cases.readers import Check, parse_all, parse_case, parse_caseload
from haven.cases.schema import TOP
from haven.errors import CaseError, Problem


class Format(StrEnum):
    JSON = "json"  # one object, an array, or JSON Lines
    JSONL = "jsonl"
    CSV = "csv"
    PARQUET = "parquet"


@dataclass(frozen=True)
class Entry:
    """One case of a file: its label (`line 3`), where its id is named, and its parser."""

    label: str
    id_where: str
    parse: Callable[[], Case]


def format_of(source: str | Path, given: Format | None = None) -> Format:
    """The given format, else by the file name: .csv, .parquet, otherwise JSON."""
    if given is not None:
        return given
    suffix = Path(str(source)).suffix.lower()
    return {".csv": Format.CSV, ".parquet": Format.PARQUET}.get(suffix, Format.JSON)


def read_caseload(
    source: str | Path,
    stdin: IO[str] | None = None,
    fmt: Format | None = None,
    check: Check | None = None,
) -> list[Case]:
    """Every case of FILE (standard input for `-`); raises CaseError naming every bad case
    (and what `check` finds in a case, named by its line or item)."""
    kind = format_of(source, fmt)
    if kind in (Format.JSON, Format.JSONL):
        return parse_caseload(read_text(source, stdin), check)
    listed = entries(source, stdin, kind)
    if not listed:
        raise CaseError([Problem("", "no case found: the input has no rows")])
    return parse_all(((f"{e.label}: ", e.id_where, e.parse) for e in listed), check)


def entries(
    source: str | Path, stdin: IO[str] | None = None, fmt: Format | None = None
) -> list[Entry]:
    """Every case of the file as an entry, in file order (an empty list for an empty file)."""
    kind = format_of(source, fmt)
    if kind is Format.PARQUET:
        if str(source) == "-":
            raise CaseError([Problem("FILE", "Parquet is read from a file, not standard input")])
        return _parquet_entries(Path(source))
    text = read_text(source, stdin)
    return _csv_entries(text) if kind is Format.CSV else _json_entries(text)


def line_count(source: str | Path) -> int:
    """How many lines of FILE are not blank: its rows, if it holds JSON Lines."""
    return sum(1 for line in read_text(source).split("\n") if line.strip(" \t\r"))


def read_text(source: str | Path, stdin: IO[str] | None = None) -> str:
    """FILE as UTF-8 text, or standard input for `-`."""
    if str(source) == "-":
        if stdin is None:
            raise CaseError([Problem("FILE", "'-' given but no standard input")])
        return stdin.read()
    path = Path(source)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CaseError([Problem(str(source), "no such file")]) from None
    except IsADirectoryError:
        raise CaseError([Problem(str(source), "is a directory, not a case file")]) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise CaseError(
            [Problem(str(source), f"not UTF-8 text (bad byte at offset {e.start})")]
        ) from None


# -- JSON -----------------------------------------------------------------------------------


def _json_entries(text: str) -> list[Entry]:
    """JSON Lines, a JSON array, or one case object; each case labelled with its line."""
    text = text.removeprefix("\ufeff")
    body = text.lstrip(" \t\r\n")
    if not body:
        return []

    def entry(label: str, raw: str) -> Entry:
        return Entry(label, f"{label}: id", lambda: parse_case(raw, where=f"{label}: "))

    if body.startswith("["):
        return [entry(label, raw) for label, raw in _array_items(text)]
    try:
        single = json.loads(body)
    except (json.JSONDecodeError, RecursionError):
        single = None
    if isinstance(single, dict):  # one case, possibly over several lines
        return [entry(f"line {text.count(chr(10), 0, len(text) - len(body)) + 1}", body)]
    return [
        entry(f"line {n}", line)
        for n, line in enumerate(text.split("\n"), start=1)
        if line.strip(" \t\r")
    ]


def _array_items(text: str) -> list[tuple[str, str]]:
    """The raw text of each element of a JSON array, labelled `line N, item [i]`."""
    try:
        items = json.loads(text)
    except json.JSONDecodeError as e:
        raise CaseError([Problem(f"line {e.lineno}", f"not valid JSON: {e.msg}")]) from None
    except RecursionError:
        raise CaseError([Problem("", "JSON nested too deeply")]) from None
    decoder = json.JSONDecoder()
    labelled = []
    pos = text.index("[") + 1
    line, counted = 1, 0
    for i in range(len(items)):
        while text[pos] in " \t\r\n,":
            pos += 1
        line += text.count("\n", counted, pos)
        counted = pos
        _, end = decoder.raw_decode(text, pos)
        labelled.append((f"line {line}, item [{i}]", text[pos:end]))
        pos = end
    return labelled


# -- CSV ------------------------------------------------------------------------------------


def _csv_entries(text: str) -> list[Entry]:
    table = tabular.read_table(text)

    def entry(row: tabular.Row) -> Entry:
        # Field paths as in the contract (e.g. procedure.lodged, incidents[0].date).
        where = f"line {row.line}"
        return Entry(where, f"{where}, column id", lambda: tabular.row_to_case(table.header, row))

    return [entry(r) for r in table.rows]


# -- Parquet --------------------------------------------------------------------------------


def _parquet_entries(path: Path) -> list[Entry]:
    """Rows in the contract's shape (a wrong field name or type stops here, naming it); each
    parsed by the case model, an absent value (null) as an absent field."""
    frame = normalise(scan(path)).collect()

    def entry(row: dict[str, object]) -> Entry:
        where = f"line {row.pop(LINE)}"
        raw = json.dumps(row)
        return Entry(where, f"{where}: id", lambda: parse_case(raw, where=f"{where}: "))

    return [entry(row) for row in frame.iter_rows(named=True)]


# -- Polars ---------------------------------------------------------------------------------


def scan(path: str | Path) -> pl.LazyFrame:
    """A lazy frame over a JSON Lines, Parquet or CSV file; a JSON schema is inferred from
    every line. CSV rows are read as cases by the case model first (problems name line and
    column, as `haven cases import` names them)."""
    p = Path(path)
    if not p.is_file():
        raise CaseError([Problem(str(p), "no such file")])
    if p.suffix.lower() == ".csv":
        cases = read_caseload(p, fmt=Format.CSV)
        return pl.DataFrame([c.model_dump(mode="json") for c in cases], schema=TOP).lazy()
    if p.suffix == ".parquet":
        try:
            lf = pl.scan_parquet(p)
            lf.collect_schema()
        except pl.exceptions.PolarsError as e:
            raise CaseError([Problem(str(p), f"not a Parquet file: {_first_line(e)}")]) from None
        return lf
    lf = pl.scan_ndjson(p, infer_schema_length=None)
    try:
        lf.collect_schema()  # inferred once, kept by the frame
    except pl.exceptions.PolarsError:
        if _blank(p):  # as the single-case reader says it (Polars: "... empty reader")
            raise CaseError([Problem("", "no case found: the input is empty")]) from None
    return lf


def text_lines(path: str | Path, column: str) -> pl.LazyFrame:
    """The file's non-blank lines, as text in `column` (skipped as the NDJSON reader skips
    them)."""
    return pl.scan_csv(
        path,
        has_header=False,
        separator="\x01",  # cannot occur unescaped in valid JSON: one field per line
        quote_char=None,
        schema={column: pl.String},
    ).filter(pl.col(column).str.strip_chars().str.len_bytes() > 0)


def _blank(p: Path) -> bool:
    """Whether a text file holds nothing but whitespace lines."""
    try:
        found: int = text_lines(p, "t").select(pl.len()).collect().item()
        return found == 0
    except pl.exceptions.NoDataError:
        return True
    except pl.exceptions.PolarsError:  # not text lines at all: not blank either
        return False


def _first_line(err: Exception) -> str:
    return str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
