"""Request-scoped plumbing: the database, the pack, and the authenticated actor."""

from fastapi import Request

from haven.errors import Unauthenticated
from haven.policy.pack import Pack
from haven.store.auth import authenticate
from haven.store.db import Database
from haven.store.repo import Actor


def db(request: Request) -> Database:
    database: Database = request.app.state.db
    return database


def pack(request: Request) -> Pack:
    policy: Pack = request.app.state.pack
    return policy


def actor(request: Request) -> Actor:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthenticated("send Authorization: Bearer <token> (POST /api/v1/login gives one)")
    with db(request).session() as s:
        who = Actor.of(authenticate(s, token.strip()))
    request.state.actor = who  # for auditing denials
    return who
