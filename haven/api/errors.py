"""Errors as JSON that names the field: {"error": {"code", "message", "problems": [...]}}."""

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from haven.errors import (
    Conflict,
    Forbidden,
    HavenError,
    InputError,
    NotFound,
    PreconditionFailed,
    Problem,
    Unauthenticated,
)
from haven.store.repo import record_denial
from haven.validation import path

STATUS: list[tuple[type[HavenError], int, str]] = [
    (InputError, 422, "invalid_input"),
    (Unauthenticated, 401, "unauthenticated"),
    (Forbidden, 403, "forbidden"),
    (NotFound, 404, "not_found"),
    (Conflict, 409, "conflict"),
    (PreconditionFailed, 412, "precondition_failed"),
]


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
    async def haven_error(request: Request, exc: HavenError) -> JSONResponse:
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
        return JSONResponse(body(code, exc.problems), status_code=status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [Problem(path(tuple(e["loc"])), str(e["msg"])) for e in exc.errors()]
        return JSONResponse(body("invalid_input", problems), status_code=422)
