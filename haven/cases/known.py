"""Facts as of a date: an assessment as of D counts only what was known on D.

Incidents dated after D are left out (undated ones are kept: nothing says they came later), and
the assessment names them. Dates after today are refused at the doors (`future_dates`): the core
never reads the clock, so the doors pass today in.
"""

import datetime as dt
from dataclasses import dataclass

from haven.cases.model import Case
from haven.errors import CaseError, Problem


@dataclass(frozen=True)
class Known:
    """The case as known on a date, with the original numbering of its incidents."""

    case: Case  # only the incidents known on the date
    numbers: tuple[int, ...]  # for each kept incident, its index in the recorded case
    later: tuple[int, ...]  # indices of the incidents dated after the date

    def label(self, i: int) -> str:
        """How a kept incident is named in the trace: by its place in the recorded case."""
        return f"incidents[{self.numbers[i]}]"


def known_on(case: Case, as_of: dt.date) -> Known:
    kept = [i for i, x in enumerate(case.incidents) if x.date is None or x.date <= as_of]
    later = tuple(i for i in range(len(case.incidents)) if i not in kept)
    if not later:
        return Known(case, tuple(kept), ())
    filtered = case.model_copy(update={"incidents": [case.incidents[i] for i in kept]})
    return Known(filtered, tuple(kept), later)


def refuse_future(case: Case, today: dt.date) -> Case:
    """The case, or a CaseError naming every field dated after today (the doors call this)."""
    found = future_dates(case, today)
    if found:
        raise CaseError(found)
    return case


def future_dates(case: Case, today: dt.date) -> list[Problem]:
    """Dates after today, each named by its field: a fact cannot be dated in the future."""
    dated: list[tuple[str, dt.date | None]] = [
        ("profile.birth_date", case.profile.birth_date),
        ("procedure.lodged", case.procedure.lodged),
        ("procedure.decided", case.procedure.decided),
        *((f"incidents[{i}].date", x.date) for i, x in enumerate(case.incidents)),
    ]
    return [
        Problem(field, f"{day} is after today ({today}): a recorded fact cannot be in the future")
        for field, day in dated
        if day is not None and day > today
    ]
