"""The columnar engine agrees with the single-case engine on every summary field.

Hypothesis draws batches of valid cases and dates (biased towards each entry's scope and its
date edges); a second test sweeps every date boundary in the pack.
"""

import json
import shutil
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path
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
from haven.policy.loader import PACKS_DIR, load_pack
from haven.policy.pack import Pack


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


def check(cases: list[Case], day: date, pack: Pack = PACK) -> None:
    rows = [c.model_dump(mode="json") for c in cases]
    got = {r["case_id"]: r for r in evaluate(pl.LazyFrame(rows), day, pack).collect().to_dicts()}
    for case in cases:
        want = expected(assess(case, day, pack))
        assert set(want) == set(SUMMARY)
        diff = {k: (v, got[case.id][k]) for k, v in want.items() if got[case.id][k] != v}
        assert not diff, f"{case.id} on {day}: (single, columnar) {diff}\n{case.model_dump_json()}"
    # The same without lists, flags as one column per refusal reason (the benchmarks' like-for-
    # like form): every scalar field as above, and the flag columns hold exactly the flags.
    plain = evaluate_flat(
        flatten(pl.LazyFrame(rows)), day, pack, with_lists=False, flag_columns=True
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


_RU_EXTRA = """\
entries:
  - id: ru-late-disclosure-extra
    kind: forbidden_reasoning
    label: A Russia-specific guardrail in a file of its own
    country: RU
    reason: late_disclosure
    flag: stereotyped_assessment
    valid_from: 2014-01-01
    sources: [cjeu-abc]
    message: A test guardrail that competes with the country-wide one on late disclosure.
"""


def _pack_with_extra_file(root: Path, name: str) -> Pack:
    shutil.copytree(PACKS_DIR / PACK.meta.id, root)
    (root / "entries" / name).write_text(_RU_EXTRA, encoding="utf-8")
    return load_pack(str(root))


def test_precedence_does_not_depend_on_file_names(tmp_path: Path) -> None:
    """Issue 18: a Russia-specific guardrail in `ru-extra.yaml` (read after the country-wide
    `eu-guardrails.yaml`) made the engines disagree; named `RU2.yaml` they agreed. The
    country's own entry wins in both engines, whatever the file is called."""
    extra = _pack_with_extra_file(tmp_path / "a", "ru-extra.yaml")
    renamed = _pack_with_extra_file(tmp_path / "b", "RU2.yaml")
    cases = [parse_case(json.dumps(c)) for c in synthetic_caseload(300, seed=18)]
    flagged = 0
    for day in (date(2013, 6, 1), date(2014, 12, 2), date(2016, 1, 1)):
        check(cases, day, extra)
        for case in cases:
            a, b = assess(case, day, extra), assess(case, day, renamed)
            assert expected(a) == expected(b)
            flagged += "ru-late-disclosure-extra" in a.applied
    assert flagged > 0  # the extra entry was exercised, and won over the EU one
