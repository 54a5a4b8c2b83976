"""The FastAPI application. Nothing that matters lives in process memory: sessions (tokens),
case versions and the audit log are in the database, so several processes can serve one
PostgreSQL."""

from collections.abc import Sequence
from typing import Any
from weakref import WeakKeyDictionary

from fastapi import Depends, FastAPI
from fastapi.openapi.utils import get_openapi
from starlette.types import Message, Scope

from haven import __version__
from haven.api import (
    deps,
    errors,
    links,
    ops,
    routes_admin,
    routes_cases,
    routes_lint,
    routes_memo,
    routes_policy,
    routes_public,
    routes_queue,
    routes_users,
)
from haven.api.bodies import REGISTRY
from haven.asgi_middleware import Header, HttpMiddleware, encoded, set_headers
from haven.packs import DEFAULT_PACK
from haven.policy.loader import offered
from haven.policy.pack import Pack
from haven.store.db import Database


class PolicyHeader(HttpMiddleware):
    """The standard headers (deps.standard_headers) on every response, set as it starts,
    naming the pack the request was answered under (`request.state.pack`, else the default)."""

    def started(self, scope: Scope, message: Message) -> None:
        answered: Pack = scope.get("state", {}).get("pack") or scope["app"].state.pack
        set_headers(message, _standard_headers(answered))


# Encoded once per pack (packs live as long as the app; a dropped one leaves the cache).
_ENCODED: WeakKeyDictionary[Pack, tuple[Header, ...]] = WeakKeyDictionary()


def _standard_headers(policy: Pack) -> tuple[Header, ...]:
    pairs = _ENCODED.get(policy)
    if pairs is None:
        pairs = _ENCODED[policy] = encoded(deps.standard_headers(policy))
    return pairs


def create_api(
    db: Database | None = None,
    pack: str = DEFAULT_PACK,
    packs: Sequence[str] = (),
    reference: str | None = None,
) -> FastAPI:
    """The JSON API alone. haven.server puts it together with the web app. `pack` answers when
    a request names none; the shipped packs and `packs` (names or directories) may be named;
    `reference` is the pack the memo and case page compare with (haven.policy.packset)."""
    app = FastAPI(
        title="Haven",
        version=__version__,
        description="Policy-as-code decision support for asylum case work. "
        "Recommends; never decides.",
        dependencies=[
            Depends(deps.known_query),
            Depends(deps.no_nul),
            Depends(deps.bounded_path),
        ],
    )
    app.state.db = db or Database()
    app.state.packs = offered(pack, packs, reference)
    app.state.pack = app.state.packs.default
    errors.install(app)
    routers = (routes_public, routes_cases, routes_policy, routes_admin, routes_memo, routes_queue)
    for module in routers:
        app.include_router(module.router)
    app.include_router(routes_lint.router)
    app.include_router(routes_users.router)

    app.add_middleware(PolicyHeader)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for name, model in REGISTRY.items():
            sub = model.model_json_schema(
                ref_template="#/components/schemas/{model}", by_alias=True
            )
            components.update(sub.pop("$defs", {}))
            components[name] = sub
        schema["components"]["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
        schema["security"] = [{"bearer": []}]
        links.add_links(schema)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
    ops.install(app)
    return app
