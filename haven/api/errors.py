"""Errors as JSON that names the field: {"error": {"code", "message", "problems": [...]}}."""

import logging
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException
from starlette.routing import compile_path

from haven.api import deps
from haven.errors import (
    Conflict,
    Forbidden,
    HavenError,
    InputError,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    Problem,
    TooManyRequests,
    Unauthenticated,
    Unavailable,
)
from haven.store.db import down_reason, unavailable, unavailable_error
from haven.store.repo import record_denial
from haven.validation import message, path

_HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}

STATUS: list[tuple[type[HavenError], int, str]] = [
    (InputError, 422, "invalid_input"),
    (Unauthenticated, 401, "unauthenticated"),
    (Forbidden, 403, "forbidden"),
    (NotFound, 404, "not_found"),
    (Conflict, 409, "conflict"),
    (PreconditionFailed, 412, "precondition_failed"),
    (PreconditionRequired, 428, "precondition_required"),
    (TooManyRequests, 429, "too_many_requests"),
    (Unavailable, 503, "unavailable"),
]

log = logging.getLogger("haven.api")


class ProblemOut(BaseModel):
    field: str
    message: str


class ErrorOut(BaseModel):
    code: str
    message: str
    problems: list[ProblemOut]


class ErrorResponse(BaseModel):
    """The body of every error the API answers; `problems[].field` is a field path."""

    error: ErrorOut


_DESCRIPTIONS = {
    401: "No valid bearer token (see POST /api/v1/login)",
    403: "The caller's role, or the case's assignment, does not allow this",
    404: "No such case for this caller (other organisations' cases included), or no such user",
    409: "Clashes with stored state (e.g. the id is already in use)",
    412: "If-Match is not the case's current ETag: reload and edit again",
    428: "If-Match is missing: send the case's ETag (from GET) to edit it",
    422: "Invalid input: each problem names the field path",
    429: "Too many failed logins: wait the seconds in Retry-After",
    503: "The database is down or restarting: retry after the seconds in Retry-After",
}


def responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI documentation of the errors an operation can answer, for `responses=`."""
    return {c: {"model": ErrorResponse, "description": _DESCRIPTIONS[c]} for c in codes}


def body(code: str, problems: list[Problem]) -> dict[str, Any]:
    return {
        "error": {
            "code": code,
            "message": "; ".join(str(p) for p in problems),
            "problems": [{"field": p.where, "message": p.message} for p in problems],
        }
    }


def install(app: FastAPI) -> None:
    @app.exception_handler(HavenError)
    async def haven_error(request: Request, exc: HavenError) -> Response:
        if web_page(request):
            return request.app.state.web_error(request, exc)  # type: ignore[no-any-return]
        status, code = 500, "error"
        for kind, st, c in STATUS:
            if isinstance(exc, kind):
                status, code = st, c
                break
        if isinstance(exc, Forbidden | NotFound) and getattr(request.state, "actor", None):
            record_denial(
                request.app.state.db,
                request.state.actor,
                f"{request.method} {request.url.path}",
                request.path_params.get("ref"),
                code,
            )
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        if isinstance(exc, TooManyRequests | Unavailable):
            headers = {"Retry-After": str(exc.retry_after)}
        return JSONResponse(body(code, exc.problems), status_code=status, headers=headers)

    @app.exception_handler(DBAPIError)
    async def database_error(request: Request, exc: DBAPIError) -> Response:
        """PostgreSQL down, restarting or unreachable: 503 with Retry-After, and the process
        keeps serving (the pool reconnects once it is back). The transaction was rolled back
        by `Database.session`. Any other database error is a bug: re-raised, it is logged and
        answered 500 by `server_error`."""
        if not unavailable(exc):
            raise exc
        log.warning("database unavailable: %s", down_reason(exc))
        return await haven_error(request, unavailable_error())

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        """Routing errors (no such path, wrong method) in the same JSON as every other error."""
        if web_page(request):
            return request.app.state.web_error(request, exc)  # type: ignore[no-any-return]
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            # A path served by several routes (GET and PUT /cases/{ref}) allows all of theirs.
            headers["Allow"] = _methods(request, headers.get("Allow", ""))
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "error")
        return JSONResponse(
            body(code, [Problem("", str(exc.detail))]),
            status_code=exc.status_code,
            headers=headers or None,
        )

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> Response:
        """Unexpected errors: JSON too. Starlette answers them outside every middleware, so
        the standard headers are set here; the exception itself is still logged."""
        if web_page(request):
            page: Response = request.app.state.web_error(request, exc)
            page.headers.update(deps.standard_headers(request.app.state.pack))
            return page
        return JSONResponse(
            body("internal_error", [Problem("", "internal server error")]),
            status_code=500,
            headers=deps.standard_headers(request.app.state.pack),
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [Problem(path(tuple(e["loc"])), message(e)) for e in exc.errors()]
        return JSONResponse(body("invalid_input", problems), status_code=422)


def web_page(request: Request) -> bool:
    """A browser page of the web app (if one is mounted): errors there are HTML pages."""
    if getattr(request.app.state, "web_error", None) is None:
        return False
    path = request.url.path
    return not (path.startswith("/api/") or path in ("/openapi.json", "/docs", "/redoc"))


def _methods(request: Request, named: str) -> str:
    """Every method the published API serves on this path (Starlette names only those of the
    first route whose path matched); `named` for paths outside the OpenAPI document."""
    found: set[str] = set()
    for template, operations in request.app.openapi().get("paths", {}).items():
        if compile_path(template)[0].match(request.scope["path"]):
            found |= {m.upper() for m in operations if m in _HTTP_METHODS}
    if "GET" in found:
        found.add("HEAD")
    return ", ".join(sorted(found)) if found else named
