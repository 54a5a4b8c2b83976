"""Decision tables: each rule declared once, read by both engines.

A `Table` is an ordered list of `Row`s over named `Fact`s; the first row whose conditions all
hold gives the outcome, else the table's default. Row order is the priority (Catala's
exceptions, made explicit). Two interpreters read the same table object:

- `pick(table, facts)` for one case: the row that fired, whose id the explaining engine uses to
  choose its hand-written text and sources;
- `expr(table, columns)` for a caseload: a Polars when/then chain over one column per fact
  (OpenFisca's idea: one formula for one case or a million).

A `First` declares "the first entry that applies wins" for entries of one kind (a waiver, a
relocation exclusion, the 15(c) situation): which entries can win on a date and their order,
read by `first_of` (one case) and compiled by `first_expr` (a caseload).

Facts are tri-state where the law is: None is "open" (not yet established), and a condition
holds only for the values it names, so an open fact never satisfies `True` or `False`.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Any, Generic, Protocol, TypeVar

import polars as pl

Value = bool | str | None


def _plain(v: object) -> Value:
    """A condition or outcome value as stored: enums by their value."""
    if isinstance(v, Enum):
        v = v.value
    if v is not None and not isinstance(v, bool | str):
        raise TypeError(f"a table value is a bool, a string or None, not {v!r}")
    return v


@dataclass(frozen=True)
class Fact:
    """A named input, known per case (the explaining engine) and as a column (the columnar one).
    `values` is its whole domain, None included where it can be open."""

    name: str
    values: tuple[Value, ...]
    doc: str = ""

    @staticmethod
    def flag(name: str, doc: str = "") -> "Fact":
        return Fact(name, (True, False), doc)

    @staticmethod
    def open_flag(name: str, doc: str = "") -> "Fact":
        """A yes/no fact that may be open (None)."""
        return Fact(name, (True, False, None), doc)

    @staticmethod
    def choice(name: str, values: Iterable[object], doc: str = "") -> "Fact":
        return Fact(name, tuple(_plain(v) for v in values), doc)


@dataclass(frozen=True)
class Row:
    """Conditions (every one must hold: the fact has one of the named values) and an outcome.
    `id` names the row in the trace: the explaining engine says which row fired."""

    id: str
    then: Value
    when: tuple[tuple[Fact, frozenset[Value]], ...] = ()

    def holds(self, facts: Mapping[str, object]) -> bool:
        for f, allowed in self.when:  # noqa: SIM110 (a loop, not all(): measured faster)
            if facts[f.name] not in allowed:
                return False
        return True


def row(id: str, then: object, when: Mapping[Fact, object] | None = None) -> Row:
    """A row; a condition is one value or a tuple/set of values the fact may have."""
    conditions: list[tuple[Fact, frozenset[Value]]] = []
    for fact, wanted in (when or {}).items():
        values = wanted if isinstance(wanted, tuple | set | frozenset) else (wanted,)
        allowed = frozenset(_plain(v) for v in values)
        stray = allowed - set(fact.values)
        if stray:
            raise ValueError(f"row {id!r}: {fact.name} cannot be {sorted(map(str, stray))}")
        conditions.append((fact, allowed))
    return Row(id, _plain(then), tuple(conditions))


@dataclass(frozen=True)
class Table:
    """Ordered rows (first match wins) and the default row, which has no conditions."""

    name: str
    rows: tuple[Row, ...]
    default: Row
    doc: str = ""
    facts: tuple[Fact, ...] = field(init=False)
    names: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        if self.default.when:
            raise ValueError(f"table {self.name!r}: the default row has no conditions")
        ids = [r.id for r in (*self.rows, self.default)]
        if len(set(ids)) != len(ids):
            raise ValueError(f"table {self.name!r}: row ids repeat")
        seen: dict[str, Fact] = {}
        for r in self.rows:
            for f, _ in r.when:
                if seen.setdefault(f.name, f) != f:
                    raise ValueError(f"table {self.name!r}: two facts named {f.name!r}")
        object.__setattr__(self, "facts", tuple(seen.values()))
        object.__setattr__(self, "names", frozenset(seen))

    def then(self, *rows: Row) -> "Table":
        """The same table with rows appended before the default (a pack's own rows, such as
        its forbidden-reasoning entries, come after the law's)."""
        return Table(self.name, (*self.rows, *rows), self.default, self.doc)

    def row(self, id: str) -> Row:
        for r in (*self.rows, self.default):
            if r.id == id:
                return r
        raise KeyError(f"table {self.name!r} has no row {id!r}")


def pick(table: Table, facts: Mapping[str, object]) -> Row:
    """The row that fires for one case's facts (every fact of the table must be given). Values
    are compared as given: a StrEnum equals and hashes as its value."""
    if not table.names <= facts.keys():
        missing = sorted(table.names - facts.keys())
        raise KeyError(f"table {table.name!r} needs facts {missing}")
    for r in table.rows:
        if r.holds(facts):
            return r
    return table.default


def expr(
    table: Table,
    columns: Mapping[str, pl.Expr],
    dtype: pl.DataType | None = None,
    *,
    ids: bool = False,
) -> pl.Expr:
    """The table as one Polars expression over a column per fact: the outcome (or, with `ids`,
    the id of the row that fired) per case. Polars reads a null condition as false, which is
    what a tri-state condition needs: an open fact satisfies no condition that does not name
    None."""
    if ids:
        dtype = pl.String()

    def out(r: Row) -> pl.Expr:
        return pl.lit(r.id if ids else r.then, dtype)

    chain: Any = None
    for r in table.rows:
        cond = _condition(r, columns)
        chain = pl.when(cond).then(out(r)) if chain is None else chain.when(cond).then(out(r))
    if chain is None:
        return out(table.default)
    result: pl.Expr = chain.otherwise(out(table.default))
    return result


def fires(table: Table, columns: Mapping[str, pl.Expr], id: str) -> pl.Expr:
    """Whether the row `id` is the one that fires (its conditions hold, no earlier row's do):
    for an outcome that is not the value, such as the entry a row applies."""
    earlier: list[pl.Expr] = []
    for r in table.rows:
        cond = _condition(r, columns).fill_null(False)  # a null condition does not hold
        if r.id == id:
            return pl.all_horizontal(cond, *(~c for c in earlier))
        earlier.append(cond)
    if id == table.default.id:
        return ~pl.any_horizontal(earlier) if earlier else pl.lit(True)
    raise KeyError(f"table {table.name!r} has no row {id!r}")


def _condition(r: Row, columns: Mapping[str, pl.Expr]) -> pl.Expr:
    parts = [_holds(columns[f.name], allowed) for f, allowed in r.when]
    if not parts:
        return pl.lit(True)
    cond = parts[0]
    for p in parts[1:]:
        cond = cond & p
    return cond


def _holds(col: pl.Expr, allowed: frozenset[Value]) -> pl.Expr:
    known = sorted((v for v in allowed if v is not None), key=str)
    if not known:
        return col.is_null()
    if known == [True]:
        test = col
    elif known == [False]:
        test = ~col
    elif len(known) == 1:
        test = col == known[0]
    else:
        test = col.is_in(known)
    return test | col.is_null() if None in allowed else test


# -- the first entry that applies ---------------------------------------------------------------


class Entry(Protocol):
    """What `First` needs of a candidate: an id (entries of a pack)."""

    @property
    def id(self) -> str: ...


E = TypeVar("E", bound=Entry)


@dataclass(frozen=True)
class First(Generic[E]):
    """Among the candidates of one kind, the first in a declared order that applies wins (a
    waiver, a relocation exclusion, the 15(c) situation). `eligible` says which entries can win
    at all on a date (e.g. verified, and a waiver rather than a duty); `order` is the sort key
    (haven.policy.precedence.ENTRIES). Two interpreters read the same object:

    - `first_of(decl, day, candidates)` for one case: the entry that wins, given whether each
      applies to the case;
    - `first_expr(decl, day, candidates)` for a caseload: a Polars when/then chain giving the
      id of the entry that wins (null when none)."""

    name: str
    kind: type[E]
    eligible: Callable[[E, date], bool]
    order: Callable[[E], Any]
    doc: str = ""

    def ranked(self, day: date, entries: Iterable[object]) -> list[E]:
        """The entries that can win on the date, in the declared order."""
        return sorted(
            (e for e in entries if isinstance(e, self.kind) and self.eligible(e, day)),
            key=self.order,
        )


def first_of(decl: First[E], day: date, candidates: Iterable[tuple[E, bool]]) -> E | None:
    """The entry that wins for one case: the first eligible one, in order, that applies (each
    candidate given with whether it applies to the case)."""
    pairs = list(candidates)
    applies = {e.id: a for e, a in pairs}
    return next((e for e in decl.ranked(day, (e for e, _ in pairs)) if applies[e.id]), None)


def first_expr(decl: First[E], day: date, candidates: Iterable[tuple[E, pl.Expr]]) -> pl.Expr:
    """The id of the entry that wins, per case (null when none applies), given whether each
    candidate applies as a Boolean expression: a when/then chain in the declared order."""
    pairs = list(candidates)
    applies = {e.id: a for e, a in pairs}
    chain: Any = None
    for e in decl.ranked(day, (e for e, _ in pairs)):
        cond, value = applies[e.id], pl.lit(e.id, pl.String)
        chain = pl.when(cond).then(value) if chain is None else chain.when(cond).then(value)
    if chain is None:
        return pl.lit(None, pl.String)
    result: pl.Expr = chain.otherwise(pl.lit(None, pl.String))
    return result
