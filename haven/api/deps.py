"""Request-scoped plumbing: the database, the pack, and the authenticated actor.

FastAPI runs a plain `def` dependency in a worker thread, a hop of its own for every request.
Dependencies that only look something up are `async def` (run on the event loop, no hop);
those that wait on the database stay `def` so that the loop never waits for it.
"""

import re
from collections import Counter
from datetime import date
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from pydantic import BeforeValidator

from haven.doors import bounded_path as bounded_path  # re-exported for the API routers
from haven.doors import named_pack as named_pack  # re-exported for the API routers
from haven.doors import no_nul as no_nul  # re-exported for the API routers
from haven.errors import InputError, Problem, Unauthenticated
from haven.policy.pack import Pack
from haven.policy.packset import PackSet
from haven.store.auth import authenticate
from haven.store.db import Database
from haven.store.repo import Actor


def _iso_date(value: Any) -> Any:
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("not a date (expected YYYY-MM-DD)")
    return value


# A date in a query string. FastAPI parses query values leniently, where "0" would be
# 1970-01-01 (a Unix time); the contract's dates are YYYY-MM-DD only.
QueryDate = Annotated[date, BeforeValidator(_iso_date)]


async def db(request: Request) -> Database:
    database: Database = request.app.state.db
    return database


async def packs(request: Request) -> PackSet:
    """The packs this server offers (GET /api/v1/packs)."""
    offered: PackSet = request.app.state.packs
    return offered


def chosen(request: Request, policy: Pack) -> Pack:
    """Remember the pack a request is answered under, for the X-Haven-Pack header."""
    request.state.pack = policy
    return policy


async def pack(
    request: Request,
    pack: Annotated[
        str | None,
        Query(
            max_length=200,
            description="The id of a pack this server offers (GET /api/v1/packs); "
            "default: the server's default pack",
        ),
    ] = None,
) -> Pack:
    offered: PackSet = request.app.state.packs
    return chosen(request, offered.get(pack, "query.pack"))


def standard_headers(policy: Pack) -> dict[str, str]:
    """On every response, errors included: which policy answered, and no caching."""
    return {
        "X-Haven-Pack": f"{policy.meta.id}; version={policy.version}",
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
    }


def actor(request: Request) -> Actor:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthenticated("send Authorization: Bearer <token> (POST /api/v1/login gives one)")
    database: Database = request.app.state.db
    with database.statements() as s:  # one round trip, no transaction
        who = Actor.of(authenticate(s, token.strip()))
    request.state.actor = who  # for auditing denials
    return who


async def known_query(request: Request) -> None:
    """Unknown query parameters are errors, as unknown fields are: a misspelt filter
    (`?nationalty=RU`) must not silently list every case. So is one given twice
    (`?status=refused&status=granted`), as a key given twice in a body is: no parameter of
    the API takes a list, and the last value silently won."""
    route = request.scope.get("route")
    path = getattr(route, "path_format", None)
    if path is None:
        return
    paths = request.app.openapi().get("paths", {})
    if path not in paths:  # web pages validate their own query parameters
        return
    method = "get" if request.method == "HEAD" else request.method.lower()
    operation = paths[path].get(method, {})
    known = {p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"}
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        raise InputError([Problem(f"query.{k}", "unknown query parameter") for k in unknown])
    counts = Counter(k for k, _ in request.query_params.multi_items())
    twice = sorted(k for k, n in counts.items() if n > 1)
    if twice:
        raise InputError([Problem(f"query.{k}", "given more than once") for k in twice])


async def raw_body(request: Request) -> bytes:
    """The request body, read on the event loop so the endpoint itself can be a plain `def`:
    FastAPI then runs it in a worker thread, and blocking database commits of concurrent
    requests overlap instead of queueing on the loop."""
    return await request.body()


RawBody = Annotated[bytes, Depends(raw_body)]
