"""The composition root: the one place where the HTTP doors are put together.

The API (haven.api) and the web app (haven.web) never import each other; both are mounted
on one FastAPI application here. Routers and middleware that serve both belong here too.
"""

from collections.abc import Sequence

from fastapi import FastAPI

from haven.api import limits
from haven.api.app import create_api
from haven.packs import DEFAULT_PACK
from haven.store.db import Database
from haven.web.app import mount as mount_web

__all__ = ["create_app"]


def create_app(
    db: Database | None = None,
    pack: str = DEFAULT_PACK,
    web: bool = True,
    packs: Sequence[str] = (),
    reference: str | None = None,
) -> FastAPI:
    """The API, and unless `web` is false the web app, on one application: `pack` is the
    default pack, `packs` more packs offered besides the shipped ones, `reference` the pack
    others are compared with (default: the other shipped pack, if there is exactly one)."""
    app = create_api(db, pack, packs, reference)
    if web:
        mount_web(app)
    # Added last, so outermost: an oversized body is refused before anything (authentication,
    # either door's middleware) reads it.
    app.add_middleware(limits.BodyLimit)
    return app
