"""The two interpreters of a decision table (haven.policy.rules) give the same row for every
combination of facts: `pick` (one case) and `expr` (Polars, a caseload). Checked exhaustively
on the declared tables and with Hypothesis on generated tables."""

import itertools
from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from haven.policy import decisions
from haven.policy.entries import Designation
from haven.policy.precedence import (
    DESIGNATION,
    ENTRIES,
    choice_expr,
    choose,
    preferred,
    ranks,
)
from haven.policy.rules import (
    Fact,
    First,
    Row,
    Table,
    Value,
    expr,
    fires,
    first_expr,
    first_of,
    pick,
    row,
)
from haven.vocab import STANDARD_RANK, Standard
from tests.strategies import PACK

TABLES = sorted((t for t in vars(decisions).values() if isinstance(t, Table)), key=lambda t: t.name)


def _dtype(f: Fact) -> pl.DataType:
    known = [v for v in f.values if v is not None]
    return pl.Boolean() if all(isinstance(v, bool) for v in known) else pl.String()


def _both(
    table: Table, combos: list[dict[str, Value]], facts: list[Fact] | None = None
) -> tuple[list[str], list[str]]:
    """Row ids from pick, and from expr over a frame of the same combinations."""
    facts = list(table.facts) if facts is None else facts
    frame = pl.DataFrame(
        {f.name: [c[f.name] for c in combos] for f in facts},
        schema={f.name: _dtype(f) for f in facts},
    )
    columns = {f.name: pl.col(f.name) for f in facts}
    by_expr = frame.with_columns(expr(table, columns, ids=True).alias("id"))["id"].to_list()
    return [pick(table, c).id for c in combos], by_expr


def _all_combinations(table: Table) -> list[dict[str, Value]]:
    names = [f.name for f in table.facts]
    return [dict(zip(names, vs, strict=True)) for vs in itertools.product(*(f.values for f in table.facts))]  # fmt: skip


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_pick_and_expr_agree_on_every_fact_combination(table: Table) -> None:
    combos = _all_combinations(table)
    picked, compiled = _both(table, combos)
    assert picked == compiled


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_expr_gives_the_outcome_of_the_row_that_fired(table: Table) -> None:
    combos = _all_combinations(table)
    frame = pl.DataFrame(
        {f.name: [c[f.name] for c in combos] for f in table.facts},
        schema={f.name: _dtype(f) for f in table.facts},
    )
    columns = {f.name: pl.col(f.name) for f in table.facts}
    values = frame.with_columns(expr(table, columns).alias("v"))["v"].to_list()
    assert values == [pick(table, c).then for c in combos]


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_every_row_can_fire(table: Table) -> None:
    """A row shadowed by earlier ones for every combination is dead law: a priority mistake."""
    fired = {pick(table, c).id for c in _all_combinations(table)}
    dead = [r.id for r in table.rows if r.id not in fired]
    assert not dead, f"{table.name}: rows that never fire: {dead}"


# -- generated tables --------------------------------------------------------------------------

FACTS = [
    Fact.flag("a"),
    Fact.open_flag("b"),
    Fact.choice("c", ["x", "y", "z"]),
    Fact("d", ("x", "y", None)),
]


@st.composite
def tables(draw: st.DrawFn) -> Table:
    rows: list[Row] = []
    for i in range(draw(st.integers(0, 6))):
        chosen = draw(st.lists(st.sampled_from(FACTS), unique_by=lambda f: f.name, max_size=4))
        when: dict[Fact, Any] = {
            f: tuple(draw(st.lists(st.sampled_from(f.values), min_size=1, unique=True)))
            for f in chosen
        }
        rows.append(row(f"r{i}", draw(st.sampled_from(["p", "q", None])), when))
    return Table("generated", tuple(rows), row("default", "d"))


@settings(max_examples=150, deadline=None)
@given(tables(), st.lists(st.tuples(*(st.sampled_from(f.values) for f in FACTS)), min_size=1))
def test_pick_and_expr_agree_on_generated_tables(
    table: Table, values: list[tuple[Value, ...]]
) -> None:
    combos = [{f.name: v for f, v in zip(FACTS, vs, strict=True)} for vs in values]
    picked, compiled = _both(table, combos, FACTS)
    assert picked == compiled


@settings(max_examples=100, deadline=None)
@given(tables(), st.lists(st.tuples(*(st.sampled_from(f.values) for f in FACTS)), min_size=1))
def test_fires_marks_the_row_pick_gives(table: Table, values: list[tuple[Value, ...]]) -> None:
    combos = [{f.name: v for f, v in zip(FACTS, vs, strict=True)} for vs in values]
    frame = pl.DataFrame(
        {f.name: [c[f.name] for c in combos] for f in FACTS},
        schema={f.name: _dtype(f) for f in FACTS},
    )
    columns = {f.name: pl.col(f.name) for f in FACTS}
    picked = [pick(table, c).id for c in combos]
    for r in (*table.rows, table.default):
        got = frame.with_columns(fires(table, columns, r.id).alias("f"))["f"].to_list()
        assert got == [p == r.id for p in picked], r.id


