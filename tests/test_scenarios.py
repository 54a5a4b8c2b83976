"""Runs the YAML scenarios and proves they cover every dated entry on both sides of its dates."""

from datetime import date, timedelta

import pytest
from scenario_runner import Check, load_checks, run

from haven.policy.pack import Pack

CHECKS = load_checks()


@pytest.mark.parametrize("check", CHECKS, ids=[c.id for c in CHECKS])
def test_scenario(check: Check, pack: Pack) -> None:
    errors = run(check, pack)
    assert not errors, "\n".join(errors)


def test_every_entry_is_covered_on_both_sides_of_its_dates(pack: Pack) -> None:
    dates_by_entry: dict[str, set[date]] = {}
    for c in CHECKS:
        for entry_id in c.covers:
            dates_by_entry.setdefault(entry_id, set()).add(c.as_of)
    gaps = []
    for e in pack.entries.values():
        seen = dates_by_entry.get(e.id, set())
        edges = [e.valid_from]
        if e.valid_to:
            edges.append(e.valid_to)
        if e.unconfirmed_from:
            edges.append(e.unconfirmed_from.date)
        for edge in edges:
            if not any(d < edge for d in seen):
                gaps.append(f"{e.id}: no check before {edge}")
            if not any(d >= edge for d in seen):
                gaps.append(f"{e.id}: no check on or after {edge}")
    assert not gaps, f"{len(gaps)} gaps:\n" + "\n".join(gaps)


def test_boundary_checks_are_close_to_the_edge(pack: Pack) -> None:
    """A check 'before' an edge should be near it, or it proves little about the edge itself."""
    far = []
    for e in pack.entries.values():
        dates = sorted({c.as_of for c in CHECKS if e.id in c.covers})
        before = [d for d in dates if d < e.valid_from]
        if before and e.valid_from - max(before) > timedelta(days=366):
            far.append(f"{e.id}: nearest check before {e.valid_from} is {max(before)}")
    assert not far, "\n".join(far)
