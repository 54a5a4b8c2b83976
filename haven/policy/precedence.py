"""Which entry wins when several apply: declared once, used by both engines.

Catala's lesson: exceptions need an explicit priority, not the order in which files happen
to be read. So the order of entries never depends on file names or on the order of entries
within a file (a pack is data that can be split and renamed freely):

1. specific before general: a country's own entry before a country-wide one (EU law);
2. regional before national: an entry naming regions before one for the whole country;
3. then by entry id, so that the choice is reproducible.

Designations are chosen per group (the most specific entry, then the most favourable to the
applicant) and across groups the most favourable one governs.
"""

from collections.abc import Iterable
from typing import TypeVar

from haven.policy.entries import Designation, EntryBase
from haven.vocab import CATEGORY_RANK, STANDARD_RANK

E = TypeVar("E", bound=EntryBase)


def scope_rank(e: EntryBase) -> tuple[int, int]:
    """Lower is more specific: (country-wide?, national?)."""
    return (1 if e.country is None else 0, 0 if e.regions else 1)


def precedence(e: EntryBase) -> tuple[int, int, str]:
    """The sort key of entries of one kind: the first that applies wins."""
    return (*scope_rank(e), e.id)


def ordered(entries: Iterable[E]) -> list[E]:
    """Entries in precedence order (see the module docstring)."""
    return sorted(entries, key=precedence)


def favour(d: Designation) -> tuple[int, int, str]:
    """Lower is more favourable to the applicant: a lower standard of proof, then a stronger
    category; the id breaks ties."""
    return STANDARD_RANK[d.evidentiary_standard], CATEGORY_RANK[d.category], d.id


def designation_precedence(d: Designation) -> tuple[int, int, int, int, str]:
    """Within one group: the most specific designation, then the most favourable."""
    return (*scope_rank(d), *favour(d))


def by_group(designations: Iterable[Designation]) -> dict[str, list[Designation]]:
    """Designations per group, each list in `designation_precedence` order."""
    groups: dict[str, list[Designation]] = {}
    for d in sorted(designations, key=designation_precedence):
        groups.setdefault(d.group or "", []).append(d)
    return groups


def choose_designation(applicable: Iterable[Designation]) -> Designation | None:
    """The governing designation among those that apply: per group the first in precedence,
    across groups the most favourable."""
    firsts = [ds[0] for ds in by_group(applicable).values()]
    return min(firsts, key=favour, default=None)
