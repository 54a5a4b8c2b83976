"""Policy–evidence consistency checks: where the pack disagrees with the findings in force.

Pure functions of (pack, country, date). Each check is one small rule; its legal basis (plain
words and sources) is data in the pack's framework.yaml (`checks:`), quoted in every message:

- `relocation_vs_nationwide_harm`: relocation allowed for a group a finding says is at risk
  throughout the country.
- `protection_duty_vs_no_protection`: protection-seeking required of a group whose authorities a
  finding says are unwilling or unable to protect it.
- `weak_designation_vs_systematic_persecution`: no designation, or one weaker than group
  persecution, for a group a finding says is systematically persecuted.
- `review_due`: an entry older than the newest report with a finding on its country and group,
  and not re-confirmed since.
- `information_gap`: a group the pack addresses with no recent finding at all. A gap is reported
  so that nobody reads silence as safety: it must never count against an applicant.

Only entries verified on the date count as the pack's position (an unverified entry never drives
anything). Where no entry speaks, the pack's framework default does: relocation is possible and
protection-seeking is required unless an entry excludes or waives them. A contradiction then
names the framework rule as `framework:<rule id>` in its `entry` field.
"""

import calendar
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date
from typing import TypeVar

from haven.policy.entries import (
    Designation,
    EntryBase,
    InternalProtectionEntry,
    ProtectionDuty,
    RelocationStatus,
)
from haven.policy.evidence import Finding, FindingType
from haven.policy.framework import CheckId, RuleId
from haven.policy.pack import Pack
from haven.policy.snapshot import cite_on
from haven.vocab import CATEGORY_RANK, Category

E = TypeVar("E", bound=EntryBase)

RECENT_MONTHS = 24
"""A finding older than this no longer counts as recent for `information_gap`. A setting of this
tool (the guardrail asks for a warning when information on a group is "older than N months"),
not a rule of law."""


Kind = CheckId  # the check kinds; their legal bases are in the pack (framework.yaml)

KIND_ORDER = {k: i for i, k in enumerate(Kind)}

# Finding types that say relocation cannot help (harm everywhere, or a state that enforces
# criminal law against the group nationwide: the state as persecutor leaves no safe area).
NATIONWIDE = frozenset({FindingType.HARM_NATIONWIDE, FindingType.CRIMINALISATION_ENFORCED})
# Finding types that say the authorities will not or cannot protect the group.
NO_PROTECTION = frozenset(
    {FindingType.AUTHORITIES_UNWILLING_OR_UNABLE, FindingType.CRIMINALISATION_ENFORCED}
)


@dataclass(frozen=True)
class Contradiction:
    """One disagreement between the pack and the evidence on a date (contract v1, section 3)."""

    kind: Kind
    country: str
    entry: str  # an entry id, or `framework:<rule id>` where the pack relies on a default
    finding: str | None  # null only for an information gap with no finding at all
    sources: tuple[str, ...]
    message: str
    group: str  # not in the contract's JSON; used to filter by group
    # Documents dated after the date of the check (`check`): shown apart, never the basis.
    later_sources: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.country, self.kind.value, self.entry, self.finding or "")

    def as_json(self) -> dict[str, object]:
        return {
            "kind": self.kind.value,
            "country": self.country,
            "entry": self.entry,
            "finding": self.finding,
            "sources": list(self.sources),
            "later_sources": list(self.later_sources),
            "message": self.message,
        }


@dataclass(frozen=True)
class Window:
    """A contradiction and the dates it holds: from `start` until `end` (exclusive; None: open)."""

    contradiction: Contradiction
    start: date
    end: date | None

    def as_json(self) -> dict[str, object]:
        # Over all dates, not as of one: every source, none set apart as later.
        doc = {k: v for k, v in self.contradiction.as_json().items() if k != "later_sources"}
        return {
            **doc,
            "from": self.start.isoformat(),
            "to": self.end.isoformat() if self.end else None,
        }


# -- helpers -------------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    year, month = divmod(day.month - 1 + months, 12)
    target = (day.year + year, month + 1)
    return date(*target, min(day.day, calendar.monthrange(*target)[1]))


def cite(*groups: Iterable[str]) -> tuple[str, ...]:
    """Source ids in first-seen order, without repeats."""
    out: list[str] = []
    for group in groups:
        for s in group:
            if s not in out:
                out.append(s)
    return tuple(out)


def framework_ref(rule: RuleId) -> str:
    return f"framework:{rule.value}"


def covers(e: EntryBase, regions: tuple[str, ...]) -> bool:
    """The entry reaches everyone from `regions` (empty: the whole country)."""
    if not e.regions and not e.except_regions:
        return True
    if not regions:
        return False
    if e.regions:
        return set(regions) <= set(e.regions)
    return not set(regions) & set(e.except_regions)


def overlaps(e: EntryBase, regions: tuple[str, ...]) -> bool:
    """The entry reaches at least some people from `regions` (empty: the whole country)."""
    if not regions or (not e.regions and not e.except_regions):
        return True
    if e.regions:
        return bool(set(regions) & set(e.regions))
    return not set(regions) <= set(e.except_regions)


def _verified(pack: Pack, kind: type[E], f: Finding, on: date) -> list[E]:
    """Verified entries of one kind in force on `on` for the finding's country and group (or
    for everyone from the country), most specific first."""
    found = [
        e
        for e in pack.in_force(kind, on, f.country)
        if e.country == f.country and e.group in (f.group, None) and e.verified_on(on)
    ]
    return sorted(found, key=lambda e: (0 if e.regions else 1, e.id))


def who(pack: Pack, group: str, regions: tuple[str, ...]) -> str:
    label = pack.groups[group].label if group in pack.groups else group
    return f"{label} ({group}{', from ' + ', '.join(regions) if regions else ''})"


def describe(pack: Pack, f: Finding) -> str:
    """'finding X (report R, dated 2015-08, counted from 2015-08-31)'."""
    report = pack.reports.get(f.report)
    month = report.month if report else None
    dated = f"dated {month}, counted from {f.date}" if month else f"from {f.date}"
    return f"finding {f.id} ({f.report}, {dated})"


def _make(
    kind: Kind,
    pack: Pack,
    f: Finding | None,
    country: str,
    group: str,
    entry: EntryBase | RuleId,
    message: str,
) -> Contradiction:
    basis = pack.check_basis(kind)
    if isinstance(entry, RuleId):
        ref, entry_sources = framework_ref(entry), pack.rule(entry).sources
    else:
        ref, entry_sources = entry.id, entry.sources
    finding_sources = (f.report, *f.sources) if f else ()
    sources = cite(finding_sources, entry_sources, basis.sources)
    return Contradiction(
        kind=kind,
        country=country,
        entry=ref,
        finding=f.id if f else None,
        sources=tuple(s for s in sources if s in pack.sources),
        message=f"{message} Legal basis: {basis.text}.",
        group=group,
    )


def _position(entry: EntryBase | RuleId, default: str) -> str:
    if isinstance(entry, RuleId):
        return f"the framework default ({framework_ref(entry)}) applies: {default}"
    return f"entry {entry.id} applies ({entry.label})"


# -- the checks ----------------------------------------------------------------------------


def relocation_vs_nationwide_harm(pack: Pack, f: Finding, on: date) -> Contradiction | None:
    """Relocation allowed where a finding says the harm is nationwide.

    The pack allows relocation for the finding's people unless a verified internal-protection
    entry in force excludes it for all of them, or a nationwide group-persecution designation
    does (no part of the country is then free of a well-founded fear). Legal basis: the pack's
    `relocation_vs_nationwide_harm` check.
    """
    if f.type not in NATIONWIDE:
        return None
    entries = _verified(pack, InternalProtectionEntry, f, on)
    if any(e.status is RelocationStatus.EXCLUDED and covers(e, f.regions) for e in entries):
        return None
    designations = [d for d in _verified(pack, Designation, f, on) if d.group == f.group]
    if any(
        d.category is Category.GROUP_PERSECUTION and not d.regions and not d.except_regions
        for d in designations
    ):
        return None
    allowed = [
        e for e in entries if e.status is RelocationStatus.ALLOWED and overlaps(e, f.regions)
    ]
    entry: EntryBase | RuleId = allowed[0] if allowed else RuleId.INTERNAL_PROTECTION
    message = (
        f"Relocation is allowed on this date for {who(pack, f.group, f.regions)}: "
        f"{_position(entry, 'relocation is possible, no entry excludes it')}. But "
        f"{describe(pack, f)} says the harm is not confined to one area: {f.paraphrase}"
    )
    return _make(Kind.RELOCATION, pack, f, f.country, f.group, entry, message)


def protection_duty_vs_no_protection(pack: Pack, f: Finding, on: date) -> Contradiction | None:
    """Protection-seeking required where a finding says the authorities do not protect.

    The pack requires applicants to have sought their authorities' protection unless a verified
    protection-duty entry in force waives it for all the finding's people. Legal basis: the
    pack's `protection_duty_vs_no_protection` check.
    """
    if f.type not in NO_PROTECTION:
        return None
    duties = _verified(pack, ProtectionDuty, f, on)
    if any(not e.required and covers(e, f.regions) for e in duties):
        return None
    required = [e for e in duties if e.required and overlaps(e, f.regions)]
    entry: EntryBase | RuleId = required[0] if required else RuleId.PROTECTION_DUTY
    message = (
        f"Seeking the authorities' protection is required on this date of "
        f"{who(pack, f.group, f.regions)}: "
        f"{_position(entry, 'required unless an entry waives it')}. But {describe(pack, f)} "
        f"says the authorities do not protect them: {f.paraphrase}"
    )
    return _make(Kind.PROTECTION, pack, f, f.country, f.group, entry, message)


def weak_designation_vs_systematic_persecution(
    pack: Pack, f: Finding, on: date
) -> Contradiction | None:
    """No designation, or a weaker one, where a finding says the group is systematically
    persecuted.

    The pack's position is the verified designation in force for the group; only group
    persecution covering all the finding's people answers the finding. Legal basis: the pack's
    `weak_designation_vs_systematic_persecution` check.
    """
    if f.type is not FindingType.SYSTEMATIC_PERSECUTION:
        return None
    designations = [d for d in _verified(pack, Designation, f, on) if d.group == f.group]
    if any(d.category is Category.GROUP_PERSECUTION and covers(d, f.regions) for d in designations):
        return None
    weaker = sorted(
        (d for d in designations if overlaps(d, f.regions)),
        key=lambda d: (CATEGORY_RANK[d.category], d.id),
    )
    entry: EntryBase | RuleId = weaker[0] if weaker else RuleId.DESIGNATION
    message = (
        f"{who(pack, f.group, f.regions)} are not designated as systematically persecuted on "
        f"this date: {_position(entry, 'no designation, individual assessment')}. But "
        f"{describe(pack, f)} says they are: {f.paraphrase}"
    )
    return _make(Kind.DESIGNATION, pack, f, f.country, f.group, entry, message)


FINDING_CHECKS: tuple[Callable[[Pack, Finding, date], Contradiction | None], ...] = (
    relocation_vs_nationwide_harm,
    protection_duty_vs_no_protection,
    weak_designation_vs_systematic_persecution,
)


def source_date(pack: Pack, source_id: str) -> date | None:
    s = pack.sources.get(source_id)
    return (s.published or s.signed) if s else None


def reviewed(pack: Pack, e: EntryBase, since: date, on: date) -> bool:
    """The entry starts on or after `since`, or cites a source dated between `since` and `on`
    (a later letter that re-confirms it)."""
    if e.valid_from >= since:
        return True
    dates = (source_date(pack, s) for s in e.sources)
    return any(d is not None and since <= d <= on for d in dates)


def review_due(pack: Pack, e: EntryBase, on: date) -> Contradiction | None:
    """An entry older than the newest report with a finding on its country and group.

    Applies to verified entries in force that name a group. The entry counts as reviewed if it
    starts on or after that report's finding date, or cites a source dated on or after it (and
    not after `on`). Legal basis: the pack's `review_due` check.
    """
    if e.group is None or e.country is None or not e.in_force(on) or not e.verified_on(on):
        return None
    found = [
        f
        for f in pack.findings_in_force(on, e.country)
        if f.group == e.group
        and f.type is not FindingType.INFORMATION_GAP
        and overlaps(e, f.regions)
    ]
    if not found:
        return None
    latest = max(f.date for f in found)
    newest = min((f for f in found if f.date == latest), key=lambda f: f.id)
    if reviewed(pack, e, newest.date, on):
        return None
    message = (
        f"Review due: entry {e.id} ({e.label}, from {e.valid_from}) predates "
        f"{describe(pack, newest)} on {who(pack, e.group, newest.regions)} and no source it "
        f"cites re-confirms it since. Check it against the newest report."
    )
    return _make(Kind.REVIEW_DUE, pack, newest, e.country, e.group, e, message)