def test_a_row_rejects_a_value_outside_the_facts_domain() -> None:
    with pytest.raises(ValueError, match="cannot be"):
        row("bad", True, {FACTS[0]: None})


def test_pick_names_missing_facts() -> None:
    with pytest.raises(KeyError, match="needs facts"):
        pick(decisions.RECOMMENDATION, {})


# -- precedence (haven.policy.precedence) ------------------------------------------------------

DESIGNATIONS = sorted(
    (e for e in PACK.entries.values() if isinstance(e, Designation)), key=lambda e: e.id
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from(DESIGNATIONS), unique_by=lambda e: e.id), min_size=1))
def test_choose_and_choice_expr_agree(cases: list[list[Designation]]) -> None:
    """The two interpreters of a Precedence pick the same entry for every set that applies
    (one row per case, one column per designation: does it apply?)."""
    frame = pl.DataFrame(
        {e.id: [e in applies for applies in cases] for e in DESIGNATIONS},
        schema={e.id: pl.Boolean() for e in DESIGNATIONS},
    )
    rank = ranks(DESIGNATION, DESIGNATIONS)
    candidates = [(e, pl.col(e.id)) for e in DESIGNATIONS]
    got = frame.select(choice_expr(DESIGNATION, candidates, rank).alias("r"))["r"].to_list()
    by_rank = {r: e.id for e, r in ((e, rank[e.id]) for e in DESIGNATIONS)}
    chosen = [choose(DESIGNATION, applies) for applies in cases]
    assert [None if r is None else by_rank[r] for r in got] == [
        None if c is None else c.id for c in chosen
    ]


def test_precedence_prefers_the_specific_then_the_favourable() -> None:
    """Within a group the regional entry governs even when less favourable; across groups the
    more favourable governs."""
    favoured = min(Standard, key=lambda s: STANDARD_RANK[s])
    base = next(e for e in DESIGNATIONS if not e.regions and e.evidentiary_standard is not favoured)
    regional = base.model_copy(update={"id": "x-regional", "regions": ["XX-1"]})
    general = base.model_copy(update={"id": "x-general", "evidentiary_standard": favoured})
    assert choose(DESIGNATION, [general, regional]) is regional
    other = general.model_copy(update={"id": "x-other", "group": "another-group"})
    assert preferred(DESIGNATION, other, regional)
    assert choose(DESIGNATION, [regional, other]) is other


# -- the first entry that applies (rules.First) ------------------------------------------------


@dataclass(frozen=True)
class _Entry:
    id: str
    rank: int  # the declared order
    eligible: bool  # e.g. verified on the date, a waiver rather than a duty


_GENERATED = First(
    "generated", _Entry, lambda e, day: e.eligible, lambda e: (e.rank, e.id), "for the test"
)
_DAY = date(2020, 1, 1)


@st.composite
def _entries(draw: st.DrawFn) -> list[_Entry]:
    ids = draw(st.lists(st.sampled_from("abcdefgh"), unique=True, max_size=8))
    return [_Entry(i, draw(st.integers(0, 3)), draw(st.booleans())) for i in ids]


@settings(max_examples=150, deadline=None)
@given(_entries(), st.data())
def test_first_of_and_first_expr_agree(entries: list[_Entry], data: st.DataObject) -> None:
    """The two interpreters of a `First` give the same winner for every case: one row per
    case, one Boolean column per entry (does it apply?), entries given in any order."""
    cases = data.draw(
        st.lists(st.lists(st.booleans(), min_size=len(entries), max_size=len(entries)), min_size=1)
    )
    shuffled = data.draw(st.permutations(entries))
    frame = pl.DataFrame(
        {e.id: [c[i] for c in cases] for i, e in enumerate(entries)},
        schema={e.id: pl.Boolean() for e in entries},
    )
    got = frame.with_columns(  # a literal (nothing can win) broadcasts to every case
        first_expr(_GENERATED, _DAY, [(e, pl.col(e.id)) for e in shuffled]).alias("w")
    )["w"].to_list() if entries else [None] * len(cases)  # fmt: skip
    per_case = [
        first_of(_GENERATED, _DAY, [(e, c[entries.index(e)]) for e in shuffled]) for c in cases
    ]
    assert got == [None if w is None else w.id for w in per_case]
    # And the winner is what the declaration says: the first eligible one that applies.
    for c, w in zip(cases, per_case, strict=True):
        winners = sorted(
            (e for i, e in enumerate(entries) if c[i] and e.eligible), key=_GENERATED.order
        )
        assert w == (winners[0] if winners else None)  # fmt: skip


def test_first_declarations_order_entries_by_the_declared_precedence() -> None:
    """The shipped declarations use the one declared entry order (precedence.ENTRIES)."""
    for decl in (decisions.WAIVER, decisions.RELOCATION_EXCLUSION, decisions.SITUATION):
        assert decl.order == ENTRIES.within_key
        kinds = [e for e in PACK.entries.values() if isinstance(e, decl.kind)]
        assert kinds, decl.name
