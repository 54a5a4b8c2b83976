"""The scenario runner moved into Haven (`haven policy test`): the format is documented in
haven/policy/scenarios.py and the scenarios live in each pack's `scenarios/` directory."""

from pathlib import Path

from haven.assess.scenarios import coverage_gaps, far_from_edges, lookup, run
from haven.packs import DEFAULT_PACK
from haven.policy import scenarios
from haven.policy.loader import resolve
from haven.policy.scenarios import Check, merge

SCENARIO_DIR = resolve(DEFAULT_PACK) / scenarios.SCENARIOS


def load_checks(directory: Path = SCENARIO_DIR) -> list[Check]:
    return scenarios.load_checks(directory)


__all__ = [
    "SCENARIO_DIR",
    "Check",
    "coverage_gaps",
    "far_from_edges",
    "load_checks",
    "lookup",
    "merge",
    "run",
]
