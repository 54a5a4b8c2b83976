"""Do the explaining engine and the columnar engine agree on a pack? One check, used by the
property tests (generated packs) and by `haven policy validate` (the pack it validates).

The caseload is generated from the pack itself: for every entry, cases inside its scope
(country, regions, group) and just outside it, on the days its dates change something.
Pure: a seeded generator, no clock, no I/O.
"""

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import polars as pl

from haven.assess import Assessment, assess
from haven.cases import Case
from haven.cases.readers import parse_case
from haven.impact.columnar import ENGINE, evaluate
from haven.policy.entries import (
    EntryBase,
    ForbiddenReasoning,
    InternalProtectionEntry,
    SafeCountry,
)
from haven.policy.pack import Pack
from haven.vocab import Actor, Finding, Reason, Sex, Sogi, Status


def summary(a: Assessment) -> dict[str, Any]:
    """An assessment's summary fields, as the columnar engine reports them (SUMMARY)."""
    d = a.designation
    return {
        "case_id": a.case_id,
        "recommendation": a.recommendation.value,
        "ground": a.ground.value if a.ground else None,
        "designation": d.category.value if d else None,
        "designation_group": d.group if d else None,
        "evidentiary_standard": a.evidentiary_standard.value,
        "standard_met": a.standard_met,
        "protection_seeking_required": a.protection_seeking_required,
        "internal_protection": a.internal_protection.value,
        "safe_country_designated": a.safe_country_of_origin.designated,
        "safe_country_exception": a.safe_country_of_origin.exception_applies,
        "moratorium_decision": a.moratorium.decision,
        "moratorium_departure": a.moratorium.departure,
        "exceptional_situation": a.exceptional_situation,
        "flags": sorted(f.code.value for f in a.flags),
        "applied": a.applied,
        "has_unverified": bool(a.unverified),
    }


@dataclass(frozen=True)
class Disagreement:
    case_id: str
    day: date
    fields: dict[str, tuple[Any, Any]]  # field: (explaining engine, columnar engine)

    def __str__(self) -> str:
        what = "; ".join(
            f"{k}: {s!r} (explaining) vs {c!r} (columnar)" for k, (s, c) in self.fields.items()
        )
        return f"case {self.case_id} on {self.day}: {what}"


def compare(pack: Pack, cases: Sequence[Case], day: date) -> list[Disagreement]:
    """Every case on which the two engines give different summary fields on `day`."""
    rows = [c.model_dump(mode="json") for c in cases]
    got = {
        r["case_id"]: r
        for r in evaluate(pl.LazyFrame(rows, infer_schema_length=None), day, pack)
        .collect(engine=ENGINE)
        .to_dicts()
    }
    found = []
    for case in cases:
        want = summary(assess(case, day, pack))
        diff = {k: (v, got[case.id][k]) for k, v in want.items() if got[case.id][k] != v}
        if diff:
            found.append(Disagreement(case.id, day, diff))
    return found


def check_pack(
    pack: Pack, *, max_days: int | None = None, per_entry: int = 4, seed: int = 0
) -> list[Disagreement]:
    """Both engines over cases aimed at the entries of the pack, on the days around each
    entry's dates (at most `max_days` of them, spread evenly: compiling the columnar plan
    for a day is most of the cost). Empty when they agree."""
    rng = random.Random(seed)
    days = sorted({d for e in pack.entries.values() for d in _edges(e)})
    if max_days is not None and len(days) > max_days:
        step = (len(days) - 1) / max(1, max_days - 1)
        days = sorted({days[round(i * step)] for i in range(max_days)})
    found: list[Disagreement] = []
    n = 0
    for day in days:
        cases = []
        for e in sorted(pack.entries.values(), key=lambda e: e.id):
            if not _near(e, day):
                continue
            for _ in range(per_entry):
                n += 1
                raw = probe_case(pack, e, day, rng, f"PROBE-{n}")
                cases.append(parse_case(json.dumps(raw)))
        if cases:
            found += compare(pack, cases, day)
    return found


def _near(e: EntryBase, day: date) -> bool:
    """In force on the day, or starting the day after."""
    return e.valid_from - timedelta(days=1) <= day and (e.valid_to is None or day < e.valid_to)


