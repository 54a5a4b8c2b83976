"""Issue 14: an assessment as of a date rests only on what existed on that date.

Properties (Hypothesis, any valid case and date): every source a step, a flag, the designation
or the safe-country finding cites was signed or published on or before the as-of date (and,
for legislation, applied then) and is general law or concerns the case's country; an incident
dated after the as-of date changes no summary field, in either engine. The doors refuse facts
dated after today, naming the field; the core takes today as an argument.
"""

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from haven.assess import Assessment, assess
from haven.cases.known import future_dates, known_on, refuse_future
from haven.cases.readers import parse_case
from haven.errors import CaseError
from haven.impact.agreement import summary as expected
from haven.impact.columnar import evaluate
from haven.policy.snapshot import PolicyOn
from tests.strategies import PACK, cases_and_dates, incidents

SETTINGS = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def run(raw: dict[str, Any], as_of: date) -> Assessment:
    return assess(parse_case(json.dumps(raw)), as_of, PACK)


@SETTINGS
@given(pair=cases_and_dates())
def test_no_cited_source_is_later_or_about_another_country(
    pair: tuple[dict[str, Any], date],
) -> None:
    raw, as_of = pair
    result = run(raw, as_of)
    country = raw["nationality"]
    cited = [(s.rule, s.sources) for s in result.steps]
    cited += [(f"flag {f.code.value}", f.sources) for f in result.flags]
    if result.designation is not None:
        cited.append(("designation", result.designation.sources))
    cited.append(("safe country", result.safe_country_of_origin.sources))
    for where, ids in cited:
        for sid in ids:
            src = PACK.sources[sid]
            assert not src.later_than(as_of), f"{where} cites {sid} ({src.issued}) on {as_of}"
            assert not src.superseded_on(as_of), f"{where} cites superseded {sid} on {as_of}"
            assert src.concerns(country), f"{where} cites {sid} about {src.countries}"
    for s in result.steps:
        assert s.sources, s.rule
        for sid in s.later_sources:
            assert PACK.sources[sid].later_than(as_of), f"{s.rule}: {sid} is not later"
            assert sid not in s.sources


# Fewer examples: each also runs the columnar engine on one case (a Polars plan per example).
@settings(SETTINGS, max_examples=60)
@given(pair=cases_and_dates(), extra=incidents(), days=st.integers(1, 4000))
def test_a_later_incident_changes_no_summary_field(
    pair: tuple[dict[str, Any], date], extra: dict[str, Any], days: int
) -> None:
    raw, as_of = pair
    later = dict(extra, date=str(as_of + timedelta(days=days)))
    position = len(raw["incidents"]) // 2  # anywhere in the list, not only at the end
    grown = dict(raw, incidents=[*raw["incidents"][:position], later, *raw["incidents"][position:]])
    before, after = run(raw, as_of), run(grown, as_of)
    assert expected(after) == expected(before)
    assert any(s.rule == "facts_as_of" for s in after.steps)
    # The columnar engine leaves it out too.
    row = parse_case(json.dumps(grown)).model_dump(mode="json")
    got = evaluate(pl.LazyFrame([row]), as_of, PACK).collect().to_dicts()[0]
    assert got == expected(before)


def test_the_contract_example_cites_nothing_later_on_its_documented_dates(
    example: dict[str, Any],
) -> None:
    raw = example
    for day, rec in (
        (date(2015, 10, 1), "protection_indicated"),
        (date(2015, 6, 1), "further_assessment"),
    ):
        result = run(raw, day)
        assert result.recommendation.value == rec
        for s in result.steps:
            for sid in s.sources:
                assert not PACK.sources[sid].later_than(day), (s.rule, sid)
                # Not the Chechnya letter (2017), WBV 2019/12, WBV 2021/1, kst-19637-2602, nor
                # the 2012 Iraqi LGBT letter or the Morocco ruling.
                assert sid not in {
                    "kst-19637-2343",
                    "stcrt-2019-42462",
                    "stcrt-2021-1570",
                    "kst-19637-2602",
                    "kst-19637-1563",
                    "rvs-2017-morocco",
                }, (s.rule, sid)


