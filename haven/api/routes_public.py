"""Login and the contract's stateless endpoints: POST /assessments and POST /impact."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from haven.api import deps, errors
from haven.api.bodies import AssessRequest, ImpactRequest, LoginRequest, openapi_body, parse
from haven.assess import assess
from haven.assess.admit import stateless_problems
from haven.cases import Case
from haven.clock import today
from haven.errors import InputError
from haven.impact import compare
from haven.impact.period import check_period
from haven.policy.pack import Pack
from haven.policy.packset import PackSet
from haven.store.access import Action
from haven.store.db import Database
from haven.store.repo import Actor, audit, require
from haven.store.throttle import login as do_login

router = APIRouter(prefix="/api/v1")


@router.post(
    "/login",
    openapi_extra=openapi_body(LoginRequest),
    tags=["auth"],
    responses=errors.responses(401, 422, 429),
)
def login(
    raw: deps.RawBody, request: Request, db: Annotated[Database, Depends(deps.db)]
) -> dict[str, str]:
    """Exchange a username and password for a bearer token (valid 12 hours). Repeated failures
    lock the username or the client address for a while (429, see Retry-After)."""
    req = parse(LoginRequest, raw)
    address = request.client.host if request.client else None
    token = do_login(db, req.username, req.password, address)
    return {"token": token, "token_type": "bearer"}


@router.post(
    "/assessments",
    openapi_extra=openapi_body(AssessRequest),
    tags=["assess"],
    responses=errors.responses(401, 403, 422),
    response_model=dict[str, Any],
)
def assessments(
    raw: deps.RawBody,
    request: Request,
    packs: Annotated[PackSet, Depends(deps.packs)],
    db: Annotated[Database, Depends(deps.db)],
) -> Response:
    """Assess one case as of a date (contract section 2), under `pack` (default: the server's
    default pack). Nothing is stored but an audit line."""
    # The API's hot path (issue 16) spares two per-request costs of the other routes: the
    # token is checked here, in the worker thread this `def` runs in, not by the `deps.actor`
    # dependency (FastAPI would run it in a worker thread of its own: one more hop between the
    # event loop and a thread); and the answer is serialised once by its model, not dumped to a
    # dict that FastAPI then validates and encodes again. Same check, same bytes.
    actor = deps.actor(request)
    require(actor, Action.ASSESS_STATELESS)
    req = parse(AssessRequest, raw)
    pack = deps.chosen(request, packs.get(req.pack, "pack"))
    _check([("case.", req.case)], [pack])
    result = assess(req.case, req.as_of or today(), pack)
    with db.session() as s:
        audit(s, actor, "assess.stateless")
    return Response(result.model_dump_json(), media_type="application/json")


@router.post(
    "/impact",
    openapi_extra=openapi_body(ImpactRequest),
    tags=["assess"],
    responses=errors.responses(401, 403, 422),
)
def impact(
    raw: deps.RawBody,
    request: Request,
    actor: Annotated[Actor, Depends(deps.actor)],
    packs: Annotated[PackSet, Depends(deps.packs)],
    db: Annotated[Database, Depends(deps.db)],
) -> dict[str, Any]:
    """Re-assess a caseload on two (pack, date) pairs and list whose outcome changes (contract
    section 3): two dates under `pack`, or, with `to_pack` and one date for `from` and `to`,
    whose outcome would differ under the other pack, grouped by profile. A case id may appear
    once (the changed cases are listed by id: 422 naming the repeat, `cases[1].id`)."""
    require(actor, Action.ASSESS_STATELESS)
    req = parse(ImpactRequest, raw)
    pack = deps.chosen(request, packs.get(req.pack, "pack"))
    after_pack = packs.get(req.to_pack, "to_pack") if req.to_pack else None
    check_period(req.from_, req.to, pack, after_pack)
    _check([(f"cases[{i}].", c) for i, c in enumerate(req.cases)], [pack, after_pack or pack])
    result = compare(req.cases, req.from_, req.to, pack, after_pack)
    with db.session() as s:
        audit(s, actor, "impact.stateless", cases=len(req.cases))
    return result.model_dump(mode="json", by_alias=True)


def _check(cases: list[tuple[str, Case]], packs: list[Pack]) -> None:
    """What the pack cannot assess and facts dated after today (issue 14) are refused, each
    named by its full field path."""
    found = stateless_problems(cases, packs, today())
    if found:
        raise InputError(found)
