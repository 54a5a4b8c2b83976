"""Login rate limiting and lockout (issue 7, item 4), and token expiry, through the API on
SQLite and PostgreSQL. Counters live in the database: two apps on one database (as two
processes would be) share them, and parallel guesses are all counted."""

import logging
import threading
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from haven.errors import TooManyRequests, Unauthenticated
from haven.server import create_app
from haven.store import auth, throttle
from haven.store.db import Database
from haven.store.models import ApiToken, AuditEntry, LoginThrottle
from tests.store.store_helpers import PASSWORD, Api

LOGIN = "/api/v1/login"


def attempt(client: TestClient, username: str, password: str) -> Any:
    return client.post(LOGIN, json={"username": username, "password": password})


def entries(db: Database, action: str) -> list[AuditEntry]:
    with db.session() as s:
        return list(
            s.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id))
        )


def test_five_failures_lock_the_username_with_429_and_retry_after(api: Api) -> None:
    c = api.client
    for _ in range(throttle.MAX_FAILURES):
        r = attempt(c, "officer", "wrong password!")
        assert r.status_code == 401
    r = attempt(c, "officer", PASSWORD)  # the right password, but locked
    assert r.status_code == 429
    assert r.json()["error"]["code"] == "too_many_requests"
    wait = int(r.headers["Retry-After"])
    assert 0 < wait <= throttle.LOCKOUT.total_seconds()
    assert f"{wait} seconds" in r.json()["error"]["message"]
    assert attempt(c, "officer2", PASSWORD).status_code == 200  # other users are not locked

    denied = [
        (e.detail.get("reason"), e.user_id is not None) for e in entries(api.db, "auth.login")
    ]
    assert denied.count(("bad_credentials", True)) == throttle.MAX_FAILURES
    assert denied.count(("locked", True)) == 1
    lockouts = entries(api.db, "auth.lockout")
    assert [(e.outcome, e.detail["scope"], e.detail["address"]) for e in lockouts] == [
        ("denied", "username", "testclient")
    ]


def test_the_lock_ends_and_a_success_clears_the_count(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    c = api.client
    for _ in range(throttle.MAX_FAILURES):
        attempt(c, "officer", "wrong password!")
    assert attempt(c, "officer", PASSWORD).status_code == 429
    later = auth.now() + throttle.LOCKOUT + timedelta(seconds=1)
    monkeypatch.setattr(auth, "now", lambda: later)
    assert attempt(c, "officer", PASSWORD).status_code == 200
    for _ in range(2):  # a success starts the count again: 4 failures, success, 4, success
        for _ in range(throttle.MAX_FAILURES - 1):
            assert attempt(c, "officer", "wrong password!").status_code == 401
        assert attempt(c, "officer", PASSWORD).status_code == 200


def test_failures_outside_the_window_do_not_add_up(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    c = api.client
    start = auth.now()
    for i in range(2 * throttle.MAX_FAILURES):
        at = start + i * (throttle.WINDOW / (throttle.MAX_FAILURES - 1))
        monkeypatch.setattr(auth, "now", lambda at=at: at)
        assert attempt(c, "officer", "wrong password!").status_code == 401


def test_unknown_usernames_are_locked_the_same_way(api: Api) -> None:
    """A lockout must not reveal whether an account exists."""
    for _ in range(throttle.MAX_FAILURES):
        assert attempt(api.client, "nobody", "wrong password!").status_code == 401
    r = attempt(api.client, "nobody", "wrong password!")
    assert r.status_code == 429 and "Retry-After" in r.headers


def test_one_address_spraying_many_usernames_is_throttled(api: Api) -> None:
    for i in range(throttle.ADDRESS_MAX_FAILURES):
        assert attempt(api.client, f"guess{i}", "wrong password!").status_code == 401
    r = attempt(api.client, "officer", PASSWORD)  # a real user from the same address
    assert r.status_code == 429
    lockouts = entries(api.db, "auth.lockout")
    assert [e.detail["scope"] for e in lockouts] == ["address"]


def test_two_apps_on_one_database_share_the_count(api: Api, db: Database) -> None:
    other = Database(db.url)  # a second app with its own engine, as a second process has
    try:
        with TestClient(create_app(other)) as second:
            for i in range(throttle.MAX_FAILURES):
                client = api.client if i % 2 else second
                assert attempt(client, "reviewer", "wrong password!").status_code == 401
            assert attempt(api.client, "reviewer", PASSWORD).status_code == 429
            assert attempt(second, "reviewer", PASSWORD).status_code == 429
    finally:
        other.engine.dispose()


def test_parallel_guesses_are_all_counted(api: Api) -> None:
    """20 guesses at once: exactly MAX_FAILURES reach the password check, the rest get 429."""
    outcomes: list[str] = []
    lock = threading.Lock()

    def guess() -> None:
        try:
            throttle.login(api.db, "advocate", "wrong password!", "10.0.0.9")
            result = "token"
        except Unauthenticated:
            result = "401"
        except TooManyRequests:
            result = "429"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=guess) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["401"] * throttle.MAX_FAILURES + ["429"] * (
        20 - throttle.MAX_FAILURES
    )


def test_no_password_token_or_mistyped_secret_is_logged_or_stored(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    typed_as_username = "MySecret-Passw0rd-typed-as-username"
    with caplog.at_level(logging.DEBUG):
        attempt(api.client, "officer", "wrong password!")
        attempt(api.client, typed_as_username, PASSWORD)
        token = attempt(api.client, "officer", PASSWORD).json()["token"]
        assert api.get("/me", None, headers={"Authorization": f"Bearer {token}"}).status_code
    with api.db.session() as s:
        stored = [
            repr(tuple(row))
            for table in ("audit_log", "login_throttle", "api_tokens")
            for row in s.execute(text(f"SELECT * FROM {table}"))
        ]
    haystack = "\n".join([*stored, caplog.text])
    for secret in (
        PASSWORD,
        "wrong password!",
        token,
        token.removeprefix("hvn_"),
        typed_as_username,
    ):
        assert secret not in haystack
    assert len(entries(api.db, "auth.login")) >= 3


def test_a_login_token_expires_after_12_hours(api: Api) -> None:
    r = attempt(api.client, "officer", PASSWORD)
    token = r.json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert api.client.get("/api/v1/me", headers=headers).status_code == 200
    with api.db.session() as s:
        row = s.scalar(select(ApiToken).where(ApiToken.token_hash == auth.token_hash(token)))
        assert row is not None and row.expires_at is not None
        assert abs(row.expires_at - row.created_at - timedelta(hours=12)) < timedelta(seconds=1)
        row.expires_at = auth.now() - timedelta(seconds=1)
    r = api.client.get("/api/v1/me", headers=headers)
    assert r.status_code == 401
    assert r.json()["error"]["message"] == "invalid or expired token"


def test_the_throttle_stores_hashes_only(api: Api) -> None:
    attempt(api.client, "officer", "wrong password!")
    with api.db.session() as s:
        keys = list(s.scalars(select(LoginThrottle.key)))
    assert throttle._key("user", "officer") in keys
    assert all(len(k) == 64 and "officer" not in k for k in keys)
