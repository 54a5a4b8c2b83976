"""Cases: CRUD with versions, optimistic concurrency (ETag / If-Match), sharing, assessments."""

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Header, Query, Response
from fastapi import Path as PathParam

from haven.api import deps, errors
from haven.api.bodies import ShareRequest, StoreAssessmentRequest, openapi_body, parse
from haven.assess.admit import admit
from haven.cases import Case
from haven.clock import today
from haven.doors import version_number
from haven.errors import InputError, PreconditionRequired, Problem
from haven.policy.pack import Pack
from haven.store import repo
from haven.store.access import Action
from haven.store.db import Database
from haven.store.models import CaseRecord, CaseVersion, StoredAssessment
from haven.store.repo import Actor
from haven.vocab import Category, Recommendation, Status

router = APIRouter(
    prefix="/api/v1/cases", tags=["cases"], responses=errors.responses(401, 403, 422)
)
DB = Annotated[Database, Depends(deps.db)]
ACTOR = Annotated[Actor, Depends(deps.actor)]
PACK = Annotated[Pack, Depends(deps.pack)]


def etag(version: int) -> str:
    return f'"{version}"'


def summary(rec: CaseRecord) -> dict[str, Any]:
    return {
        "id": rec.ref,
        "version": rec.version,
        "nationality": rec.nationality,
        "status": rec.status,
        "recommendation": rec.recommendation,
        "designation": rec.designation,
        "updated_at": rec.updated_at.isoformat() + "Z",
    }


def full(rec: CaseRecord, version: CaseVersion) -> dict[str, Any]:
    return {**summary(rec), "case": version.data}


def stored(row: StoredAssessment) -> dict[str, Any]:
    return {
        "id": row.id,
        "case_version": row.case_version,
        "as_of": row.as_of.isoformat(),
        "policy": {"pack": row.pack, "version": row.pack_version},
        "recommendation": row.recommendation,
        "created_at": row.created_at.isoformat() + "Z",
        "assessment": row.result,
    }


@router.get("")
def list_cases(
    db: DB,
    actor: ACTOR,
    nationality: Annotated[str | None, Query(pattern=r"^[A-Z]{2}$")] = None,
    # Enumerations: a misspelt value (`?status=refsued`) is a 422 naming the parameter, not
    # an empty list.
    status: Status | None = None,
    recommendation: Recommendation | None = None,
    designation: Category | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    # Bounded: past 2**63 the database cannot take the number (a 500, found by fuzzing).
    offset: Annotated[int, Query(ge=0, le=2_147_483_647)] = 0,
) -> dict[str, Any]:
    """Cases the caller may see, filtered and paginated."""
    with db.session() as s:
        total, rows = repo.list_cases(
            s,
            actor,
            nationality=nationality,
            status=status and status.value,
            recommendation=recommendation and recommendation.value,
            designation=designation and designation.value,
            limit=limit,
            offset=offset,
        )
        return {
            "total": total,
            "limit": limit,
            "offset": offset,
            "items": [summary(r) for r in rows],
        }


@router.post("", status_code=201, openapi_extra=openapi_body(Case), responses=errors.responses(409))
def create_case(
    raw: deps.RawBody, response: Response, db: DB, actor: ACTOR, pack: PACK
) -> dict[str, Any]:
    """Store a new case (the contract's case format); it becomes version 1. Its id may not
    contain `/`, `\\`, control or format characters, nor be `.` or `..` (docs/api.md)."""
    repo.require(actor, Action.CASE_CREATE)  # the role first: a 403 says nothing of the body
    case = admit(_case(raw), pack, today())
    # Headers before the commit: nothing may fail once the case is stored (a non-Latin-1 id
    # in a raw Location header was a 500 after the commit).
    response.headers["ETag"] = etag(1)
    response.headers["Location"] = f"/api/v1/cases/{quote(case.id, safe='')}"
    with db.session() as s:
        rec = repo.create_case(s, actor, case)
        out = full(rec, repo.current(s, rec))
    return out


@router.get("/{ref}", responses=errors.responses(404))
def read_case(ref: str, response: Response, db: DB, actor: ACTOR) -> dict[str, Any]:
    with db.session() as s:
        rec, version = repo.read_case(s, actor, ref)
        response.headers["ETag"] = etag(rec.version)
        return full(rec, version)


