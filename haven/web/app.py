"""Mounts the web app on the Haven FastAPI application: pages, static files, HTML errors and
the browser security headers."""

from contextlib import suppress
from pathlib import Path

from fastapi import Depends, FastAPI, Request, Response
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException
from starlette.types import Message, Scope

from haven.asgi_middleware import HttpMiddleware, default_headers, encoded, header, set_headers
from haven.doors import bounded_path, no_nul
from haven.errors import Forbidden, HavenError, NotFound, Problem, Unavailable
from haven.store.repo import record_denial
from haven.web import (
    routes_admin,
    routes_audit,
    routes_auth,
    routes_cases,
    routes_compare,
    routes_home,
    routes_impact,
    routes_jobs,
    routes_memo,
    routes_policy,
    routes_queues,
    routes_research,
)
from haven.web.jobs import JobRunner
from haven.web.render import gettext_for, language, render
from haven.web.security import CSP_IMAGE, HEADERS
from haven.web.session import LoginRequired, web_user

STATIC = Path(__file__).resolve().parent / "static"


def mount(app: FastAPI) -> None:
    app.state.jobs = JobRunner(app.state.db)
    # Jobs left running by a process that is gone: interrupted, nothing kept. A database
    # that is down or not migrated yet has its jobs checked at the next start.
    with suppress(SQLAlchemyError):
        app.state.jobs.start()
    for module in (
        routes_auth,
        routes_cases,
        routes_memo,
        routes_compare,  # before routes_policy: /policy/compare is not a country
        routes_policy,
        routes_impact,
        routes_queues,
        routes_audit,
        routes_home,
        routes_research,
        routes_admin,
        routes_jobs,
    ):
        # NUL in a path or query value: a clear error page, not a 500 from PostgreSQL; a
        # case reference longer than any case's: a 422 page, before any lookup.
        app.include_router(module.router, dependencies=[Depends(no_nul), Depends(bounded_path)])
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.state.web_error = html_error

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, _: LoginRequired) -> Response:
        if request.headers.get("hx-request"):
            # htmx follows redirects inside the page; tell it to load the login page instead.
            return Response(status_code=204, headers={"HX-Redirect": "/login"})
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={target}", status_code=303)

    app.add_middleware(BrowserHeaders)


class BrowserHeaders(HttpMiddleware):
    """The browser security headers on every response that does not set its own."""

    def started(self, scope: Scope, message: Message) -> None:
        default_headers(message, _HEADERS)
        if (header(message, b"content-type") or b"").startswith(b"image/svg+xml"):
            set_headers(message, _CSP_IMAGE)


_HEADERS = encoded(HEADERS)
_CSP_IMAGE = encoded({"Content-Security-Policy": CSP_IMAGE})


def html_error(request: Request, exc: Exception) -> Response:
    """Errors on pages as pages, in the reader's language (the API keeps its JSON)."""
    tr = gettext_for(language(request))
    if isinstance(exc, HTTPException):
        status = exc.status_code
        problems = [Problem("", str(exc.detail))]
        # No route ran (no such page, or not for this method): still the signed-in user's
        # menu, so that the page leads on. Not signed in (or the database down): without.
        if getattr(request.state, "web_user", None) is None:
            with suppress(LoginRequired, HavenError, SQLAlchemyError):
                web_user(request)
    elif isinstance(exc, Unavailable):
        page = render(
            request,
            "error.html",
            status_code=503,
            title=tr.gettext("Temporarily unavailable"),
            problems=[
                Problem("", tr.gettext("The database is unavailable. Try again in a few seconds."))
            ],
        )
        page.headers["Retry-After"] = str(exc.retry_after)
        return page
    elif isinstance(exc, HavenError):
        status = 404 if isinstance(exc, NotFound) else 403 if isinstance(exc, Forbidden) else 400
        status = getattr(exc, "http_status", status)  # e.g. an unknown pack: 422
        problems = exc.problems
        actor = getattr(request.state, "actor", None)
        if isinstance(exc, Forbidden | NotFound) and actor is not None:
            record_denial(
                request.app.state.db,
                actor,
                f"{request.method} {request.url.path}",
                request.path_params.get("ref"),
                "forbidden" if status == 403 else "not_found",
            )
    else:
        status, problems = 500, [Problem("", tr.gettext("Something went wrong on our side."))]
    titles = {
        403: tr.gettext("Not allowed"),
        404: tr.gettext("Not found"),
        400: tr.gettext("Cannot do that"),
        422: tr.gettext("Cannot do that"),
    }
    return render(
        request,
        "error.html",
        status_code=status,
        title=titles.get(status, tr.gettext("Error")),
        problems=problems,
    )
