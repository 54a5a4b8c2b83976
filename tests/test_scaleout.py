"""Two server processes, one PostgreSQL: no lost update, whichever process an edit reaches.

Nothing that matters lives in process memory (tokens, versions, audit are in the database), so
a token from one process works on the other and a stale edit through either gets 412.
"""

import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

PG = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    import psycopg

    name = f"haven_scale_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(PG, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as e:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required in CI on 127.0.0.1:5432: {e}")
        pytest.skip("PostgreSQL not available on 127.0.0.1:5432 — scale-out test skipped")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    with psycopg.connect(PG, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def servers(pg_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[str]]:
    env = {**os.environ, "HAVEN_DATABASE_URL": pg_url}
    haven = [sys.executable, "-m", "haven"]
    subprocess.run(
        [
            *haven,
            "users",
            "add",
            "olga",
            "--role",
            "case_officer",
            "--org",
            "ngo",
            "--password",
            "scale-out-password",
        ],
        env=env,
        check=True,
        capture_output=True,
        timeout=60,
    )
    procs, bases = [], []
    for _ in range(2):
        port = _free_port()
        procs.append(
            subprocess.Popen(
                [*haven, "serve", "--port", str(port)],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
        )
        bases.append(f"http://127.0.0.1:{port}")
    try:
        for base in bases:
            for _ in range(150):
                try:
                    httpx.get(base + "/openapi.json", timeout=1)
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            else:
                pytest.fail(f"server at {base} did not start")
        yield bases
    finally:
        for p in procs:
            p.terminate()
            p.wait(timeout=10)


def test_two_processes_share_tokens_and_refuse_a_stale_edit(
    servers: list[str], shared: Path
) -> None:
    a, b = servers
    token = httpx.post(
        a + "/api/v1/login", json={"username": "olga", "password": "scale-out-password"}
    ).json()["token"]
    h = {"Authorization": f"Bearer {token}"}
    case = json.loads((shared / "contract" / "examples" / "ru-moscow-2015.json").read_text())
    assert httpx.post(a + "/api/v1/cases", json=case, headers=h).status_code == 201
    seen = httpx.get(b + "/api/v1/cases/EX-RU-1", headers=h)  # the token from A works on B
    assert seen.status_code == 200 and seen.headers["etag"] == '"1"'

    edit_a = httpx.put(
        a + "/api/v1/cases/EX-RU-1",
        json={**case, "region": "RU-SPE"},
        headers={**h, "If-Match": '"1"'},
    )
    assert edit_a.status_code == 200
    stale_b = httpx.put(
        b + "/api/v1/cases/EX-RU-1",
        json={**case, "region": "RU-CE"},
        headers={**h, "If-Match": '"1"'},
    )
    assert stale_b.status_code == 412
    final = httpx.get(b + "/api/v1/cases/EX-RU-1", headers=h).json()
    assert final["version"] == 2 and final["case"]["region"] == "RU-SPE"


def test_concurrent_edits_through_both_processes_let_exactly_one_win(
    servers: list[str], shared: Path
) -> None:
    a, b = servers
    token = httpx.post(
        b + "/api/v1/login", json={"username": "olga", "password": "scale-out-password"}
    ).json()["token"]
    h = {"Authorization": f"Bearer {token}"}
    case = json.loads((shared / "contract" / "examples" / "ru-moscow-2015.json").read_text())
    case["id"] = "RACE-1"
    assert httpx.post(a + "/api/v1/cases", json=case, headers=h).status_code == 201

    def edit(i: int) -> int:
        base = servers[i % 2]
        body = {
            **case,
            "incidents": [
                *case["incidents"],
                {"kind": "threat", "actor": "state", "credibility": "open"},
            ]
            * (i % 3 + 1),
        }
        return httpx.put(
            base + "/api/v1/cases/RACE-1", json=body, headers={**h, "If-Match": '"1"'}, timeout=30
        ).status_code

    with ThreadPoolExecutor(max_workers=12) as pool:
        codes = list(pool.map(edit, range(12)))
    assert sorted(codes) == [200] + [412] * 11, codes
    versions = httpx.get(a + "/api/v1/cases/RACE-1/versions", headers=h).json()
    assert [v["version"] for v in versions] == [1, 2]
