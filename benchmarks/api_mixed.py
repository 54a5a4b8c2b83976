"""Mixed API load (issue 16): what a team of case officers does, at a fixed rate, open loop.

60% case reads, 15% case lists, 15% edits (If-Match with the version last seen), 5% creates
and 5% stored assessments, all in one organisation (so all on one audit chain), latency
measured from each request's scheduled time (no coordinated omission). Run on demand:

    .venv/bin/python benchmarks/api_mixed.py --rate 100 --seconds 20 [--workers 2] \
        [--client lean|httpx] [--no-append]

Uses `haven serve` on a fresh database like benchmarks/api_latency.py (HAVEN_DATABASE_URL must
be empty), seeds CASES cases, then appends a dated row to benchmarks/results/api-mixed.md. It
also prints the server's CPU time per request (every worker process, user and system, over the
measured run), the load generator's, and on PostgreSQL that of the database's backends.
"""

import argparse
import asyncio
import json
import os
import random
import statistics
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

import httpx
from api_latency import EXAMPLE, backends_cpu_seconds, machine, percentile, serve, tree_cpu_seconds
from lean_http import LeanClient, LeanError

RESULTS = Path(__file__).resolve().parent / "results" / "api-mixed.md"
CASES = 200
MIX = (("read", 60), ("list", 15), ("edit", 15), ("create", 5), ("assess", 5))
HEADER = (
    "# Mixed API load (benchmarks/api_mixed.py)\n\n"
    "60% reads, 15% lists, 15% edits, 5% creates, 5% stored assessments; one organisation. "
    "Target (issue 16): 2 workers on PostgreSQL at 100 requests/s, p99 < 50 ms, no 5xx. "
    "`412` = an edit lost a race with another edit of the same case (correct behaviour).\n\n"
    "| date | machine | db | workers | target rps | achieved rps | requests | 5xx | other errors "
    "| 412 | p50 ms | p90 ms | p99 ms | max ms | p99 by kind ms |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n"
)


_EXAMPLE: dict[str, Any] = json.loads(EXAMPLE.read_text())  # read once, not per request


def case(ref: str) -> dict[str, Any]:
    body = dict(_EXAMPLE)
    body["id"] = ref  # an edit stores the same content again: a new version all the same
    return body


