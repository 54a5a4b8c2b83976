"""The two dates of a comparison (an impact, a queue): each on or after the first day its side's
pack covers, and the second not before the first (the same date twice compares two packs on it;
backwards is a slip). One check for the CLI, the API and the web app, each naming the fields
as its user typed them (`--from`/`--to`, `from`/`to`)."""

from datetime import date

from haven.errors import InputError, Problem
from haven.policy.pack import Pack
from haven.policy.snapshot import coverage_problem


def period_problems(
    before: date,
    after: date,
    pack: Pack,
    after_pack: Pack | None = None,
    names: tuple[str, str] = ("from", "to"),
) -> list[Problem]:
    """What is wrong with the period, each problem on the field that holds the date."""
    found = [
        p
        for p in (
            coverage_problem(pack, before, names[0]),
            coverage_problem(after_pack or pack, after, names[1]),
        )
        if p is not None
    ]
    if not found and after < before:
        found.append(
            Problem(
                names[1],
                f"{after} is before {names[0]} {before}: the second date must be on or after "
                "the first",
            )
        )
    # One date for both sides (--on) named once, not twice.
    return [p for i, p in enumerate(found) if p not in found[:i]]


def check_period(
    before: date,
    after: date,
    pack: Pack,
    after_pack: Pack | None = None,
    names: tuple[str, str] = ("from", "to"),
) -> None:
    found = period_problems(before, after, pack, after_pack, names)
    if found:
        raise InputError(found)
