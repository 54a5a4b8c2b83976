"""Request smuggling: a request that carries both `Transfer-Encoding: chunked` and
`Content-Length` is refused with 400 by the real server and its connection closed, so no second
request hidden in its body is ever answered (RFC 9112 section 6.3; docs/security.md). A proxy in
front that trusted the other header would otherwise see one request where Haven sees two."""

import socket
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.store.served import haven_server

# The body is an empty chunked body by Transfer-Encoding, or by Content-Length the start of
# a second request (GET /healthz) that the server must never answer.
HIDDEN = b"GET /healthz HTTP/1.1\r\nHost: haven\r\n\r\n"
CHUNKED_THEN_MORE = b"0\r\n\r\n" + HIDDEN


def answer(base: str, raw: bytes) -> bytes:
    """Everything the server sends back on one connection until it closes it."""
    url = urlsplit(base)
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        sock.sendall(raw)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    return received


def request(headers: list[str], body: bytes) -> bytes:
    lines = ["POST /api/v1/login HTTP/1.1", "Host: haven", "Content-Type: application/json"]
    return ("\r\n".join([*lines, *headers]) + "\r\n\r\n").encode() + body


@pytest.mark.parametrize(
    "headers",
    [
        ["Transfer-Encoding: chunked", f"Content-Length: {len(CHUNKED_THEN_MORE)}"],
        [f"Content-Length: {len(CHUNKED_THEN_MORE)}", "Transfer-Encoding: chunked"],
        ["Content-Length: 5", "Transfer-Encoding: chunked"],
    ],
    ids=["te-first", "cl-first", "cl-short"],
)
def test_transfer_encoding_with_content_length_is_refused(
    tmp_path: Path, headers: list[str]
) -> None:
    with haven_server(f"sqlite:///{tmp_path / 'haven.db'}") as (base, _):
        received = answer(base, request(headers, CHUNKED_THEN_MORE))
    assert received.startswith(b"HTTP/1.1 400 "), received[:200]
    # One answer only, and the connection closed after it: the hidden request went unanswered.
    assert received.count(b"HTTP/1.1 ") == 1, received
    assert b'"status":"ok"' not in received


def test_a_plain_chunked_request_is_still_answered(tmp_path: Path) -> None:
    """The control: the same server answers a well-formed chunked request (here 422, an empty
    JSON object is not a login) and the request after it on the same connection."""
    with haven_server(f"sqlite:///{tmp_path / 'haven.db'}") as (base, _):
        body = b"2\r\n{}\r\n0\r\n\r\n" + HIDDEN.replace(
            b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n"
        )
        received = answer(base, request(["Transfer-Encoding: chunked"], body))
    assert received.startswith(b"HTTP/1.1 422 "), received[:200]
    assert received.count(b"HTTP/1.1 ") == 2 and b'"status":"ok"' in received, received
