"""Parse a case or a caseload given as text (one JSON object, a JSON array, or JSON Lines).
Pure: files are read by haven.cases.caseload.

Errors name the case and field: `line 3: incidents[2].date: not a date`.
"""

import json
from collections import Counter
from collections.abc import Callable, Iterable

from pydantic import ValidationError

from haven.cases.model import Case, from_json
from haven.errors import CaseError, Problem
from haven.validation import problems


def parse_case(text: str, where: str = "") -> Case:
    try:
        return from_json(text)
    except ValidationError as err:
        raise CaseError(problems(err, prefix=where)) from None
    except RecursionError:
        raise CaseError([Problem(where.rstrip(": "), "JSON nested too deeply")]) from None


# What a door checks of a parsed case beyond the model (haven.assess.admit: tags from the
# pack's vocabulary, ...): problems named by field, prefixed here with where the case is.
Check = Callable[[Case], list[Problem]]


def parse_caseload(text: str, check: Check | None = None) -> list[Case]:
    """Parse every case; report every bad one, not only the first."""
    stripped = text.lstrip("\ufeff \t\r\n")
    if not stripped:
        raise CaseError([Problem("", "no case found: the input is empty")])
    if stripped.startswith("["):
        try:
            items = json.loads(stripped)
        except json.JSONDecodeError as err:
            raise CaseError([Problem(f"line {err.lineno}", f"not valid JSON: {err.msg}")]) from None
        except RecursionError:
            raise CaseError([Problem("", "JSON nested too deeply")]) from None
        return _all(((f"[{i}]", json.dumps(item)) for i, item in enumerate(items)), check)
    # One object spanning several lines is a single case file, not JSON Lines.
    try:
        single = json.loads(stripped)
    except (json.JSONDecodeError, RecursionError):
        single = None
    if isinstance(single, dict):
        return parse_all([("", "id", lambda: parse_case(stripped))], check)
    lines = [
        (f"line {n}", line)
        for n, line in enumerate(stripped.splitlines(), start=1 + _leading_lines(text))
        if line.strip()
    ]
    return _all(lines, check)


def _leading_lines(text: str) -> int:
    head = text[: len(text) - len(text.lstrip("\ufeff \t\r\n"))]
    return head.count("\n")


def _all(items: Iterable[tuple[str, str]], check: Check | None) -> list[Case]:
    return parse_all(
        ((f"{where}: ", f"{where}: id", _parser(raw, f"{where}: ")) for where, raw in items), check
    )


def _parser(raw: str, where: str) -> Callable[[], Case]:
    return lambda: parse_case(raw, where=where)


def parse_all(
    items: Iterable[tuple[str, str, Callable[[], Case]]], check: Check | None = None
) -> list[Case]:
    """Every case parsed and checked (each item: the prefix of its fields, e.g. `line 3: `,
    where its id is named, and its parser); the problems of the bad ones, and ids repeated
    among the ones the model accepts, raised together."""
    cases: list[tuple[str, Case]] = []
    found: list[Problem] = []
    for prefix, id_where, parse in items:
        try:
            case = parse()
        except CaseError as err:
            found += err.problems
            continue
        cases.append((id_where, case))
        if check is not None:
            found += [Problem(prefix + p.where, p.message) for p in check(case)]
    found += repeated_ids(cases)
    if found:
        raise CaseError(found)
    return [case for _, case in cases]


def repeated_ids(cases: list[tuple[str, Case]]) -> list[Problem]:
    """Ids used by more than one of the (where its id is, case) pairs: the first 10, each named
    where it is first used, as the columnar reader names them."""
    first: dict[str, str] = {}
    for where, case in cases:
        first.setdefault(case.id, where)
    ids = Counter(case.id for _, case in cases)
    repeated = [i for i in first if ids[i] > 1][:10]
    return [Problem(first[i], f"case id {i!r} appears more than once") for i in repeated]
