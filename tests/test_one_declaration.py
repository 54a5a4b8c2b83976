"""Both engines take their decisions from the same table objects (haven.policy.decisions):
the explaining engine through `pick`, the columnar engine through `expr`/`fires`. A spy on
each interpreter records the tables each engine reads while assessing a synthetic caseload."""

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest

import haven.assess.designation
import haven.assess.moratorium
import haven.assess.protection
import haven.assess.recommendation
import haven.assess.relocation
import haven.assess.routing
import haven.assess.stages
import haven.assess.standard
import haven.guardrails.reasons
import haven.impact.columnar
from haven.assess import assess
from haven.cases import facts as case_facts
from haven.cases.readers import parse_case
from haven.cases.synthetic import synthetic_caseload
from haven.impact.columnar import evaluate
from haven.policy import decisions, rules
from haven.policy import facts as policy_facts
from haven.policy.precedence import DESIGNATION, Precedence, choice_expr, choose
from haven.policy.rules import First, Table
from tests.strategies import PACK

PICKERS = (
    haven.assess.stages,
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


def test_engines_read_the_same_first_applicable_declarations(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """ "The first entry that applies wins" (waivers, relocation exclusions, the 15(c)
    situation) is one declaration per decision: both engines interpret the same `First`
    objects, `first_of` for one case and `first_expr` for a caseload."""
    per_case: list[First[Any]] = []
    compiled: list[First[Any]] = []
    for module in (haven.assess.protection, haven.assess.relocation, haven.assess.situation):
        monkeypatch.setattr(module, "first_of", _spy(per_case, rules.first_of))
    monkeypatch.setattr(haven.impact.columnar, "first_expr", _spy(compiled, rules.first_expr))
    raws = synthetic_caseload(300, seed=7)
    for raw in raws[:20]:  # 15(c) situations in Sudan's regions (from June 2024)
        raw.update(nationality="SD", region="SD-KH")
    day = date(2025, 3, 1)
    for raw in raws:
        assess(parse_case(json.dumps(raw)), day, PACK)
    evaluate(pl.LazyFrame(raws, infer_schema_length=None), day, PACK).collect()
    declared = {id(d) for d in vars(decisions).values() if isinstance(d, First)}
    assert len(declared) == 3
    assert {d.name for d in per_case} == {d.name for d in compiled}
    assert {id(d) for d in per_case} == {id(d) for d in compiled} == declared


def test_engines_read_the_same_case_facts(monkeypatch: pytest.MonkeyPatch) -> None:
    """The facts the tables read are declared once (haven.cases.facts, haven.policy.facts):
    the explaining engine and the columnar one call the same declarations. A spy on each
    declaration's interpreters records which engine used it."""
    used: dict[str, set[str]] = {}

    def note(name: str, engine: str) -> None:
        used.setdefault(name, set()).add(engine)

    for fact in case_facts.INCIDENT_FACTS:
        cls = type(fact)
        monkeypatch.setattr(
            cls, "holds", _noting(cls.holds, lambda f, *_: note(f.name, "single")), raising=True
        )
        monkeypatch.setattr(
            cls, "element", _noting(cls.element, lambda f, *_: note(f.name, "columnar"))
        )
    cls2 = case_facts.FindingsFact
    monkeypatch.setattr(cls2, "which", _noting(cls2.which, lambda f, *_: note(f.name, "single")))
    monkeypatch.setattr(cls2, "expr", _noting(cls2.expr, lambda f, *_: note(f.name, "columnar")))
    for module, engine in (
        (haven.assess.moratorium, "single"),
        (haven.impact.columnar, "columnar"),
    ):
        monkeypatch.setattr(
            module,
            "lodged_by",
            _noting(policy_facts.lodged_by, lambda *_, e=engine: note("lodged_by", e)),
        )
    for module, engine in (
        (haven.assess.relocation, "single"),
        (haven.impact.columnar, "columnar"),
    ):
        monkeypatch.setattr(
            module,
            "nationwide_persecution",
            _noting(
                policy_facts.nationwide_persecution, lambda *_, e=engine: note("nationwide", e)
            ),
        )
    for module, engine in (
        (haven.guardrails.reasons, "single"),
        (haven.impact.columnar, "columnar"),
    ):
        monkeypatch.setattr(
            module,
            "forbidden_reaches",
            _noting(policy_facts.forbidden_reaches, lambda *_, e=engine: note("reaches", e)),
        )
    monkeypatch.setattr(
        haven.assess.standard,
        "claims_profile",
        _noting(case_facts.claims_profile, lambda *_: note("claims_profile", "single")),
    )
    monkeypatch.setattr(
        haven.impact.columnar,
        "claims_profile_expr",
        _noting(case_facts.claims_profile_expr, lambda *_: note("claims_profile", "columnar")),
    )

    raws = synthetic_caseload(300, seed=3)
    for raw in raws[:20]:  # a moratorium with an age limit (Syria, Dec 2024 - Jun 2025)
        raw.update(nationality="SY", region=None)
        raw["procedure"]["reasons"] = ["late_disclosure"]
    day = date(2025, 3, 1)
    for raw in raws:
        assess(parse_case(json.dumps(raw)), day, PACK)
    evaluate(pl.LazyFrame(raws, infer_schema_length=None), day, PACK).collect()
    every = {f.name for f in case_facts.INCIDENT_FACTS} | {"rejected", "provisional"}
    every |= {"lodged_by", "nationwide", "reaches", "claims_profile"}
    assert {n for n, engines in used.items() if engines == {"single", "columnar"}} == every


def _noting(real: Callable[..., Any], note: Callable[..., None]) -> Callable[..., Any]:
    """`real`, calling `note` with the same arguments first."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        note(*args)
        return real(*args, **kwargs)

    return wrapper


def test_group_reach_is_read_from_one_declaration(monkeypatch: pytest.MonkeyPatch) -> None:
    """Which person a pack's group reaches (SOGI, tags, sex, ages; an entry's country and
    regions) is declared once, in haven.policy.reach: the explaining engine, the columnar one
    and the pack comparison all read it there. A spy records that each asks it; a broken
    declaration (every group reaches nobody) then changes all three answers."""
    import haven.policy.reach as reach
    from haven.assess import match
    from haven.policy.compare import compare
    from haven.policy.loader import load_pack

    example = parse_case(
        (
            Path(__file__).parents[2] / "shared" / "contract" / "examples" / "ru-moscow-2015.json"
        ).read_text(encoding="utf-8")
    )
    day = date(2015, 10, 1)
    eu = load_pack("euaa")
    raws = synthetic_caseload(200, seed=11)

    def answers() -> tuple[Any, ...]:
        match.group_conditions.cache_clear()  # conditions are cached per group and basis
        match.region_conditions.cache_clear()
        one = assess(example, day, PACK).designation
        many = evaluate(pl.LazyFrame(raws, infer_schema_length=None), day, PACK).collect()
        rows = {
            (d.topic, d.profile.name, d.kind) for d in compare(PACK, eu, "IR", date(2025, 2, 1))
        }
        return one, many.to_dicts(), rows

    asked: list[str] = []
    real = reach.group_reach

    def spy(group: Any) -> reach.GroupReach:
        asked.append(group.id)
        return real(group)

    try:
        monkeypatch.setattr(reach, "group_reach", spy)
        before = answers()
        assert before[0] is not None and before[0].group == "ru-lgbti"
        assert "ru-lgbti" in asked  # the engines asked reach about the Russian LGBTI group
        assert any(g in eu.groups for g in asked)  # the comparison asked about the EU groups

        monkeypatch.setattr(
            reach, "group_reach", lambda g: reach.GroupReach(tags_all=frozenset({"-"}))
        )
        after = answers()
        assert after[0] is None  # the explaining engine: no designation reaches him
        assert after[1] != before[1]  # the columnar engine: the caseload's outcomes change
        assert after[2] != before[2]  # the comparison: the profiles change
    finally:
        monkeypatch.undo()
        match.group_conditions.cache_clear()
        match.region_conditions.cache_clear()
