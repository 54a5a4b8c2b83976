"""OpenFisca's side of the peer benchmark; runs in the peer venv (/tmp/of-venv).

    /tmp/of-venv/bin/python benchmarks/openfisca_peer/openfisca_side.py CASES.jsonl \
        --dates 2015-06-01 2015-10-01 --repeat 3 --out openfisca.parquet

Untimed: read the caseload, build the tax-benefit system from the pack, prepare the input
arrays (Haven's flatten() plus encoding; see prep.py). Timed ("calculation"): build a
simulation, set the inputs, calculate `recommendation` on every date. Also timed: the same
with every ported summary field calculated. Writes the ported summary fields (decoded to
Haven's values) and prints one JSON line of measurements.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
from openfisca_core.simulations import Simulation, SimulationBuilder

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parents[1]), str(HERE)]

from measure import memory, reset_peak, timed  # noqa: E402
from prep import prepare  # noqa: E402
from system import NULL, UNKNOWN, YES, HavenPeerSystem  # noqa: E402

from haven.packs import DEFAULT_PACK  # noqa: E402
from haven.policy.loader import load_pack  # noqa: E402
from haven.vocab import Reason  # noqa: E402

ENUM_FIELDS = (
    "recommendation",
    "ground",
    "designation",
    "designation_group",
    "evidentiary_standard",
    "internal_protection",
    "exceptional_situation",
)
BOOL_FIELDS = (
    "protection_seeking_required",
    "safe_country_designated",
    "safe_country_exception",
    "moratorium_decision",
    "moratorium_departure",
    "has_unverified",
)
FLAG_FIELDS = tuple(f"flag__{r.value}" for r in Reason)
ALL_FIELDS = (*ENUM_FIELDS, "standard_met", *BOOL_FIELDS, *FLAG_FIELDS, "flag_count")


def simulate(system: HavenPeerSystem, inputs: dict[str, np.ndarray], n: int) -> Simulation:
    sim = SimulationBuilder().build_default_simulation(system, count=n)
    for name, values in inputs.items():
        sim.set_input(name, "ETERNITY", values)
    return sim


def decode(sim: Simulation, day: str, case_ids: pl.Series) -> pl.DataFrame:
    """The ported summary fields of one date, in Haven's values (null where Haven has null)."""
    cols: dict[str, Any] = {"case_id": case_ids}
    for name in ENUM_FIELDS:
        cols[name] = pl.Series(name, sim.calculate(name, day).decode_to_str()).replace(NULL, None)
    met = sim.calculate("standard_met", day)
    cols["standard_met"] = pl.Series("standard_met", met == YES).set(
        pl.Series(met == UNKNOWN), None
    )
    for name in BOOL_FIELDS:
        cols[name] = sim.calculate(name, day)
    frame = pl.DataFrame(cols)
    flags = pl.DataFrame({r: sim.calculate(r, day).decode_to_str() for r in FLAG_FIELDS})
    flag_list = flags.select(
        pl.concat_list(pl.all().replace(NULL, None)).list.drop_nulls().list.sort().alias("flags")
    )
    return frame.with_columns(flag_list["flags"], as_of=pl.lit(date.fromisoformat(day)))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("cases", type=Path)
    ap.add_argument("--dates", nargs="+", required=True, help="YYYY-MM-DD")
    ap.add_argument("--repeat", type=int, default=3, help="0: outputs only, no timing")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    days: list[str] = [date.fromisoformat(d).isoformat() for d in args.dates]

    pack = load_pack(DEFAULT_PACK)
    df = pl.read_ndjson(args.cases, infer_schema_length=None)
    t = time.perf_counter()
    system = HavenPeerSystem(pack)
    build_s = time.perf_counter() - t
    t = time.perf_counter()
    inputs = prepare(df, system)
    prep_s = time.perf_counter() - t
    n = df.height
    before = memory()

    def calculation(fields: tuple[str, ...], count: int = n) -> Callable[[], Simulation]:
        def run() -> Simulation:
            sim = simulate(system, {k: v[:count] for k, v in inputs.items()}, count)
            for day in days:
                for name in fields:
                    sim.calculate(name, day)
            return sim

        return run

    result: dict[str, object] = {
        "cases": n,
        "variables": len(system.variables),
        "system_build_s": build_s,
        "input_prep_s": prep_s,
        "rss_before_mb": round(before["VmRSS"]),
    }
    if args.repeat:
        calculation(ALL_FIELDS, count=min(n, 1000))()  # warm-up on a slice, not counted
        for name, fields in {"calc": ("recommendation",), "calc_all_fields": ALL_FIELDS}.items():
            reset_peak()
            runs = timed(calculation(fields), args.repeat)
            peak = memory()["VmHWM"]
            result[f"{name}_s"] = statistics.median(runs)
            result[f"{name}_runs_s"] = runs
            result[f"{name}_peak_mb"] = round(peak)
    sim = calculation(ALL_FIELDS)()
    ids = df["id"].alias("case_id")
    pl.concat([decode(sim, day, ids) for day in days]).write_parquet(args.out)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
