"""The facts the decision tables read are declared once (haven.cases.facts, haven.policy.facts):
the per-case value and the Polars expression derived from one declaration agree for every
input (Hypothesis), and the date cut-off means what the law's wording says."""

import json
from datetime import date
from typing import Any

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from haven.assess.match import CODE, Basis, Claimed, conditions, entry_match, least_expr
from haven.cases.facts import (
    INCIDENT_FACTS,
    REJECTED,
    STILL_OPEN,
    claims_profile,
    claims_profile_expr,
)
from haven.cases.model import Credibility, Incident, Profile
from haven.cases.readers import parse_case
from haven.impact.columnar import flatten, with_age
from haven.policy.facts import add_months, lodged_by
from haven.policy.pack import Pack
from haven.vocab import Actor, Finding, IncidentKind, Sogi
from tests.pack_strategies import packs
from tests.strategies import cases_and_dates

DAYS = st.dates(date(1990, 1, 1), date(2040, 12, 31))


@settings(max_examples=300, deadline=None)
@given(DAYS, DAYS, st.integers(0, 60))
def test_lodged_by_is_older_than_the_limit(as_of: date, lodged: date, months: int) -> None:
    """`lodged <= lodged_by(as_of, n)` exactly when the application is older than n calendar
    months on as_of (as_of > lodged + n months, a missing day falling to the month's end), which
    is also what Polars' `offset_by` computes."""
    older = as_of > add_months(lodged, months)
    assert (lodged <= lodged_by(as_of, months)) is older
    by_polars = pl.select(pl.lit(as_of) > pl.lit(lodged).dt.offset_by(f"{months}mo")).item()
    assert by_polars is older


def test_lodged_by_on_month_ends() -> None:
    # 31 Mar + 1 month is 30 Apr: an application of 31 Mar is older than a month from 1 May.
    assert add_months(date(2024, 3, 31), 1) == date(2024, 4, 30)
    assert lodged_by(date(2024, 5, 1), 1) == date(2024, 3, 31)
    assert lodged_by(date(2024, 4, 30), 1) == date(2024, 3, 29)  # 29 Feb 2024 + 1 = 29 Mar


INCIDENTS = st.builds(
    Incident,
    date=st.none(),
    kind=st.sampled_from(IncidentKind),
    actor=st.sampled_from(Actor),
    credibility=st.sampled_from(Finding),
    sought_protection=st.sampled_from([True, False, None]),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(INCIDENTS, max_size=4), min_size=1, max_size=8))
def test_incident_facts_agree(cases: list[list[Incident]]) -> None:
    frame = pl.DataFrame(
        {"incidents": [[x.model_dump(mode="json") for x in c] for c in cases]},
        schema={
            "incidents": pl.List(
                pl.Struct(
                    {
                        "date": pl.String,
                        "kind": pl.String,
                        "actor": pl.String,
                        "credibility": pl.String,
                        "sought_protection": pl.Boolean,
                    }
                )
            )
        },
    )
    for fact in INCIDENT_FACTS:
        got = frame.select(pl.col("incidents").list.eval(fact.element()).list.any())
        assert got.to_series().to_list() == [any(fact.holds(x) for x in c) for c in cases]


FINDINGS = st.builds(
    Credibility,
    identity=st.sampled_from(Finding),
    nationality=st.sampled_from(Finding),
    region=st.sampled_from(Finding),
    profile=st.sampled_from(Finding),
)


@settings(max_examples=100, deadline=None)
@given(st.lists(FINDINGS, min_size=1, max_size=10))
def test_findings_facts_agree(cases: list[Credibility]) -> None:
    frame = pl.DataFrame([c.model_dump(mode="json") for c in cases])
    for fact in (REJECTED, STILL_OPEN):
        got = frame.select(fact.expr(pl.col)).to_series().to_list()
        assert got == [fact.holds(c) for c in cases]


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.none() | st.lists(st.sampled_from(Sogi), max_size=2, unique=True),
            st.none() | st.lists(st.sampled_from(["a", "b"]), max_size=2, unique=True),
        ),
        min_size=1,
        max_size=10,
    )
)
def test_claims_profile_agrees(claims: list[tuple[list[Sogi] | None, list[str] | None]]) -> None:
    """An absent list (null in a caseload) claims nothing, as an empty one."""
    frame = pl.DataFrame(
        {"profile": [{"sogi": s and [v.value for v in s], "tags": t} for s, t in claims]},
        schema={"profile": pl.Struct({"sogi": pl.List(pl.String), "tags": pl.List(pl.String)})},
    )
    got = frame.select(claims_profile_expr(pl.col("profile"))).to_series().to_list()
    assert got == [claims_profile(Profile(sogi=s or [], tags=t or [])) for s, t in claims]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(packs(), st.lists(cases_and_dates(), min_size=1, max_size=20))
def test_every_entry_reaches_a_case_alike_in_both_readings(
    pack: Pack, drawn: list[tuple[dict[str, Any], date]]
) -> None:
    """Matching is declared once (haven.assess.match): for every entry of a generated pack, on
    every basis, the per-case reading and the Polars reading give the same yes/no/open."""
    cases = [parse_case(json.dumps({**c, "id": f"M-{i}"})) for i, (c, _) in enumerate(drawn)]
    flat = flatten(pl.LazyFrame([c.model_dump(mode="json") for c in cases]))
    for as_of in sorted({d for _, d in drawn}):
        frame = with_age(flat, as_of).with_columns(
            Claimed.of(g).computed() for g in pack.groups.values() if g.uses_profile
        )
        for basis in Basis:
            entries = pack.all_in_force(as_of)
            if not entries:
                continue
            # with_columns: an entry with no condition (a general rule) is a literal to broadcast.
            columns = frame.with_columns(
                least_expr(conditions(pack, e, basis)).alias(e.id) for e in entries
            ).collect()
            for e in entries:
                by_case = [CODE[entry_match(pack, e, c, as_of, basis)] for c in cases]
                assert columns[e.id].to_list() == by_case, (e.id, basis)


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(packs(), DAYS)
def test_an_entry_under_review_is_in_doubt_from_its_date_in_one_place(
    pack: Pack, day: date
) -> None:
    """`review_flag` (a version its issuer marks "under review") is read in one place,
    `EntryBase.verified_on`, which both engines call: from the flag's date the entry drives
    nothing, its doubt date is a boundary both engines are compared on, and the trace cites the
    flag's sources."""
    for e in pack.entries.values():
        rf = e.review_flag
        if rf is None:
            continue
        assert rf.date in e.doubt_dates() and rf.date in pack.boundaries()
        if day >= rf.date:
            assert e.under_review(day) and not e.verified_on(day)
            assert set(rf.sources) <= set(e.sources_on(day))
        else:
            assert not e.under_review(day)
            assert e.verified_on(day) == (
                e.verified and (e.unconfirmed_from is None or day < e.unconfirmed_from.date)
            )
