"""Haven's side of the peer benchmark; runs in the project venv (no OpenFisca there).

    /work/main/.venv/bin/python benchmarks/openfisca_peer/haven_side.py CASES.jsonl \
        --dates 2015-06-01 2015-10-01 --repeat 3 --out haven.parquet

Reads the caseload into memory, then times Haven's evaluation on all dates as `haven impact`
runs it: `flatten()` once (the contract cases into flat columns), then `evaluate_flat()` per
date, collected together on Haven's engine. The flattening is timed alone too, and the rules
alone from flattened input (like for like with OpenFisca, whose input preparation runs
untimed). Writes the summary fields of the last run (one row per case and date) and prints one
JSON line of measurements.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from datetime import date
from functools import partial
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from measure import memory, reset_peak, timed

from haven.impact.columnar import ENGINE, SUMMARY, evaluate_flat, flatten, spread
from haven.packs import DEFAULT_PACK
from haven.policy.loader import load_pack

# What is timed: every summary field (Haven's evaluation as the project defines it), the fields
# the OpenFisca peer ports (all but `applied`), and the recommendation alone.
PORTED = (
    "recommendation",
    "ground",
    "designation",
    "designation_group",
    "evidentiary_standard",
    "standard_met",
    "protection_seeking_required",
    "internal_protection",
    "safe_country_designated",
    "safe_country_exception",
    "moratorium_decision",
    "moratorium_departure",
    "exceptional_situation",
    "flags",
    "has_unverified",
)
VARIANTS: dict[str, tuple[str, ...] | None] = {
    "eval": None,
    "eval_ported": PORTED,
    "eval_recommendation": ("recommendation",),
}
# Like for like with OpenFisca, whose timing starts from input arrays prepared untimed (prep.py:
# Haven's flatten() plus encoding) and computes a flag variable per refusal reason, gathered
# into lists untimed (openfisca_side.decode): Haven from flattened input (flatten() untimed),
# flags as one column per reason (evaluate_flat(flag_columns=True)), no lists.
FLAT_VARIANTS: dict[str, tuple[str, ...]] = {
    "flat_ported": tuple(f for f in PORTED if f != "flags"),
    "flat_recommendation": ("recommendation",),
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("cases", type=Path)
    ap.add_argument("--dates", type=date.fromisoformat, nargs="+", required=True)
    ap.add_argument("--repeat", type=int, default=3, help="0: outputs only, no timing")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--profile", action="store_true", help="also time each field alone")
    args = ap.parse_args()

    pack = load_pack(DEFAULT_PACK)
    df = pl.read_ndjson(args.cases, infer_schema_length=None)
    before = memory()

    def evaluation(frame: pl.DataFrame, fields: tuple[str, ...] | None) -> list[pl.DataFrame]:
        # As `haven impact` evaluates (haven.impact.frame.changes): the cases flattened once
        # for all dates, then the rules per date on Haven's engine. Without the list fields
        # Haven leaves them out of the plan (Polars cannot prune them).
        lists = fields is None or bool({"flags", "applied"} & set(fields))
        flat = spread(flatten(frame.lazy()).collect()).lazy()
        plans = [evaluate_flat(flat, d, pack, with_lists=lists) for d in args.dates]
        if fields is not None:  # Polars prunes what these fields do not need
            plans = [p.select("case_id", *fields) for p in plans]
        return pl.collect_all(plans, engine=ENGINE)

    def flat_evaluation(frame: pl.DataFrame, fields: tuple[str, ...]) -> list[pl.DataFrame]:
        flags = "flags" not in fields and len(fields) > 1
        plans = [
            evaluate_flat(frame.lazy(), d, pack, with_lists=False, flag_columns=flags).select(
                "case_id", *fields, *([pl.col("^flag:.*$")] if flags else [])
            )
            for d in args.dates
        ]
        return pl.collect_all(plans, engine=ENGINE)

    def flattening() -> pl.DataFrame:
        return flatten(df.lazy()).collect()

    result: dict[str, object] = {"cases": df.height, "rss_before_mb": round(before["VmRSS"])}
    if args.repeat:
        evaluation(df.head(1000), None)  # warm-up on a slice, not counted
        for name, fields in VARIANTS.items():
            reset_peak()
            runs = timed(partial(evaluation, df, fields), args.repeat)
            peak = memory()["VmHWM"]
            result[f"{name}_s"] = statistics.median(runs)
            result[f"{name}_runs_s"] = runs
            result[f"{name}_peak_mb"] = round(peak)
        result["features_s"] = statistics.median(timed(flattening, args.repeat))
        flat = spread(flatten(df.lazy()).collect())  # as evaluation() has it
        flat_evaluation(flat.head(1000), FLAT_VARIANTS["flat_ported"])  # warm-up
        for name, fields in FLAT_VARIANTS.items():
            result[f"{name}_s"] = statistics.median(
                timed(partial(flat_evaluation, flat, fields), args.repeat)
            )
        if args.profile:  # each summary field alone (with what it depends on)
            result["per_field_s"] = {
                f: statistics.median(timed(partial(evaluation, df, (f,)), args.repeat))
                for f in SUMMARY[1:]
            }
    frames = evaluation(df, None)
    out = pl.concat(  # relaxed: a field is all-null (type Null) on dates it cannot occur
        [f.with_columns(as_of=pl.lit(d)) for f, d in zip(frames, args.dates, strict=True)],
        how="vertical_relaxed",
    )
    out.write_parquet(args.out)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
