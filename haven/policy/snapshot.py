"""The pack as of one date: the policy every reasoning step reads.

An assessment as of D rests only on what existed on D: the entries in force on D and, of the
documents they and the framework rules cite, those signed or published on or before D (and, for
legislation, applying on D). Documents dated after D that restate an entry are kept apart as
`later`: shown for information, never the basis. Built once per assessment (or per date for a
caseload) so that no step asks the pack about the date again, and kept on the pack
(`policy_on`): the same pack and date always give the same snapshot.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

from haven.errors import InputError, Problem
from haven.policy.entries import EntryBase
from haven.policy.framework import RuleId
from haven.policy.pack import Pack
from haven.policy.precedence import ordered

E = TypeVar("E", bound=EntryBase)


@dataclass(frozen=True)
class Citation:
    """Source ids split by the date: the basis (existing on the date) and later restatements."""

    sources: list[str]
    later: list[str] = field(default_factory=list)


def cite_on(pack: Pack, ids: Iterable[str], on: date) -> Citation:
    """The one rule for citing as of a date, for assessments and policy views alike: the
    documents that existed (and applied) on `on` are the basis; those signed or published
    after it go to `later`; superseded legislation is dropped. First-seen order, no repeats.
    Needs no legal basis on the date (unlike `PolicyOn`): a policy view may show any date."""
    sources: list[str] = []
    later: list[str] = []
    for sid in ids:
        s = pack.sources[sid]
        if s.later_than(on):
            if sid not in later:
                later.append(sid)
        elif not s.superseded_on(on) and sid not in sources:
            sources.append(sid)
    return Citation(sources, later)


def covered_from(pack: Pack) -> date | None:
    """The first day on which every framework rule has a source in force: before it the pack
    has no legal basis to cite for some step (e.g. before the first Qualification Directive), so
    it cannot assess. None: every day is covered."""
    starts: list[date] = []
    for rule in pack.rules.values():
        firsts = []
        for sid in rule.sources:
            src = pack.sources[sid]
            days = [d for d in (src.issued, src.applies_from) if d is not None]
            firsts.append(max(days) if days else date.min)
        starts.append(min(firsts, default=date.min))
    start = max(starts, default=date.min)
    return None if start == date.min else start


def coverage_problem(pack: Pack, as_of: date, field: str = "as_of") -> Problem | None:
    """A date the pack cannot assess, as a problem on `field` (the name the caller was given
    the date by: `as_of`, `from`, `--to`, ...); None when the pack covers it."""
    start = covered_from(pack)
    if start is None or as_of >= start:
        return None
    return Problem(
        field,
        f"{as_of} is before {start}, the first day on which pack {pack.meta.id} "
        f"has a legal basis for every step; choose a date on or after it",
    )


def check_covered(pack: Pack, as_of: date, field: str = "as_of") -> None:
    """Refuse a date the pack cannot assess, naming it (both engines call this)."""
    found = coverage_problem(pack, as_of, field)
    if found is not None:
        raise InputError([found])


@dataclass(frozen=True)
class PolicyOn:
    pack: Pack
    as_of: date
    _by_country: dict[str | None, list[EntryBase]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        check_covered(self.pack, self.as_of)
        index: dict[str | None, list[EntryBase]] = defaultdict(list)
        for loc in self.pack.located:
            if loc.entry.in_force(self.as_of):
                index[loc.entry.country].append(loc.entry)
        object.__setattr__(self, "_by_country", dict(index))

    @property
    def entries(self) -> list[EntryBase]:
        """Every entry in force on the date, in precedence order."""
        return ordered(e for entries in self._by_country.values() for e in entries)

    def in_force(self, kind: type[E], country: str | None) -> list[E]:
        """Entries of one kind in force for a country (plus country-wide ones), in precedence
        order (haven.policy.precedence), as `Pack.in_force` gives them: the first that applies
        wins."""
        found = [e for e in self._by_country.get(country, ()) if isinstance(e, kind)]
        if country is not None:
            found += [e for e in self._by_country.get(None, ()) if isinstance(e, kind)]
        return ordered(found)

    def cite(self, ids: Iterable[str]) -> Citation:
        """Split source ids into those existing (and applying) on the date and later ones;
        superseded legislation is dropped (`cite_on`)."""
        return cite_on(self.pack, ids, self.as_of)

    def rule_sources(self, rule: RuleId) -> list[str]:
        """A framework rule's sources as the law stood on the date."""
        return self.cite(self.pack.rule(rule).sources).sources

    def entry_sources(self, entry: EntryBase) -> Citation:
        """An entry's sources on the date (with those that put it in doubt once past that)."""
        return self.cite(entry.sources_on(self.as_of))


# Snapshots kept per pack: far more dates than assessments ask for in practice, and a bound on
# what a client sending dates at random can make a server hold.
MAX_SNAPSHOTS = 1024


def policy_on(pack: Pack, as_of: date) -> PolicyOn:
    """The pack as of `as_of`, built once and kept on the pack. A snapshot depends on nothing
    but the pack (which does not change once loaded) and the date, and nothing changes it
    after it is built; a date the pack cannot assess raises every time (nothing is kept)."""
    found = pack.snapshots.get(as_of)
    if found is None:
        found = PolicyOn(pack, as_of)
        if len(pack.snapshots) >= MAX_SNAPSHOTS:
            pack.snapshots.clear()  # a bound, not an eviction policy: start over
        pack.snapshots[as_of] = found  # two threads may both build it: the same value
    return found
