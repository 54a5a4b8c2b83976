"""Policy endpoints: packs, entries as of a date, timelines, sources, evidence checks."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from haven.api import deps, errors
from haven.clock import today
from haven.codes import check_country
from haven.errors import InputError, Problem, shown
from haven.policy import checks
from haven.policy.compare import compare as compare_on
from haven.policy.compare import compare_period
from haven.policy.compare_json import as_of_json, period_json
from haven.policy.in_force import entries_on
from haven.policy.pack import Pack
from haven.policy.packset import PackSet
from haven.store.access import Action
from haven.store.repo import Actor, require


async def _may_read_policy(actor: Annotated[Actor, Depends(deps.actor)]) -> None:
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
    """Entries in force for a country on a date, plus the country-wide guardrails. Each cites
    in `sources` only the documents that existed on the date; those published after it are in
    `later_sources` (as in an assessment's steps)."""
    code = _country(country)
    day = as_of or today()
    return {
        "country": code,
        "as_of": day.isoformat(),
        "entries": [
            {
                **r.entry.model_dump(mode="json", exclude_none=True),
                "sources": r.cited.sources,
                "later_sources": r.cited.later,
                "verified_on_date": r.entry.verified_on(day),
            }
            for r in entries_on(pack, code, day)
        ],
    }


@router.get("/timeline/{country}")
def timeline(pack: PACK, country: str, group: str | None = None) -> dict[str, Any]:
    code = _country(country)
    if group is not None and group not in pack.groups:
        raise InputError([Problem("group", f"unknown group {shown(group)}")])
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
    (contract v1, section 3: the same JSON as `haven policy check`). `sources` holds only the
    documents that existed on the date; those published after it are in `later_sources`."""
    code = _country(country) if country is not None else None
    day = as_of or today()
    found = checks.check(pack, code, day)
    return {"as_of": day.isoformat(), "contradictions": [c.as_json() for c in found]}


@router.get(
    "/compare",
    summary="Two packs side by side for a country, on a date or over a period",
)
def compare(
    request: Request,
    country: Annotated[str, Query(min_length=2, max_length=2, description="ISO 3166-1 alpha-2")],
    packs: Annotated[
        str, Query(description="Two pack ids, left first, e.g. `nl,euaa`", max_length=200)
    ],
    as_of: Annotated[deps.QueryDate | None, Query(description="The date (default: today)")] = None,
    start: Annotated[
        deps.QueryDate | None, Query(alias="from", description="Start of a period")
    ] = None,
    end: Annotated[
        deps.QueryDate | None, Query(alias="to", description="End of a period, inclusive")
    ] = None,
) -> dict[str, Any]:
    """For every profile either pack addresses (groups aligned through the shared tag and
    sogi vocabulary), what each pack says (designation, internal protection, 15(c) per region,
    moratorium) and a divergence kind relative to the first pack: in `divergences` the
    contract's kinds `nl_stricter`, `nl_more_favourable`, `only_nl`, `only_eu`, `same`; in
    `unranked`, rows of the same shape whose kind is `different` (both packs have a position the
    order does not rank) or `unconfirmed` (a side's position is not known on the date). Each
    side carries its entry, values and sources (id, title, date, url); entries unverified on
    the date are listed under `not_counted`, never as the pack's position. With `from` and
    `to`, each row has the windows in which it held. The same JSON as `haven policy compare`."""
    left, right = _two_packs(request, packs)
    code = _country(country)
    if code not in left.countries() and code not in right.countries():
        raise InputError(
            [
                Problem(
                    "country", f"neither {left.meta.id} nor {right.meta.id} has entries for {code}"
                )
            ]
        )
    if as_of is not None and (start is not None or end is not None):
        raise InputError([Problem("as_of", "give as_of or from/to, not both")])
    if start is not None or end is not None:
        if start is None or end is None:
            missing = "from" if start is None else "to"
            raise InputError([Problem(missing, "a period needs both from and to")])
        if start > end:
            raise InputError([Problem("from", f"{start} is after the end of the period ({end})")])
        rows = compare_period(left, right, code, start, end)
        return period_json(left, right, start, end, rows)
    day = as_of or today()
    return as_of_json(left, right, day, compare_on(left, right, code, day))


def _two_packs(request: Request, value: str) -> tuple[Pack, Pack]:
    names = [n.strip() for n in value.split(",") if n.strip()]
    if len(names) != 2:
        raise InputError([Problem("packs", "give two pack ids separated by a comma")])
    return (
        deps.named_pack(request, names[0], "packs"),
        deps.named_pack(request, names[1], "packs"),
    )


@router.get("/sources")
def sources(pack: PACK) -> list[dict[str, Any]]:
    return [s.model_dump(mode="json", exclude_none=True) for s in pack.sources.values()]
