"""Does a pack entry reach this case? Three answers: yes, no, or unknown (facts still open)."""

from datetime import date
from enum import Enum

from haven.cases import Case
from haven.policy.entries import EntryBase
from haven.policy.groups import Group
from haven.policy.pack import Pack
from haven.vocab import Finding


class Match(Enum):
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


class Basis(Enum):
    """Which facts count as established for a group test."""

    CREDIBLE = "credible"  # designations, waivers, relocation: only credible findings count
    CLAIMED = "claimed"  # moratoria and safe-country routing: the claim, unless rejected
    ASSERTED = "asserted"  # guardrails: the claim as made, whatever the credibility finding


def _finding(finding: Finding, basis: Basis) -> Match:
    if basis is Basis.ASSERTED:
        return Match.YES
    if finding is Finding.NOT_CREDIBLE:
        return Match.NO
    if finding is Finding.CREDIBLE or basis is Basis.CLAIMED:
        return Match.YES
    return Match.UNKNOWN


def _both(a: Match, b: Match) -> Match:
    if Match.NO in (a, b):
        return Match.NO
    return Match.UNKNOWN if Match.UNKNOWN in (a, b) else Match.YES


def group_match(group: Group, case: Case, as_of: date, basis: Basis) -> Match:
    result = Match.YES
    if group.uses_profile:
        claimed = set(case.profile.sogi), set(case.profile.tags)
        if group.sogi_any and not claimed[0] & set(group.sogi_any):
            return Match.NO
        if group.tags_any and not claimed[1] & set(group.tags_any):
            return Match.NO
        if group.tags_all and not set(group.tags_all) <= claimed[1]:
            return Match.NO
        result = _finding(case.credibility.profile, basis)
    if group.uses_identity:
        result = _both(result, _identity(group, case, as_of, basis))
    return result


def _identity(group: Group, case: Case, as_of: date, basis: Basis) -> Match:
    result = Match.YES
    if group.sex is not None:
        if case.profile.sex is None:
            result = Match.UNKNOWN
        elif case.profile.sex is not group.sex:
            return Match.NO
    if group.age_min is not None or group.age_max is not None:
        age = case.age_on(as_of)
        if age is None:
            result = Match.UNKNOWN
        elif (group.age_min is not None and age < group.age_min) or (
            group.age_max is not None and age > group.age_max
        ):
            return Match.NO
    return _both(result, _finding(case.credibility.identity, basis))


def region_match(entry: EntryBase, case: Case, basis: Basis) -> Match:
    if not entry.regions and not entry.except_regions:
        return Match.YES
    if case.region is None:
        return Match.UNKNOWN
    inside = (
        case.region in entry.regions if entry.regions else case.region not in entry.except_regions
    )
    if not inside:
        return Match.NO
    return _finding(case.credibility.region, basis)


def entry_match(pack: Pack, entry: EntryBase, case: Case, as_of: date, basis: Basis) -> Match:
    result = region_match(entry, case, basis)
    if result is Match.NO or entry.group is None:
        return result
    return _both(result, group_match(pack.groups[entry.group], case, as_of, basis))
