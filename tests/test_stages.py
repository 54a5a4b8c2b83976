"""assess() is a loop over the declared steps (haven.assess.stages.STAGES): every step is
declared once and runs once, in order, and a step can read only the steps before it."""

import json
from datetime import date

import pytest

import haven.assess.engine
from haven.assess import assess, stages
from haven.assess.pipeline import Stage
from haven.cases.readers import parse_case
from haven.cases.synthetic import synthetic_caseload
from tests.strategies import PACK


def test_every_declared_step_runs_once_in_order() -> None:
    declared = [s for s in vars(stages).values() if isinstance(s, Stage)]
    assert sorted(id(s) for s in stages.STAGES) == sorted(id(s) for s in declared)
    names = [s.name for s in stages.STAGES]
    assert len(set(names)) == len(names)
    assert names[0] == "credibility_gate" and names[-1] == "recommendation"


def test_a_step_reads_only_earlier_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    """The designation reads the credibility gate: put before it, the loop names the problem."""
    reordered = [s for s in stages.STAGES if s is not stages.DESIGNATION]
    monkeypatch.setattr(haven.assess.engine, "STAGES", (stages.DESIGNATION, *reordered))
    case = parse_case(json.dumps(synthetic_caseload(1, seed=1)[0]))
    with pytest.raises(KeyError, match="'credibility_gate' has not run yet"):
        assess(case, date(2016, 6, 1), PACK)
