"""Impact at scale: end-to-end `haven impact`, the Polars read floor, and the single-case engine.

Run on demand (not in CI):

    .venv/bin/python benchmarks/impact_scale.py --sizes 10000 100000 1000000 [--parquet 10000000]

For each size N: (a) `haven impact FILE --from 2015-06-01 --to 2015-10-01` as a subprocess:
wall time, cases/s and peak memory (max RSS); (b) the floors: a subprocess that only reads the
same file with Polars (`read_ndjson`, schema inferred from every line), and the decode floor
(text lines decoded with the schema given: the fastest Polars read); (d) the single-case
engine looped in Python on a sample, extrapolated to N. Ratios are reported, not only seconds.
Caseloads: `haven generate` for the first 100,000 cases, then Polars repeats them with new ids
(documented; distinct signatures stop growing).
Appends a dated table with the machine to benchmarks/results/impact-scale.md.
"""

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "impact-scale.md"
PY = sys.executable
DECODE_FLOOR = (
    "import polars as pl; from haven.impact.batch import TOP; "
    "pl.scan_csv({path!r}, has_header=False, separator='\\x01', quote_char=None, "
    "schema={{'t': pl.String}}).select(pl.col('t').str.json_decode(pl.Struct(TOP)))"
    ".collect().shape"
)


def run(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss of children is the max over all children so far; run the biggest last.
    return wall, max(peak, before) / 1024


def peak_of(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS measured by /usr/bin/time if present (per process)."""
    timer = Path("/usr/bin/time")
    if not timer.exists():
        return run(cmd)
    with tempfile.NamedTemporaryFile("r", suffix=".txt") as f:
        t = time.perf_counter()
        subprocess.run(
            [str(timer), "-f", "%M", "-o", f.name, *cmd], check=True, stdout=subprocess.DEVNULL
        )
        wall = time.perf_counter() - t
        return wall, int(Path(f.name).read_text().split()[-1]) / 1024


def make_caseload(n: int, work: Path, parquet: bool = False) -> Path:
    import polars as pl

    base = work / "base-100k.jsonl"
    if not base.exists():
        subprocess.run(
            [
                PY,
                "-m",
                "haven",
                "generate",
                "--n",
                str(min(n, 100_000)),
                "--seed",
                "1",
                "--out",
                str(base),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    out = work / f"cases-{n}.{'parquet' if parquet else 'jsonl'}"
    if out.exists():
        return out
    lf = pl.scan_ndjson(base, infer_schema_length=None)
    rows = lf.select(pl.len()).collect().item()
    copies = -(-n // rows)
    big = pl.concat([lf.with_columns(pl.col("id") + f"-{i}") for i in range(copies)]).head(n)
    if parquet:
        big.sink_parquet(out)
    else:
        big.sink_ndjson(out)
    return out


def single_case_rate(path: Path, sample: int = 3000) -> float:
    """Cases per second for the single-case engine on both dates (parse + assess twice)."""
    from haven.assess import assess
    from haven.cases.readers import parse_case
    from haven.policy.loader import load_pack

    pack = load_pack()
    lines = path.read_text().splitlines()[:sample] if path.suffix == ".jsonl" else []
    t = time.perf_counter()
    for line in lines:
        case = parse_case(line)
        assess(case, date(2015, 6, 1), pack)
        assess(case, date(2015, 10, 1), pack)
    return len(lines) / (time.perf_counter() - t)


def evaluation_only(path: Path) -> float:
    """Seconds for the columnar evaluation on both dates, input already in memory."""
    import polars as pl

    from haven.impact.columnar import ENGINE, evaluate_flat, flatten, spread
    from haven.policy.loader import load_pack

    pack = load_pack()
    df = (
        pl.read_ndjson(path, infer_schema_length=None)
        if path.suffix == ".jsonl"
        else pl.read_parquet(path)
    )
    t = time.perf_counter()
    # As `haven impact` evaluates (haven.impact.frame.changes): flattened once, then both dates.
    flat = spread(flatten(df.lazy()).collect()).lazy()
    days = (date(2015, 6, 1), date(2015, 10, 1))
    pl.collect_all([evaluate_flat(flat, d, pack) for d in days], engine=ENGINE)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--parquet", type=int, nargs="*", default=[])
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "haven-bench")
    ap.add_argument("--batch-size", type=int, default=250_000)
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    rows = []
    rate = None
    for n, parquet in [*((n, False) for n in args.sizes), *((n, True) for n in args.parquet)]:
        path = make_caseload(n, args.work, parquet)
        load = os.getloadavg()[0]  # as `uptime` shows it: the machine is shared
        reader = (
            "pl.read_parquet"
            if parquet
            else "lambda p: pl.read_ndjson(p, infer_schema_length=None)"
        )
        floor_wall, floor_mb = peak_of(
            [PY, "-c", f"import polars as pl; ({reader})({str(path)!r}).shape"]
        )
        # The fastest read Polars offers with the schema known: the file as text lines, each
        # decoded with the contract's types (what `haven impact` does once the schema is known).
        decode_floor = (
            floor_wall if parquet else peak_of([PY, "-c", DECODE_FLOOR.format(path=str(path))])[0]
        )
        wall, mb = peak_of(
            [
                PY,
                "-m",
                "haven",
                "impact",
                str(path),
                "--from",
                "2015-06-01",
                "--to",
                "2015-10-01",
                "--batch-size",
                str(args.batch_size),
                # A regular file, never a device: the output is part of the work measured.
                "--out",
                str(args.work / "impact-out.json"),
            ]
        )
        eval_s = evaluation_only(path) if n <= 1_000_000 else None
        if rate is None and not parquet:
            rate = single_case_rate(path)
        single_s = n / rate if rate else None
        rows.append(
            {
                "cases": n,
                "input": "parquet" if parquet else "jsonl",
                "impact_s": round(wall, 2),
                "cases_per_s": round(n / wall),
                "peak_mb": round(mb),
                "read_floor_s": round(floor_wall, 2),
                "floor_peak_mb": round(floor_mb),
                "impact_vs_floor": round(wall / floor_wall, 2),
                "decode_floor_s": round(decode_floor, 2),
                "impact_vs_decode_floor": round(wall / decode_floor, 2),
                "eval_2_dates_s": round(eval_s, 3) if eval_s is not None else None,
                "single_case_s_est": round(single_s, 1) if single_s else None,
                "single_vs_eval": round(single_s / eval_s, 1) if single_s and eval_s else None,
                "load_1m": round(load, 1),
            }
        )
        print(json.dumps(rows[-1]))
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    header = "| " + " | ".join(rows[0]) + " |\n|" + "---|" * len(rows[0]) + "\n"
    with RESULTS.open("a") as f:
        f.write(f"\n## {datetime.now(UTC):%Y-%m-%d} — {machine}\n\n")
        f.write(
            f"Single-case engine: {rate:.0f} cases/s (both dates, parse included), "
            "measured on 3,000 cases.\n\n"
            if rate
            else "\n"
        )
        f.write(
            f"`haven impact` streams in batches of {args.batch_size:,} cases (json output). "
            "`load_1m`: the 1-minute load average (`uptime`) when the row's runs started; other "
            "engineers' test runs share the 2 cores, so the timings are noisy.\n\n"
        )
        f.write(header)
        for r in rows:
            f.write("| " + " | ".join("—" if v is None else str(v) for v in r.values()) + " |\n")


if __name__ == "__main__":
    main()
