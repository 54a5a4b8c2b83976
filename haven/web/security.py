"""Browser-facing protections: security headers, the session cookie and CSRF tokens.

Sessions reuse the store's bearer tokens (hashed in the database, 12 h expiry, idle
timeout), so a session works across processes and is revoked at logout. The cookie is HttpOnly
and SameSite=Strict; every state-changing form or htmx request must also carry a CSRF token.
Signed in, that token is derived from the session (a SHA-256 of it under a fixed label): it
changes at every sign-in and is worthless with any other session, so a token planted or seen
before sign-in cannot be used after it. Before sign-in (the login form) it equals a random
per-browser cookie (double submit), which another site can neither read nor set.
"""

import base64
import hashlib
import hmac
import os
import secrets

from fastapi import Request, Response

SESSION_COOKIE = "haven_session"
CSRF_COOKIE = "haven_csrf"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
LANG_COOKIE = "haven_lang"

# No inline script or style anywhere: htmx is a same-origin file and configured by a meta tag.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
# An SVG chart loaded through <img> runs no script; its own presentation attributes need
# inline styles, which are harmless there.
CSP_IMAGE = "default-src 'none'; style-src 'unsafe-inline'"

HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}


def secure_cookies() -> bool:
    """Secure cookies unless explicitly switched off for plain-HTTP use off loopback
    (browsers accept Secure cookies from http://localhost and http://127.0.0.1)."""
    return os.environ.get("HAVEN_INSECURE_COOKIES", "") != "1"


def set_cookie(response: Response, name: str, value: str, *, http_only: bool = True) -> None:
    response.set_cookie(
        name,
        value,
        httponly=http_only,
        secure=secure_cookies(),
        samesite="strict",
        path="/",
    )


def session_csrf(session: str) -> str:
    """The CSRF token bound to a session token (one-way: it does not reveal the session)."""
    digest = hashlib.sha256(b"haven-csrf\x00" + session.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def csrf_token(request: Request) -> str:
    """The CSRF token for this browser's forms: bound to the session when signed in, else the
    pre-sign-in cookie's (a new one if it has none; `ensure_csrf` then sets it)."""
    session = request.cookies.get(SESSION_COOKIE)
    if session:
        return session_csrf(session)
    token = request.cookies.get(CSRF_COOKIE)
    if not token or len(token) < 32:
        token = getattr(request.state, "new_csrf", None) or secrets.token_urlsafe(32)
        request.state.new_csrf = token
    return token


def ensure_csrf(request: Request, response: Response) -> None:
    new = getattr(request.state, "new_csrf", None)
    if new:
        set_cookie(response, CSRF_COOKIE, new)


def csrf_ok(request: Request, submitted: str | None) -> bool:
    session = request.cookies.get(SESSION_COOKIE)
    expected = session_csrf(session) if session else request.cookies.get(CSRF_COOKIE, "")
    given = submitted or request.headers.get(CSRF_HEADER, "")
    return bool(expected) and bool(given) and hmac.compare_digest(expected, given)


def safe_next(target: str | None, default: str = "/") -> str:
    """Only local paths: a login link must not redirect to another site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target
