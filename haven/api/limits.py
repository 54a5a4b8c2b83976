"""Limits on what a client may send: request body size (checked before anything else, so an
unauthenticated client cannot make the server read 200 MB to answer 401) and version numbers
(an ETag or form `version` larger than any version is a stale edit, not a database error).

Field lengths are checked by the request models (haven/api/bodies.py, the case model) and
listed in docs/security.md.
"""

import json
import os

from starlette.types import Message, Receive, Scope, Send

from haven.asgi_middleware import HttpMiddleware

MiB = 1024 * 1024
# Default body limit, and the larger one for requests that carry a whole caseload.
BODY_MAX = int(os.environ.get("HAVEN_MAX_BODY_BYTES", str(2 * MiB)))
BULK_BODY_MAX = int(os.environ.get("HAVEN_MAX_BULK_BODY_BYTES", str(64 * MiB)))
BULK_PATHS = ("/api/v1/impact", "/impact")


def body_limit(path: str) -> int:
    return BULK_BODY_MAX if path.rstrip("/") in BULK_PATHS else BODY_MAX


class BodyLimit(HttpMiddleware):
    """Outermost: a declared `Content-Length` over the limit is answered 413 at once, and a
    body sent without one is cut off at the limit, before any route, dependency or
    authentication has read it."""

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = body_limit(scope.get("path", ""))
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _too_large(send, limit)
            return
        seen = 0
        exceeded = started = False

        async def counted() -> Message:
            # Past the limit the app sees the client go away; its answer is dropped below.
            nonlocal seen, exceeded
            if exceeded:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    exceeded = True
                    return {"type": "http.disconnect"}
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            if exceeded and not started:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except Exception:
            if not exceeded:
                raise
        if exceeded and not started:
            await _too_large(send, limit)


async def _too_large(send: Send, limit: int) -> None:
    body = json.dumps(
        {
            "error": {
                "code": "payload_too_large",
                "message": f"the request body is larger than {limit} bytes",
                "problems": [
                    {"field": "body", "message": f"larger than the limit of {limit} bytes"}
                ],
            }
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
                (b"cache-control", b"no-store"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
