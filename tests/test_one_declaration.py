"""Both engines take their decisions from the same table objects (haven.policy.decisions):
the explaining engine through `pick`, the columnar engine through `expr`/`fires`. A spy on
each interpreter records the tables each engine reads while assessing a synthetic caseload."""

import json
from collections.abc import Callable
from datetime import date
from typing import Any

import polars as pl
import pytest

import haven.assess.designation
import haven.assess.engine
import haven.assess.moratorium
import haven.assess.protection
import haven.assess.recommendation
import haven.assess.relocation
import haven.assess.routing
import haven.assess.standard
import haven.guardrails.reasons
import haven.impact.columnar
from haven.assess import assess
from haven.cases.readers import parse_case
from haven.cases.synthetic import synthetic_caseload
from haven.impact.columnar import evaluate
from haven.policy import decisions, rules
from haven.policy.precedence import DESIGNATION, Precedence, choice_expr, choose
from haven.policy.rules import Table
from tests.strategies import PACK

PICKERS = (
    haven.assess.engine,
    haven.assess.moratorium,
    haven.assess.protection,
    haven.assess.recommendation,
    haven.assess.relocation,
    haven.assess.routing,
    haven.assess.standard,
    haven.guardrails.reasons,
)
STATIC = {id(t): name for name, t in vars(decisions).items() if isinstance(t, Table)}


def _spy(seen: list[Any], real: Callable[..., Any]) -> Callable[..., Any]:
    """`real`, recording the declaration (its first argument) each call interprets."""

    def wrapper(declared: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(declared)
        return real(declared, *args, **kwargs)

    return wrapper


def _static(tables: list[Table]) -> set[str]:
    return {STATIC[id(t)] for t in tables if id(t) in STATIC}


def _law_rows(tables: list[Table]) -> set[tuple[str, int]]:
    """The law's rows of the flag tables, by object identity (a pack's rows follow them)."""
    found = set()
    for t in tables:
        for r in decisions.FLAG_LAW.values():
            if t.name == r.name and r.rows:
                assert all(a is b for a, b in zip(t.rows, r.rows, strict=False)), t.name
                assert t.default is r.default
                found.add((t.name, len(r.rows)))
    return found


@pytest.mark.parametrize("day", [date(2015, 6, 1), date(2016, 6, 1)])
def test_engines_read_the_same_tables(monkeypatch: pytest.MonkeyPatch, day: date) -> None:
    picked: list[Table] = []
    compiled: list[Table] = []
    for module in PICKERS:
        monkeypatch.setattr(module, "pick", _spy(picked, module.pick))
    columnar = haven.impact.columnar
    monkeypatch.setattr(columnar, "table_expr", _spy(compiled, rules.expr))
    monkeypatch.setattr(columnar, "table_fires", _spy(compiled, rules.fires))
    # Facts constant per entry (verified, suspended) are decided when compiling: pick there.
    monkeypatch.setattr(columnar, "pick", _spy(compiled, rules.pick))

    raws = synthetic_caseload(300, seed=3)
    for raw in raws[:30]:  # some from a safe country of origin (the first list, Nov 2015)
        raw.update(nationality="AL", region=None)
    for raw in raws[30:40]:  # some a moratorium covers (Uyghurs, Sep 2015 - Sep 2016)
        raw.update(nationality="CN", region=None)
        raw["profile"]["tags"] = ["uyghur"]
        raw["credibility"]["profile"] = "credible"
    for raw in raws:
        assess(parse_case(json.dumps(raw)), day, PACK)
    evaluate(pl.LazyFrame(raws, infer_schema_length=None), day, PACK).collect()

    every = {n for n, t in vars(decisions).items() if isinstance(t, Table)}
    assert _static(picked) == _static(compiled)
    if day.year >= 2016:  # every table in play (safe countries from Nov 2015)
        assert _static(picked) == every
    flagged = _law_rows(picked)
    assert flagged and flagged <= _law_rows(compiled)


@pytest.mark.parametrize("day", [date(2013, 6, 1), date(2016, 6, 1)])
def test_engines_read_the_same_designation_precedence(
    monkeypatch: pytest.MonkeyPatch, day: date
) -> None:
    """Which designation governs (specific before general, regional before national, then the
    most favourable across groups) is one declaration: both engines interpret the same
    `Precedence` object, `choose` for one case and `choice_expr` for a caseload."""
    chosen: list[Precedence] = []
    compiled: list[Precedence] = []
    monkeypatch.setattr(haven.assess.designation, "choose", _spy(chosen, choose))
    monkeypatch.setattr(haven.impact.columnar, "choice_expr", _spy(compiled, choice_expr))
    raws = synthetic_caseload(200, seed=5)
    for raw in raws:
        assess(parse_case(json.dumps(raw)), day, PACK)
    evaluate(pl.LazyFrame(raws, infer_schema_length=None), day, PACK).collect()
    assert chosen and compiled
    assert {id(p) for p in chosen} == {id(p) for p in compiled} == {id(DESIGNATION)}
