"""The columnar engine agrees with the single-case engine on every summary field.

Hypothesis draws batches of valid cases and dates (biased towards each entry's scope and its
date edges); a second test sweeps every date boundary in the pack.
"""

import json
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import PACK, cases_and_dates

from haven.assess import Assessment, assess
from haven.cases import Case
from haven.cases.readers import parse_case
from haven.cases.synthetic import synthetic_caseload
from haven.impact.columnar import SUMMARY, evaluate, evaluate_flat, flatten


def expected(a: Assessment) -> dict[str, Any]:
    d = a.designation
    return {
        "case_id": a.case_id,
        "recommendation": a.recommendation.value,
        "ground": a.ground.value if a.ground else None,
        "designation": d.category.value if d else None,
        "designation_group": d.group if d else None,
        "evidentiary_standard": a.evidentiary_standard.value,
        "standard_met": a.standard_met,
        "protection_seeking_required": a.protection_seeking_required,
        "internal_protection": a.internal_protection.value,
        "safe_country_designated": a.safe_country_of_origin.designated,
        "safe_country_exception": a.safe_country_of_origin.exception_applies,
        "moratorium_decision": a.moratorium.decision,
        "moratorium_departure": a.moratorium.departure,
        "exceptional_situation": a.exceptional_situation,
        "flags": sorted(f.code.value for f in a.flags),
        "applied": a.applied,
        "has_unverified": bool(a.unverified),
    }


def check(cases: list[Case], day: date) -> None:
    rows = [c.model_dump(mode="json") for c in cases]
    got = {r["case_id"]: r for r in evaluate(pl.LazyFrame(rows), day, PACK).collect().to_dicts()}
    for case in cases:
        want = expected(assess(case, day, PACK))
        assert set(want) == set(SUMMARY)
        diff = {k: (v, got[case.id][k]) for k, v in want.items() if got[case.id][k] != v}
        assert not diff, f"{case.id} on {day}: (single, columnar) {diff}\n{case.model_dump_json()}"
    # The same without lists, flags as one column per refusal reason (the benchmarks' like-for-
    # like form): every scalar field as above, and the flag columns hold exactly the flags.
    plain = evaluate_flat(
        flatten(pl.LazyFrame(rows)), day, PACK, with_lists=False, flag_columns=True
    )
    for row in plain.collect().to_dicts():
        full = got[row["case_id"]]
        flags = sorted(v for k, v in row.items() if k.startswith("flag:") and v is not None)
        assert flags == full["flags"], (row["case_id"], day)
        assert {k: v for k, v in row.items() if not k.startswith("flag:")} == {
            k: v for k, v in full.items() if k not in ("flags", "applied")
        }


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(cases_and_dates(), min_size=1, max_size=25))
def test_columnar_agrees_with_single_case_engine(pairs: list[tuple[dict[str, Any], date]]) -> None:
    by_day: dict[date, list[Case]] = defaultdict(list)
    for n, (raw, day) in enumerate(pairs):
        case = parse_case(json.dumps({**raw, "id": f"H-{n}"}))
        by_day[day].append(case)
    for day, cases in by_day.items():
        check(cases, day)


def test_agreement_across_every_date_boundary_in_the_pack() -> None:
    cases = [parse_case(json.dumps(c)) for c in synthetic_caseload(80, seed=11)]
    for edge in PACK.boundaries():
        for day in (edge - timedelta(days=1), edge):
            check(cases, day)
