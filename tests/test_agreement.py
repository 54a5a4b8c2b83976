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

from haven.assess import assess
from haven.cases import Case
from haven.cases.readers import parse_case
from haven.cases.synthetic import synthetic_caseload
from haven.impact.agreement import check_pack
from haven.impact.agreement import summary as expected
from haven.impact.columnar import SUMMARY, evaluate, evaluate_flat, flatten
from haven.policy.loader import PACKS_DIR, load_pack
from haven.policy.pack import Pack
from tests.pack_strategies import packs
from tests.strategies import PACK, cases_and_dates


def check(cases: list[Case], day: date, pack: Pack = PACK) -> None:
    rows = [c.model_dump(mode="json") for c in cases]
    frame = pl.LazyFrame(rows, infer_schema_length=None)
    got = {r["case_id"]: r for r in evaluate(frame, day, pack).collect().to_dicts()}
    for case in cases:
        want = expected(assess(case, day, pack))
        assert set(want) == set(SUMMARY)
        diff = {k: (v, got[case.id][k]) for k, v in want.items() if got[case.id][k] != v}
        assert not diff, f"{case.id} on {day}: (single, columnar) {diff}\n{case.model_dump_json()}"
    # The same without lists, flags as one column per refusal reason (the benchmarks' like-for-
    # like form): every scalar field as above, and the flag columns hold exactly the flags.
    plain = evaluate_flat(
        flatten(pl.LazyFrame(rows, infer_schema_length=None)),
        day,
        pack,
        with_lists=False,
        flag_columns=True,
    )
    for row in plain.collect().to_dicts():
        full = got[row["case_id"]]
        flags = sorted(v for k, v in row.items() if k.startswith("flag:") and v is not None)
        assert flags == full["flags"], (row["case_id"], day)
        assert {k: v for k, v in row.items() if not k.startswith("flag:")} == {
            k: v for k, v in full.items() if k not in ("flags", "applied")
        }


# 40 batches of up to 25 cases: about 2 minutes on a loaded 2-core machine (the longest test).
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
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


def test_agreement_check_of_validate_passes_the_extra_file_pack(tmp_path: Path) -> None:
    """`haven policy validate` runs this check (haven.impact.agreement) on the pack it reads."""
    extra = _pack_with_extra_file(tmp_path / "a", "ru-extra.yaml")
    assert check_pack(extra, max_days=6) == []


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(packs(), st.integers(0, 2**16))
def test_engines_agree_on_generated_packs(pack: Pack, seed: int) -> None:
    """Issue 18: agreement for any valid pack, not only the shipped one. Hypothesis draws a
    pack (every entry kind, regional and national scopes, overlapping groups, entries spread
    over files, country-specific and country-wide forbidden reasoning); the caseload is the
    one `haven policy validate` uses: cases aimed at every entry, on the days around its dates."""
    found = check_pack(pack, per_entry=5, seed=seed)
    assert not found, "\n".join(str(d) for d in found[:5])
