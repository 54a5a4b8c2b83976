"""Browser-facing protections: security headers, the session cookie and CSRF tokens.

Sessions reuse the store's bearer tokens (hashed in the database, 12 h expiry), so a session
works across processes and is revoked at logout. The cookie is HttpOnly and SameSite=Strict;
every state-changing form or htmx request must also carry a CSRF token equal to a random
per-browser cookie (double submit), which another site can neither read nor set.
"""

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


def csrf_token(request: Request) -> str:
    """This browser's CSRF token (a new one if it has none; `ensure_csrf` then sets it)."""
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
    cookie = request.cookies.get(CSRF_COOKIE, "")
    header = request.headers.get(CSRF_HEADER, "")
    given = submitted or header
    return bool(cookie) and bool(given) and hmac.compare_digest(cookie, given)


def safe_next(target: str | None, default: str = "/") -> str:
    """Only local paths: a login link must not redirect to another site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target
