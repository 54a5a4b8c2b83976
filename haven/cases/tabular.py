"""Cases as CSV rows: the column mapping, both ways. Pure: text in, cases or text out.

One row per case. Flat columns map to contract fields; `incidents`, the only nested field, is a
JSON array in one cell. docs/csv-format.md documents the format with an example.

- An empty cell means null, an empty list or the contract's default.
- List cells (`sogi`, `tags`, `reasons`) are semicolon-separated (`gay;lesbian`; spaces around
  items are ignored), or a JSON array of strings when they start with `[` (for items that contain
  `;` or surrounding spaces; the export writes that form only then).
- Formula injection: on export a text cell that starts with `=`, `+`, `-`, `@`, tab or carriage
  return (after any apostrophes) gets a leading apostrophe; on import one such apostrophe is
  removed again, so a CSV export re-imports to the same cases.
- A row is validated by the strict contract model (via JSON, like every other case input), and
  its problems name the CSV line and column: `line 3, column birth_date (profile.birth_date):
  not a date (expected YYYY-MM-DD)`.
"""

import csv
import io
import json
import re
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from haven.cases.model import Case, from_json
from haven.errors import CaseError, Problem
from haven.validation import problems

# column -> the contract field it holds, in export order
FIELDS: dict[str, str] = {
    "id": "id",
    "nationality": "nationality",
    "region": "region",
    "sogi": "profile.sogi",
    "tags": "profile.tags",
    "sex": "profile.sex",
    "birth_date": "profile.birth_date",
    "cred_identity": "credibility.identity",
    "cred_nationality": "credibility.nationality",
    "cred_region": "credibility.region",
    "cred_profile": "credibility.profile",
    "lodged": "procedure.lodged",
    "status": "procedure.status",
    "decided": "procedure.decided",
    "reasons": "procedure.reasons",
    "incidents": "incidents",
}
COLUMNS: tuple[str, ...] = tuple(FIELDS)
LIST_COLUMNS = frozenset({"sogi", "tags", "reasons"})
DATE_COLUMNS = frozenset({"birth_date", "lodged", "decided"})
JSON_COLUMNS = frozenset({"incidents"})
# Cells a spreadsheet could read as a formula: these get the apostrophe guard.
TEXT_COLUMNS = frozenset(COLUMNS) - DATE_COLUMNS - JSON_COLUMNS
# Columns for the contract's required fields: a header without them is rejected.
REQUIRED = ("id", "nationality", "lodged")

_FORMULA = re.compile(r"'*[=+\-@\t\r]")


@dataclass(frozen=True)
class Row:
    """One CSV record: the line it starts on (the header is line 1) and its cells."""

    line: int
    cells: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: list[Row]


# -- export ---------------------------------------------------------------------------------


def neutralise(cell: str) -> str:
    """`=SUM(A1)` -> `'=SUM(A1)`: a spreadsheet shows it as text instead of running it."""
    return "'" + cell if _FORMULA.match(cell) else cell


def _list_cell(items: list[str]) -> str:
    plain = all(item and item == item.strip() and ";" not in item for item in items)
    cell = ";".join(items)
    if plain and not cell.startswith("["):
        return cell
    return json.dumps(items, ensure_ascii=False)


def case_to_row(case: Case) -> dict[str, str]:
    """The CSV cells of a case, formula-guarded, keyed by column."""
    data = case.model_dump(mode="json")
    row: dict[str, str] = {}
    for column, field in FIELDS.items():
        value = _get(data, field)
        if column in LIST_COLUMNS:
            cell = _list_cell(value)
        elif column in JSON_COLUMNS:
            cell = json.dumps(value, ensure_ascii=False) if value else ""
        else:
            cell = "" if value is None else str(value)
        row[column] = neutralise(cell) if column in TEXT_COLUMNS else cell
    return row


