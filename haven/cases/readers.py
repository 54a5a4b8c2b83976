"""Parse a case or a caseload given as text (one JSON object, a JSON array, or JSON Lines).
Pure: files are read by haven.cases.caseload.

Errors name the case and field: `line 3: incidents[2].date: not a date`.
"""

import json
from collections.abc import Iterable

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


def parse_caseload(text: str) -> list[Case]:
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
        return _all((f"[{i}]", json.dumps(item)) for i, item in enumerate(items))
    # One object spanning several lines is a single case file, not JSON Lines.
    try:
        single = json.loads(stripped)
    except (json.JSONDecodeError, RecursionError):
        single = None
    if isinstance(single, dict):
        return [parse_case(stripped)]
    lines = [
        (f"line {n}", line)
        for n, line in enumerate(stripped.splitlines(), start=1 + _leading_lines(text))
        if line.strip()
    ]
    return _all(lines)


def _leading_lines(text: str) -> int:
    head = text[: len(text) - len(text.lstrip("\ufeff \t\r\n"))]
    return head.count("\n")


def _all(items: Iterable[tuple[str, str]]) -> list[Case]:
    cases, found = [], []
    for where, raw in items:
        try:
            cases.append(parse_case(raw, where=f"{where}: "))
        except CaseError as err:
            found += err.problems
    if found:
        raise CaseError(found)
    ids = [c.id for c in cases]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise CaseError([Problem("id", f"case id {d!r} appears more than once") for d in dupes])
    return cases
