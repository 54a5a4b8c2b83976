"""Which entry wins when several apply: declared once, read by both engines.

Catala's lesson: exceptions need an explicit priority, not the order in which files happen
to be read. So the order of entries never depends on file names or on the order of entries
within a file (a pack is data that can be split and renamed freely).

A `Precedence` is that priority as data: criteria applied in turn (lower key first), within a
partition of the entries (designations: per group), and criteria to choose among the
partitions' winners. Two interpreters read the same object, as for decision tables
(haven.policy.rules):

- `choose(p, applicable)` for one case: the entry that governs;
- `choice_expr(p, candidates, rank)` for a caseload: a Polars expression giving, per case,
  the rank (`ranks`) of the entry that governs.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import polars as pl

from haven.policy.entries import Designation, EntryBase
from haven.vocab import CATEGORY_RANK, STANDARD_RANK

E = TypeVar("E", bound=EntryBase)
Key = tuple[int | str, ...]


@dataclass(frozen=True)
class Criterion:
    """One reason to prefer an entry over another: the lower key first."""

    name: str
    key: Callable[[Any], int | str]
    doc: str = ""


SPECIFIC = Criterion(
    "specific_before_general",
    lambda e: 1 if e.country is None else 0,
    "a country's own entry before a country-wide one (EU law)",
)
REGIONAL = Criterion(
    "regional_before_national",
    lambda e: 0 if e.regions else 1,
    "an entry naming regions before one for the whole country",
)
LOWER_STANDARD = Criterion(
    "lower_standard",
    lambda d: STANDARD_RANK[d.evidentiary_standard],
    "more favourable to the applicant: a lower standard of proof",
)
STRONGER_CATEGORY = Criterion(
    "stronger_category",
    lambda d: CATEGORY_RANK[d.category],
    "more favourable to the applicant: a stronger category",
)
BY_ID = Criterion("by_id", lambda e: e.id, "the entry id, so that the choice is reproducible")


@dataclass(frozen=True)
class Precedence:
    """Entries are partitioned by `per` (one partition if None); in each, the first in the
    order of `within` wins; among the partitions' winners, the first in the order of
    `across`. `across` must end in a criterion that tells any two entries apart."""

    name: str
    within: tuple[Criterion, ...]
    across: tuple[Criterion, ...] = ()
    per: Callable[[Any], str] | None = None
    doc: str = ""

    def within_key(self, e: EntryBase) -> Key:
        return tuple(c.key(e) for c in self.within)

    def across_key(self, e: EntryBase) -> Key:
        return tuple(c.key(e) for c in self.across or self.within)

    def partition(self, entries: Iterable[E]) -> dict[str, list[E]]:
        """Entries per partition, each list in `within` order."""
        parts: dict[str, list[E]] = {}
        for e in sorted(entries, key=self.within_key):
            parts.setdefault(self.per(e) if self.per else "", []).append(e)
        return parts


# Entries of one kind (Pack.in_force, PolicyOn.in_force): the first that applies wins.
ENTRIES = Precedence(
    "entries",
    within=(SPECIFIC, REGIONAL, BY_ID),
    doc="Entries of one kind: the most specific first.",
)
# Designations: per group the most specific, then the most favourable; across groups the
# most favourable governs.
DESIGNATION = Precedence(
    "designation",
    within=(SPECIFIC, REGIONAL, LOWER_STANDARD, STRONGER_CATEGORY, BY_ID),
    across=(LOWER_STANDARD, STRONGER_CATEGORY, BY_ID),
    per=lambda d: d.group or "",
    doc="Which group designation governs among those that apply.",
)


# -- the interpreters ---------------------------------------------------------------------------


def choose(p: Precedence, applicable: Iterable[E]) -> E | None:
    """The entry that governs among those that apply (one case)."""
    firsts = [es[0] for es in p.partition(applicable).values()]
    return min(firsts, key=p.across_key, default=None)


def preferred(p: Precedence, a: EntryBase, b: EntryBase) -> bool:
    """Whether `a` would govern rather than `b` were both to apply in different partitions."""
    return p.across_key(a) < p.across_key(b)


def ranks(p: Precedence, entries: Iterable[EntryBase]) -> dict[str, int]:
    """Each entry's position in the `across` order (0 governs first): the integer that
    `choice_expr` gives, so that `preferred` is `<` on ranks."""
    return {e.id: i for i, e in enumerate(sorted(entries, key=p.across_key))}


def choice_expr(
    p: Precedence, candidates: Sequence[tuple[E, pl.Expr]], rank: Mapping[str, int]
) -> pl.Expr:
    """The rank of the entry that governs, per case (null when none applies), given whether
    each candidate applies: per partition a when/then chain in `within` order, across
    partitions the minimum rank."""
    applies = {e.id: cond for e, cond in candidates}
    chains: list[pl.Expr] = []
    for entries in p.partition(e for e, _ in candidates).values():
        chain: Any = None
        for e in entries:
            cond, value = applies[e.id], pl.lit(rank[e.id], pl.Int64)
            chain = pl.when(cond).then(value) if chain is None else chain.when(cond).then(value)
        chains.append(chain.otherwise(pl.lit(None, pl.Int64)))
    return pl.min_horizontal(chains) if chains else pl.lit(None, pl.Int64)


# -- shorthands (the public surface of haven.policy) ---------------------------------------------


def precedence(e: EntryBase) -> Key:
    """The sort key of entries of one kind: the first that applies wins."""
    return ENTRIES.within_key(e)


def ordered(entries: Iterable[E]) -> list[E]:
    """Entries in precedence order (ENTRIES)."""
    return sorted(entries, key=ENTRIES.within_key)


def favour(d: Designation) -> Key:
    """Lower is more favourable to the applicant: a lower standard of proof, then a stronger
    category; the id breaks ties."""
    return DESIGNATION.across_key(d)


def by_group(designations: Iterable[Designation]) -> dict[str, list[Designation]]:
    """Designations per group, each list in DESIGNATION's `within` order."""
    return DESIGNATION.partition(designations)


def choose_designation(applicable: Iterable[Designation]) -> Designation | None:
    """The governing designation among those that apply (DESIGNATION)."""
    return choose(DESIGNATION, applicable)
