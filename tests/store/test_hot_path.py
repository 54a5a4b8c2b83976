"""The requests every user makes cost few trips to the database (issue 16, item 5).

Round trips are counted as the driver makes them, with SQLAlchemy's event hooks on the real
databases: every statement, every BEGIN and COMMIT the driver sends (psycopg sends BEGIN before
a transaction's first statement unless the connection is in autocommit mode, and nothing for a
COMMIT or ROLLBACK of a connection that is not in a transaction), and every ping of a pooled
connection. On PostgreSQL, POST /api/v1/assessments made 12 (a ping and a transaction for the
token check, a ping and six more for the audit line); it makes 5: the token check, one read
outside any transaction, then BEGIN, two audit statements and COMMIT."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event

from haven.server import create_app
from haven.store import audit_chain, auth
from haven.store import db as dbmod
from haven.store.access import Role
from haven.store.db import Database
from haven.store.models import AuditEntry, User
from haven.store.repo import Actor, audit
from tests.store.store_helpers import PASSWORD


@dataclass
class Trips:
    """What one stretch of work sent to the database."""

    statements: list[tuple[str, bool]] = field(default_factory=list)  # (SQL, in autocommit)
    begins: int = 0
    commits: int = 0
    rollbacks: int = 0
    pings: int = 0

    @property
    def total(self) -> int:
        return len(self.statements) + self.begins + self.commits + self.rollbacks + self.pings

    def clear(self) -> None:
        self.statements.clear()
        self.begins = self.commits = self.rollbacks = self.pings = 0


def _autocommit(conn: Any) -> bool:
    return bool(getattr(conn.connection.dbapi_connection, "autocommit", False))


@pytest.fixture
def trips(db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[Trips]:
    seen = Trips()
    engine: Engine = db.engine
    postgresql = engine.dialect.name == "postgresql"

    def statement(conn: Any, _cur: Any, sql: str, *_: Any) -> None:
        seen.statements.append((" ".join(sql.split()), _autocommit(conn)))

    def begin(conn: Any) -> None:
        # psycopg: BEGIN goes out with the first statement, unless in autocommit mode.
        if postgresql and not _autocommit(conn):
            seen.begins += 1

    def commit(conn: Any) -> None:
        if not postgresql or not _autocommit(conn):
            seen.commits += 1

    def rollback(conn: Any) -> None:
        if not postgresql or not _autocommit(conn):
            seen.rollbacks += 1

    real_ping = engine.dialect.do_ping

    def ping(dbapi_conn: Any) -> bool:
        seen.pings += 1
        return real_ping(dbapi_conn)

    hooks: list[tuple[str, Callable[..., None]]] = [
        ("before_cursor_execute", statement),
        ("begin", begin),
        ("commit", commit),
        ("rollback", rollback),
    ]
    for name, fn in hooks:
        event.listen(engine, name, fn)
    monkeypatch.setattr(engine.dialect, "do_ping", ping)
    yield seen
    for name, fn in hooks:
        event.remove(engine, name, fn)


@pytest.fixture
def officer(db: Database) -> Actor:
    with db.session() as s:
        user = auth.add_user(
            s, auth.ensure_org(s, "acme", "Acme"), "officer", PASSWORD, Role.CASE_OFFICER
        )
        return Actor.of(user)


@pytest.fixture
def signed_in(db: Database, officer: Actor) -> Iterator[TestClient]:
    with TestClient(create_app(db)) as client:
        login = {"username": officer.username, "password": PASSWORD}
        token = client.post("/api/v1/login", json=login).json()["token"]
        client.headers["Authorization"] = f"Bearer {token}"
        yield client


def _assess(client: TestClient, case: dict[str, Any]) -> None:
    r = client.post("/api/v1/assessments", json={"as_of": "2015-10-01", "case": case})
    assert r.status_code == 200, r.text


def test_an_assessment_request_costs_five_round_trips_on_postgresql_and_few_on_sqlite(
    db: Database, signed_in: TestClient, trips: Trips, example_case: dict[str, Any]
) -> None:
    _assess(signed_in, example_case)  # the first use of a token also records it (an update)
    for _ in range(3):
        trips.clear()
        _assess(signed_in, example_case)
        sql = [s for s, _ in trips.statements]
        # The token and its user in one read; the audit line.
        assert sum("FROM api_tokens" in s for s in sql) == 1, sql
        assert any(s.startswith("SELECT") and "JOIN users" in s for s in sql), sql
        assert sum("INSERT INTO audit_log" in s for s in sql) == 1, sql
        if db.engine.dialect.name == "postgresql":
            token_check = next(auto for s, auto in trips.statements if "FROM api_tokens" in s)
            assert token_check, "the token check ran inside a transaction"
            assert trips.pings == 0, "a connection in steady use was pinged"
            assert (len(sql), trips.begins, trips.commits) == (3, 1, 1), trips
            assert trips.total == 5, trips
        else:
            # SQLite: no server to reach, but every statement still costs: the token check and
            # the audit line (the head row made sure of, locked, the anchors, entry and head).
            assert len(sql) <= 6, sql
            assert trips.commits == 2, trips


def test_a_request_still_writes_its_audit_line_and_the_chain_verifies(
    db: Database, signed_in: TestClient, example_case: dict[str, Any]
) -> None:
    for _ in range(5):
        _assess(signed_in, example_case)
    with db.session() as s:
        lines = s.query(AuditEntry).filter(AuditEntry.action == "assess.stateless").count()
        report = audit_chain.verify(s)
    assert lines == 5
    assert report.ok, report.findings


def test_statements_refuse_audit_entries(db: Database, officer: Actor) -> None:
    """Audit entries are chained under the head lock at commit; autocommit would not hold it."""
    with db.statements() as s, pytest.raises(RuntimeError, match="transaction"):
        audit(s, officer, "test.outside_a_transaction")
    with db.session() as s:
        audit(s, officer, "test.inside_a_transaction")
    with db.session() as s:
        actions = [e.action for e in s.query(AuditEntry)]
    assert "test.outside_a_transaction" not in actions
    assert "test.inside_a_transaction" in actions


def test_token_checks_refuse_what_they_refused_before(
    db: Database, signed_in: TestClient, example_case: dict[str, Any]
) -> None:
    """One read instead of two must not weaken the check: revoked tokens and disabled users."""
    _assess(signed_in, example_case)
    token = signed_in.headers["Authorization"].split()[1]
    with db.session() as s:
        user = auth.authenticate(s, token)
        user.active = False
    r = signed_in.post("/api/v1/assessments", json={"case": example_case})
    assert r.status_code == 401
    with db.session() as s:
        again = s.get(User, user.id)
        assert again is not None
        again.active = True
        auth.revoke(s, token)
    r = signed_in.post("/api/v1/assessments", json={"case": example_case})
    assert r.status_code == 401


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_an_idle_connection_is_pinged_and_a_dead_one_replaced(
    db: Database,
    signed_in: TestClient,
    trips: Trips,
    example_case: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without a ping at every checkout, a connection PostgreSQL dropped while it sat in the
    pool (a restart, an idle timeout) is still found out before a request uses it, once it
    has been idle for PING_IF_IDLE_SECONDS."""
    _assess(signed_in, example_case)
    monkeypatch.setattr(dbmod, "PING_IF_IDLE_SECONDS", 0.0)  # every connection counts as idle
    name = db.engine.url.database
    with psycopg.connect(
        "host=127.0.0.1 port=5432 user=postgres dbname=postgres", autocommit=True
    ) as admin:
        killed = admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = %s",
            (name,),
        ).fetchone()
    assert killed is not None and killed[0] >= 1  # the pool's connections are gone
    trips.clear()
    _assess(signed_in, example_case)  # answered, not 503: the pings found the dead ones
    assert trips.pings >= 1
