"""The benchmarks' lean HTTP client (benchmarks/lean_http.py) against a real `haven serve`: it
reads the status and body of each answer, keeps connections alive, and an answer that never
comes is an error, not a lost request. benchmarks/api_latency.py counts what it gets from it."""

import asyncio
import json
import os
import signal
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from haven.store import auth
from haven.store.access import Role
from haven.store.db import Database
from tests.store.served import free_port, haven_server
from tests.store.store_helpers import PASSWORD

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import api_latency
from lean_http import LeanClient, LeanError


def _token(client: LeanClient) -> str:
    login = json.dumps({"username": "officer", "password": PASSWORD}).encode()
    raw = client.encode("POST", "/api/v1/login", login, {"Content-Type": "application/json"})
    status, body = asyncio.run(_once(client, raw))
    assert status == 200, body
    token: str = json.loads(body)["token"]
    return token


async def _once(client: LeanClient, raw: bytes) -> tuple[int, bytes]:
    async with client:
        return await client.send(raw)


def test_lean_client_reads_status_and_body_and_the_benchmark_counts_errors(
    db: Database, example_case: dict[str, Any]
) -> None:
    with db.session() as s:
        auth.add_user(s, auth.ensure_org(s, "acme", "Acme"), "officer", PASSWORD, Role.CASE_OFFICER)
    with haven_server(db.url) as (base, _):
        port = int(base.rsplit(":", 1)[1])
        token = _token(LeanClient("127.0.0.1", port))
        good = json.dumps({"as_of": "2015-10-01", "case": example_case}).encode()
        json_headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}

        async def answers() -> list[tuple[int, bytes]]:
            async with LeanClient("127.0.0.1", port, connections=3) as client:
                ok = client.encode("POST", "/api/v1/assessments", good, json_headers)
                bad_body = client.encode("POST", "/api/v1/assessments", b"{", json_headers)
                no_token = client.encode(
                    "POST", "/api/v1/assessments", good, {"Content-Type": "application/json"}
                )
                # More requests at once than connections: they wait for one, none is lost.
                got = await asyncio.gather(*(client.send(ok) for _ in range(8)))
                got += [await client.send(bad_body), await client.send(no_token)]
                assert len(client._open) <= 3  # kept alive and reused, not one per request
                return got

        got = asyncio.run(answers())
        assert [status for status, _ in got] == [200] * 8 + [422, 401]
        answer = json.loads(got[0][1])  # the whole body, parsed as the contract's JSON
        assert answer["as_of"] == "2015-10-01" and answer["recommendation"]
        assert json.loads(got[-2][1])  # the 422's problem list, complete

        async def around_an_idle_close() -> tuple[int, int]:
            async with LeanClient("127.0.0.1", port) as client:
                ok = client.encode("POST", "/api/v1/assessments", good, json_headers)
                first, _ = await client.send(ok)
                await asyncio.sleep(5.5)  # uvicorn closes a connection idle for 5 s
                second, _ = await client.send(ok)  # on a new connection, not an error
                return first, second

        assert asyncio.run(around_an_idle_close()) == (200, 200)

        # The benchmark: every answer 200 with the token, every one an error without it.
        latencies, errors, _ = asyncio.run(api_latency.load(base, token, 40, 0.5, "lean"))
        assert (len(latencies), errors) == (20, {})
        latencies, errors, _ = asyncio.run(api_latency.load(base, "not-a-token", 40, 0.5, "lean"))
        assert (len(latencies), errors) == (20, {"401": 20})


def test_no_answer_is_a_lean_error_and_a_counted_error() -> None:
    port = free_port()  # nothing listens there
    client = LeanClient("127.0.0.1", port, timeout=2)
    with pytest.raises(LeanError):
        asyncio.run(_once(client, client.encode("GET", "/healthz")))
    latencies, errors, _ = asyncio.run(
        api_latency.load(f"http://127.0.0.1:{port}", "t", 20, 0.5, "lean")
    )
    assert len(latencies) == 10 and sum(errors.values()) == 10
    assert set(errors) <= {"ConnectionRefusedError", "OSError"}, errors


def test_a_server_that_dies_mid_load_gives_errors_not_hangs(db: Database) -> None:
    with db.session() as s:
        auth.add_user(s, auth.ensure_org(s, "acme", "Acme"), "officer", PASSWORD, Role.CASE_OFFICER)
    with haven_server(db.url) as (base, proc):
        port = int(base.rsplit(":", 1)[1])
        token = _token(LeanClient("127.0.0.1", port))

        async def run() -> tuple[list[float], Counter[str], float]:
            task = asyncio.create_task(api_latency.load(base, token, 40, 2, "lean"))
            await asyncio.sleep(0.8)
            os.killpg(proc.pid, signal.SIGKILL)
            return await task

        latencies, errors, _ = asyncio.run(run())
    assert len(latencies) == 80
    failed = sum(errors.values())
    assert 20 <= failed < 80  # those after the kill failed; those before it were answered
