"""Sign-in, sign-out and the language switch."""

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from haven.errors import HavenError, InputError, Problem, TooManyRequests
from haven.i18n import LANGUAGES
from haven.store.access import Role
from haven.store.auth import authenticate, revoke
from haven.store.throttle import login as throttled_login
from haven.web import nav
from haven.web.forms import checked_form, secret, text
from haven.web.messages import plain_message
from haven.web.render import gettext_for, language, render
from haven.web.security import CSRF_COOKIE, LANG_COOKIE, SESSION_COOKIE, safe_next, set_cookie
from haven.web.session import WebUser, database, web_user

router = APIRouter(include_in_schema=False)


@router.get("/")
def home(user: Annotated[WebUser, Depends(web_user)]) -> RedirectResponse:
    """Each role starts at its own main task (haven/web/nav.py), never at a page it may not
    open."""
    return RedirectResponse(nav.home(user.actor.role), status_code=303)


@router.get("/login")
def login_page(request: Request, next: str = "/") -> HTMLResponse:
    return render(request, "login.html", next=safe_next(next), error=None, username="")


@router.post("/login")
async def login(request: Request) -> Response:
    form = await checked_form(request)
    username, target = text(form, "username"), safe_next(text(form, "next"))
    try:
        # The same throttle as the API: failures counted in the database, lockout with 429.
        address = request.client.host if request.client else None
        token = throttled_login(database(request), username, secret(form, "password"), address)
    except TooManyRequests as err:
        ngettext = gettext_for(language(request)).ngettext
        minutes = -(-err.retry_after // 60)  # a lockout lasts minutes: said in minutes
        page = render(
            request,
            "login.html",
            status_code=429,
            next=target,
            error=ngettext(
                "Too many failed sign-ins: try again in %(num)d minute.",
                "Too many failed sign-ins: try again in %(num)d minutes.",
                minutes,
            )
            % {"num": minutes},
            username=username,
        )
        page.headers["Retry-After"] = str(err.retry_after)
        return page
    except HavenError as err:
        gettext = gettext_for(language(request)).gettext
        first = err.problems[0] if err.problems else Problem("", str(err))
        # No password can be this (empty, only spaces, too long): 422 naming the field.
        label = gettext("Password") if first.where == "password" else ""
        message = plain_message(first.message, gettext, label)
        if label and label not in message:
            message = f"{label}: {message[:1].lower()}{message[1:]}"
        return render(
            request,
            "login.html",
            status_code=422 if isinstance(err, InputError) else 401,
            next=target,
            error=message,
            username=username,
        )
    with database(request).session() as s:
        role = authenticate(s, token).role
    response = RedirectResponse(nav.landing(Role(role), target), status_code=303)
    set_cookie(response, SESSION_COOKIE, token)
    # The pre-sign-in token is spent: a new one for the next sign-in (signed in, forms carry
    # the session-bound token, security.py).
    set_cookie(response, CSRF_COOKIE, secrets.token_urlsafe(32))
    return response


@router.post("/logout")
async def logout(request: Request, _: Annotated[WebUser, Depends(web_user)]) -> Response:
    await checked_form(request)
    token = request.cookies.get(SESSION_COOKIE, "")
    with database(request).session() as s:
        revoke(s, token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    set_cookie(response, CSRF_COOKIE, secrets.token_urlsafe(32))
    return response


@router.get("/lang/{code}")
def switch_language(code: str, next: str = "/") -> RedirectResponse:
    """A plain link (works without script); the choice is a preference, not a secret."""
    response = RedirectResponse(safe_next(next), status_code=303)
    if code in LANGUAGES:
        set_cookie(response, LANG_COOKIE, code)
    return response
