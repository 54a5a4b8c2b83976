"""`haven cases import` throughput alone (issue 16, item 1), before and after, back to back.

Run on demand (not in CI):

    .venv/bin/python benchmarks/bulk_import.py --sizes 20000 100000 \
        [--backend sqlite postgresql] [--baseline DIR]

For each size N: `haven generate --n N --seed 2015`, then for each backend a fresh database
with one case officer, `haven cases import FILE --org bench --user ann` as a subprocess
(start-up included): wall time, CPU time (user + sys of the child) and peak RSS, then `haven
audit verify` (must pass). With --baseline DIR the same import runs first with the code of
checkout DIR (PYTHONPATH) into a database of its own; with --code DIR the *after* import runs
the code of checkout DIR (e.g. a copy, so that editing the worktree does not change a run).
With --rounds R the pair runs R times, the order alternating, and the best of each is shown;
after every import the files are synced, untimed. With --after-sql SQL (PostgreSQL only) the
*after* database gets that statement once its schema is made, before the import: what a
schema change would buy (e.g. foreign keys dropped), measured beside the schema as it is. With
--after-args ARGS the *after* import gets those options too (e.g. "--exclusive").
Prints a Markdown table with the load average before and after each pair.
"""

import argparse
import os
import platform
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench_db import PG_ADMIN, database, drop, run

HAVEN = [sys.executable, "-m", "haven"]
PW = ["--password", "benchmark password only"]


def import_once(
    file: Path,
    backend: str,
    tmp: Path,
    suffix: str,
    code: Path | None,
    sql: str | None = None,
    extra: tuple[str, ...] = (),
) -> tuple[float, float, float]:
    """Wall s, CPU s and peak MB of one import into a fresh database (audit verified); `sql`
    run on the database (PostgreSQL) after its schema is made; `extra`: more import options."""
    url, name = database(backend, tmp, "haven_import", suffix)
    env = {**os.environ, "HAVEN_DATABASE_URL": url, "HAVEN_KEY_FILE": str(tmp / f"k{suffix}")}
    if code:
        env["PYTHONPATH"] = str(code)
    try:
        run([*HAVEN, "users", "add", "ann", "--role", "case_officer", "--org", "bench", *PW], env)
        if sql and name:
            import psycopg

            with psycopg.connect(f"{PG_ADMIN} dbname={name}", autocommit=True) as conn:
                conn.execute(sql)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        run([*HAVEN, "cases", "import", str(file), "--org", "bench", "--user", "ann", *extra], env)
        wall = time.perf_counter() - t
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        run([*HAVEN, "audit", "verify"], env)
        return wall, cpu, after.ru_maxrss / 1024
    finally:
        drop(name)
        for f in tmp.glob(f"bench{suffix}.db*"):  # SQLite's file (1M cases: ~1.5 GB)
            f.unlink()
        # The import's files are written back now, not during the next timed import (at 1M on
        # SQLite the second of a pair ran 3-5 s slower, whichever code it was).
        os.sync()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[20000, 100000])
    ap.add_argument("--backend", nargs="+", default=["sqlite", "postgresql"])
    ap.add_argument("--baseline", type=Path, help="a checkout whose import is timed first")
    ap.add_argument(
        "--code", type=Path, help="a checkout timed as *after* (default: the installed haven)"
    )
    ap.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="with --baseline: pairs per size and database, the order alternating (before "
        "first, then after first, ...); the best of each is shown",
    )
    ap.add_argument(
        "--after-sql",
        help="PostgreSQL: a statement run on the *after* database before its import (a schema "
        "change to measure beside the schema as it is)",
    )
    ap.add_argument(
        "--after-args",
        default="",
        help="more options for the *after* import, e.g. --exclusive (split on spaces)",
    )
    args = ap.parse_args()
    extra = tuple(args.after_args.split())
    print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, {os.cpu_count()} cores,"
        f" Python {platform.python_version()}"
    )
    print("| cases | database | before s (cases/s) | after s (cases/s) | CPU before → after s"
          " | load average |")  # fmt: skip
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        for n in args.sizes:
            file = tmp / f"cases-{n}.jsonl"
            run([*HAVEN, "generate", "--n", str(n), "--seed", "2015", "--out", str(file)], {
                **os.environ})  # fmt: skip
            for backend in args.backend:
                load0 = os.getloadavg()[0]
                bases: list[tuple[float, float, float]] = []
                afters: list[tuple[float, float, float]] = []
                for r in range(args.rounds if args.baseline else 1):
                    order = [("b", args.baseline), ("a", args.code)] if args.baseline else [
                        ("a", args.code)]  # fmt: skip
                    for side, code in order[:: 1 if r % 2 == 0 else -1]:
                        sql = args.after_sql if side == "a" and backend == "postgresql" else None
                        more = extra if side == "a" else ()
                        result = import_once(file, backend, tmp, f"{side}{n}r{r}", code, sql, more)
                        (bases if side == "b" else afters).append(result)
                base = min(bases) if bases else None
                wall, cpu, _ = min(afters)
                load1 = os.getloadavg()[0]
                before = f"{base[0]:.2f} ({n / base[0]:,.0f})" if base else "–"
                cpu_before = f"{base[1]:.2f} → " if base else ""
                db = "SQLite" if backend == "sqlite" else "PostgreSQL"
                print(
                    f"| {n:,} | {db} | {before} | {wall:.2f} ({n / wall:,.0f}) |"
                    f" {cpu_before}{cpu:.2f} | {load0:.1f}–{load1:.1f} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
