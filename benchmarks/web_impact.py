"""The web impact page over the stored caseload, as a reviewer uses it: the page starts a job,
the browser polls its progress, then shows the result; a second look and the CSV export are
served from the kept result. Meanwhile another user keeps working (the caseload page), which
must not wait for the job. Run on demand (not in CI):

    .venv/bin/python benchmarks/web_impact.py --cases 20000 --backend sqlite postgresql

For each backend: `haven generate --n N`, a fresh database (PostgreSQL: created on
127.0.0.1:5432 and dropped after), `haven cases import` by a case officer, `haven serve
--workers W`, then over HTTP with two signed-in users: the reviewer opens
/impact?from=2015-06-01&to=2015-10-01 (job page), polls /jobs/N/progress every 250 ms as htmx
does until the result is ready, opens it, opens /impact again and the CSV export; the case
officer requests /cases every 200 ms during the run. Reported: time to the result, the slowest
single request of the reviewer and the other user's p50/p99 while the job ran. Appends a dated
table to benchmarks/results/web-impact.md. The issue's figure before jobs: 9-12 s per visit of
/impact over 20,000 cases, computed in the request, every visit.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_db import database, drop
from report import append_section
from stored_caseload import HAVEN, PREFIX, PW, generate

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "web-impact.md"
IMPACT = "/impact?from=2015-06-01&to=2015-10-01"
PASSWORD = PW[1]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] if values else 0.0


def sign_in(base: str, user: str, password: str = PASSWORD) -> httpx.Client:
    """A client signed in through the login form, once the server answers."""
    c = httpx.Client(base_url=base, timeout=60)
    for _ in range(300):
        try:
            login = c.get("/login")
            break
        except httpx.HTTPError:
            time.sleep(0.1)
    token = re.search(r'name="csrf" value="([^"]+)"', login.text)
    assert token, login.text[:500]
    r = c.post(
        "/login",
        data={"csrf": token.group(1), "username": user, "password": password},
        follow_redirects=True,
    )
    assert r.status_code == 200, (user, r.status_code)
    return c


def timed_get(c: httpx.Client, url: str, **kw: object) -> tuple[httpx.Response, float]:
    start = time.perf_counter()
    r = c.get(url, **kw)  # type: ignore[arg-type]
    return r, (time.perf_counter() - start) * 1000


def other_user(c: httpx.Client, stop: threading.Event, times: list[float]) -> None:
    """A case officer at work while the job runs: the caseload page every 200 ms."""
    while not stop.is_set():
        r, ms = timed_get(c, "/cases")
        assert r.status_code == 200, r.status_code
        times.append(ms)
        stop.wait(0.2)


def run(base: str) -> dict[str, object]:
    reviewer, officer = sign_in(base, "rik"), sign_in(base, "ann")
    try:
        assert timed_get(officer, "/cases")[0].status_code == 200  # warm-up
        others: list[float] = []
        stop = threading.Event()
        t = threading.Thread(target=other_user, args=(officer, stop, others))
        t.start()
        try:
            start = time.perf_counter()
            first, first_ms = timed_get(reviewer, IMPACT)
            assert first.status_code == 202, (first.status_code, first.text[:500])
            found = re.search(r'hx-get="/jobs/(\d+)/progress"', first.text)
            assert found, first.text[:2000]
            polls: list[float] = []
            while True:
                r, ms = timed_get(
                    reviewer, f"/jobs/{found.group(1)}/progress", headers={"HX-Request": "true"}
                )
                polls.append(ms)
                if r.status_code == 204:
                    result_url = r.headers["HX-Redirect"]
                    break
                assert r.status_code == 200, (r.status_code, r.text[:500])
                time.sleep(0.25)
            result, result_ms = timed_get(reviewer, result_url)
            to_result = time.perf_counter() - start
        finally:
            stop.set()
            t.join()
        assert result.status_code == 200, result.status_code
        again, again_ms = timed_get(reviewer, IMPACT)
        assert again.status_code == 200, again.status_code  # kept: the result, not a job page
        csv, csv_ms = timed_get(reviewer, IMPACT.replace("/impact?", "/impact/export.csv?"))
        assert csv.status_code == 200, csv.status_code
        changed = csv.text.count("\n") - 1
    finally:
        reviewer.close()
        officer.close()
    return {
        "to_result_s": round(to_result, 2),
        "first_request_ms": round(first_ms, 1),
        "slowest_poll_ms": round(max(polls), 1),
        "polls": len(polls),
        "result_page_ms": round(result_ms, 1),
        "second_look_ms": round(again_ms, 1),
        "csv_ms": round(csv_ms, 1),
        "csv_rows": changed,
        "other_user_requests": len(others),
        "other_user_p50_ms": round(percentile(others, 50), 1),
        "other_user_p99_ms": round(percentile(others, 99), 1),
    }


def one(n: int, backend: str, workers: int, port: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        file = generate(n, tmp)
        url, name = database(backend, tmp, PREFIX, "_web")
        env = {
            **os.environ,
            "HAVEN_DATABASE_URL": url,
            "HAVEN_KEY_FILE": str(tmp / "keys.json"),
            # httpx sends Secure cookies over https only; this is plain HTTP on loopback.
            "HAVEN_INSECURE_COOKIES": "1",
        }
        server = None
        try:
            for user, role in (("ann", "case_officer"), ("rik", "reviewer")):
                subprocess.run(
                    [*HAVEN, "users", "add", user, "--role", role, "--org", "bench", *PW],
                    check=True,
                    stdout=subprocess.DEVNULL,
                    env=env,
                )
            subprocess.run(
                [*HAVEN, "cases", "import", str(file), "--org", "bench", "--user", "ann"],
                check=True,
                stdout=subprocess.DEVNULL,
                env=env,
            )
            server = subprocess.Popen(
                [*HAVEN, "serve", "--port", str(port), "--workers", str(workers)],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                cwd=tempfile.gettempdir(),
            )
            row = run(f"http://127.0.0.1:{port}")
        finally:
            if server:
                server.terminate()
                server.wait()
            drop(name)
    database_name = "SQLite" if backend == "sqlite" else "PostgreSQL"
    return {"cases": n, "database": database_name, "workers": workers} | row


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, nargs="+", default=[20000])
    ap.add_argument("--backend", nargs="+", default=["sqlite", "postgresql"])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--port", type=int, default=8793)
    ap.add_argument("--note", default="", help="a line written under the table")
    args = ap.parse_args()
    load = os.getloadavg()[0]
    rows = [one(n, b, args.workers, args.port) for b in args.backend for n in args.cases]
    load1 = os.getloadavg()[0]
    text = append_section(
        RESULTS,
        "# The web impact page over the stored caseload (benchmarks/web_impact.py)\n\n"
        "A reviewer opens /impact (2015-06-01 → 2015-10-01) over N stored cases: a job "
        "page at once, progress polled every 250 ms, then the result; the second look and "
        "the CSV come from the kept result. A case officer requests /cases every 200 ms "
        "meanwhile. Before jobs (issue 16): 9-12 s per visit at 20,000 cases, in the "
        "request, every visit.\n",
        rows,
        args.note,
        f"load average {load:.1f} at start, {load1:.1f} at end",
    )
    print(text)


if __name__ == "__main__":
    main()
