"""Caseload page benchmark: GET /cases (the web app's caseload page, full HTML) over loopback
with 10,000 stored, assessed cases. Run on demand:

    .venv/bin/python benchmarks/web_caseload.py [--cases 10000] [--requests 400]
    HAVEN_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench \
      HAVEN_KEYS="$(haven keys generate --org bench --stdout)" ... (PostgreSQL)

Builds the database (synthetic cases, imported and assessed as of 2015-10-01 as the case
officer), starts `haven serve`, signs in through the login form, then requests a mix of
caseload pages one after another (no think time) and reports p50/p95/p99 of the wall time from
request to last byte. Appends a dated row with the machine to
benchmarks/results/web-caseload.md. Target (issue 4): p95 under 150 ms at 10,000 cases.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from datetime import UTC, date, datetime
from pathlib import Path

from haven.cases import Case
from haven.cases.synthetic import synthetic_caseload
from haven.packs import DEFAULT_PACK
from haven.policy.loader import load_pack
from haven.store import repo
from haven.store.access import Role
from haven.store.auth import add_user, ensure_org
from haven.store.db import Database, upgrade

sys.path.insert(0, str(Path(__file__).resolve().parent))
from web_impact import sign_in

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "web-caseload.md"
PASSWORD = "benchmark password 1"
# What a case worker does: the first page, filters, reference search, a later page.
QUERIES = [
    "/cases",
    "/cases?nationality=RU",
    "/cases?recommendation=protection_indicated",
    "/cases?status=refused&designation=risk_group",
    "/cases?flag=ipa_excluded_by_policy",
    "/cases?ref=SYN-00012",
    "/cases?page=57",
    "/cases?nationality=IQ&recommendation=further_assessment&page=2",
]


def build(url: str, n: int) -> None:
    upgrade(url)
    db = Database(url)
    pack = load_pack(DEFAULT_PACK)
    cases = [Case.model_validate_json(json.dumps(c)) for c in synthetic_caseload(n, seed=4)]
    with db.session() as s:
        org = ensure_org(s, "bench", "Benchmark (synthetic)")
        officer = repo.Actor.of(add_user(s, org, "bench", PASSWORD, Role.CASE_OFFICER))
        repo.import_cases(s, officer, cases)
    day = date(2015, 10, 1)
    for i in range(0, n, 1000):
        with db.session() as s:
            for c in cases[i : i + 1000]:
                repo.assess_and_store(s, officer, c.id, day, pack)
    db.engine.dispose()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--port", type=int, default=8791)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="haven-web-bench-"))
    url = os.environ.get("HAVEN_DATABASE_URL") or f"sqlite:///{tmp / 'bench.db'}"
    t0 = time.perf_counter()
    build(url, args.cases)
    print(f"built {args.cases} cases in {time.perf_counter() - t0:.1f} s")
    # httpx sends Secure cookies over https only; this is plain HTTP on loopback.
    env = {**os.environ, "HAVEN_DATABASE_URL": url, "HAVEN_INSECURE_COOKIES": "1"}
    server = subprocess.Popen(
        [sys.executable, "-m", "haven", "serve", "--port", str(args.port)], env=env
    )
    base = f"http://127.0.0.1:{args.port}"
    try:
        c = sign_in(base, "bench", PASSWORD)
        with closing(c):
            assert "Caseload" in c.get("/cases").text
            for q in QUERIES:  # warm up
                assert c.get(q).status_code == 200
            times: list[float] = []
            for i in range(args.requests):
                start = time.perf_counter()
                r = c.get(QUERIES[i % len(QUERIES)])
                times.append((time.perf_counter() - start) * 1000)
                assert r.status_code == 200
    finally:
        server.terminate()
        server.wait()
    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    p50, p95, p99 = (percentile(times, p) for p in (50, 95, 99))
    row = (
        f"| {datetime.now(UTC):%Y-%m-%d} | {platform.node()} ({os.cpu_count()} cores, "
        f"{platform.python_version()}) | {backend} | {args.cases} | {args.requests} | "
        f"{p50:.1f} | {p95:.1f} | {p99:.1f} | {statistics.mean(times):.1f} |"
    )
    print(row)
    if not RESULTS.exists():
        RESULTS.write_text(
            "# Caseload page (GET /cases, full HTML) — `benchmarks/web_caseload.py`\n\n"
            "Sequential requests over loopback, one client, a mix of filters, searches and "
            "pages. Times in ms, request to last byte.\n\n"
            "| date | machine | database | cases | requests | p50 | p95 | p99 | mean |\n"
            "|---|---|---|---|---|---|---|---|---|\n"
        )
    with RESULTS.open("a") as fh:
        fh.write(row + "\n")


if __name__ == "__main__":
    main()
