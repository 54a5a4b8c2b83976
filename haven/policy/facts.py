"""Facts about entries and dates that the decision tables read, each declared once: both
engines call these (a value for one case, a constant or an expression for a caseload), so the
two cannot compute them differently."""

from collections.abc import Callable
from datetime import date, timedelta
from typing import TypeVar

import polars as pl

from haven.policy.entries import Designation, ForbiddenReasoning
from haven.vocab import Category

B = TypeVar("B", bool, pl.Expr)


def add_months(day: date, months: int) -> date:
    """Calendar months (negative: back); a day missing in the target month falls back to the
    month's last day."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, d))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def lodged_by(as_of: date, months: int) -> date:
    """The last lodging date of an application that is older than `months` calendar months on
    `as_of` (as_of > lodged + months): computed once per date, then one comparison per case,
    `lodged <= lodged_by(...)`, in both engines. Adding months never moves a later day before
    an earlier one, so the applications older than the limit are those lodged up to a day."""
    day = add_months(as_of, -months)
    while add_months(day, months) >= as_of:
        day -= timedelta(days=1)
    while add_months(day + timedelta(days=1), months) < as_of:
        day += timedelta(days=1)
    return day


def nationwide_persecution(d: Designation) -> bool:
    """The designation is group persecution in the whole country: no part of it is safe."""
    return d.category is Category.GROUP_PERSECUTION and not d.regions and not d.except_regions


def forbidden_reaches(e: ForbiddenReasoning, here: B, member: Callable[[str], B]) -> B:
    """Whether a forbidden-reasoning entry reaches the applicant: the country (`here`, given
    by the caller) and, if the entry names a group, the claim as made (`member`)."""
    return here & member(e.group) if e.group is not None else here
