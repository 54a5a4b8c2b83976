"""Issue 17, findings 8 and 11: the account lifecycle over the API, the CLI and the web page
/admin/users (disable and enable, role, password, tokens, sign-out; all audited; a disabled
user's tokens stop at once), the CSRF token bound to the session and rotated at sign-in, and
the idle timeout. SQLite and PostgreSQL."""

import os
import re
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import update

from haven.store.auth import now
from haven.store.models import ApiToken
from tests.store.store_helpers import PASSWORD, Api, make_case
from tests.store.test_web_pages import CSRF, Browser, signed_in

NEW_PASSWORD = "another long passphrase"


def _ok(api: Api, who: str) -> int:
    return api.get("/me", who).status_code


def _login(api: Api, username: str, password: str = PASSWORD) -> str | None:
    r = api.client.post("/api/v1/login", json={"username": username, "password": password})
    return r.json()["token"] if r.status_code == 200 else None


def test_account_lifecycle_over_the_api_is_audited(api: Api) -> None:
    listed = api.get("/users", "admin").json()
    names = {u["username"] for u in listed}
    assert "officer" in names and "x.officer" not in names  # own organisation only
    assert api.get("/users", "officer").status_code == 403

    # Disable: the token stops at once, sign-in is refused; enable: sign-in works again.
    r = api.request("PATCH", "/users/officer", "admin", json_body={"active": False})
    assert r.status_code == 200 and r.json()["active"] is False
    assert _ok(api, "officer") == 401 and _login(api, "officer") is None
    api.request("PATCH", "/users/officer", "admin", json_body={"active": True})
    token = _login(api, "officer")
    assert token is not None
    api.tokens["officer"] = token
    assert _ok(api, "officer") == 200

    # Role: applies to the next request of the same token.
    api.create("officer2", make_case("ROLE-1"))
    assert api.get("/cases", "officer").json()["total"] == 0
    r = api.request("PATCH", "/users/officer", "admin", json_body={"role": "reviewer"})
    assert r.json()["role"] == "reviewer"
    assert api.get("/cases", "officer").json()["total"] == 1

    # Password: old sessions end, the old password no longer works.
    r = api.put("/users/officer/password", "admin", {"password": NEW_PASSWORD})
    assert r.status_code == 204
    assert _ok(api, "officer") == 401 and _login(api, "officer") is None
    api.tokens["officer"] = _login(api, "officer", NEW_PASSWORD) or ""
    second = _login(api, "officer", NEW_PASSWORD)

    # Tokens: listed without their value; one revoked, then all.
    toks = api.get("/users/officer/tokens", "admin").json()
    live = [t for t in toks if not t["revoked"]]
    assert len(live) == 2 and all("token" not in t and "hash" not in str(t) for t in toks)
    r = api.request("DELETE", f"/users/officer/tokens/{live[0]['id']}", "admin")
    assert r.status_code == 204
    assert _ok(api, "officer") == 401
    assert (
        api.client.get("/api/v1/me", headers={"Authorization": f"Bearer {second}"}).status_code
        == 200
    )
    api.request("DELETE", "/users/officer/tokens", "admin")
    assert (
        api.client.get("/api/v1/me", headers={"Authorization": f"Bearer {second}"}).status_code
        == 401
    )

    # Other organisations' users do not exist here; an admin cannot lock themselves out.
    assert (
        api.request("PATCH", "/users/x.officer", "admin", json_body={"active": False}).status_code
        == 404
    )
    assert _ok(api, "x.officer") == 200
    r = api.request("PATCH", "/users/admin", "admin", json_body={"active": False})
    assert r.status_code == 422

    # Sign-out over the API.
    assert api.post("/logout", "advocate").status_code == 204
    assert _ok(api, "advocate") == 401

    actions = [e["action"] for e in api.audit()]
    for action in (
        "user.disable",
        "user.enable",
        "user.role",
        "user.password",
        "token.revoke",
        "auth.logout",
        "user.list",
    ):
        assert action in actions, action
    assert NEW_PASSWORD not in str(api.audit())


