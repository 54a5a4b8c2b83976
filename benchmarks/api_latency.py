"""API latency benchmark: POST /api/v1/assessments at a fixed rate over loopback.

Open loop: each request is sent at its scheduled time and its latency is measured from that
time, so a slow server cannot hide queueing (no coordinated omission). Run on demand:

    .venv/bin/python benchmarks/api_latency.py --rate 200 --seconds 20 [--workers 1] \
        [--client lean|httpx]

Starts `haven serve` on a fresh demo database (SQLite in a temp dir, or HAVEN_DATABASE_URL),
then appends a dated row with the machine to benchmarks/results/api-latency.md (not with
--no-append). It also prints the server's CPU time per request (every worker process, user and
system, over the measured run): on a loaded machine latency says little, CPU per request does;
and the load generator's own CPU per request (this process), as it shares the cores, and on
PostgreSQL that of the database's backends. The default
client is benchmarks/lean_http.py (a fraction of httpx's CPU); `--client httpx` as before.
"""

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from lean_http import LeanClient, LeanError

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT.parent / "shared" / "contract" / "examples" / "ru-moscow-2015.json"
RESULTS = ROOT / "benchmarks" / "results" / "api-latency.md"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def load(
    base: str, token: str, rate: float, seconds: float, client: str = "lean"
) -> tuple[list[float], Counter[str], float]:
    """Send `rate * seconds` requests, request i at `start + i / rate` whatever happened to
    the ones before it; (latencies in ms from each scheduled time, errors by kind, elapsed
    seconds). An error is any answer but 200 (kind: its status) or none (kind: the exception:
    refused, reset, timed out after 10 s)."""
    body = {"as_of": "2015-10-01", "case": json.loads(EXAMPLE.read_text())}
    headers = {"Authorization": f"Bearer {token}"}
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    n = int(rate * seconds)
    if client == "lean":
        url = urlsplit(base)
        lean = LeanClient(url.hostname or "127.0.0.1", url.port or 80, connections=200)
        raw = lean.encode(
            "POST",
            "/api/v1/assessments",
            json.dumps(body).encode(),
            headers | {"Content-Type": "application/json"},
        )

        async def post() -> str | None:
            try:
                status, _ = await lean.send(raw)
            except LeanError as e:
                return str(e).split(":", 1)[0]
            return None if status == 200 else str(status)

        closing: Any = lean
    else:
        limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
        http = httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=10)

        async def post() -> str | None:
            try:
                r = await http.post("/api/v1/assessments", json=body)
            except httpx.HTTPError as e:
                return type(e).__name__
            return None if r.status_code == 200 else str(r.status_code)

        closing = http
    async with closing:
        start = time.perf_counter()

        async def one(i: int) -> None:
            scheduled = start + i / rate
            delay = scheduled - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            error = await post()
            if error is not None:
                errors[error] += 1
            latencies.append((time.perf_counter() - scheduled) * 1000)

        await asyncio.gather(*(one(i) for i in range(n)))
        elapsed = time.perf_counter() - start
    return latencies, errors, elapsed


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and every live descendant (uvicorn's workers), from
    /proc (Linux only): a worker's time counts while it runs, so read it before stopping."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # gone meanwhile
            continue
        fields = text.rsplit(")", 1)[1].split()  # after "pid (comm)": state, ppid, ...
        child = int(stat.parent.name)
        parents[child] = int(fields[1])
        times[child] = (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    tree, grew = {pid}, True
    while grew:
        more = {c for c, parent in parents.items() if parent in tree} - tree
        grew = bool(more)
        tree |= more
    return sum(times.get(p, 0.0) for p in tree)


def backends_cpu_seconds(database: str) -> float:
    """User + system CPU of the live PostgreSQL backends serving DATABASE on this machine
    (their process title names it; Linux only). Shared processes (WAL writer, checkpointer)
    and backends of other databases are not counted."""
    tick, total = os.sysconf("SC_CLK_TCK"), 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            title = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").split()
            # "postgres: [cluster:] user database host(port) state"
            if title[:1] != [b"postgres:"] or database.encode() not in title[2:4]:
                continue
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


@dataclass(frozen=True)
class Served:
    base: str
    token: str
    database: str
    pid: int


@contextmanager
def served(workers: int, port: int) -> Iterator[tuple[str, str, str]]:
    """`haven serve` with WORKERS processes on a fresh demo database (SQLite in a temp dir, or
    HAVEN_DATABASE_URL, which must be empty) and user bench logged in: (base URL, token, db)."""
    with serve(workers, port) as s:
        yield s.base, s.token, s.database


@contextmanager
def serve(workers: int, port: int) -> Iterator[Served]:
    """As `served`, with the server's process id (for its CPU time)."""
    tmp = Path(tempfile.mkdtemp())
    env = dict(os.environ)
    env.setdefault("HAVEN_DATABASE_URL", f"sqlite:///{tmp / 'bench.db'}")
    env.setdefault("HAVEN_KEY_FILE", str(tmp / "keys.json"))  # storing cases needs keys
    haven = [sys.executable, "-m", "haven"]
    subprocess.run(
        [
            *haven,
            "users",
            "add",
            "bench",
            "--role",
            "case_officer",
            "--org",
            "bench",
            "--password",
            "benchmark-password",
        ],
        env=env,
        check=True,
        capture_output=True,
    )
    server = subprocess.Popen(
        [*haven, "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                httpx.get(base + "/openapi.json", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        token = httpx.post(
            base + "/api/v1/login", json={"username": "bench", "password": "benchmark-password"}
        ).json()["token"]
        database = "sqlite" if env["HAVEN_DATABASE_URL"].startswith("sqlite") else "postgresql"
        yield Served(base, token, database, server.pid)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:  # overloaded: still draining its backlog
            server.kill()
            server.wait()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rate", type=float, default=200)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--port", type=int, default=8799)
    ap.add_argument("--no-append", action="store_true", help="print the row only")
    ap.add_argument(
        "--client",
        choices=("lean", "httpx"),
        default="lean",
        help="load generator: lean (benchmarks/lean_http.py, raw asyncio streams) or httpx",
    )
    args = ap.parse_args()
    with serve(args.workers, args.port) as server:
        asyncio.run(load(server.base, server.token, args.rate, 2, args.client))  # warm-up
        dbname = urlsplit(os.environ.get("HAVEN_DATABASE_URL", "")).path.lstrip("/")
        postgresql = server.database == "postgresql"
        db_cpu = backends_cpu_seconds(dbname) if postgresql else 0.0
        cpu, client_cpu = tree_cpu_seconds(server.pid), time.process_time()
        latencies, errors, elapsed = asyncio.run(
            load(server.base, server.token, args.rate, args.seconds, args.client)
        )
        cpu = tree_cpu_seconds(server.pid) - cpu
        client_cpu = time.process_time() - client_cpu
        db_cpu = backends_cpu_seconds(dbname) - db_cpu if postgresql else 0.0
    database = server.database
    row = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "machine": machine(),
        "database": database,
        "workers": args.workers,
        "target_rps": args.rate,
        "achieved_rps": round(len(latencies) / elapsed, 1),
        "requests": len(latencies),
        "errors": sum(errors.values()),
        "p50_ms": round(statistics.median(latencies), 2),
        "p90_ms": round(percentile(latencies, 90), 2),
        "p99_ms": round(percentile(latencies, 99), 2),
        "max_ms": round(max(latencies), 2),
    }
    # Not a column of the results table (older rows lack it): printed, and quoted in notes.
    per_request = {
        "error_kinds": dict(errors),
        "client": args.client,
        "server_cpu_ms_per_request": round(cpu * 1000 / len(latencies), 2),
        "client_cpu_ms_per_request": round(client_cpu * 1000 / len(latencies), 2),
        "db_backends_cpu_ms_per_request": round(db_cpu * 1000 / len(latencies), 2),
        "loadavg_1m": round(os.getloadavg()[0], 2),
    }
    print(json.dumps(row | per_request))
    if args.no_append:
        return
    if not RESULTS.exists():
        RESULTS.write_text(
            "# POST /api/v1/assessments latency (open loop, loopback)\n\n"
            "Produced by `benchmarks/api_latency.py`; one row per run. Target (issue 3): "
            "p99 < 25 ms at 200 requests/s with zero errors.\n\n"
            "| date | machine | db | workers | target rps | achieved rps | requests | errors "
            "| p50 ms | p90 ms | p99 ms | max ms |\n"
            "|---|---|---|---|---|---|---|---|---|---|---|---|\n"
        )
    with RESULTS.open("a") as f:
        f.write("| " + " | ".join(str(row[k]) for k in row) + " |\n")


if __name__ == "__main__":
    main()
