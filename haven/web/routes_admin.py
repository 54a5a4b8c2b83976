"""`/admin/users`: the account lifecycle for an organisation's admin, in the browser. Plain
forms (no script needed), each POST checked for its CSRF token; the rules and audit lines are
haven/store/accounts.py's, the same as the API's and the CLI's."""

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from haven.errors import HavenError, InputError, Problem
from haven.store import accounts
from haven.store.access import SCOPED, Action, Role
from haven.store.auth import add_user
from haven.store.models import Organisation
from haven.store.repo import audit, require
from haven.web.forms import checked_form, secret, text
from haven.web.render import gettext_for, language, render
from haven.web.session import WebUser, database, web_user

router = APIRouter(include_in_schema=False)
User = Annotated[WebUser, Depends(web_user)]
ROLES = [r.value for r in Role]


def _page(
    request: Request,
    user: WebUser,
    *,
    status_code: int = 200,
    problems: list[Problem] | None = None,
    done: str | None = None,
    about: str = "",
    entered: dict[str, str] | None = None,
) -> HTMLResponse:
    """`about`: the user whose form the problems are of ("" for the form that adds one);
    `entered`: what the add form held, given back (never the password)."""
    require(user.actor, Action.USER_MANAGE)
    with database(request).session() as s:
        rows: list[dict[str, Any]] = []
        for u in accounts.list_users(s, user.actor.org_id, user.actor):
            toks = accounts.tokens(s, user.actor.org_id, u.username, user.actor)
            rows.append({"user": u, "tokens": [t for t in toks if not t.revoked]})
        audit(s, user.actor, "user.list")
    # Whom a user's cases can be handed over to: the active officers and advocates.
    colleagues = [
        r["user"].username for r in rows if r["user"].active and Role(r["user"].role) in SCOPED
    ]
    return render(
        request,
        "admin_users.html",
        status_code=status_code,
        rows=rows,
        roles=ROLES,
        scoped=sorted(r.value for r in SCOPED),
        colleagues=colleagues,
        problems=problems or [],
        about=about,
        entered=entered or {},
        field_labels=_field_labels(request),
        done=done,
    )


def _field_labels(request: Request) -> dict[str, str]:
    """The words of the form fields a problem can name (the store names them by key)."""
    gettext = gettext_for(language(request)).gettext
    return {
        "username": gettext("Username"),
        "role": gettext("Role"),
        "password": gettext("Password"),
        "to": gettext("Hand over to"),
        "do": gettext("Action"),
    }


@router.get("/admin/users")
def users_page(
    request: Request, user: User, done: str | None = None, name: str = ""
) -> HTMLResponse:
    """`done` and `name` say what the last change was (a fixed message: a link cannot put
    words on this page)."""
    return _page(request, user, done=_said(request, done, name[:64]) if done else None)


@router.post("/admin/users")
async def add(request: Request, user: User) -> Response:
    require(user.actor, Action.USER_MANAGE)
    form = await checked_form(request)
    username, role = text(form, "username"), text(form, "role")
    try:
        if role not in ROLES:
            raise InputError([Problem("role", f"{role[:40]!r} is not a role")])
        with database(request).session() as s:
            org = s.get(Organisation, user.actor.org_id)
            assert org is not None
            add_user(s, org, username, secret(form, "password"), Role(role))
            audit(s, user.actor, "user.create", username=username, role=role)
    except HavenError as err:
        entered = {"username": username[:64], "role": role}
        return _page(request, user, status_code=422, problems=err.problems, entered=entered)
    return _done(request, "added", username)


@router.post("/admin/users/{username}")
async def change(request: Request, username: str, user: User) -> Response:
    """One form per action: `do` is active, inactive, role, password, signout or handover."""
    require(user.actor, Action.USER_MANAGE)
    form = await checked_form(request)
    do, org, me = text(form, "do"), user.actor.org_id, user.actor
    try:
        with database(request).session() as s:
            if do in ("active", "inactive"):
                accounts.set_active(s, org, username, do == "active", me)
            elif do == "role":
                role = text(form, "role")
                if role not in ROLES:
                    raise InputError([Problem("role", f"{role[:40]!r} is not a role")])
                accounts.set_role(s, org, username, Role(role), me)
            elif do == "password":
                accounts.set_password(s, org, username, secret(form, "password"), me)
            elif do == "signout":
                accounts.revoke_token(s, org, username, None, me)
            elif do == "handover":
                accounts.hand_over(s, org, username, text(form, "to"), me)
            else:
                raise InputError([Problem("do", "unknown action")])
    except HavenError as err:
        return _page(request, user, status_code=422, problems=err.problems, about=username[:64])
    return _done(request, do, username)


def _done(request: Request, what: str, username: str) -> Response:
    return RedirectResponse(
        f"/admin/users?done={quote(what)}&name={quote(username[:64], safe='')}", status_code=303
    )


def _said(request: Request, what: str, username: str) -> str | None:
    gettext = gettext_for(language(request)).gettext
    said = {
        "added": gettext("User %(u)s added."),
        "active": gettext("%(u)s can sign in again."),
        "inactive": gettext("%(u)s is disabled; their sessions and tokens have ended."),
        "role": gettext("The role of %(u)s is changed."),
        "password": gettext("The password of %(u)s is set; their sessions and tokens have ended."),
        "signout": gettext("%(u)s is signed out everywhere."),
        "handover": gettext("The cases and open work items of %(u)s are handed over."),
    }.get(what)
    return said % {"u": username} if said else None
