"""Who is signed in: the session cookie holds a store bearer token (see security.py)."""

from dataclasses import dataclass

from fastapi import Request
from sqlalchemy import select

from haven.errors import Unauthenticated
from haven.store.auth import authenticate
from haven.store.db import Database
from haven.store.models import Organisation
from haven.store.repo import Actor
from haven.web.security import SESSION_COOKIE


@dataclass(frozen=True)
class WebUser:
    actor: Actor
    org_name: str

    @property
    def username(self) -> str:
        return self.actor.username

    @property
    def role(self) -> str:
        return self.actor.role.value


class LoginRequired(Exception):
    """Not signed in (or the session expired): the page sends the browser to /login."""


def database(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def web_user(request: Request) -> WebUser:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise LoginRequired
    try:
        with database(request).statements() as s:  # two reads, no transaction needed
            user = authenticate(s, token)
            org = s.scalar(select(Organisation.name).where(Organisation.id == user.org_id))
            who = WebUser(Actor.of(user), org or "")
    except Unauthenticated:
        raise LoginRequired from None
    request.state.web_user = who
    request.state.actor = who.actor  # denials are audited with the actor
    return who
