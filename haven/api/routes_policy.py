"""Policy endpoints: packs, entries as of a date, timelines, sources, evidence checks."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from haven.api import deps, errors
from haven.clock import today
from haven.codes import check_country
from haven.errors import InputError, Problem
from haven.policy import checks
from haven.policy.pack import Pack
from haven.policy.packset import PackSet
from haven.store.access import Action
from haven.store.repo import Actor, require


def _may_read_policy(actor: Annotated[Actor, Depends(deps.actor)]) -> None:
    """The role table's policy.read: every role but the auditor (audit log only)."""
    require(actor, Action.POLICY_READ)


router = APIRouter(
    prefix="/api/v1/policy",
    tags=["policy"],
    dependencies=[Depends(_may_read_policy)],
    responses=errors.responses(401, 403, 422),
)
PACK = Annotated[Pack, Depends(deps.pack)]


def _country(code: str) -> str:
    try:
        return check_country(code.upper())
    except ValueError as e:
        raise InputError([Problem("country", str(e))]) from None


@router.get("/packs")
def packs(offered: Annotated[PackSet, Depends(deps.packs)]) -> list[dict[str, Any]]:
    """The packs this server offers, the default first: name one as `pack` in a request.
    `reference` is the pack the memo and case page compare it with, if any."""
    found = []
    for pid in offered.ids():
        pack = offered.packs[pid]
        ref = offered.reference(pack)
        found.append(
            {
                **pack.meta.model_dump(mode="json"),
                "version": pack.version,
                "entries": len(pack.entries),
                "sources": len(pack.sources),
                "countries": pack.countries(),
                "default": pack is offered.default,
                "reference": ref.meta.id if ref else None,
            }
        )
    return found


@router.get("/entries")
def entries(
    pack: PACK,
    country: Annotated[str, Query(min_length=2, max_length=2)],
    as_of: deps.QueryDate | None = None,
) -> dict[str, Any]:
    """Entries in force for a country on a date, plus the country-wide guardrails."""
    code = _country(country)
    day = as_of or today()
    rows = [e for e in (*pack.for_country(code), *pack.for_country(None)) if e.in_force(day)]
    return {
        "country": code,
        "as_of": day.isoformat(),
        "entries": [
            {**e.model_dump(mode="json", exclude_none=True), "verified_on_date": e.verified_on(day)}
            for e in rows
        ],
    }


@router.get("/timeline/{country}")
def timeline(pack: PACK, country: str, group: str | None = None) -> dict[str, Any]:
    code = _country(country)
    if group is not None and group not in pack.groups:
        raise InputError([Problem("group", f"unknown group {group!r}")])
    rows = [e for e in pack.for_country(code) if group is None or e.group == group]
    found = sorted(
        (f for f in pack.findings.values() if f.country == code and group in (None, f.group)),
        key=lambda f: (f.date, f.id),
    )
    spans = [w for w in checks.windows(pack, code) if group in (None, w.contradiction.group)]
    return {
        "country": code,
        "group": group,
        "entries": [e.model_dump(mode="json", exclude_none=True) for e in rows],
        "reports": [
            pack.reports[r].model_dump(mode="json", exclude_none=True)
            for r in dict.fromkeys(f.report for f in found)
        ],
        "findings": [
            {
                **f.model_dump(mode="json"),
                "until": str(end) if (end := pack.finding_end(f)) else None,
            }
            for f in found
        ],
        "contradictions": [w.as_json() for w in spans],
    }


@router.get("/check")
def check(
    pack: PACK,
    country: Annotated[str | None, Query(min_length=2, max_length=2)] = None,
    as_of: deps.QueryDate | None = None,
) -> dict[str, Any]:
    """Contradictions between the pack and the country-report findings in force on a date
    (contract v1, section 3: the same JSON as `haven policy check`)."""
    code = _country(country) if country is not None else None
    day = as_of or today()
    found = checks.check(pack, code, day)
    return {"as_of": day.isoformat(), "contradictions": [c.as_json() for c in found]}


@router.get("/sources")
def sources(pack: PACK) -> list[dict[str, Any]]:
    return [s.model_dump(mode="json", exclude_none=True) for s in pack.sources.values()]
