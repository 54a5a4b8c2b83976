"""The one way Haven's plain ASGI middlewares are written (BodyLimit, Operations, PolicyHeader,
BrowserHeaders): non-HTTP scopes (lifespan) pass straight through, and a middleware that only
touches the response's start message says so in `started` instead of wrapping `send` itself.

Not Starlette's BaseHTTPMiddleware: that runs the rest of the app in a task of its own and pipes
the response through a memory stream, a cost every request paid once per such middleware.
Headers are set on the raw list with pre-encoded names and values, with the semantics of
Starlette's MutableHeaders (`set_headers` as `headers[k] = v`, `default_headers` as
`headers.setdefault(k, v)`), so the bytes sent are the same.
"""

from collections.abc import Iterable, Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send

Header = tuple[bytes, bytes]


def encoded(headers: Mapping[str, str]) -> tuple[Header, ...]:
    """Header pairs as they go on the wire (lower-case names, latin-1), encoded once."""
    return tuple((k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items())


def raw_headers(message: Message) -> list[Header]:
    """The start message's header list, made a list in place (it may be any iterable)."""
    headers = message.get("headers")
    if not isinstance(headers, list):
        headers = message["headers"] = list(headers or ())
    return headers


def header(message: Message, name: bytes) -> bytes | None:
    """The first value of header NAME (lower-case) in a start message."""
    for key, value in raw_headers(message):
        if key == name:
            return value
    return None


def set_headers(message: Message, pairs: Iterable[Header]) -> None:
    """Each pair replaces that header (the first one in place, duplicates dropped), or is
    appended when the response has none."""
    headers = raw_headers(message)
    present = {key for key, _ in headers}
    for key, value in pairs:
        if key not in present:
            headers.append((key, value))
            present.add(key)
            continue
        found = [i for i, (k, _) in enumerate(headers) if k == key]
        for i in reversed(found[1:]):
            del headers[i]
        headers[found[0]] = (key, value)


def default_headers(message: Message, pairs: Iterable[Header]) -> None:
    """Each pair is appended unless the response sets that header itself."""
    headers = raw_headers(message)
    present = {key for key, _ in headers}
    headers.extend(pair for pair in pairs if pair[0] not in present)


class HttpMiddleware:
    """A plain ASGI middleware for HTTP requests; other scopes go to the app untouched.

    Override `started` to change the response's start message (its status and headers) before
    it is sent, or `http` for anything more (the default `http` wraps `send` for `started`)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.http(scope, receive, send)

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, self.on_start(scope, send))

    def started(self, scope: Scope, message: Message) -> None:
        """Called with the `http.response.start` message, before it is sent."""

    def on_start(self, scope: Scope, send: Send) -> Send:
        """SEND, calling `started` with the response's start message first."""
        started = self.started

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                started(scope, message)
            await send(message)

        return wrapped
