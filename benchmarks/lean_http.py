"""A lean HTTP/1.1 client for the load benchmarks: raw asyncio streams over keep-alive
connections, requests encoded once, responses parsed no further than the status line, the
headers that frame the body (Content-Length, chunked, Connection: close) and the body.

httpx spends more CPU per request than the server's own handling of a small request, and the
load generator shares the machine's cores with the server and the database; this client costs a
fraction of that (benchmarks/api_latency.py prints both, `--client lean|httpx`). It is not a
general HTTP client: no redirects, no TLS, no compression, no pipelining (a connection carries
one request at a time; more concurrent requests open more connections, up to `connections`).
"""

import asyncio
import contextlib
import time
from collections.abc import Mapping

Response = tuple[int, bytes]  # status, body
# Reuse a keep-alive connection only if it was idle for less than this (uvicorn closes one idle
# for 5 s: the default timeout_keep_alive).
IDLE_REUSE_SECONDS = 4.0


class LeanError(Exception):
    """The request got no complete HTTP response (refused, reset, timed out, malformed)."""


def encode(
    host: str,
    method: str,
    path: str,
    body: bytes = b"",
    headers: Mapping[str, str] | None = None,
) -> bytes:
    """One HTTP/1.1 request, ready to write (send it as often as you like)."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    if body or method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class LeanClient:
    """Keep-alive connections to one `host:port`, each carrying one request at a time."""

    def __init__(self, host: str, port: int, connections: int = 200, timeout: float = 10) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.authority = f"{host}:{port}"
        self._idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter, float]] = []
        self._slots = asyncio.Semaphore(connections)
        self._open: set[asyncio.StreamWriter] = set()

    def encode(
        self, method: str, path: str, body: bytes = b"", headers: Mapping[str, str] | None = None
    ) -> bytes:
        return encode(self.authority, method, path, body, headers)

    async def send(self, raw: bytes) -> Response:
        """Send one encoded request and read its response; LeanError if there is none. A
        request waiting for a free connection is waiting: its time counts in its timeout."""
        try:
            async with asyncio.timeout(self.timeout), self._slots:
                reader, writer = await self._connection()
                try:
                    writer.write(raw)
                    status, body, keep = await _response(reader)
                except BaseException:
                    self._close(writer)
                    raise
                if keep:
                    self._idle.append((reader, writer, time.monotonic()))
                else:
                    self._close(writer)
                return status, body
        except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError) as e:
            raise LeanError(f"{type(e).__name__}: {e}") from e

    async def _connection(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        """An idle connection the server has not closed, else a new one. A server closes a
        keep-alive connection idle for a while (uvicorn: 5 s); one that it closed as we wrote to
        it would fail a request that was never served, so such connections are not reused."""
        now = time.monotonic()
        while self._idle:
            reader, writer, since = self._idle.pop()
            if not reader.at_eof() and now - since < IDLE_REUSE_SECONDS:
                return reader, writer
            self._close(writer)
        reader, writer = await asyncio.open_connection(self.host, self.port)
        self._open.add(writer)
        return reader, writer

    def _close(self, writer: asyncio.StreamWriter) -> None:
        self._open.discard(writer)
        writer.close()

    async def aclose(self) -> None:
        writers = list(self._open)
        self._idle.clear()
        for w in writers:
            self._close(w)
        for w in writers:
            with contextlib.suppress(OSError):
                await w.wait_closed()

    async def __aenter__(self) -> "LeanClient":
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()


async def _response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    """(status, body, connection reusable) of the next response on `reader`."""
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, _, rest = head.partition(b"\r\n")
    parts = status_line.split(b" ", 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/1."):
        raise ValueError(f"not an HTTP/1.x status line: {status_line[:80]!r}")
    status = int(parts[1])
    length, chunked, keep = -1, False, parts[0] == b"HTTP/1.1"
    for line in rest.split(b"\r\n"):
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding":
            chunked = b"chunked" in value.lower()
        elif name == b"connection":
            keep = value.strip().lower() != b"close"
    if chunked:
        body = bytearray()
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";", 1)[0], 16)
            if size == 0:
                await reader.readuntil(b"\r\n")  # no trailers expected: the final CRLF
                return status, bytes(body), keep
            body += await reader.readexactly(size + 2)
            del body[-2:]
    if length >= 0:
        return status, await reader.readexactly(length), keep
    if status in (204, 304) or 100 <= status < 200:
        return status, b"", keep
    return status, await reader.read(), False  # framed by closing the connection
