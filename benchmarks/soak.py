"""Soak benchmark: two `haven serve` processes on one fresh PostgreSQL database, N clients.

Closed loop, loopback only, bounded in time. Each client mixes reads (GET a case), edits (GET,
then PUT with If-Match; a 412 means another client won, so it re-reads and retries), stored
assessments (POST /cases/{ref}/assessments) and stateless assessments (POST /assessments),
alternating between the two processes. At the end it checks:

- zero lost updates: every case's version equals 1 + the edits the server acknowledged for it;
- zero unexpected errors: no response other than 2xx or the 412 of a lost race, no exception.

Run on demand (not part of pytest):

    .venv/bin/python benchmarks/soak.py [--seconds 120] [--clients 12] [--cases 20]

It appends a dated row (machine, load average) to benchmarks/results/soak.md and exits 1 if
either check fails.
"""

import argparse
import asyncio
import copy
import json
import os
import platform
import random
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg

from haven.cli.demo_cmd import EXAMPLE

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "soak.md"
PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=3"
PASSWORD = "soak-benchmark-password"
# operation -> weight in the mix
MIX = {"read": 4, "edit": 3, "assess_case": 2, "assess": 2}


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    acked: Counter[str] = field(default_factory=Counter)
    conflicts: int = 0
    errors: list[str] = field(default_factory=list)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def fresh_database() -> Iterator[str]:
    name = f"haven_soak_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def servers(env: dict[str, str], count: int) -> Iterator[list[str]]:
    haven = [sys.executable, "-m", "haven"]
    user = ["soak", "--role", "case_officer", "--org", "soak", "--password", PASSWORD]
    subprocess.run(
        [*haven, "users", "add", *user],
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    procs, bases = [], []
    try:
        for _ in range(count):
            port = _free_port()
            procs.append(
                subprocess.Popen(
                    [*haven, "serve", "--port", str(port)],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
            bases.append(f"http://127.0.0.1:{port}")
        for base in bases:
            for _ in range(300):
                try:
                    httpx.get(base + "/openapi.json", timeout=1)
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            else:
                raise SystemExit(f"server at {base} did not start")
        yield bases
    finally:
        for p in procs:
            p.terminate()
            p.wait(timeout=20)


async def timed(tally: Tally, op: str, call: Any) -> httpx.Response:
    start = time.perf_counter()
    response: httpx.Response = await call
    tally.latencies[op].append((time.perf_counter() - start) * 1000)
    return response


def _check(tally: Tally, op: str, r: httpx.Response, *ok: int) -> bool:
    if r.status_code in ok:
        return True
    tally.errors.append(f"{op}: HTTP {r.status_code} {r.text[:200]}")
    return False


async def edit(client: httpx.AsyncClient, tally: Tally, ref: str) -> None:
    """Read-modify-write with If-Match until the server accepts it (412: someone else won)."""
    while True:
        r = await timed(tally, "read", client.get(f"/api/v1/cases/{ref}"))
        if not _check(tally, "read", r, 200):
            return
        case = r.json()["case"]
        case["region"] = "RU-SPE" if case["region"] == "RU-MOW" else "RU-MOW"
        put = await timed(
            tally,
            "edit",
            client.put(f"/api/v1/cases/{ref}", json=case, headers={"If-Match": r.headers["etag"]}),
        )
        if put.status_code == 412:
            tally.conflicts += 1
            continue
        if _check(tally, "edit", put, 200):
            tally.acked[ref] += 1
        return


async def client_loop(
    i: int, bases: list[str], token: str, refs: list[str], deadline: float, tally: Tally
) -> None:
    rng = random.Random(i)
    ops, weights = list(MIX), list(MIX.values())
    stateless = {"as_of": "2015-10-01", "case": EXAMPLE}
    clients = [
        httpx.AsyncClient(base_url=b, headers={"Authorization": f"Bearer {token}"}, timeout=60)
        for b in bases
    ]
    try:
        n = 0
        while time.perf_counter() < deadline:
            client = clients[(i + n) % len(clients)]  # alternate the processes
            n += 1
            op = rng.choices(ops, weights)[0]
            ref = rng.choice(refs)
            try:
                if op == "read":
                    r = await timed(tally, op, client.get(f"/api/v1/cases/{ref}"))
                    _check(tally, op, r, 200)
                elif op == "edit":
                    await edit(client, tally, ref)
                elif op == "assess_case":
                    body = {"as_of": "2015-10-01"}
                    url = f"/api/v1/cases/{ref}/assessments"
                    r = await timed(tally, op, client.post(url, json=body))
                    _check(tally, op, r, 201)
                else:
                    r = await timed(tally, op, client.post("/api/v1/assessments", json=stateless))
                    _check(tally, op, r, 200)
            except httpx.HTTPError as e:
                tally.errors.append(f"{op}: {type(e).__name__}: {e}")
    finally:
        for c in clients:
            await c.aclose()


async def soak(bases: list[str], args: argparse.Namespace) -> tuple[Tally, float, list[str]]:
    async with httpx.AsyncClient(base_url=bases[0], timeout=60) as c:
        login = await c.post("/api/v1/login", json={"username": "soak", "password": PASSWORD})
        token = login.json()["token"]
        h = {"Authorization": f"Bearer {token}"}
        refs = [f"SOAK-{k}" for k in range(args.cases)]
        for ref in refs:
            body = copy.deepcopy(EXAMPLE) | {"id": ref}
            r = await c.post("/api/v1/cases", json=body, headers=h)
            assert r.status_code == 201, r.text
    tally = Tally()
    start = time.perf_counter()
    deadline = start + args.seconds
    await asyncio.gather(
        *(client_loop(i, bases, token, refs, deadline, tally) for i in range(args.clients))
    )
    elapsed = time.perf_counter() - start
    lost = []
    async with httpx.AsyncClient(base_url=bases[1], headers=h, timeout=60) as c:
        for ref in refs:
            version = (await c.get(f"/api/v1/cases/{ref}")).json()["version"]
            if version != 1 + tally.acked[ref]:
                lost.append(f"{ref}: version {version}, acknowledged edits {tally.acked[ref]}")
    return tally, elapsed, lost


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=120)
    ap.add_argument("--clients", type=int, default=12)
    ap.add_argument("--cases", type=int, default=20, help="few cases: edits collide often")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp())
    load_before = os.getloadavg()
    with fresh_database() as url:
        env = {k: v for k, v in os.environ.items() if k != "HAVEN_KEYS"}
        env |= {"HAVEN_DATABASE_URL": url, "HAVEN_KEY_FILE": str(tmp / "haven-keys.json")}
        with servers(env, 2) as bases:
            tally, elapsed, lost = asyncio.run(soak(bases, args))
    load = os.getloadavg()
    total = sum(len(v) for v in tally.latencies.values())
    figures = {
        op: {
            "n": len(v),
            "p50_ms": round(percentile(v, 50), 1),
            "p95_ms": round(percentile(v, 95), 1),
            "p99_ms": round(percentile(v, 99), 1),
        }
        for op, v in sorted(tally.latencies.items())
    }
    print(json.dumps(figures, indent=2))
    print(
        f"{total} requests in {elapsed:.0f} s = {total / elapsed:.1f}/s; "
        f"{sum(tally.acked.values())} acknowledged edits, {tally.conflicts} conflicts (412); "
        f"{len(tally.errors)} unexpected errors; {len(lost)} lost updates; "
        f"load average {load_before[0]:.2f} before, {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} after"
    )
    for line in tally.errors[:10] + lost[:10]:
        print("  " + line)
    row = [
        datetime.now(UTC).strftime("%Y-%m-%d %H:%M"),
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        f"{load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}",
        str(args.clients),
        f"{elapsed:.0f}",
        str(total),
        f"{total / elapsed:.1f}",
        str(sum(tally.acked.values())),
        str(tally.conflicts),
        str(len(tally.errors)),
        str(len(lost)),
        *(
            f"{figures[op]['p50_ms']} / {figures[op]['p95_ms']} / {figures[op]['p99_ms']}"
            if op in figures
            else "-"
            for op in MIX
        ),
    ]
    if not RESULTS.exists():
        RESULTS.write_text(
            "# Soak: two app processes, one PostgreSQL, concurrent clients (loopback)\n\n"
            "Produced by `benchmarks/soak.py`; one row per run. Closed loop: each client sends "
            "its next request when the last one returns. Mix (weights): read 4, edit 3 "
            "(GET + PUT with If-Match, retried on 412), stored assessment 2, stateless "
            "assessment 2. Latencies p50 / p95 / p99 in ms. Load average is `uptime`'s "
            "(1 / 5 / 15 min) at the end: the machine is shared.\n\n"
            "| date (UTC) | machine | load avg | clients | seconds | requests | req/s "
            "| acked edits | 412s | errors | lost updates | read | edit (PUT) "
            "| stored assessment | stateless assessment |\n"
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n"
        )
    with RESULTS.open("a") as f:
        f.write("| " + " | ".join(row) + " |\n")
    if tally.errors or lost:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
