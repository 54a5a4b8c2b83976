"""The affected-case work queue (pure part): which refused cases improved, and what to do next.

The demo caseload (the contract example plus 500 synthetic cases, seed 2015, as `haven demo`
builds it) is re-assessed here with the single-case engine on both dates, and "improved" is
recomputed from the assessments with its own tables, independently of haven.queue and
haven.impact; the queue must list exactly those cases.
"""

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from haven.assess import Assessment, assess
from haven.cases import Case
from haven.cases.synthetic import synthetic_caseload
from haven.cli.demo_cmd import EXAMPLE
from haven.impact import Summary
from haven.policy.loader import load_pack
from haven.queue import NextStep, build, compare_summaries, decided_after_change, next_step, preview
from haven.vocab import Status

PACK = load_pack("nl")
BEFORE, AFTER = date(2015, 6, 1), date(2015, 10, 1)


@pytest.fixture(scope="module")
def demo_caseload() -> list[Case]:
    raw = [EXAMPLE, *synthetic_caseload(500, seed=2015)]
    return [Case.model_validate_json(json.dumps(c)) for c in raw]


# The test's own reading of "more favourable to the applicant" (higher is better).
REC = {"protection_not_indicated": 0, "further_assessment": 1, "protection_indicated": 2}
DESIGNATION = {None: 0, "risk_group": 1, "vulnerable_minority": 2, "group_persecution": 3}
STANDARD = {"individual": 0, "minor_indications": 1, "limited_indications": 2, "membership": 3}
RELOCATION = {"possible": 0, "excluded": 1}


def _improved_independently(a: Assessment, b: Assessment) -> bool:
    pairs: list[tuple[int | None, int | None]] = []
    if a.recommendation != b.recommendation:
        pairs.append((REC.get(a.recommendation.value), REC.get(b.recommendation.value)))
    cat_a = a.designation.category.value if a.designation else None
    cat_b = b.designation.category.value if b.designation else None
    pairs.append((DESIGNATION[cat_a], DESIGNATION[cat_b]))
    pairs.append((STANDARD[a.evidentiary_standard.value], STANDARD[b.evidentiary_standard.value]))
    pairs.append((int(not a.protection_seeking_required), int(not b.protection_seeking_required)))
    ra, rb = (
        RELOCATION.get(a.internal_protection.value),
        RELOCATION.get(b.internal_protection.value),
    )
    if ra is not None and rb is not None:
        pairs.append((ra, rb))
    ordered = [(x, y) for x, y in pairs if x is not None and y is not None]
    if len(ordered) != len(pairs):
        return False  # a change with no order (e.g. to decision_deferred) is not an improvement
    return any(y > x for x, y in ordered) and not any(y < x for x, y in ordered)


def _refused_before(c: Case, day: date) -> bool:
    """The test's own reading: the last decision (else the application) before `day`."""
    return (c.procedure.decided or c.procedure.lodged) < day


def test_the_2015_queue_lists_exactly_the_improved_refused_cases(
    demo_caseload: list[Case],
) -> None:
    refused = {"refused", "refused_final", "removal_scheduled"}
    improved = {
        c.id
        for c in demo_caseload
        if c.procedure.status.value in refused
        and _improved_independently(assess(c, BEFORE, PACK), assess(c, AFTER, PACK))
    }
    before_change = {c.id for c in demo_caseload if _refused_before(c, AFTER)}
    expected, late = improved & before_change, improved - before_change
    impact, chosen = preview(demo_caseload, BEFORE, AFTER, PACK)
    assert {i.case_id for i in chosen.items} == expected
    assert {i.case_id for i in chosen.decided_after} == late
    # Pinned: a change here needs a look. 27 before issue 14; then 14: a credible LGBTI Russian
    # with no credible incident known on the date was refused before 7 Sept 2015 on no past
    # harm and is now `further_assessment` (forward-looking) before, `protection_not_indicated`
    # after (the risk group asks for personal problems): not an improvement on every finding.
    # Three cases join because incidents dated after 1 June 2015 no longer count on that date.
    # Now 7: the other 7 were refused on or after 1 October 2015 (SYN-0000192 in 2022), under
    # the later policy; the change did not affect them (haven/queue/affected.py).
    assert len(chosen.items) == len(expected) == 7
    assert len(chosen.decided_after) == len(late) == 7
    assert "SYN-0000192" in late and "EX-RU-1" in expected
    # The impact itself lists every changed case with its dates (added fields), so a reader
    # sees which changes concern a refusal decided after `to`.
    dated = {c.case_id: c.decided for c in impact.changed}
    assert dated["SYN-0000192"] == date(2022, 11, 16) and dated["EX-RU-1"] == date(2015, 7, 20)
    _, items = build(demo_caseload, BEFORE, AFTER, PACK)
    assert items == chosen.items
    core = next(i for i in items if i.case_id == "EX-RU-1")
    assert core.next_step is NextStep.EX_OFFICIO_REVIEW
    assert set(core.changed_rules) >= {"ru-lgbti-risk-group-2015", "ru-lgbti-no-relocation-2015"}
    # Both flags are new: on 1 June 2015 the refusal of 20 July 2015 did not exist, so its
    # reasons were not judged (the waived protection duty was flagged from its date on).
    assert core.new_flags == ["ipa_excluded_by_policy", "protection_seeking_waived"]
    assert core.before.designation is None and core.after.designation == "risk_group"
    # Removal-scheduled cases come first: they are the urgent ones.
    urgent = [i.urgent for i in items]
    assert urgent == sorted(urgent, reverse=True) and any(urgent)
    assert all(i.next_step is next_step(i.status) for i in items)


