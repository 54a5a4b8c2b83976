"""haven.asgi_middleware: its header helpers give the same header list as Starlette's
MutableHeaders (the bytes sent did not change when the middlewares moved to them), and
non-HTTP scopes pass through untouched."""

import asyncio

from hypothesis import given
from hypothesis import strategies as st
from starlette.datastructures import MutableHeaders
from starlette.types import Message, Receive, Scope, Send

from haven.asgi_middleware import HttpMiddleware, default_headers, encoded, header, set_headers

NAMES = st.sampled_from(["Content-Type", "X-A", "x-b", "Cache-Control"])
VALUES = st.sampled_from(["1", "two", "no-store", "image/svg+xml"])
LISTS = st.lists(st.tuples(NAMES, VALUES), max_size=6)
MAPS = st.dictionaries(NAMES, VALUES, max_size=3)


def start(pairs: list[tuple[str, str]]) -> Message:
    raw = [(k.lower().encode(), v.encode()) for k, v in pairs]
    return {"type": "http.response.start", "status": 200, "headers": tuple(raw)}


@given(LISTS, MAPS)
def test_set_headers_is_mutableheaders_setitem(
    existing: list[tuple[str, str]], new: dict[str, str]
) -> None:
    ours, theirs = start(existing), start(existing)
    set_headers(ours, encoded(new))
    headers = MutableHeaders(scope=theirs)
    for k, v in new.items():
        headers[k] = v
    assert ours["headers"] == theirs["headers"]


@given(LISTS, MAPS)
def test_default_headers_is_mutableheaders_setdefault(
    existing: list[tuple[str, str]], new: dict[str, str]
) -> None:
    ours, theirs = start(existing), start(existing)
    default_headers(ours, encoded(new))
    headers = MutableHeaders(scope=theirs)
    for k, v in new.items():
        headers.setdefault(k, v)
    assert ours["headers"] == theirs["headers"]


@given(LISTS)
def test_header_is_the_first_value(existing: list[tuple[str, str]]) -> None:
    found = MutableHeaders(scope=start(existing)).get("content-type")
    got = header(start(existing), b"content-type")
    assert (got.decode() if got is not None else None) == found


class Tagging(HttpMiddleware):
    def started(self, scope: Scope, message: Message) -> None:
        set_headers(message, encoded({"X-Tag": "yes"}))


def test_http_responses_are_tagged_and_other_scopes_pass_through() -> None:
    seen: list[tuple[str, Message]] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await send({"type": "http.response.start", "status": 204, "headers": []})
            await send({"type": "http.response.body", "body": b""})
        else:
            await send({"type": "lifespan.startup.complete"})

    async def run(kind: str) -> None:
        async def receive() -> Message:
            return {"type": "http.request", "body": b""}

        async def send(message: Message) -> None:
            seen.append((kind, message))

        await Tagging(app)({"type": kind}, receive, send)

    asyncio.run(run("http"))
    asyncio.run(run("lifespan"))
    assert seen[0][1]["headers"] == [(b"x-tag", b"yes")]
    assert seen[1][1] == {"type": "http.response.body", "body": b""}
    assert seen[2] == ("lifespan", {"type": "lifespan.startup.complete"})