def to_csv(cases: list[Case]) -> str:
    """A CSV document (RFC 4180, CRLF line ends) with a header and one row per case."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS)
    writer.writeheader()
    for case in cases:
        writer.writerow(case_to_row(case))
    return buf.getvalue()


def _get(data: dict[str, Any], field: str) -> Any:
    value: Any = data
    for part in field.split("."):
        value = value[part]
    return value


# -- import ---------------------------------------------------------------------------------


def read_table(text: str) -> Table:
    """Split CSV text into a checked header and its records (blank lines skipped).

    Header problems (an unknown, duplicate or missing required column) stop here.
    """
    text = text.removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""))
    header: tuple[str, ...] | None = None
    rows: list[Row] = []
    line = 1
    try:
        for record in reader:
            if header is None:
                header = tuple(record)
            elif record:
                rows.append(Row(line, tuple(record)))
            line = reader.line_num + 1
    except csv.Error as e:
        raise CaseError([Problem(f"line {reader.line_num}", f"not valid CSV: {e}")]) from None
    if header is None:
        raise CaseError([Problem("", "no case found: the input is empty")])
    _check_header(header)
    return Table(header, rows)


def _check_header(header: tuple[str, ...]) -> None:
    found = []
    expected = ", ".join(COLUMNS)
    for n, name in enumerate(header, start=1):
        if name not in FIELDS:
            found.append(
                Problem(
                    f"line 1, column {name!r}",
                    f"unknown column (position {n}); the columns are {expected}",
                )
            )
        elif name in header[: n - 1]:
            found.append(Problem(f"line 1, column {name!r}", f"appears twice (position {n})"))
    found += [
        Problem(f"line 1, column {name!r}", f"required column is missing ({FIELDS[name]})")
        for name in REQUIRED
        if name not in header
    ]
    if found:
        raise CaseError(found)


def _cell_value(column: str, cell: str, where: str) -> Any:
    if column in TEXT_COLUMNS and _FORMULA.match(cell) and cell.startswith("'"):
        cell = cell[1:]
    if column in LIST_COLUMNS:
        if cell.startswith("["):
            return _json_cell(cell, where)
        return [item.strip() for item in cell.split(";")]
    if column in JSON_COLUMNS:
        return _json_cell(cell, where)
    return cell


def _json_cell(cell: str, where: str) -> Any:
    try:
        return json.loads(cell)
    except json.JSONDecodeError as e:
        message = f"not valid JSON: {e.msg} (at character {e.pos + 1})"
        raise CaseError([Problem(where, message)]) from None
    except RecursionError:
        raise CaseError([Problem(where, "JSON nested too deeply")]) from None


def row_to_dict(header: tuple[str, ...], row: Row) -> dict[str, Any]:
    """The contract JSON object a row stands for; empty cells are left out (null / [] / default).

    Raises CaseError for cell problems the model cannot see (ragged rows, JSON that does not
    parse), each naming the line and column.
    """
    if len(row.cells) != len(header):
        raise CaseError(
            [
                Problem(
                    f"line {row.line}",
                    f"the row has {len(row.cells)} cells but the header has {len(header)} columns",
                )
            ]
        )
    # `procedure` is required; starting from {} makes a missing `lodged` cell the reported field.
    data: dict[str, Any] = {"procedure": {}}
    found: list[Problem] = []
    for column, cell in zip(header, row.cells, strict=True):
        if cell == "":
            continue
        try:
            value = _cell_value(column, cell, _where(row.line, column))
        except CaseError as e:
            found += e.problems
            continue
        *parents, leaf = FIELDS[column].split(".")
        target = data
        for part in parents:
            target = target.setdefault(part, {})
        target[leaf] = value
    if found:
        raise CaseError(found)
    return data


def row_to_case(header: tuple[str, ...], row: Row) -> Case:
    """Validate a row through the strict contract model; problems name line and column."""
    data = row_to_dict(header, row)
    try:
        return from_json(json.dumps(data))
    except ValidationError as e:
        raise CaseError(
            [Problem(_where(row.line, *column_of(p.where)), p.message) for p in problems(e)]
        ) from None


def column_of(path: str) -> tuple[str, ...]:
    """The column(s) holding a contract path: `incidents[2].date` -> (`incidents`,
    `incidents[2].date`); a whole group, e.g. `procedure`, -> its columns."""
    for column, field in FIELDS.items():
        if path == field or path.startswith((field + ".", field + "[")):
            return (column, path)
    group = [c for c, f in FIELDS.items() if f.startswith(path + ".")] if path else []
    return (", ".join(group), path) if group else ("", path)


def _where(line: int, column: str, path: str = "") -> str:
    where = f"line {line}"
    if column:
        where += f", column{'s' if ', ' in column else ''} {column}"
    if path and path != column:
        where += f" ({path})"
    return where
