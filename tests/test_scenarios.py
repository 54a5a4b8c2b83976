"""Runs the YAML scenarios of every shipped pack and proves they cover every dated entry on
both sides of its dates; `haven policy test` does the same from the command line."""

import os
import subprocess
import sys

import pytest

from haven.policy.loader import PACKS_DIR, load_pack
from haven.policy.pack import Pack
from haven.policy.scenarios import SCENARIOS
from tests.scenario_runner import Check, coverage_gaps, far_from_edges, load_checks, run

CHECKS = load_checks()
SHIPPED = sorted(p.name for p in PACKS_DIR.iterdir() if (p / "pack.yaml").is_file())


@pytest.mark.parametrize("check", CHECKS, ids=[c.id for c in CHECKS])
def test_scenario(check: Check, pack: Pack) -> None:
    errors = run(check, pack)
    assert not errors, "\n".join(errors)


def test_every_entry_is_covered_on_both_sides_of_its_dates(pack: Pack) -> None:
    gaps = coverage_gaps(CHECKS, pack)
    assert not gaps, f"{len(gaps)} gaps:\n" + "\n".join(gaps)


def test_boundary_checks_are_close_to_the_edge(pack: Pack) -> None:
    far = far_from_edges(CHECKS, pack)
    assert not far, "\n".join(far)


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_pack_has_scenarios_and_passes_them(name: str) -> None:
    assert load_checks(PACKS_DIR / name / SCENARIOS), f"{name} has no scenarios"
    r = subprocess.run(
        [sys.executable, "-m", "haven", "policy", "test", name],
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
        timeout=600,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"scenario checks of pack {load_pack(name).meta.id} pass" in r.stdout
