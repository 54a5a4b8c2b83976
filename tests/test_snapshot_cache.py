"""The pack as of a date is built once per (pack, date) and kept on the pack
(haven.policy.snapshot.policy_on): a kept snapshot must be the snapshot a fresh build gives, and
dates on which the pack differs must get different snapshots."""

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from haven.assess import assess
from haven.cases.readers import parse_case
from haven.errors import InputError
from haven.policy import snapshot
from haven.policy.pack import Pack
from haven.policy.snapshot import PolicyOn, covered_from, policy_on
from tests.strategies import PACK


def view(pack: Pack, policy: PolicyOn) -> dict[str, Any]:
    """Everything the reasoning steps read from a snapshot, as plain values."""
    kinds = sorted({type(e) for e in pack.entries.values()}, key=lambda k: k.__name__)
    countries: list[str | None] = [None, *pack.countries()]
    return {
        "as_of": policy.as_of,
        "entries": [e.id for e in policy.entries],
        "in_force": {
            (kind.__name__, country): [e.id for e in policy.in_force(kind, country)]
            for kind in kinds
            for country in countries
        },
        "rules": {rule: policy.rule_sources(rule) for rule in pack.rules},
        "entry_sources": {e.id: policy.entry_sources(e) for e in policy.entries},
    }


def a_change(pack: Pack) -> tuple[date, date]:
    """(the day before, the day) of an entry coming into force, both assessable."""
    start = covered_from(pack) or date.min
    for e in sorted(pack.entries.values(), key=lambda e: e.valid_from):
        if e.valid_from - timedelta(days=1) >= start:
            return e.valid_from - timedelta(days=1), e.valid_from
    raise AssertionError("the pack has no entry starting after its first assessable day")


def test_a_kept_snapshot_is_the_one_a_fresh_build_gives() -> None:
    PACK.snapshots.clear()
    before, day = a_change(PACK)
    for on in (before, day, date(2015, 10, 1)):
        kept = policy_on(PACK, on)
        assert policy_on(PACK, on) is kept  # built once
        assert view(PACK, kept) == view(PACK, PolicyOn(PACK, on))


def test_dates_on_which_the_pack_changes_get_different_snapshots() -> None:
    PACK.snapshots.clear()
    before, day = a_change(PACK)
    old, new = policy_on(PACK, before), policy_on(PACK, day)
    assert old is not new
    assert view(PACK, old)["entries"] != view(PACK, new)["entries"]
    starting = {e.id for e in PACK.entries.values() if e.valid_from == day}
    assert starting <= set(view(PACK, new)["entries"])
    assert not starting & set(view(PACK, old)["entries"])


def test_a_date_the_pack_cannot_assess_is_refused_every_time_and_not_kept() -> None:
    start = covered_from(PACK)
    if start is None:
        pytest.skip("the pack covers every day")
    PACK.snapshots.clear()
    too_early = start - timedelta(days=1)
    for _ in range(2):
        with pytest.raises(InputError):
            policy_on(PACK, too_early)
    assert too_early not in PACK.snapshots


def test_the_kept_snapshots_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(snapshot, "MAX_SNAPSHOTS", 3)
    PACK.snapshots.clear()
    for offset in range(10):
        policy_on(PACK, date(2015, 10, 1) + timedelta(days=offset))
        assert len(PACK.snapshots) <= 3


def test_an_assessment_on_a_kept_snapshot_equals_one_on_a_fresh_snapshot(shared: Path) -> None:
    path = shared / "contract" / "examples" / "ru-moscow-2015.json"
    case = parse_case(path.read_text())
    on = date(2015, 10, 1)
    PACK.snapshots.clear()
    fresh = assess(case, on, PACK).model_dump(mode="json")
    assert on in PACK.snapshots  # the engine keeps it
    kept = assess(case, on, PACK).model_dump(mode="json")
    assert kept == fresh