def _edges(e: EntryBase) -> list[date]:
    days = {e.valid_from, e.valid_from - timedelta(days=1)}
    if e.valid_to is not None:
        days |= {e.valid_to, e.valid_to - timedelta(days=1)}
    for doubt in e.doubt_dates():
        days |= {doubt, doubt - timedelta(days=1)}
    return sorted(days)


def _regions(pack: Pack, country: str) -> list[str]:
    found: set[str] = set()
    for e in pack.for_country(country):
        found |= {*e.regions, *e.except_regions}
        if isinstance(e, InternalProtectionEntry):
            found |= set(e.allowed_regions)
        if isinstance(e, SafeCountry):
            found |= set(e.exception_regions)
    return sorted(found)


def _finding(rng: random.Random) -> str:
    return rng.choice([Finding.CREDIBLE.value] * 3 + [f.value for f in Finding])


def probe_case(
    pack: Pack, e: EntryBase, day: date, rng: random.Random, case_id: str
) -> dict[str, Any]:
    """A contract case near an entry's scope: mostly inside (country, a region it names, its
    group's profile), sometimes just outside, with facts credible or open."""
    countries = pack.countries() or ["XK"]
    country = e.country if e.country is not None and rng.random() < 0.9 else rng.choice(countries)
    regions = _regions(pack, country)
    options: list[str | None] = [None, *regions]
    region = (
        rng.choice(list(e.regions)) if e.regions and rng.random() < 0.7 else rng.choice(options)
    )
    group = pack.groups.get(e.group or "")
    if group is None and rng.random() < 0.5:
        group = (
            rng.choice(sorted(pack.groups.values(), key=lambda g: g.id)) if pack.groups else None
        )
    sogi: list[str] = []
    tags: set[str] = set()
    sex = rng.choice([None, *(s.value for s in Sex)])
    birth = date(rng.randint(1940, 2012), rng.randint(1, 12), rng.randint(1, 28))
    inside = rng.random() < 0.8
    if group is not None and inside:
        if group.sogi_any:
            sogi = [rng.choice(group.sogi_any).value]
        tags |= set(group.tags_all)
        if group.tags_any:
            tags.add(rng.choice(group.tags_any))
        if group.sex is not None:
            sex = group.sex.value
        if group.age_min is not None or group.age_max is not None:
            age = rng.randint(max(0, (group.age_min or 0) - 1), (group.age_max or 90) + 1)
            birth = date(day.year - age, 1, 1) - timedelta(days=rng.randrange(365))
    elif rng.random() < 0.3:
        sogi = [rng.choice(list(Sogi)).value]
    if rng.random() < 0.3 and pack.tags:
        tags.add(rng.choice(sorted(pack.tags)))
    credible = rng.random() < 0.5
    cred = {k: Finding.CREDIBLE.value if credible else _finding(rng) for k in _CRED}
    lodged = day - timedelta(days=rng.randrange(1, 3000))
    incidents = [
        {
            "date": (lodged - timedelta(days=rng.randrange(1, 900))).isoformat(),
            "kind": "threat",
            "actor": rng.choice([a.value for a in Actor]),
            "credibility": _finding(rng),
            "sought_protection": rng.choice([True, False, None]),
        }
        for _ in range(rng.randrange(3))
    ]
    reasons = rng.sample([r.value for r in Reason], rng.randint(0, 3))
    if isinstance(e, ForbiddenReasoning) and e.reason.value not in reasons and rng.random() < 0.8:
        reasons.append(e.reason.value)
    # A refusal undated (a draft) or decided before or after the date: the reasons of a later
    # decision are not judged (haven.cases.known), in both engines.
    decided = None
    if reasons and rng.random() < 0.5:
        decided = lodged + timedelta(days=rng.randrange(1, 2 * (day - lodged).days + 2))
    return {
        "id": case_id,
        "nationality": country,
        "region": region,
        "profile": {
            "sogi": sogi,
            "tags": sorted(tags),
            "sex": sex,
            "birth_date": None if rng.random() < 0.1 else birth.isoformat(),
        },
        "credibility": cred,
        "incidents": incidents,
        "procedure": {
            "lodged": lodged.isoformat(),
            "status": Status.REFUSED.value if reasons else Status.PENDING.value,
            "decided": decided.isoformat() if decided else None,
            "reasons": reasons,
        },
    }


_CRED = ("identity", "nationality", "region", "profile")