def _cli(api: Api, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HAVEN_DATABASE_URL": api.db.url, "HAVEN_PASSWORD": NEW_PASSWORD}
    return subprocess.run(
        [sys.executable, "-m", "haven", "users", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_account_lifecycle_from_the_cli(api: Api) -> None:
    r = _cli(api, "disable", "officer", "--org", "acme")
    assert r.returncode == 0, r.stderr
    assert _ok(api, "officer") == 401
    assert '"active": false' in _cli(api, "list", "--org", "acme").stdout
    assert _cli(api, "enable", "officer", "--org", "acme").returncode == 0
    assert _cli(api, "role", "officer", "reviewer", "--org", "acme").returncode == 0
    assert _cli(api, "password", "officer", "--org", "acme").returncode == 0
    token = _login(api, "officer", NEW_PASSWORD)
    assert token is not None
    api.tokens["officer"] = token
    assert api.get("/me", "officer").json()["role"] == "reviewer"
    assert '"revoked": false' in _cli(api, "tokens", "officer", "--org", "acme").stdout
    assert _cli(api, "revoke", "officer", "--org", "acme").returncode == 0
    assert _ok(api, "officer") == 401
    # Another organisation's name: an error naming it, no traceback.
    r = _cli(api, "disable", "x.officer", "--org", "acme")
    assert r.returncode != 0 and "no user 'x.officer'" in r.stderr and "Traceback" not in r.stderr
    actions = [e["action"] for e in api.audit()]
    assert {"user.disable", "user.enable", "user.role", "user.password", "token.revoke"} <= set(
        actions
    )


def test_admin_users_page_in_english_and_dutch(api: Api) -> None:
    b = signed_in(api, "admin")
    page = b.get("/admin/users")
    assert page.status_code == 200 and "Users of Acme" in page.text
    assert "x.officer" not in page.text
    # Every form control has its label.
    for control in re.findall(r'<(?:input|select)[^>]*\bid="([^"]+)"', page.text):
        assert f'for="{control}"' in page.text, control
    token = CSRF.search(page.text)
    assert token
    r = b.post("/admin/users/officer", {"csrf": token.group(1), "do": "inactive"}, htmx=False)
    assert r.status_code == 303
    assert _ok(api, "officer") == 401
    done = b.get(r.headers["location"]).text
    assert "officer is disabled" in done
    # Without the CSRF token nothing changes.
    r = b.post("/admin/users/officer", {"csrf": "forged", "do": "active"}, htmx=False)
    assert r.status_code == 403 and _login(api, "officer") is None
    # A short password: the page again, naming the problem.
    r = b.post(
        "/admin/users/officer",
        {"csrf": token.group(1), "do": "password", "password": "short"},
        htmx=False,
    )
    assert r.status_code == 422 and "at least 12 characters" in r.text
    # The problem is said at the user's card, in words (no field key), linked from the summary.
    assert re.search(r'<p class="field-error" id="err-user-\d+">Password: ', r.text), r.text
    assert "<code>" not in r.text and "officer: password" not in r.text
    # Adding a name that is taken: the form keeps what was entered (not the password), and
    # the problem sits next to the username.
    r = b.post(
        "/admin/users",
        {"csrf": token.group(1), "username": "officer2", "role": "reviewer",
         "password": "a long enough password"},
        htmx=False,
    )  # fmt: skip
    assert r.status_code == 422
    assert 'id="err-new-username"' in r.text and 'value="officer2"' in r.text
    # A name that differs from a taken one only in case is taken too (here or in another
    # organisation): two accounts no reader of the audit log could tell apart.
    for name in ("Officer2", "X.OFFICER"):
        form = {"csrf": token.group(1), "username": name, "role": "reviewer",
                "password": "a long enough password"}  # fmt: skip
        taken = b.post("/admin/users", form, htmx=False)
        assert taken.status_code == 422 and 'id="err-new-username"' in taken.text, name
    assert 'aria-invalid="true" aria-describedby="err-new-username"' in r.text
    assert '<option value="reviewer" selected>' in r.text
    assert "a long enough password" not in r.text
    # A role that is not one names the role, not "the buttons".
    r = b.post(
        "/admin/users/officer", {"csrf": token.group(1), "do": "role", "role": "boss"},
        htmx=False,
    )  # fmt: skip
    assert r.status_code == 422 and "Choose a role from the list." in r.text
    nl = Browser(api, lang="nl")
    assert nl.login("admin").status_code == 303
    dutch = nl.get("/admin/users").text
    assert "Gebruikers van Acme" in dutch
    # Counts are written out in both languages (a plural once showed "%(num)d" in Dutch).
    assert "%(" not in dutch and "%(" not in page.text
    assert re.search(r"\d+ open sessies? of tokens?", dutch)
    # Other roles are refused.
    assert signed_in(api, "reviewer").get("/admin/users").status_code == 403


def test_csrf_token_rotates_at_sign_in_and_is_bound_to_the_session(api: Api) -> None:
    b = Browser(api)
    before = b.csrf("/login")
    assert b.login("officer").status_code == 303
    after = b.csrf("/cases")
    assert after != before
    api.create("officer", make_case("CSRF-1"))
    # The token from before sign-in no longer works, even though the browser sent it.
    r = b.post("/logout", {"csrf": before})
    assert r.status_code == 403
    # Another session's token does not work in this one.
    other = signed_in(api, "officer")
    assert other.csrf("/cases") != after
    assert b.post("/logout", {"csrf": other.csrf("/cases")}).status_code == 403
    assert b.post("/logout", {"csrf": after}).status_code == 303


def test_idle_sessions_end(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HAVEN_IDLE_TIMEOUT_MINUTES", "30")
    assert _ok(api, "officer") == 200
    with api.db.session() as s:
        s.execute(update(ApiToken).values(last_used_at=now() - timedelta(minutes=31)))
    r = api.get("/me", "officer")
    assert r.status_code == 401 and "without use" in r.text
    monkeypatch.setenv("HAVEN_IDLE_TIMEOUT_MINUTES", "60")
    assert _ok(api, "officer") == 200  # configurable
