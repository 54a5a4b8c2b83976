"""Policy endpoints: packs, entries as of a date, timelines, sources."""

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from haven.api import deps
from haven.clock import today
from haven.codes import check_country
from haven.errors import InputError, Problem
from haven.policy.pack import Pack

router = APIRouter(prefix="/api/v1/policy", tags=["policy"])
PACK = Annotated[Pack, Depends(deps.pack)]


def _country(code: str) -> str:
    try:
        return check_country(code.upper())
    except ValueError as e:
        raise InputError([Problem("country", str(e))]) from None


@router.get("/packs")
def packs(pack: PACK) -> list[dict[str, Any]]:
    return [
        {
            **pack.meta.model_dump(mode="json"),
            "version": pack.version,
            "entries": len(pack.entries),
            "sources": len(pack.sources),
            "countries": pack.countries(),
        }
    ]


@router.get("/entries")
def entries(
    pack: PACK,
    country: Annotated[str, Query(min_length=2, max_length=2)],
    as_of: date | None = None,
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
    return {
        "country": code,
        "group": group,
        "entries": [e.model_dump(mode="json", exclude_none=True) for e in rows],
    }


@router.get("/sources")
def sources(pack: PACK) -> list[dict[str, Any]]:
    return [s.model_dump(mode="json", exclude_none=True) for s in pack.sources.values()]