@router.put(
    "/{ref}", openapi_extra=openapi_body(Case), responses=errors.responses(404, 409, 412, 428)
)
def edit_case(
    ref: str,
    raw: deps.RawBody,
    response: Response,
    db: DB,
    actor: ACTOR,
    pack: PACK,
    if_match: Annotated[str | None, Header()] = None,
) -> dict[str, Any]:
    """Replace the case's content with a new version. Requires If-Match with the current ETag."""
    repo.require(actor, Action.CASE_EDIT)
    case = admit(_case(raw), pack, today())  # bad input is named first, whatever the headers
    if if_match is None:
        raise PreconditionRequired("send If-Match with the case's ETag (from GET) to edit it")
    # A weak ETag (W/"2") never matches: If-Match compares strongly (RFC 9110 §13.1.1).
    weak = if_match.strip().startswith("W/")
    sent = if_match.strip().strip('W/"')
    expected = version_number(sent)
    if expected is None:
        raise InputError([Problem("If-Match", f"{if_match[:40]!r} is not an ETag of this API")])
    with db.session() as s:
        rec = repo.update_case(s, actor, ref, case, expected, sent=sent, weak=weak)
        out = full(rec, repo.current(s, rec))
    response.headers["ETag"] = etag(out["version"])
    return out


@router.get("/{ref}/versions", responses=errors.responses(404))
def case_versions(ref: str, db: DB, actor: ACTOR) -> list[dict[str, Any]]:
    with db.session() as s:
        return [
            {"version": v.version, "created_at": v.created_at.isoformat() + "Z", "case": v.data}
            for v in repo.versions(s, actor, ref)
        ]


@router.get("/{ref}/share", responses=errors.responses(403, 404))
def holders(ref: str, db: DB, actor: ACTOR) -> dict[str, Any]:
    """Who holds the case (`assigned` or `shared`), and whom it could be shared with: the
    organisation's active case officers and NGO advocates who do not hold it yet. For a caller
    who may share it; usernames and roles only."""
    repo.require(actor, Action.CASE_SHARE)
    with db.session() as s:
        held, candidates = repo.holders(s, actor, ref)
    return {
        "holders": [{"username": h.username, "role": h.role.value, "kind": h.kind} for h in held],
        "candidates": [{"username": c.username, "role": c.role.value} for c in candidates],
    }


@router.post(
    "/{ref}/share",
    status_code=204,
    openapi_extra=openapi_body(ShareRequest),
    responses=errors.responses(404),
)
def share(ref: str, raw: deps.RawBody, db: DB, actor: ACTOR) -> Response:
    repo.require(actor, Action.CASE_SHARE)
    req = parse(ShareRequest, raw)
    with db.session() as s:
        repo.share_case(s, actor, ref, req.username)
    return Response(status_code=204)


@router.delete("/{ref}/share/{username}", status_code=204, responses=errors.responses(404, 409))
def unshare(
    ref: str,
    username: Annotated[str, PathParam(min_length=1, max_length=64)],
    db: DB,
    actor: ACTOR,
) -> Response:
    """Take back a share (the user no longer sees the case); an assignment stays (409)."""
    repo.require(actor, Action.CASE_SHARE)
    with db.session() as s:
        repo.unshare_case(s, actor, ref, username)
    return Response(status_code=204)


@router.post(
    "/{ref}/assessments",
    status_code=201,
    openapi_extra=openapi_body(StoreAssessmentRequest),
    responses=errors.responses(404),
)
def assess_case(
    ref: str, raw: deps.RawBody, db: DB, actor: ACTOR, pack: Annotated[Pack, Depends(deps.pack)]
) -> dict[str, Any]:
    """Assess the current version as of a date and store the result (reproducible later)."""
    repo.require(actor, Action.CASE_ASSESS)
    req = parse(StoreAssessmentRequest, raw or b"{}")
    with db.session() as s:
        row, _ = repo.assess_and_store(s, actor, ref, req.as_of or today(), pack)
        return stored(row)


@router.get("/{ref}/assessments", responses=errors.responses(404))
def case_assessments(ref: str, db: DB, actor: ACTOR) -> list[dict[str, Any]]:
    with db.session() as s:
        return [stored(r) for r in repo.assessments(s, actor, ref)]


def _case(raw: bytes) -> Case:
    """A case in the contract's format (`admit` then checks what a door may store)."""
    return parse(Case, raw)