def test_the_reverse_window_queues_nothing(demo_caseload: list[Case]) -> None:
    """From October back to June every change is a worsening: nobody is queued."""
    impact, items = build(demo_caseload, AFTER, BEFORE, PACK)
    assert impact.changed and items == []


def test_pending_and_granted_cases_are_not_queued(demo_caseload: list[Case]) -> None:
    impact, items = build(demo_caseload, BEFORE, AFTER, PACK)
    improved_elsewhere = [
        c
        for c in impact.changed
        if c.status.value in ("pending", "granted")
        and compare_summaries(c.before, c.after).improved
    ]
    assert improved_elsewhere, "the caseload should exercise the status filter"
    assert not {c.case_id for c in improved_elsewhere} & {i.case_id for i in items}


def _summary(**kw: object) -> Summary:
    base: dict[str, object] = {
        "recommendation": "further_assessment",
        "designation": None,
        "designation_group": None,
        "evidentiary_standard": "individual",
        "protection_seeking_required": True,
        "internal_protection": "possible",
        "flags": [],
    }
    return Summary.model_validate({**base, **kw})


@pytest.mark.parametrize(
    ("after", "better", "worse"),
    [
        ({"recommendation": "protection_indicated"}, ["recommendation"], []),
        ({"protection_seeking_required": False}, ["protection_seeking_required"], []),
        ({"internal_protection": "excluded"}, ["internal_protection"], []),
        ({"internal_protection": "not_applicable"}, [], []),
        ({"recommendation": "decision_deferred"}, [], ["recommendation"]),
        (
            {"designation": "risk_group", "recommendation": "protection_not_indicated"},
            ["designation"],
            ["recommendation"],
        ),
    ],
)
def test_verdicts(after: dict[str, object], better: list[str], worse: list[str]) -> None:
    verdict = compare_summaries(_summary(), _summary(**after))
    assert (verdict.better, verdict.worse) == (better, worse)
    assert verdict.improved is (bool(better) and not worse)


def test_next_step_by_status() -> None:
    assert next_step(Status.REFUSED) is NextStep.EX_OFFICIO_REVIEW
    assert next_step(Status.REFUSED_FINAL) is NextStep.SUBSEQUENT_APPLICATION
    assert next_step(Status.REMOVAL_SCHEDULED) is NextStep.SUBSEQUENT_APPLICATION
    with pytest.raises(KeyError):
        next_step(Status.PENDING)


