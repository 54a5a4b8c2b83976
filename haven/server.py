"""The composition root: the one place where the HTTP doors are put together.

The API (haven.api) and the web app (haven.web) never import each other; both are mounted
on one FastAPI application here. Routers and middleware that serve both belong here too.
"""

from fastapi import FastAPI

from haven.api import limits
from haven.api.app import create_api
from haven.packs import DEFAULT_PACK
from haven.store.db import Database
from haven.web.app import mount as mount_web

__all__ = ["create_app"]


def create_app(db: Database | None = None, pack: str = DEFAULT_PACK, web: bool = True) -> FastAPI:
    """The API, and unless `web` is false the web app, on one application."""
    app = create_api(db, pack)
    if web:
        mount_web(app)
    # Added last, so outermost: an oversized body is refused before anything (authentication,
    # either door's middleware) reads it.
    app.add_middleware(limits.BodyLimit)
    return app
