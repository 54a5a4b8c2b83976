"""Signing in through the web app's login form, as a browser does (the CSRF token from the form)."""

import re

from fastapi.testclient import TestClient

# The demo-style account the app-level tests create and sign in with.
LOGIN = {"username": "olga", "password": "a long enough password"}


def form_sign_in(
    client: TestClient, login: dict[str, str] = LOGIN, lang: str | None = None
) -> TestClient:
    """Signs `client` in through /login (a fresh session; `lang` sets the language cookie)."""
    client.cookies.clear()
    if lang:
        client.cookies.set("haven_lang", lang, domain="testserver.local")
    form = client.get("/login").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', form)
    assert csrf, form[:300]
    r = client.post(
        "/login", data={"csrf": csrf.group(1), "next": "/cases", **login}, follow_redirects=False
    )
    assert r.status_code == 303, r.text
    return client
