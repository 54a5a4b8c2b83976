"""Fixtures for the store and API tests: every test here runs on SQLite and on PostgreSQL.

`db_url` is parametrized over both backends. PostgreSQL is the server on 127.0.0.1:5432 (user
postgres, trust auth); each test gets a fresh database that is dropped afterwards. Without a
reachable server the PostgreSQL variants are skipped, except under CI=true, where they fail.
"""

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from haven.server import create_app
from haven.store import auth
from haven.store.db import Database, upgrade
from tests.store.store_helpers import PASSWORD, USERS, Api

PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=3"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
EXAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "contract" / "examples"

_pg_state: dict[str, str | None] = {}


def _pg_problem() -> str | None:
    """None if the PostgreSQL server answers, else why not (checked once per process)."""
    if "problem" not in _pg_state:
        try:
            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute("SELECT 1")
            _pg_state["problem"] = None
        except psycopg.Error as err:
            _pg_state["problem"] = str(err).strip().splitlines()[0] if str(err) else repr(err)
    return _pg_state["problem"]


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing() -> Iterator[None]:
    """Argon2 with minimal cost: still real hashing and verification, ~1000x faster."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
        yield


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'haven.db'}"
        return
    problem = _pg_problem()
    if problem is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(
                f"PostgreSQL not available on 127.0.0.1:5432 ({problem}); "
                "CI must run the store tests on PostgreSQL (.ci/run starts it)"
            )
        pytest.skip(
            f"PostgreSQL not available on 127.0.0.1:5432 — PostgreSQL tests skipped ({problem})"
        )
    name = f"haven_t_{uuid.uuid4().hex}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield PG_URL.format(name=name)
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    upgrade(db_url)
    database = Database(db_url)
    try:
        yield database
    finally:
        database.engine.dispose()


@pytest.fixture
def client(db: Database) -> Iterator[TestClient]:
    with TestClient(create_app(db)) as c:
        yield c


@pytest.fixture
def api(client: TestClient, db: Database) -> Api:
    """Organisations, one user of every role (plus a few more) and their bearer tokens."""
    with db.session() as s:
        orgs = {slug: auth.ensure_org(s, slug, slug.title()) for slug in ("acme", "other")}
        for username, (org, role) in USERS.items():
            auth.add_user(s, orgs[org], username, PASSWORD, role)
    out = Api(client, db)
    for username in USERS:
        r = client.post("/api/v1/login", json={"username": username, "password": PASSWORD})
        assert r.status_code == 200, r.text
        out.tokens[username] = r.json()["token"]
    return out


@pytest.fixture(scope="session")
def example_case() -> dict[str, Any]:
    path = EXAMPLES / "ru-moscow-2015.json"
    if not path.is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"contract example missing at {path}: CI must have ../shared")
        pytest.skip("../shared (the contract examples) is not next to this checkout")
    case: dict[str, Any] = json.loads(path.read_text())
    return case
