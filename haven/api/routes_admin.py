"""Users (admin), the audit log (auditor) and pseudonymised aggregates (researcher)."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from haven.api import deps, errors
from haven.api.bodies import NewUserRequest, openapi_body, parse
from haven.store import repo
from haven.store.access import Action
from haven.store.auth import add_user
from haven.store.db import Database
from haven.store.models import Organisation
from haven.store.repo import Actor

router = APIRouter(prefix="/api/v1", responses=errors.responses(401, 403, 422))
DB = Annotated[Database, Depends(deps.db)]
ACTOR = Annotated[Actor, Depends(deps.actor)]


@router.get("/me", tags=["auth"])
def me(actor: ACTOR) -> dict[str, Any]:
    return {"username": actor.username, "role": actor.role.value, "org_id": actor.org_id}


@router.post(
    "/users",
    status_code=201,
    openapi_extra=openapi_body(NewUserRequest),
    tags=["admin"],
    responses=errors.responses(409),
)
def create_user(raw: deps.RawBody, db: DB, actor: ACTOR) -> dict[str, Any]:
    """Admins create users in their own organisation."""
    repo.require(actor, Action.USER_MANAGE)
    req = parse(NewUserRequest, raw)
    with db.session() as s:
        org = s.get(Organisation, actor.org_id)
        assert org is not None
        user = add_user(s, org, req.username, req.password, req.role)
        repo.audit(s, actor, "user.create", username=req.username, role=req.role.value)
        return {"username": user.username, "role": user.role}


@router.get("/audit", tags=["admin"])
def audit_log(
    db: DB,
    actor: ACTOR,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    # Bounded: past 2**63 the database cannot take the number (a 500, found by fuzzing).
    offset: Annotated[int, Query(ge=0, le=2_147_483_647)] = 0,
) -> list[dict[str, Any]]:
    with db.session() as s:
        return [
            {
                "id": e.id,
                "at": e.at.isoformat() + "Z",
                "user_id": e.user_id,
                "action": e.action,
                "outcome": e.outcome,
                "case": e.case_ref,
                "detail": e.detail,
            }
            for e in repo.audit_log(s, actor, limit, offset)
        ]


@router.get("/stats", tags=["research"])
def stats(db: DB, actor: ACTOR) -> dict[str, Any]:
    """Counts by nationality, status and recommendation; cells under 5 are suppressed."""
    with db.session() as s:
        return repo.stats(s, actor)