@pytest.fixture
def example(shared: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (shared / "contract" / "examples" / "ru-moscow-2015.json").read_text()
    )
    return data


def test_snapshot_holds_the_entries_in_force_and_splits_sources_by_date() -> None:
    policy = PolicyOn(PACK, date(2015, 10, 1))
    assert all(e.in_force(policy.as_of) for e in policy.entries)
    assert {e.id for e in policy.entries} == {
        e.id for e in PACK.entries.values() if e.in_force(policy.as_of)
    }
    cited = policy.cite(["kst-19637-2029", "kst-19637-2343", "qd-2011-95", "qd-2004-83"])
    assert cited.sources == ["kst-19637-2029", "qd-2011-95"]
    assert cited.later == ["kst-19637-2343"]  # the 2017 letter restates, never founds


def test_framework_rules_cite_only_general_law_with_a_basis_on_every_date() -> None:
    for rule in PACK.rules.values():
        for sid in rule.sources:
            assert not PACK.sources[sid].countries, f"{rule.id.value} cites {sid}"
        for day in (date(2010, 1, 1), date(2013, 12, 21), date(2013, 12, 22), date(2027, 1, 1)):
            assert PolicyOn(PACK, day).rule_sources(rule.id), (rule.id.value, day)


def test_incidents_after_the_date_are_named_and_left_out(example: dict[str, Any]) -> None:
    raw = example
    raw["incidents"].append(
        {"date": "2016-10-01", "kind": "arrest", "actor": "state", "credibility": "credible"}
    )
    case = parse_case(json.dumps(raw))
    known = known_on(case, date(2015, 10, 1))
    assert known.later == (1,) and len(known.case.incidents) == 1
    text = next(
        s.finding for s in assess(case, date(2015, 10, 1), PACK).steps if s.rule == "facts_as_of"
    )
    assert "incidents[1] (arrest, 2016-10-01)" in text


def test_future_dates_are_named_by_field(example: dict[str, Any]) -> None:
    raw = example
    raw["incidents"][0]["date"] = "2030-01-02"
    raw["profile"]["birth_date"] = "2031-01-01"
    raw["procedure"]["decided"] = "2030-05-05"
    case = parse_case(json.dumps(raw))
    today = date(2026, 12, 4)
    fields = [p.where for p in future_dates(case, today)]
    assert fields == ["profile.birth_date", "procedure.decided", "incidents[0].date"]
    try:
        refuse_future(case, today)
    except CaseError as e:
        assert "after today (2026-12-04)" in str(e.problems[0])
    else:
        raise AssertionError("a future date was accepted")
    assert future_dates(case, date(2031, 1, 1)) == []


def test_the_letter_cites_only_documents_existing_on_its_date(example: dict[str, Any]) -> None:
    """The queue letter for the core case (June -> October 2015) cites the changed entries'
    documents as they stood on 1 October 2015: not the 2017 Chechnya letter that restates the
    risk group."""
    from datetime import UTC, datetime

    from haven.queue.build import build
    from haven.reports import letter
    from haven.reports.memo import MemoFormat

    case = parse_case(json.dumps(example))
    _, items = build([case], date(2015, 6, 1), date(2015, 10, 1), PACK)
    (item,) = items
    window = letter.Window(date(2015, 6, 1), date(2015, 10, 1), PACK.version)
    html = letter.render(
        item, case, window, PACK, "en", datetime(2026, 1, 2, tzinfo=UTC), MemoFormat.HTML
    ).decode()
    assert "kst-19637-2029" in html or "Kamerstuk 19637 nr. 2029" in html
    assert "Kamerstuk 19637 nr. 2343" not in html and "kst-19637-2343" not in html
