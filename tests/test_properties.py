"""Property tests: the engine is total, deterministic, cited and consistent on any valid case."""

import json
from datetime import date
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from haven.assess import Assessment, assess
from haven.cases.readers import parse_case, parse_caseload
from haven.errors import CaseError
from haven.vocab import Finding, Recommendation
from tests.strategies import PACK, cases, cases_and_dates, json_values, near_miss_cases

SETTINGS = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def run(raw: dict[str, Any], as_of: date) -> Assessment:
    return assess(parse_case(json.dumps(raw)), as_of, PACK)


# -- the engine ----------------------------------------------------------------------------


@SETTINGS
@given(pair=cases_and_dates())
def test_engine_is_total_and_round_trips(pair: tuple[dict[str, Any], date]) -> None:
    raw, as_of = pair
    result = run(raw, as_of)
    assert isinstance(result, Assessment)
    assert result.as_of == as_of
    assert result.case_id == raw["id"]
    assert result.policy.version == PACK.version
    again = Assessment.model_validate_json(result.model_dump_json())
    assert again == result


@SETTINGS
@given(pair=cases_and_dates())
def test_engine_is_deterministic(pair: tuple[dict[str, Any], date]) -> None:
    raw, as_of = pair
    first = run(raw, as_of).model_dump_json()
    second = run(raw, as_of).model_dump_json()
    assert first == second


@SETTINGS
@given(pair=cases_and_dates())
def test_everything_is_cited_from_the_pack(pair: tuple[dict[str, Any], date]) -> None:
    result = run(*pair)
    assert result.steps
    for s in result.steps:
        assert s.sources, f"step {s.rule} cites no source"
        assert set(s.sources) <= set(PACK.sources), s
        assert set(s.entries) <= set(PACK.entries), s
    for f in result.flags:
        assert f.sources, f
        assert set(f.sources) <= set(PACK.sources), f
        assert f.entry is None or f.entry in PACK.entries, f
    if result.designation is not None:
        assert result.designation.sources
        assert set(result.designation.sources) <= set(PACK.sources)
        assert result.designation.entry in PACK.entries
    assert set(result.safe_country_of_origin.sources) <= set(PACK.sources)
    assert set(result.moratorium.entries) <= set(PACK.entries)
    assert set(result.unverified) <= set(PACK.entries)


@SETTINGS
@given(pair=cases_and_dates())
def test_invariants(pair: tuple[dict[str, Any], date]) -> None:
    raw, as_of = pair
    result = run(raw, as_of)
    cred = raw["credibility"]
    rec = result.recommendation

    rejected = Finding.NOT_CREDIBLE.value in (cred["identity"], cred["nationality"])
    assert (rec is Recommendation.NOT_ASSESSABLE) == rejected

    if rec is Recommendation.DECISION_DEFERRED:
        assert result.moratorium.decision

    if rec is Recommendation.PROTECTION_INDICATED:
        assert result.standard_met is True or result.exceptional_situation == "most_exceptional"
        assert result.internal_protection != "possible"

    reasons = raw["procedure"]["reasons"]
    flagged = [f.reason.value for f in result.flags]
    assert set(flagged) <= set(reasons)
    assert len(flagged) == len(set(flagged)), "more than one flag for a reason"

    unverified = set(result.unverified)
    for f in result.flags:
        assert f.entry not in unverified, f"flag {f.code} relies on unverified {f.entry}"
    if result.designation is not None:
        d = result.designation
        assert d.entry not in unverified, f"designation relies on unverified {d.entry}"
        entry = PACK.entries[d.entry]
        assert entry.in_force(as_of), f"designation {d.entry} is not in force on {as_of}"
        assert entry.verified_on(as_of)
        assert entry.country == raw["nationality"]
        assert d.group == entry.group
        assert d.since == entry.valid_from
    if result.safe_country_of_origin.entry is not None:
        sc = PACK.entries[result.safe_country_of_origin.entry]
        assert sc.in_force(as_of)
        assert sc.country == raw["nationality"]
    for mid in result.moratorium.entries:
        assert PACK.entries[mid].in_force(as_of)


@SETTINGS
@given(pair=cases_and_dates())
def test_assessment_json_has_the_contract_fields(pair: tuple[dict[str, Any], date]) -> None:
    raw, as_of = pair
    doc = json.loads(run(raw, as_of).model_dump_json())
    for key in (
        "case_id",
        "as_of",
        "policy",
        "recommendation",
        "ground",
        "designation",
        "evidentiary_standard",
        "standard_met",
        "protection_seeking_required",
        "internal_protection",
        "safe_country_of_origin",
        "moratorium",
        "flags",
        "steps",
    ):
        assert key in doc
    assert doc["as_of"] == as_of.isoformat()


# -- case parsing --------------------------------------------------------------------------


def _parse_or_case_error(text: str) -> None:
    try:
        parsed = parse_caseload(text)
    except CaseError as err:
        assert err.problems
        assert str(err)
    else:
        assert isinstance(parsed, list)


@SETTINGS
@given(value=json_values)
def test_parse_caseload_on_json_garbage(value: Any) -> None:
    _parse_or_case_error(json.dumps(value))


@SETTINGS
@given(values=st.lists(json_values, min_size=1, max_size=4))
def test_parse_caseload_on_json_lines_garbage(values: list[Any]) -> None:
    _parse_or_case_error("\n".join(json.dumps(v) for v in values))


@SETTINGS
@given(text=st.text(max_size=200))
def test_parse_caseload_on_arbitrary_text(text: str) -> None:
    _parse_or_case_error(text)


@SETTINGS
@given(value=near_miss_cases(), as_array=st.booleans())
def test_parse_caseload_on_near_miss_cases(value: Any, as_array: bool) -> None:
    _parse_or_case_error(json.dumps([value] if as_array else value))


@SETTINGS
@given(raws=st.lists(cases(), min_size=1, max_size=3, unique_by=lambda c: c["id"]))
def test_valid_caseloads_parse_in_every_layout(raws: list[dict[str, Any]]) -> None:
    as_array = parse_caseload(json.dumps(raws))
    as_lines = parse_caseload("\n".join(json.dumps(r) for r in raws))
    assert [c.id for c in as_array] == [r["id"] for r in raws]
    assert as_array == as_lines


def test_deeply_nested_json_is_a_case_error() -> None:
    """json.loads raises RecursionError on deep nesting; the reader must turn it into CaseError."""
    for text in ("[" * 5000 + "]" * 5000, '{"a":' * 5000 + "1" + "}" * 5000):
        _parse_or_case_error(text)


def test_whole_value_error_has_a_clean_location() -> None:
    """A line that is not an object: 'line 1: must be an object', not 'line 1: : must be…'."""
    for text in ('"abc"', "[1]", "null"):
        try:
            parse_caseload(text)
        except CaseError as err:
            assert ": :" not in str(err), str(err)
        else:
            raise AssertionError(f"{text!r} parsed as a caseload")
