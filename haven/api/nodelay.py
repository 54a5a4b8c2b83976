"""uvicorn's HTTP/1.1 protocol with TCP_NODELAY on every accepted connection.

With `--workers N` uvicorn's supervisor binds the listening socket itself with `proto` 0; the
accepted sockets inherit it, and asyncio only turns Nagle off when `proto` is IPPROTO_TCP. Each
small response then waits on the client's delayed ACK (~40 ms on Linux). One worker is not
affected (asyncio builds that listener from getaddrinfo). Upstream: Kludex/uvicorn issue #3149
(https://github.com/Kludex/uvicorn/issues/3149, open on 2026-12-05)."""

import asyncio
import contextlib
import socket

from uvicorn.protocols.http.h11_impl import H11Protocol


class NoDelayH11Protocol(H11Protocol):
    """H11Protocol that sets TCP_NODELAY itself instead of relying on the listener's `proto`."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            # A connection the peer already reset has nothing to speed up.
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)
