"""Where a server worker's CPU goes under POST /api/v1/assessments load: py-spy samples the
one-worker server (every thread, only while it holds the GIL: Python's CPU, not its waits) while
benchmarks/api_latency.py's open-loop load runs, then prints the functions by share of samples
(inclusive). Run on demand, on an empty database (as api_latency.py):

    HAVEN_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/empty_db \\
        .venv/bin/python benchmarks/profile_api.py --rate 60 --seconds 15 [--top 60]

py-spy needs to attach to the server (ptrace; root or kernel.yama.ptrace_scope 0/1 with the
server as our child, which it is). The raw samples stay in --out for flame graphs.
"""

import argparse
import asyncio
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from api_latency import load, serve, tree_cpu_seconds

PY_SPY = Path(sys.executable).parent / "py-spy"


def shares(raw: Path) -> tuple[int, Counter[str]]:
    """Samples in all, and per function (`name (file)`) the samples with it on the stack."""
    inclusive: Counter[str] = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        n = int(count)
        total += n
        names = set()
        for frame in stack.split(";"):
            name, _, where = frame.partition(" (")
            names.add(f"{name} ({where.split('site-packages/')[-1].rsplit(':', 1)[0]})")
        for name in names:
            inclusive[name] += n
    return total, inclusive


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rate", type=float, default=60)
    ap.add_argument("--seconds", type=int, default=15)
    ap.add_argument("--port", type=int, default=8797)
    ap.add_argument("--top", type=int, default=60)
    ap.add_argument("--out", type=Path, default=Path("api-profile.txt"))
    args = ap.parse_args()
    with serve(1, args.port) as server:
        asyncio.run(load(server.base, server.token, args.rate, 2))  # warm-up
        record = ["record", "--pid", str(server.pid), "--duration", str(args.seconds)]
        only_cpu = ["--rate", "250", "--nonblocking", "--gil"]
        spy = subprocess.Popen(
            [str(PY_SPY), *record, *only_cpu, "--format", "raw", "--output", str(args.out)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(0.5)  # attached
        cpu = tree_cpu_seconds(server.pid)
        latencies, errors, _ = asyncio.run(
            load(server.base, server.token, args.rate, args.seconds - 1)
        )
        cpu = tree_cpu_seconds(server.pid) - cpu
        spy.wait()
    print(
        f"{len(latencies)} requests, {sum(errors.values())} errors, "
        f"server CPU {cpu * 1000 / len(latencies):.2f} ms/request (with py-spy attached)"
    )
    total, inclusive = shares(args.out)
    print(f"{total} samples of the thread holding the GIL; share of samples (inclusive):")
    for name, n in inclusive.most_common(args.top):
        print(f"{100 * n / total:5.1f}%  {name}")


if __name__ == "__main__":
    main()
