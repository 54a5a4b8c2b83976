"""Facts as of a date: an assessment as of D counts only what was known on D.

Incidents dated after D are left out (undated ones are kept: nothing says they came later), and
the assessment names them. So is a procedure that had not reached its dates by D: an application
lodged after D is named; a decision dated after D did not exist on D, so its status and the
refusal reasons it relies on are left out (a draft refusal, undated, is judged). Dates after
today are refused at the doors (`future_dates`): the core never reads the clock, so the doors
pass today in.
"""

import datetime as dt
from dataclasses import dataclass

import polars as pl

from haven.cases.model import Case, Procedure
from haven.errors import CaseError, Problem
from haven.vocab import Status


@dataclass(frozen=True)
class ProcedureDate:
    """A date of the procedure: on a day before it, what it dates had not happened. Declared
    once for both engines: `later` for one case (haven.assess), `later_expr` over a column of
    dates (haven.impact.columnar). A missing date is never later: nothing says it came after."""

    field: str

    def on(self, p: Procedure) -> dt.date | None:
        day: dt.date | None = getattr(p, self.field)
        return day

    def later(self, p: Procedure, as_of: dt.date) -> bool:
        day = self.on(p)
        return day is not None and day > as_of

    def later_expr(self, day: pl.Expr, as_of: dt.date) -> pl.Expr:
        return (day > pl.lit(as_of)).fill_null(False)


LODGED = ProcedureDate("lodged")
# The status and the refusal reasons are the last decision's: they exist from its date on.
DECIDED = ProcedureDate("decided")


@dataclass(frozen=True)
class Known:
    """The case as known on a date, with the original numbering of its incidents."""

    case: Case  # only the incidents known on the date, and the procedure as it stood then
    numbers: tuple[int, ...]  # for each kept incident, its index in the recorded case
    later: tuple[int, ...]  # indices of the incidents dated after the date
    lodged_later: bool = False  # the application was lodged after the date
    decided_later: bool = False  # the last decision (status, reasons) is dated after the date

    def label(self, i: int) -> str:
        """How a kept incident is named in the trace: by its place in the recorded case."""
        return f"incidents[{self.numbers[i]}]"


def known_on(case: Case, as_of: dt.date) -> Known:
    kept = [i for i, x in enumerate(case.incidents) if x.date is None or x.date <= as_of]
    later = tuple(i for i in range(len(case.incidents)) if i not in kept)
    lodged_later = LODGED.later(case.procedure, as_of)
    decided_later = DECIDED.later(case.procedure, as_of)
    update: dict[str, object] = {}
    if later:
        update["incidents"] = [case.incidents[i] for i in kept]
    if decided_later:
        # Not yet decided on the date: no decision, so no refusal reasons to judge.
        update["procedure"] = case.procedure.model_copy(
            update={"status": Status.PENDING, "decided": None, "reasons": []}
        )
    known = case.model_copy(update=update) if update else case
    return Known(known, tuple(kept), later, lodged_later, decided_later)


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