def test_cli_preview(demo_caseload: list[Case], tmp_path: Path) -> None:
    """`haven queue preview` on the demo caseload file gives the same queue, as JSON."""
    lines = "".join(json.dumps(c.model_dump(mode="json")) + "\n" for c in demo_caseload)
    (tmp_path / "demo.jsonl").write_text(lines, encoding="utf-8")
    args = ["queue", "preview", "demo.jsonl", "--from", "2015-06-01", "--to", "2015-10-01"]
    r = subprocess.run(
        [sys.executable, "-m", "haven", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert r.returncode == 0, r.stderr
    shown = json.loads(r.stdout)
    _, items = build(demo_caseload, BEFORE, AFTER, PACK)
    assert shown["cases"] == 501
    assert [i["case_id"] for i in shown["items"]] == [i.case_id for i in items]
    bad = subprocess.run(
        [sys.executable, "-m", "haven", *args[:3], "--from", "June", "--to", "2015-10-01"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert bad.returncode == 2 and "--from" in bad.stderr


D1, D2 = date(2015, 6, 1), date(2015, 10, 1)


@pytest.mark.parametrize(
    ("lodged", "decided", "before", "after", "left_out"),
    [
        (date(2015, 3, 2), date(2015, 7, 20), D1, D2, False),  # decided between the dates
        (date(2010, 1, 1), date(2011, 1, 1), D1, D2, False),  # long before: helped by it
        (date(2015, 3, 2), date(2015, 9, 30), D1, D2, False),  # the day before
        (date(2015, 3, 2), D2, D1, D2, True),  # on the later date: under the later policy
        (date(2022, 6, 1), date(2022, 11, 16), D1, D2, True),
        (date(2015, 3, 2), None, D1, D2, False),  # no decision date: lodged before, kept
        (D2, None, D1, D2, True),  # not lodged before the later date
        (date(2016, 1, 1), None, D1, D2, True),
        (None, None, D1, D2, False),  # an impact kept before the dates were carried
        # Between two packs on one date: a refusal of that day is the one compared.
        (date(2015, 3, 2), D2, D2, D2, False),
        (date(2015, 3, 2), date(2015, 10, 2), D2, D2, True),
        (D2, None, D2, D2, False),
    ],
)
def test_a_refusal_decided_after_the_change_is_left_out(
    lodged: date | None, decided: date | None, before: date, after: date, left_out: bool
) -> None:
    assert decided_after_change(lodged, decided, before, after) is left_out


def _with_procedure(case: Case, ref: str, **procedure: object) -> Case:
    data = case.model_dump(mode="json") | {"id": ref}
    data["procedure"] |= procedure
    return Case.model_validate_json(json.dumps(data))


def test_the_preview_leaves_out_refusals_decided_after_the_change(
    demo_caseload: list[Case], tmp_path: Path
) -> None:
    """`haven queue preview` on a file: the same core case refused in 2015 is an item, refused
    in 2022 (lodged in 2022) it is left out, counted and named with the reason; as a table
    too. The impact keeps both (it compares two dates for every case), dated."""
    core = next(c for c in demo_caseload if c.id == "EX-RU-1")
    late = _with_procedure(core, "LATE-1", lodged="2022-06-01", decided="2022-11-16")
    unlodged = _with_procedure(core, "LATE-2", lodged="2016-01-04", decided=None)
    lines = "".join(json.dumps(c.model_dump(mode="json")) + "\n" for c in (core, late, unlodged))
    (tmp_path / "cases.jsonl").write_text(lines, encoding="utf-8")
    args = ["queue", "preview", "cases.jsonl", "--from", "2015-06-01", "--to", "2015-10-01"]
    r = _haven(tmp_path, *args)
    assert r.returncode == 0, r.stderr
    shown = json.loads(r.stdout)
    assert [i["case_id"] for i in shown["items"]] == ["EX-RU-1"]
    left = shown["decided_after_change"]
    assert (left["count"], left["cases"]) == (2, ["LATE-1", "LATE-2"])
    assert "on or after 2015-10-01" in left["message"]
    table = _haven(tmp_path, *args, "--format", "table")
    assert table.returncode == 0, table.stderr
    assert "2 refused cases whose outcome improved, left out" in " ".join(table.stdout.split())
    assert "LATE-1, LATE-2" in table.stdout
    impact = _haven(tmp_path, "impact", *args[2:])
    changed = {c["case_id"]: c for c in json.loads(impact.stdout)["changed"]}
    assert set(changed) == {"EX-RU-1", "LATE-1", "LATE-2"}
    assert changed["LATE-1"]["decided"] == "2022-11-16"
    assert changed["LATE-2"]["lodged"] == "2016-01-04" and changed["LATE-2"]["decided"] is None


def _haven(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "haven", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )
