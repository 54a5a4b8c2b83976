"""Two packs side by side: for a country and a date, what each says about every profile either
addresses, and how the first (left) pack's position compares with the second's (right).

Pure: packs and dates in, plain data out (no I/O, no clock).

Profiles are aligned through the shared vocabulary, not through group ids. A pack's group is a
predicate over the case profile (haven.policy.groups); each group is expanded into the smallest
profiles that satisfy it ("atoms": one sogi value of `sogi_any`, one tag of `tags_any`, every
tag of `tags_all`, the sex and age bounds), and every entry of either pack is asked whether it
applies to each atom. Atoms to which exactly the same entries apply are one profile. So a group
of one pack and a group of another address the same profile when a person with that profile
matches both; tag ids and sogi values are compared literally (the packs share one vocabulary).
Art. 15(c) and internal protection also split by region: every region either pack names, and
the rest of the country.

Divergence kinds are relative to the left pack (the contract's words name it `nl`; the packs
are whichever are given): `nl_stricter` (left less favourable to the applicant than right),
`nl_more_favourable`, `only_nl` (only left has a counted position), `only_eu` (only right),
`same`, `different` (both have a position and they differ, but the favourability order
does not rank them: moratoria, or two relocation areas), and `unconfirmed` (a side addresses
the profile only with entries not counted on the date, so its position is unknown).

Entries not verified on the date (verified: false, unconfirmed after a reset, or under a review
flag) are shown on their side as `not_counted`, never as the pack's position. A side whose
only entries are such is not read as silence: "only the other pack" would invent a divergence
(the Iraqi LGBTI control pair after the Dutch reset of 27 May 2024), so the row is `unconfirmed`.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from itertools import product
from typing import Any

from haven.policy import reach
from haven.policy.entries import (
    Designation,
    EntryBase,
    ExceptionalSituation,
    InternalProtectionEntry,
    Moratorium,
    RelocationStatus,
    SituationLevel,
)
from haven.policy.pack import Pack
from haven.policy.precedence import ordered
from haven.vocab import CATEGORY_RANK, STANDARD_RANK, Ground, Standard


class Kind(StrEnum):
    LEFT_STRICTER = "nl_stricter"
    LEFT_MORE_FAVOURABLE = "nl_more_favourable"
    ONLY_LEFT = "only_nl"
    ONLY_RIGHT = "only_eu"
    SAME = "same"
    DIFFERENT = "different"
    UNCONFIRMED = "unconfirmed"


class Topic(StrEnum):
    DESIGNATION = "designation"
    INTERNAL_PROTECTION = "internal_protection"
    EXCEPTIONAL_SITUATION = "exceptional_situation"
    MORATORIUM = "moratorium"


INDIVIDUAL_PROFILE = "individual_profile"
# Art. 15(c) and internal protection are read per region as well as per profile.
REGIONED = frozenset({Topic.INTERNAL_PROTECTION, Topic.EXCEPTIONAL_SITUATION})
# The entry kinds read per topic, by their `kind` name. `individual_profile` (a profile a pack
# names without lowering the standard of proof, e.g. EUAA's "risk-impacting circumstances") is
# read with the designations when a pack's schema has that kind.
TOPIC_KINDS: dict[Topic, frozenset[str]] = {
    Topic.DESIGNATION: frozenset({"designation", INDIVIDUAL_PROFILE}),
    Topic.INTERNAL_PROTECTION: frozenset({"internal_protection"}),
    Topic.EXCEPTIONAL_SITUATION: frozenset({"exceptional_situation"}),
    Topic.MORATORIUM: frozenset({"moratorium"}),
}


def topic_entries(pack: Pack, country: str, topic: Topic) -> list[EntryBase]:
    """A pack's entries of a topic for a country (any date)."""
    return [e for e in pack.for_country(country) if getattr(e, "kind", None) in TOPIC_KINDS[topic]]


# -- favourability, declared once: lower is more favourable to the applicant ------------------
# Designations: a lower standard of proof first (membership < limited < minor < individual),
# then a stronger category (group_persecution < vulnerable_minority < risk_group), then the
# ground where both name one (refugee status before subsidiary protection).
GROUND_RANK: dict[Ground, int] = {Ground.REFUGEE: 0, Ground.SUBSIDIARY: 1}
# Internal protection: ruled out is more favourable than allowed somewhere.
RELOCATION_RANK: dict[RelocationStatus, int] = {
    RelocationStatus.EXCLUDED: 0,
    RelocationStatus.ALLOWED: 1,
}
# Art. 15(c): mere presence > sliding scale > no real risk.
LEVEL_RANK: dict[SituationLevel, int] = {
    SituationLevel.MOST_EXCEPTIONAL: 0,
    SituationLevel.LESS_EXCEPTIONAL: 1,
    SituationLevel.NONE: 2,
}
# A moratorium defers decisions or departures: it is neither stricter nor more favourable, so
# two different moratoria are `different` and one on one side only is `only_*`.

# Optional entry fields that some packs carry (an EU pack's own grade, its "under review"
# banner, the precision of its dates, the version a section was carried from): read if present.
OPTIONAL_FIELDS = ("eu_grade", "individual_elements", "version", "date_precision", "carried_from")


def _rank(e: EntryBase) -> tuple[int, ...] | None:
    """The entry's place in the favourability order of its topic; None: not ordered."""
    if getattr(e, "kind", None) == INDIVIDUAL_PROFILE:
        # Named, but assessed individually: after every designation.
        return (STANDARD_RANK[Standard.INDIVIDUAL], len(CATEGORY_RANK))
    if isinstance(e, Designation):
        return (STANDARD_RANK[e.evidentiary_standard], CATEGORY_RANK[e.category])
    if isinstance(e, InternalProtectionEntry):
        return (RELOCATION_RANK[e.status],)
    if isinstance(e, ExceptionalSituation):
        return (LEVEL_RANK[e.level],)
    return None


def values(e: EntryBase) -> dict[str, Any]:
    """What an entry says, as plain values."""
    found: dict[str, Any] = {}
    if getattr(e, "kind", None) == INDIVIDUAL_PROFILE:
        found = {"evidentiary_standard": Standard.INDIVIDUAL.value}
    elif isinstance(e, Designation):
        found = {
            "category": e.category.value,
            "evidentiary_standard": e.evidentiary_standard.value,
            "ground": e.ground.value if e.ground else None,
        }
    elif isinstance(e, InternalProtectionEntry):
        found = {"status": e.status.value, "allowed_regions": list(e.allowed_regions)}
    elif isinstance(e, ExceptionalSituation):
        found = {"level": e.level.value}
    elif isinstance(e, Moratorium):
        found = {
            "decision": e.decision,
            "departure": e.departure,
            "except_lodged_more_than_months": e.except_lodged_more_than_months,
        }
    if e.regions:
        found["regions"] = list(e.regions)
    if e.except_regions:
        found["except_regions"] = list(e.except_regions)
    for name in OPTIONAL_FIELDS:
        value = getattr(e, name, None)
        if value is not None:
            found[name] = _plain(value)
    return found


def _plain(value: Any) -> Any:
    dump = getattr(value, "model_dump", None)
    if dump is not None:
        return dump(mode="json", exclude_none=True)
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    return value


def not_counted_because(e: EntryBase, on: date) -> str | None:
    """Why an entry in force on `on` is not the pack's position then; None: it is."""
    if not e.verified:
        return "unverified (verified: false)"
    uc = e.unconfirmed_from
    if uc is not None and on >= uc.date:
        return f"unconfirmed from {uc.date}: {uc.note}"
    flag = getattr(e, "review_flag", None)
    if flag:
        since = getattr(flag, "date", None) or getattr(flag, "since", None)
        if not isinstance(since, date) or on >= since:
            note = getattr(flag, "note", None) or (flag if isinstance(flag, str) else "")
            return f"under review{f': {note}' if note and note is not True else ''}"
    return None


# -- profiles --------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Atom:
    """A smallest profile: one sogi value, some tags, a sex, age bounds, a region (None: the
    whole country or the rest of it)."""

    sogi: str | None = None
    tags: tuple[str, ...] = ()
    sex: str | None = None
    age_min: int | None = None
    age_max: int | None = None
    region: str | None = None

    def parts(self) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        if self.sogi:
            found.append(("sogi", self.sogi))
        if self.tags:
            found.append(("tags", "+".join(self.tags)))
        if self.sex:
            found.append(("sex", self.sex))
        if self.age_min is not None or self.age_max is not None:
            found.append(
                ("age", f"{self.age_min or 0}-{'' if self.age_max is None else self.age_max}")
            )
        if self.region:
            found.append(("region", self.region))
        return found


def _atoms(g: reach.GroupReach | None, region: str | None) -> list[Atom]:
    if g is None:
        return [Atom(region=region)]
    sogis: Sequence[str | None] = sorted(g.sogi_any) or [None]
    anys: Sequence[str | None] = sorted(g.tags_any) or [None]
    return [
        Atom(
            sogi=s,
            tags=tuple(sorted({*g.tags_all, *([t] if t else [])})),
            sex=g.sex,
            age_min=g.age_min,
            age_max=g.age_max,
            region=region,
        )
        for s, t in product(sogis, anys)
    ]


def applies(pack: Pack, e: EntryBase, a: Atom, regioned: bool) -> bool:
    """Whether the entry speaks about a person with the profile `a` (on its dates). Regions
    count only on the topics split by region. What a group and a place reach is read from
    haven.policy.reach, as the assessment engines read it (haven.assess.match)."""
    if e.group is not None:
        wants = reach.group_reach(pack.groups[e.group])
        if not (
            wants.profile_holds([a.sogi] if a.sogi else [], a.tags)
            and wants.sex_holds(a.sex)
            and wants.ages_hold(a.age_min, a.age_max)
        ):
            return False
    return not regioned or reach.place_reach(e).region_holds(a.region)


@dataclass(frozen=True)
class Profile:
    topic: Topic
    atoms: tuple[Atom, ...]

    @property
    def name(self) -> str:
        return profile_name(self.atoms)

    @property
    def atom(self) -> Atom:
        return self.atoms[0]


def profile_name(atoms: Sequence[Atom]) -> str:
    """e.g. `sogi=lesbian|gay|bisexual`, `tags=conscript+age=18-27`, `everyone`,
    `region=IR-01`, `rest of country`."""
    dims: dict[str, list[str]] = {}
    for a in atoms:
        for k, v in a.parts():
            dims.setdefault(k, [])
            if v not in dims[k]:
                dims[k].append(v)
    sizes = 1
    for vs in dims.values():
        sizes *= len(vs)
    whole = all(len(a.parts()) == len(dims) for a in atoms) and sizes == len(set(atoms))
    if not dims:
        return "everyone"
    if whole:
        return "+".join(f"{k}={'|'.join(vs)}" for k, vs in dims.items())
    return " | ".join("+".join(f"{k}={v}" for k, v in a.parts()) or "everyone" for a in atoms)


def profiles(left: Pack, right: Pack, country: str, topic: Topic) -> list[Profile]:
    """The profiles either pack addresses on a topic for a country (any date)."""
    entries = [
        (side, (p, e))
        for side, p in enumerate((left, right))
        for e in topic_entries(p, country, topic)
    ]
    regioned = topic in REGIONED
    regions: list[str | None] = [None]
    if regioned:
        regions += sorted({r for _, (_, e) in entries for r in (*e.regions, *e.except_regions)})
    atoms: set[Atom] = set()
    for _, (p, e) in entries:
        group = reach.group_reach(p.groups[e.group]) if e.group else None
        for region in regions:
            atoms.update(_atoms(group, region))
    by_signature: dict[frozenset[tuple[int, str]], list[Atom]] = {}
    for a in sorted(atoms, key=lambda a: (a.region or "", str(a))):
        signature = frozenset(
            (side, e.id) for side, (p, e) in entries if applies(p, e, a, regioned)
        )
        if signature:
            by_signature.setdefault(signature, []).append(a)
    found = [Profile(topic, tuple(atoms)) for atoms in by_signature.values()]
    return sorted(found, key=lambda p: p.name)


# -- one date --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Side:
    """What one pack says about a profile on a date."""

    pack: str
    entry: EntryBase | None  # the counted position; None: the pack has none
    not_counted: tuple[tuple[EntryBase, str], ...] = ()

    @property
    def key(self) -> tuple[str | None, tuple[str, ...]]:
        return (self.entry.id if self.entry else None, tuple(e.id for e, _ in self.not_counted))


@dataclass(frozen=True)
class Divergence:
    country: str
    topic: Topic
    profile: Profile
    kind: Kind
    left: Side
    right: Side
    windows: list[tuple[date, date]] = field(default_factory=list)  # inclusive both ends


def _governing(entries: list[EntryBase]) -> EntryBase | None:
    """Among counted entries that apply: for designations the most favourable (as the engine
    chooses among groups), else a group's own entry before one for everyone, then the most
    specific (haven.policy.precedence)."""
    if not entries:
        return None
    if all(getattr(e, "kind", None) in TOPIC_KINDS[Topic.DESIGNATION] for e in entries):
        return min(entries, key=lambda e: (_rank(e) or (), e.id))
    return ordered([e for e in entries if e.group is not None] or entries)[0]


def side(pack: Pack, country: str, profile: Profile, on: date) -> Side:
    a = profile.atom
    regioned = profile.topic in REGIONED
    live = [
        e
        for e in ordered(topic_entries(pack, country, profile.topic))
        if e.in_force(on) and applies(pack, e, a, regioned)
    ]
    chosen = _governing([e for e in live if not_counted_because(e, on) is None])
    shown = tuple((e, why) for e in live if (why := not_counted_because(e, on)) is not None)
    return Side(pack.meta.id, chosen, shown)


def kind_between(left: Side, right: Side) -> Kind:
    """The kind of a row: `unconfirmed` when either side addresses the profile only with
    entries it does not count on the date, else what the two counted positions give."""
    if any(s.entry is None and s.not_counted for s in (left, right)):
        return Kind.UNCONFIRMED
    return kind_of(left.entry, right.entry)


def kind_of(left: EntryBase | None, right: EntryBase | None) -> Kind:
    if left is None and right is None:
        return Kind.SAME
    if right is None:
        return Kind.ONLY_LEFT
    if left is None:
        return Kind.ONLY_RIGHT
    lr, rr = _rank(left), _rank(right)
    if lr is not None and rr is not None and lr != rr:
        return Kind.LEFT_MORE_FAVOURABLE if lr < rr else Kind.LEFT_STRICTER
    lv, rv = _comparable(left), _comparable(right)
    if lv == rv:
        return Kind.SAME
    if isinstance(left, Designation) and isinstance(right, Designation):
        if left.ground and right.ground and left.ground != right.ground:
            return (
                Kind.LEFT_MORE_FAVOURABLE
                if GROUND_RANK[left.ground] < GROUND_RANK[right.ground]
                else Kind.LEFT_STRICTER
            )
        if left.ground is None or right.ground is None:
            return Kind.SAME  # a source that does not say which ground is not a divergence
    return Kind.DIFFERENT


def _comparable(e: EntryBase) -> dict[str, Any]:
    found = values(e)
    for name in (*OPTIONAL_FIELDS, "regions", "except_regions"):
        found.pop(name, None)
    return found


def compare(left: Pack, right: Pack, country: str, on: date) -> list[Divergence]:
    """For every profile either pack addresses for the country, both sides on `on` (rows where
    neither pack has an entry in force are left out)."""
    rows: list[Divergence] = []
    for topic in Topic:
        for profile in profiles(left, right, country, topic):
            ls, rs = side(left, country, profile, on), side(right, country, profile, on)
            if ls.entry is None and rs.entry is None and not ls.not_counted and not rs.not_counted:
                continue
            rows.append(Divergence(country, topic, profile, kind_between(ls, rs), ls, rs))
    return rows


# -- a period --------------------------------------------------------------------------------


def breakpoints(packs: Iterable[Pack], start: date, end: date) -> list[date]:
    """`start` and every later day, up to `end`, on which an entry of either pack starts, ends,
    becomes unconfirmed or falls under review: the comparison can change only there."""
    days = {start}
    for p in packs:
        days.update(d for d in p.boundaries() if start < d <= end)
        for e in p.entries.values():
            since = getattr(getattr(e, "review_flag", None), "date", None)
            if isinstance(since, date) and start < since <= end:
                days.add(since)
    return sorted(days)


def compare_period(
    left: Pack, right: Pack, country: str, start: date, end: date
) -> list[Divergence]:
    """Each divergence (a profile, a kind and both sides' entries) with the windows in which
    it held between `start` and `end` (inclusive)."""
    days = breakpoints((left, right), start, end)
    found: dict[tuple[Any, ...], Divergence] = {}
    for i, day in enumerate(days):
        last = days[i + 1] - timedelta(days=1) if i + 1 < len(days) else end
        for d in compare(left, right, country, day):
            key = (d.topic, d.profile.atoms, d.kind, d.left.key, d.right.key)
            held = found.setdefault(key, d)
            if held.windows and held.windows[-1][1] == day - timedelta(days=1):
                held.windows[-1] = (held.windows[-1][0], last)
            else:
                held.windows.append((day, last))
    return sorted(
        found.values(), key=lambda d: (list(Topic).index(d.topic), d.profile.name, d.windows[0])
    )