def information_gaps(pack: Pack, country: str, on: date) -> list[Contradiction]:
    """Groups the pack addresses for a country on a date with no recent finding at all.

    A group is addressed when an entry in force (verified or not) names it. A finding is recent
    when it counts on `on` and is less than RECENT_MONTHS old; an `information_gap` finding does
    not count as information. Reported as a warning that silence is not safety: an information
    gap must never count against an applicant. Legal basis: the pack's `information_gap` check.
    """
    groups: dict[str, list[EntryBase]] = {}
    for e in pack.for_country(country):
        if e.group is not None and e.in_force(on):
            groups.setdefault(e.group, []).append(e)
    out = []
    in_force = pack.findings_in_force(on, country)
    for group, entries in sorted(groups.items()):
        found = [f for f in in_force if f.group == group]
        recent = [
            f
            for f in found
            if f.type is not FindingType.INFORMATION_GAP and on < add_months(f.date, RECENT_MONTHS)
        ]
        if recent:
            continue
        newest = found[-1] if found else None
        latest = max(e.valid_from for e in entries)  # the group's newest entry, a designation
        entry = min(  # if there is one
            (e for e in entries if e.valid_from == latest),
            key=lambda e: (not isinstance(e, Designation), e.id),
        )
        last = (
            f"the newest is {describe(pack, newest)}" if newest else "there is none in the library"
        )
        message = (
            f"Information gap: no finding less than {RECENT_MONTHS} months old on "
            f"{who(pack, group, ())}, whom entry {entry.id} addresses; {last}. Silence in the "
            f"evidence is not evidence of safety and must never count against an applicant; "
            f"obtain current country information."
        )
        out.append(_make(Kind.INFORMATION_GAP, pack, newest, country, group, entry, message))
    return out


# -- all checks on a date, and the windows over all dates ----------------------------------


def countries(pack: Pack) -> list[str]:
    return sorted({*pack.countries(), *(f.country for f in pack.findings.values())})


def _order(c: Contradiction) -> tuple[str, int, str, str]:
    return (c.country, KIND_ORDER[c.kind], c.entry, c.finding or "")


def check(pack: Pack, country: str | None, as_of: date) -> list[Contradiction]:
    """Every contradiction on `as_of`, for one country or (None) for every country, citing
    only the documents that existed on that date (haven.policy.snapshot.cite_on): later ones
    in `later_sources`."""
    return [_dated(pack, c, as_of) for c in _found(pack, country, as_of)]


def _dated(pack: Pack, c: Contradiction, on: date) -> Contradiction:
    cited = cite_on(pack, c.sources, on)
    return replace(c, sources=tuple(cited.sources), later_sources=tuple(cited.later))


def _found(pack: Pack, country: str | None, as_of: date) -> list[Contradiction]:
    """Every contradiction on `as_of` with all its sources (the windows span many dates)."""
    out: list[Contradiction] = []
    for c in [country] if country else countries(pack):
        for f in pack.findings_in_force(as_of, c):
            out += [x for rule in FINDING_CHECKS if (x := rule(pack, f, as_of))]
        out += [x for e in pack.for_country(c) if (x := review_due(pack, e, as_of))]
        out += information_gaps(pack, c, as_of)
    return sorted(out, key=_order)


def breakpoints(pack: Pack) -> list[date]:
    """Every date on which a check's answer can change."""
    days = {*pack.boundaries(), *pack.evidence_boundaries()}
    days |= {add_months(f.date, RECENT_MONTHS) for f in pack.findings.values()}
    days |= {d for s in pack.sources for d in [source_date(pack, s)] if d is not None}
    days |= {s.signed for s in pack.sources.values() if s.signed is not None}
    return sorted(days)


def windows(pack: Pack, country: str | None = None) -> list[Window]:
    """Every contradiction over all dates, as windows [start, end); end None: still open."""
    opened: dict[tuple[str, str, str, str], tuple[date, Contradiction]] = {}
    done: list[Window] = []
    for day in breakpoints(pack):
        now = {c.key: c for c in _found(pack, country, day)}
        for key in [k for k in opened if k not in now]:
            start, c = opened.pop(key)
            done.append(Window(c, start, day))
        for key, c in now.items():
            opened.setdefault(key, (day, c))
    done += [Window(c, start, None) for start, c in opened.values()]
    return sorted(done, key=lambda w: (w.contradiction.country, w.start, *_order(w.contradiction)))
