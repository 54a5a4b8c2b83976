"""Operations: liveness and readiness probes, Prometheus metrics, HSTS, the interactive API
documentation's access rule, and a JSON log format. Settings come from the environment:

- `HAVEN_METRICS` (`on` by default, `off`): `GET /metrics` in Prometheus text format;
- `HAVEN_API_DOCS` (`signed-in` by default, `public`, `off`): who gets `/docs` and `/redoc`;
- `HAVEN_LOG_FORMAT` (`text` by default, `json`): see `log_config`.
"""

import json
import logging
import os
import time
from datetime import UTC, datetime
from typing import Any

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from sqlalchemy import text
from starlette.concurrency import run_in_threadpool
from starlette.types import Message, Receive, Scope, Send

from haven.asgi_middleware import HttpMiddleware, encoded, set_headers
from haven.errors import Unauthenticated
from haven.store.auth import authenticate
from haven.store.db import Database, alembic_config

# Labels are route templates (`/api/v1/cases/{ref}`), never the path itself: a path can hold a
# case reference, which must not reach a metrics system.
REQUESTS = Counter(
    "haven_http_requests_total", "HTTP requests answered", ["method", "route", "status"]
)
LATENCY = Histogram(
    "haven_http_request_duration_seconds", "Time to answer an HTTP request", ["method", "route"]
)
# Background and batch work (work queues built, imports, jobs), by kind and outcome.
JOBS = Counter("haven_jobs_total", "Jobs run", ["kind", "outcome"])

DOC_PATHS = ("/docs", "/docs/oauth2-redirect", "/redoc")
HSTS = "max-age=31536000; includeSubDomains"


def setting(name: str, default: str) -> str:
    return os.environ.get(name, default).strip().lower() or default


def install(app: FastAPI) -> None:
    app.add_api_route("/healthz", healthz, methods=["GET"], include_in_schema=False)
    app.add_api_route("/readyz", readyz, methods=["GET"], include_in_schema=False)
    if setting("HAVEN_METRICS", "on") != "off":
        app.add_api_route("/metrics", metrics, methods=["GET"], include_in_schema=False)

    app.add_middleware(Operations)


class Operations(HttpMiddleware):
    """The documentation's access rule, request metrics, and HSTS over HTTPS."""

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["path"] in DOC_PATHS:
            refused = await run_in_threadpool(_docs_refused, Request(scope, receive))
            if refused is not None:
                await refused(scope, receive, send)
                return
        started = time.perf_counter()
        status = 500  # an exception before the response started: answered 500 outside
        https = scope.get("scheme") == "https"  # behind a trusted proxy: X-Forwarded-Proto

        async def observed(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                if https:
                    set_headers(message, _HSTS)
            await send(message)

        try:
            await self.app(scope, receive, observed)
        finally:
            route = getattr(scope.get("route"), "path_format", None) or "unmatched"
            method = scope["method"]
            REQUESTS.labels(method, route, str(status)).inc()
            LATENCY.labels(method, route).observe(time.perf_counter() - started)


_HSTS = encoded({"Strict-Transport-Security": HSTS})


def healthz() -> dict[str, str]:
    """Liveness: the process answers. It does not touch the database (a database outage must
    not make an orchestrator restart every server)."""
    return {"status": "ok"}


def readyz(request: Request) -> Response:
    """Readiness: the database answers and its schema is at the latest migration."""
    db: Database = request.app.state.db
    problems = []
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            current = MigrationContext.configure(conn).get_current_revision()
        head = ScriptDirectory.from_config(alembic_config(db.url)).get_current_head()
        if current != head:
            problems.append(f"schema at {current}, not at the latest migration {head}")
    except Exception:
        logging.getLogger("haven.api").warning("readiness: database unavailable")
        problems.append("database unavailable")
    if problems:
        return JSONResponse({"status": "unavailable", "problems": problems}, status_code=503)
    return JSONResponse({"status": "ready"})


def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


def _docs_refused(request: Request) -> Response | None:
    """`/docs` and `/redoc` for signed-in users only (a bearer token or the web session), by
    default; `HAVEN_API_DOCS=off` removes them, `public` opens them."""
    mode = setting("HAVEN_API_DOCS", "signed-in")
    if mode == "public":
        return None
    if mode == "off":
        return JSONResponse(
            {"error": {"code": "not_found", "message": "Not Found", "problems": []}},
            status_code=404,
        )
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip() if scheme.lower() == "bearer" else ""
    token = token or request.cookies.get("haven_session", "")
    if token:
        try:
            with request.app.state.db.session() as s:
                authenticate(s, token)
            return None
        except Unauthenticated:
            pass
    if getattr(request.app.state, "web_error", None) is not None and "text/html" in (
        request.headers.get("accept", "")
    ):
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    return JSONResponse(
        {
            "error": {
                "code": "unauthenticated",
                "message": "sign in to read the API documentation",
                "problems": [],
            }
        },
        status_code=401,
        headers={"WWW-Authenticate": "Bearer"},
    )


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, and the exception's type
    (not its traceback text, which can quote values)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and record.exc_info[0] is not None:
            entry["exception"] = record.exc_info[0].__name__
        return json.dumps(entry, ensure_ascii=False)


def log_config(fmt: str) -> dict[str, Any] | None:
    """uvicorn's `log_config` for `haven serve --log-format json` (None: uvicorn's own)."""
    if fmt != "json":
        return None
    handler = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "haven.api.ops.JsonFormatter"}},
        "handlers": {"default": handler},
        "root": {"handlers": ["default"], "level": "WARNING"},
        "loggers": {
            name: {"handlers": ["default"], "level": "WARNING", "propagate": False}
            for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "haven")
        },
    }
