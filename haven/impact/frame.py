"""Impact over a Polars frame: the columnar engine on both dates, joined per case."""

from collections import Counter
from datetime import date

import polars as pl

from haven.assess.model import PolicyRef
from haven.impact.batch import normalise
from haven.impact.columnar import evaluate
from haven.impact.compare import COMPARED, Change, Impact, Summary, Transition
from haven.policy.pack import Pack
from haven.vocab import Status

_SUMMARY_COLS = (
    "recommendation",
    "designation",
    "designation_group",
    "evidentiary_standard",
    "protection_seeking_required",
    "internal_protection",
    "flags",
)


def compare_frame(
    lf: pl.LazyFrame, before: date, after: date, pack: Pack, after_pack: Pack | None = None
) -> Impact:
    new_pack = after_pack or pack
    lf = normalise(lf)
    status = lf.select(
        pl.col("id").alias("case_id"),
        pl.col("procedure").struct.field("status").fill_null("pending").alias("status"),
    )
    # Pass 1, every case: only the fields that decide whether a case changed (Polars prunes
    # the rest of the plan). Pass 2, changed cases only: flags and the entries applied.
    decisive = [c for c in _SUMMARY_COLS if c != "flags"]
    a = evaluate(lf, before, pack).select("case_id", *decisive)
    b = evaluate(lf, after, new_pack).select("case_id", *decisive)
    joined = a.join(b, on="case_id", suffix="_after").join(status, on="case_id")
    changed_expr = pl.any_horizontal(
        [pl.col(c).ne_missing(pl.col(f"{c}_after")) for c in (*COMPARED, "designation_group")]
    )
    transitions = (
        joined.group_by("recommendation", "recommendation_after")
        .len()
        .sort("recommendation", "recommendation_after")
    )
    t, first_pass, n = pl.collect_all(
        [transitions, joined.filter(changed_expr), joined.select(pl.len())]
    )
    subset = lf.join(first_pass.lazy().select(pl.col("case_id").alias("id")), on="id", how="semi")
    detail_a = evaluate(subset, before, pack).select("case_id", "flags", "applied")
    detail_b = evaluate(subset, after, new_pack).select("case_id", "flags", "applied")
    c = (
        first_pass.lazy()
        .join(detail_a, on="case_id")
        .join(detail_b, on="case_id", suffix="_after")
        .with_columns(
            pl.col("applied")
            .list.set_symmetric_difference("applied_after")
            .list.sort()
            .alias("changed_rules")
        )
        .collect()
    )
    changes = []
    for row in c.iter_rows(named=True):
        before_s = Summary.model_construct(**{k: row[k] for k in _SUMMARY_COLS})
        after_s = Summary.model_construct(**{k: row[f"{k}_after"] for k in _SUMMARY_COLS})
        fields = [
            f
            for f in COMPARED
            if row[f] != row[f"{f}_after"]
            or (f == "designation" and row["designation_group"] != row["designation_group_after"])
        ]
        changes.append(
            Change.model_construct(
                case_id=row["case_id"],
                status=Status(row["status"]),
                before=before_s,
                after=after_s,
                changed_fields=fields,
                changed_rules=row["changed_rules"],
            )
        )
    changes.sort(key=lambda ch: ch.case_id)
    by_status = Counter(ch.status.value for ch in changes)
    return Impact(
        from_=before,
        to=after,
        policy_before=PolicyRef(pack=pack.meta.id, version=pack.version),
        policy_after=PolicyRef(pack=new_pack.meta.id, version=new_pack.version),
        cases=int(n.item()),
        transitions=[
            Transition(from_=r["recommendation"], to=r["recommendation_after"], count=r["len"])
            for r in t.iter_rows(named=True)
        ],
        changed=changes,
        changed_by_status=dict(sorted(by_status.items())),
    )
