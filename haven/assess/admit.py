"""What a door checks before it stores a case, beyond the contract's shape: an id that can be
addressed, tags from the pack's vocabulary, a region of the case's own country, and no date
after today. Each is refused on write, naming the field, so that no stored case is one the
product then cannot open or assess. Pure: the door passes the pack and today in."""

from datetime import date

from haven.assess.engine import vocabulary_problems
from haven.cases.ids import id_problems
from haven.cases.known import future_dates
from haven.cases.model import Case
from haven.errors import CaseError, Problem
from haven.policy.pack import Pack


def region_problems(case: Case) -> list[Problem]:
    """An ISO 3166-2 code starts with its country's code: `IR-01` is no region of Russia."""
    if case.region is None or case.region.split("-", 1)[0] == case.nationality:
        return []
    return [
        Problem(
            "region",
            f"{case.region!r} is a region of {case.region.split('-', 1)[0]}, "
            f"not of the nationality {case.nationality}",
        )
    ]


def admission_problems(case: Case, pack: Pack, today: date) -> list[Problem]:
    return [
        *id_problems(case.id),
        *vocabulary_problems(case, pack),
        *region_problems(case),
        *future_dates(case, today),
    ]


def admit(case: Case, pack: Pack, today: date, prefix: str = "") -> Case:
    """`case` if a door may store it, else CaseError naming every problem (fields prefixed
    with `prefix`, e.g. a line of an import file)."""
    found = admission_problems(case, pack, today)
    if found:
        raise CaseError([Problem(f"{prefix}{p.where}", p.message) for p in found])
    return case
