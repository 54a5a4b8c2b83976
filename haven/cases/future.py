"""Dates a case cannot hold yet: the doors refuse a birth date, lodging, decision or incident
dated after today (a typo such as 9999-12-31 would otherwise be stored and shape every later
assessment). Pure: the door passes today in; the core never reads the clock."""

from datetime import date

from haven.cases.model import Case
from haven.errors import Problem


def dates_after(case: Case, today: date) -> list[Problem]:
    """One problem per date of `case` that lies after `today`, naming its field."""
    dated: list[tuple[str, date | None]] = [
        ("profile.birth_date", case.profile.birth_date),
        ("procedure.lodged", case.procedure.lodged),
        ("procedure.decided", case.procedure.decided),
    ]
    dated += [(f"incidents[{i}].date", inc.date) for i, inc in enumerate(case.incidents)]
    return [
        Problem(field, f"{day.isoformat()} is after today ({today.isoformat()})")
        for field, day in dated
        if day is not None and day > today
    ]