class Client(Protocol):
    async def request(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        """(status, body); raises Failed when no answer came."""
        ...


class Failed(Exception):
    """No answer (refused, reset, timed out)."""


class Httpx:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def request(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        try:
            r = await self.client.request(method, path, json=body, headers=headers)
        except httpx.HTTPError as e:
            raise Failed(type(e).__name__) from e
        return r.status_code, r.content


class Lean:
    """benchmarks/lean_http.py; the body-less requests encoded once."""

    def __init__(self, client: LeanClient, token: str) -> None:
        self.client = client
        self.auth = {"Authorization": f"Bearer {token}"}
        self.encoded: dict[tuple[str, str], bytes] = {}

    async def request(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        if body is None and not headers:
            raw = self.encoded.get((method, path))
            if raw is None:
                raw = self.encoded[method, path] = self.client.encode(method, path, b"", self.auth)
        else:
            more = {"Content-Type": "application/json"} if body is not None else {}
            data = json.dumps(body).encode() if body is not None else b""
            raw = self.client.encode(method, path, data, self.auth | more | (headers or {}))
        try:
            return await self.client.send(raw)
        except LeanError as e:
            raise Failed(str(e).split(":", 1)[0]) from e


async def seed(client: Client, versions: dict[str, int]) -> None:
    for i in range(CASES):
        ref = f"MX-{i}"
        status, answer = await client.request("POST", "/api/v1/cases", case(ref))
        if not 200 <= status < 300:
            raise RuntimeError(f"seeding {ref}: {status} {answer[:200]!r}")
        versions[ref] = 1


async def load(
    client: Client, versions: dict[str, int], rate: float, seconds: float, seed_: int
) -> tuple[dict[str, list[float]], dict[str, int], float]:
    rng = random.Random(seed_)
    kinds = rng.choices([k for k, _ in MIX], weights=[w for _, w in MIX], k=int(rate * seconds))
    latencies: dict[str, list[float]] = defaultdict(list)
    counts: dict[str, int] = defaultdict(int)
    refs = sorted(versions)
    start = time.perf_counter()

    async def one(i: int, kind: str) -> None:
        scheduled = start + i / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        ref = refs[i % len(refs)]
        try:
            if kind == "read":
                status, _ = await client.request("GET", f"/api/v1/cases/{ref}")
            elif kind == "list":
                status, _ = await client.request("GET", "/api/v1/cases?limit=50")
            elif kind == "edit":
                status, answer = await client.request(
                    "PUT", f"/api/v1/cases/{ref}", case(ref), {"If-Match": f'"{versions[ref]}"'}
                )
                if status == 200:
                    versions[ref] = max(versions[ref], json.loads(answer)["version"])
            elif kind == "create":
                status, _ = await client.request("POST", "/api/v1/cases", case(f"MX-{seed_}-{i}"))
            else:
                status, _ = await client.request(
                    "POST", f"/api/v1/cases/{ref}/assessments", {"as_of": "2015-10-01"}
                )
            if status >= 500:
                counts["5xx"] += 1
            elif status == 412:
                counts["412"] += 1
            elif status >= 400:
                counts["other"] += 1
        except Failed:
            counts["other"] += 1
        latencies[kind].append((time.perf_counter() - scheduled) * 1000)

    await asyncio.gather(*(one(i, k) for i, k in enumerate(kinds)))
    return latencies, counts, time.perf_counter() - start


@dataclass(frozen=True)
class Cpu:
    """CPU seconds over the measured run: the server (every worker), this load generator, and
    on PostgreSQL the database's backends serving it."""

    server: float
    client: float
    database: float


async def run(
    base: str, token: str, rate: float, seconds: float, kind: str, pid: int, dbname: str
) -> tuple[dict[str, list[float]], dict[str, int], float, Cpu]:
    def now() -> Cpu:
        database = backends_cpu_seconds(dbname) if dbname else 0.0
        return Cpu(tree_cpu_seconds(pid), time.process_time(), database)

    async def measured(client: Client) -> tuple[dict[str, list[float]], dict[str, int], float, Cpu]:
        versions: dict[str, int] = {}
        await seed(client, versions)
        await load(client, versions, rate, 2, seed_=1)  # warm-up
        before = now()
        latencies, counts, elapsed = await load(client, versions, rate, seconds, seed_=2)
        after = now()
        used = Cpu(
            after.server - before.server,
            after.client - before.client,
            after.database - before.database,
        )
        return latencies, counts, elapsed, used

    if kind == "lean":
        url = urlsplit(base)
        lean = LeanClient(url.hostname or "127.0.0.1", url.port or 80, connections=200)
        async with lean:
            return await measured(Lean(lean, token))
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(
        base_url=base, headers=headers, limits=limits, timeout=10
    ) as client:
        return await measured(Httpx(client))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rate", type=float, default=100)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--port", type=int, default=8798)
    ap.add_argument(
        "--client",
        choices=("lean", "httpx"),
        default="lean",
        help="load generator: lean (benchmarks/lean_http.py) or httpx",
    )
    ap.add_argument("--no-append", action="store_true", help="print the row only")
    args = ap.parse_args()
    with serve(args.workers, args.port) as server:
        database = server.database
        dbname = urlsplit(os.environ.get("HAVEN_DATABASE_URL", "")).path.lstrip("/")
        latencies, counts, elapsed, cpu = asyncio.run(
            run(
                server.base,
                server.token,
                args.rate,
                args.seconds,
                args.client,
                server.pid,
                dbname if database == "postgresql" else "",
            )
        )
    every = [x for xs in latencies.values() for x in xs]
    row = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "machine": machine(),
        "database": database,
        "workers": args.workers,
        "target_rps": args.rate,
        "achieved_rps": round(len(every) / elapsed, 1),
        "requests": len(every),
        "5xx": counts["5xx"],
        "other_errors": counts["other"],
        "412": counts["412"],
        "p50_ms": round(statistics.median(every), 2),
        "p90_ms": round(percentile(every, 90), 2),
        "p99_ms": round(percentile(every, 99), 2),
        "max_ms": round(max(every), 2),
        "p99_by_kind": ", ".join(
            f"{k} {round(percentile(latencies[k], 99), 1)}" for k, _ in MIX if latencies[k]
        ),
    }
    # Not columns of the results table (older rows lack them): printed, and quoted in notes.
    extra = {
        "client": args.client,
        "server_cpu_ms_per_request": round(cpu.server * 1000 / len(every), 2),
        "client_cpu_ms_per_request": round(cpu.client * 1000 / len(every), 2),
        "db_backends_cpu_ms_per_request": round(cpu.database * 1000 / len(every), 2),
        "loadavg_1m": round(os.getloadavg()[0], 2),
    }
    print(json.dumps(row | extra, indent=2))
    if args.no_append:
        return
    text = RESULTS.read_text() if RESULTS.exists() else ""
    with RESULTS.open("a") as f:
        if not text:
            f.write(HEADER)
        f.write("| " + " | ".join(str(row[k]) for k in row) + " |\n")


if __name__ == "__main__":
    main()
