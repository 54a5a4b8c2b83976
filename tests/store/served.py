"""A real `haven serve` process on a free port, for the fault and restart tests."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "HAVEN_DEBUG"}
    env["HAVEN_DATABASE_URL"] = url
    return env


@contextmanager
def haven_server(
    url: str,
    log: Path | None = None,
    graceful: bool = False,
    env: dict[str, str] | None = None,
    args: tuple[str, ...] = (),
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Base URL and process once it answers. Its stderr (the server log) goes to `log`; at the
    end it is killed, or asked to stop first (`graceful`)."""
    port = free_port()
    sink = log.open("wb") if log else subprocess.DEVNULL
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "haven", "serve", "--port", str(port), *args],
            env={**server_env(url), **(env or {})},
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=sink,
            # Its own process group: with --workers N, killing the supervisor alone would leave
            # N orphaned workers running through the rest of the suite.
            start_new_session=True,
        )
    finally:
        if log and not isinstance(sink, int):
            sink.close()
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(base + "/openapi.json", timeout=1)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    said = f": {log.read_text()}" if log else ""
                    pytest.fail(f"haven serve did not start (exit {proc.poll()}){said}")
                time.sleep(0.1)
        yield base, proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM if graceful else signal.SIGKILL)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # workers the supervisor left behind
