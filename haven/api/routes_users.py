"""Account lifecycle over the API (admins, their own organisation) and sign-out (everyone).
The rules live in haven/store/accounts.py."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi import Path as PathParam
from pydantic import Field

from haven.api import deps, errors
from haven.api.bodies import REGISTRY, _Body, openapi_body, parse
from haven.errors import InputError, Problem
from haven.store import accounts
from haven.store.access import Action, Role
from haven.store.auth import revoke
from haven.store.db import Database
from haven.store.models import User
from haven.store.queue import MAX_ID
from haven.store.repo import Actor, audit, require

router = APIRouter(prefix="/api/v1", responses=errors.responses(401, 403, 422))
DB = Annotated[Database, Depends(deps.db)]
ACTOR = Annotated[Actor, Depends(deps.actor)]
USERNAME = Annotated[str, PathParam(min_length=1, max_length=64)]


class UserChangeRequest(_Body):
    """Only the fields given change."""

    active: bool | None = Field(None, description="false disables the user and revokes tokens")
    role: Role | None = None


class PasswordRequest(_Body):
    password: str = Field(min_length=12, max_length=1024)


class HandOverRequest(_Body):
    to: str = Field(min_length=1, max_length=64, description="the colleague who takes the cases")


for _m in (UserChangeRequest, PasswordRequest, HandOverRequest):
    REGISTRY[_m.__name__] = _m


def user_json(u: User) -> dict[str, Any]:
    return {
        "username": u.username,
        "role": u.role,
        "active": u.active,
        "created_at": u.created_at.isoformat() + "Z",
    }


def _iso(value: Any) -> str | None:
    return value.isoformat() + "Z" if value is not None else None


@router.post("/logout", status_code=204, tags=["auth"])
def logout(request: Request, db: DB, actor: ACTOR) -> Response:
    """Sign out: the bearer token used for this request stops working at once."""
    token = request.headers.get("authorization", "").partition(" ")[2].strip()
    with db.session() as s:
        revoke(s, token)
        audit(s, actor, "auth.logout")
    return Response(status_code=204)


@router.get("/users", tags=["admin"])
def list_users(db: DB, actor: ACTOR) -> list[dict[str, Any]]:
    """The users of the admin's organisation."""
    with db.session() as s:
        found = [user_json(u) for u in accounts.list_users(s, actor.org_id, actor)]
        audit(s, actor, "user.list")
        return found


@router.patch(
    "/users/{username}",
    openapi_extra=openapi_body(UserChangeRequest),
    tags=["admin"],
    responses=errors.responses(404),
)
def change_user(username: USERNAME, raw: deps.RawBody, db: DB, actor: ACTOR) -> dict[str, Any]:
    """Disable or enable a user, or change their role."""
    require(actor, Action.USER_MANAGE)
    req = parse(UserChangeRequest, raw)
    if req.active is None and req.role is None:
        raise InputError([Problem("", "give active or role (or both)")])
    with db.session() as s:
        user = accounts.find(s, actor.org_id, username, actor)
        if req.role is not None:
            user = accounts.set_role(s, actor.org_id, username, req.role, actor)
        if req.active is not None:
            user = accounts.set_active(s, actor.org_id, username, req.active, actor)
        return user_json(user)


@router.put(
    "/users/{username}/password",
    status_code=204,
    openapi_extra=openapi_body(PasswordRequest),
    tags=["admin"],
    responses=errors.responses(404),
)
def set_password(username: USERNAME, raw: deps.RawBody, db: DB, actor: ACTOR) -> Response:
    """Set or reset a user's password; their tokens are revoked."""
    require(actor, Action.USER_MANAGE)
    req = parse(PasswordRequest, raw)
    with db.session() as s:
        accounts.set_password(s, actor.org_id, username, req.password, actor)
    return Response(status_code=204)


@router.get("/users/{username}/tokens", tags=["admin"], responses=errors.responses(404))
def list_tokens(username: USERNAME, db: DB, actor: ACTOR) -> list[dict[str, Any]]:
    """A user's tokens (never the token itself: only its id, name and times). Audited
    (`token.list`), as every list."""
    with db.session() as s:
        found = [
            {
                "id": t.id,
                "name": t.name,
                "created_at": _iso(t.created_at),
                "expires_at": _iso(t.expires_at),
                "last_used_at": _iso(t.last_used_at),
                "revoked": t.revoked,
            }
            for t in accounts.tokens(s, actor.org_id, username, actor)
        ]
        audit(s, actor, "token.list", username=username, returned=len(found))
        return found


@router.delete(
    "/users/{username}/tokens/{token_id}",
    status_code=204,
    tags=["admin"],
    responses=errors.responses(404),
)
def revoke_token(
    username: USERNAME,
    token_id: Annotated[int, PathParam(ge=1, le=MAX_ID)],
    db: DB,
    actor: ACTOR,
) -> Response:
    with db.session() as s:
        accounts.revoke_token(s, actor.org_id, username, token_id, actor)
    return Response(status_code=204)


@router.delete(
    "/users/{username}/tokens", status_code=204, tags=["admin"], responses=errors.responses(404)
)
def revoke_all_tokens(username: USERNAME, db: DB, actor: ACTOR) -> Response:
    """Sign a user out everywhere."""
    with db.session() as s:
        accounts.revoke_token(s, actor.org_id, username, None, actor)
    return Response(status_code=204)


@router.post(
    "/users/{username}/hand-over",
    openapi_extra=openapi_body(HandOverRequest),
    tags=["admin"],
    responses=errors.responses(404),
)
def hand_over(username: USERNAME, raw: deps.RawBody, db: DB, actor: ACTOR) -> dict[str, Any]:
    """Hand a user's cases (and open work items) over to another active case officer or NGO
    advocate, e.g. when the user leaves; no case content is read."""
    require(actor, Action.USER_MANAGE)
    req = parse(HandOverRequest, raw)
    with db.session() as s:
        moved = accounts.hand_over(s, actor.org_id, username, req.to, actor)
    return {"username": username, "to": req.to, "cases": moved}
