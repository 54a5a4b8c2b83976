"""Whom a pack entry reaches: its country, its regions and its group's profile, declared once.

Two readers ask the same question of different things: the assessment engines ask it of a case
(haven.assess.match: yes, no or unknown, per case and as a Polars expression), the pack
comparison asks it of a profile (haven.policy.compare: an "atom", a smallest profile). Both
read the conditions from here, so a group cannot mean one thing when a case is assessed and
another when two packs are compared.

Pure: a group or an entry in, plain data and booleans out. What a reader does with a fact that
is not known (no birth date, no region recorded, a credibility finding still open) stays with
the reader: this module decides only what a known value satisfies.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from haven.policy.entries import EntryBase
from haven.policy.groups import Group


@dataclass(frozen=True)
class GroupReach:
    """What a group asks of a person. All stated conditions must hold; within a list, any one
    value suffices; an empty selector reaches everyone. The SOGI values and tags test the
    claimed profile, the sex and the age bounds (inclusive) the identity."""

    sogi_any: frozenset[str] = frozenset()
    tags_any: frozenset[str] = frozenset()
    tags_all: frozenset[str] = frozenset()
    sex: str | None = None
    age_min: int | None = None
    age_max: int | None = None

    @property
    def uses_profile(self) -> bool:
        return bool(self.sogi_any or self.tags_any or self.tags_all)

    @property
    def uses_sex(self) -> bool:
        return self.sex is not None

    @property
    def uses_age(self) -> bool:
        return self.age_min is not None or self.age_max is not None

    def profile_holds(self, sogi: Iterable[str], tags: Iterable[str]) -> bool:
        """The claimed SOGI values and tags satisfy the group's profile conditions."""
        sogi, tags = set(sogi), set(tags)
        return (
            (not self.sogi_any or bool(sogi & self.sogi_any))
            and (not self.tags_any or bool(tags & self.tags_any))
            and self.tags_all <= tags
        )

    def sex_holds(self, sex: str | None) -> bool:
        """A known sex (None: a profile that does not fix one) satisfies the group's."""
        return self.sex is None or self.sex == sex

    def ages_hold(self, low: int | None, high: int | None) -> bool:
        """Every age from `low` to `high` (inclusive; None: unbounded) lies within the group's
        bounds. One known age is `ages_hold(age, age)`."""
        if self.age_min is not None and (low is None or low < self.age_min):
            return False
        return self.age_max is None or (high is not None and high <= self.age_max)


@dataclass(frozen=True)
class PlaceReach:
    """Where an entry applies: its country and, within it, its regions (empty: the whole
    country) or everywhere but its excepted regions."""

    country: str | None
    regions: tuple[str, ...] = ()
    except_regions: tuple[str, ...] = ()

    @property
    def regional(self) -> bool:
        return bool(self.regions or self.except_regions)

    def country_holds(self, country: str | None) -> bool:
        return self.country is None or self.country == country

    def region_holds(self, region: str | None) -> bool:
        """A region (None: the whole country, or the rest of it once regions are named) lies
        within the entry's reach."""
        if self.regions:
            return region in self.regions
        return region is None or region not in self.except_regions


def group_reach(group: Group) -> GroupReach:
    """The conditions a group puts on a person: the one reading both engines and the pack
    comparison interpret."""
    return GroupReach(
        sogi_any=frozenset(s.value for s in group.sogi_any),
        tags_any=frozenset(group.tags_any),
        tags_all=frozenset(group.tags_all),
        sex=group.sex.value if group.sex is not None else None,
        age_min=group.age_min,
        age_max=group.age_max,
    )


def place_reach(entry: EntryBase) -> PlaceReach:
    """The country and regions an entry applies to."""
    return PlaceReach(entry.country, tuple(entry.regions), tuple(entry.except_regions))
