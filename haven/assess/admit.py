"""What a door checks before it stores a case, beyond the contract's shape: an id that can be
addressed, tags from the pack's vocabulary, a region of the case's own country, and no date
after today. Each is refused on write, naming the field, so that no stored case is one the
product then cannot open or assess. Pure: the door passes the pack and today in.

A door that assesses a case without storing it (the stateless API, the CLI on a file) checks
the same (`assessable_problems`, `stateless_problems`), each field named where the case is
(`cases[2].profile.tags[0]`, `line 3: profile.tags[0]`)."""

from collections.abc import Iterable
from datetime import date

import polars as pl

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


def assessable_problems(case: Case, pack: Pack) -> list[Problem]:
    """What makes a case one the pack cannot assess: tags outside its vocabulary, a region of
    another country than the nationality (whose regional rules would then apply)."""
    return [*vocabulary_problems(case, pack), *region_problems(case)]


def admission_problems(case: Case, pack: Pack, today: date) -> list[Problem]:
    return [*id_problems(case.id), *assessable_problems(case, pack), *future_dates(case, today)]


def under_every(case: Case, packs: Iterable[Pack]) -> list[Problem]:
    """`assessable_problems` under each of the packs, each problem once."""
    distinct = {id(p): p for p in packs}.values()
    return list(dict.fromkeys(q for p in distinct for q in assessable_problems(case, p)))


def stateless_problems(
    cases: Iterable[tuple[str, Case]], packs: Iterable[Pack], today: date
) -> list[Problem]:
    """A stateless door's checks of its cases (each: the prefix of its fields, e.g.
    `cases[2].`): assessable under every pack used, no fact dated after today, and no id used
    twice (the changed cases are listed by id: a repeat would be listed twice)."""
    cases, packs = list(cases), list(packs)
    found = [
        Problem(where + p.where, p.message)
        for where, case in cases
        for p in [*under_every(case, packs), *future_dates(case, today)]
    ]
    first: dict[str, str] = {}
    repeats = []
    for where, case in cases:
        if case.id in first:
            said = f"case id {case.id!r} appears more than once (first at {first[case.id]})"
            repeats.append(Problem(f"{where}id", said))
        else:
            first[case.id] = where.removesuffix(".")
    return found + repeats[:10]  # as the readers name them: the first 10


def admit(case: Case, pack: Pack, today: date, prefix: str = "") -> Case:
    """`case` if a door may store it, else CaseError naming every problem (fields prefixed
    with `prefix`, e.g. a line of an import file)."""
    found = admission_problems(case, pack, today)
    if found:
        raise CaseError([Problem(f"{prefix}{p.where}", p.message) for p in found])
    return case


def surely_admissible(pack: Pack, today: date) -> pl.Expr:
    """The checks above as column expressions over valid cases (normalised rows, as
    haven.cases.schema types them): True where `admission_problems` certainly finds nothing,
    so that a bulk import asks `admit` only about the other rows. It may say False of a case
    that is fine (an id outside printable ASCII, a region without a dash), never True of one
    `admit` refuses: the caller admits those rows one by one, and `admit` decides."""
    ref = pl.col("id")
    plain_id = (
        ref.str.contains(r"^[ -~]+$")  # printable ASCII: no category look-up needed (ids.py)
        & ~ref.str.contains("/", literal=True)
        & ~ref.str.contains("\\", literal=True)
        & ~ref.is_in([".", ".."])
    )
    tags = pl.col("profile").struct.field("tags").fill_null([])
    known_tags = tags.list.eval(pl.element().is_in(sorted(pack.tags))).list.all()
    region = pl.col("region")
    own_region = region.is_null() | region.str.starts_with(pl.col("nationality") + "-")
    day = today.isoformat()  # dates are YYYY-MM-DD text here: compared as text

    def past(value: pl.Expr) -> pl.Expr:
        return value.is_null() | (value <= day)

    procedure, profile = pl.col("procedure").struct, pl.col("profile").struct
    incident_dates = (
        pl.col("incidents").fill_null([]).list.eval(past(pl.element().struct.field("date")).all())
    )
    no_future = (
        past(profile.field("birth_date"))
        & past(procedure.field("lodged"))
        & past(procedure.field("decided"))
        & incident_dates.list.first()
    )
    return (plain_id & known_tags & own_region & no_future).fill_null(False)
