"""The stored caseload at scale: bulk import, then impact over the stored (encrypted) cases
against the same cases read from a file.

Run on demand (not in CI):

    .venv/bin/python benchmarks/stored_caseload.py --sizes 20000 100000 \
        [--backend sqlite postgresql]

For each size N and backend: `haven generate --n N` (distinct synthetic cases), a fresh
database with one case officer, then as subprocesses, one after the other:
(a) `haven cases import FILE --org bench --user ann` (validation, encryption, audit): wall
time, cases/s, peak RSS;
(b) `haven impact --org bench --user ann --from 2015-06-01 --to 2015-10-01` (stored caseload,
decrypted in bulk, columnar) and (c) `haven impact FILE` with the same dates: wall time and
peak RSS of each, and their ratio; the two outputs are compared byte for byte.
With --baseline DIR, the import is first timed with the code of checkout DIR (PYTHONPATH),
into a database of its own: the figure before, measured in the same run. With
--reader-baseline DIR, (b) is also run with the code of checkout DIR on the same database,
just before (b): the stored-caseload reader before and after, in the same run (its output is
compared too).
PostgreSQL: the server on 127.0.0.1:5432 (trust auth); a database is created and dropped.
Appends a dated table to benchmarks/results/stored-caseload.md.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_db import database, drop
from report import append_section

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "stored-caseload.md"
HAVEN = [sys.executable, "-m", "haven"]
PREFIX = "haven_bench"  # the PostgreSQL databases' names
DATES = ["--from", "2015-06-01", "--to", "2015-10-01"]
PW = ["--password", "benchmark password only"]


def timed(cmd: list[str], env: dict[str, str], out: Path | None = None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB, /usr/bin/time) of one child process, run outside any
    checkout (`python -m` puts the working directory first on sys.path)."""
    with tempfile.NamedTemporaryFile("r", suffix=".txt") as f:
        sink = out.open("wb") if out else subprocess.DEVNULL
        t = time.perf_counter()
        try:
            subprocess.run(
                ["/usr/bin/time", "-f", "%M", "-o", f.name, *cmd],
                check=True,
                stdout=sink,
                env=env,
                cwd=tempfile.gettempdir(),
            )
        finally:
            if out:
                sink.close()  # type: ignore[union-attr]
        wall = time.perf_counter() - t
        return wall, int(f.read().strip().splitlines()[-1]) / 1024


def baseline_import(n: int, backend: str, code: Path, file: Path, tmp: Path) -> float:
    """Seconds for `haven cases import` of the same file with another checkout's code (e.g.
    the main branch before bulk import) into a fresh database of its own."""
    sub = tmp / "baseline"
    sub.mkdir()
    url, name = database(backend, sub, PREFIX, "_base")
    env = {**os.environ, "HAVEN_DATABASE_URL": url, "HAVEN_KEY_FILE": str(sub / "keys.json")}
    env["PYTHONPATH"] = str(code)
    try:
        subprocess.run(
            [*HAVEN, "users", "add", "ann", "--role", "case_officer", "--org", "bench", *PW],
            check=True,
            stdout=subprocess.DEVNULL,
            env=env,
            cwd=tempfile.gettempdir(),
        )
        seconds, _ = timed(
            [*HAVEN, "cases", "import", str(file), "--org", "bench", "--user", "ann"], env
        )
        return seconds
    finally:
        drop(name)


def generate(n: int, tmp: Path) -> Path:
    """`haven generate --n N --seed 2015` into TMP: N distinct synthetic cases (JSON lines)."""
    file = tmp / f"cases-{n}.jsonl"
    subprocess.run(
        [*HAVEN, "generate", "--n", str(n), "--seed", "2015", "--out", str(file)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return file


def one(
    n: int, backend: str, baseline: Path | None = None, reader_baseline: Path | None = None
) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        file = generate(n, tmp)
        base_s = baseline_import(n, backend, baseline, file, tmp) if baseline else None
        url, name = database(backend, tmp, PREFIX)
        env = {**os.environ, "HAVEN_DATABASE_URL": url, "HAVEN_KEY_FILE": str(tmp / "keys.json")}
        try:
            subprocess.run(
                [*HAVEN, "users", "add", "ann", "--role", "case_officer", "--org", "bench", *PW],
                check=True,
                stdout=subprocess.DEVNULL,
                env=env,
            )
            imp_s, imp_mb = timed(
                [*HAVEN, "cases", "import", str(file), "--org", "bench", "--user", "ann"], env
            )
            stored_out, file_out = tmp / "stored.json", tmp / "file.json"
            base_st: tuple[float, float] | None = None
            if reader_baseline:
                base_out = tmp / "stored-baseline.json"
                base_st = timed(
                    [*HAVEN, "impact", "--org", "bench", "--user", "ann", *DATES],
                    env | {"PYTHONPATH": str(reader_baseline)},
                    base_out,
                )
            st_s, st_mb = timed(
                [*HAVEN, "impact", "--org", "bench", "--user", "ann", *DATES], env, stored_out
            )
            fi_s, fi_mb = timed([*HAVEN, "impact", str(file), *DATES], env, file_out)
            same = stored_out.read_bytes() == file_out.read_bytes()
            if reader_baseline:
                same = same and base_out.read_bytes() == file_out.read_bytes()
        finally:
            drop(name)
    row: dict[str, object] = {
        "cases": n,
        "database": "SQLite" if backend == "sqlite" else "PostgreSQL",
    }
    if base_s is not None:
        row["baseline_import_s"] = round(base_s, 2)
        row["baseline_cases_per_s"] = round(n / base_s)
    row |= {
        "import_s": round(imp_s, 2),
        "import_cases_per_s": round(n / imp_s),
        "import_peak_mb": round(imp_mb),
    }
    if base_st is not None:
        row |= {
            "baseline_stored_s": round(base_st[0], 2),
            "baseline_stored_mb": round(base_st[1]),
            "baseline_vs_file": round(base_st[0] / fi_s, 2),
        }
    return row | {
        "stored_impact_s": round(st_s, 2),
        "stored_peak_mb": round(st_mb),
        "file_impact_s": round(fi_s, 2),
        "file_peak_mb": round(fi_mb),
        "stored_vs_file": round(st_s / fi_s, 2),
        "same_output": same,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[20000, 100000])
    ap.add_argument("--backend", nargs="+", default=["sqlite", "postgresql"])
    ap.add_argument("--note", default="", help="a line written under the table")
    ap.add_argument(
        "--baseline", type=Path, help="a checkout whose `cases import` is timed first (e.g. main)"
    )
    ap.add_argument(
        "--reader-baseline",
        type=Path,
        help="a checkout whose `impact --org` is timed on the same database just before (A/B)",
    )
    args = ap.parse_args()
    rows = [
        one(n, b, args.baseline, args.reader_baseline) for b in args.backend for n in args.sizes
    ]
    text = append_section(
        RESULTS,
        "# The stored caseload at scale (benchmarks/stored_caseload.py)\n\n"
        "`haven cases import` of N generated cases into a fresh database (validation, "
        "encryption, audit), then `haven impact --org --user` over the stored cases and "
        "`haven impact FILE` over the same cases, dates 2015-06-01 → 2015-10-01, each a "
        "subprocess (start-up included). Peak memory: max RSS of each subprocess.\n",
        rows,
        args.note,
    )
    print(text)


if __name__ == "__main__":
    main()
