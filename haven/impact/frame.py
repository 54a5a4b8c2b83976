"""Impact over a Polars frame: the columnar engine on both dates, joined per case."""

from collections import Counter
from datetime import date

import polars as pl

from haven.assess.model import PolicyRef
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
    status = lf.select(
        pl.col("id").alias("case_id"),
        pl.col("procedure").struct.field("status").fill_null("pending").alias("status"),
    )
    a = evaluate(lf, before, pack).select("case_id", *_SUMMARY_COLS, "applied")
    b = evaluate(lf, after, new_pack).select("case_id", *_SUMMARY_COLS, "applied")
    joined = a.join(b, on="case_id", suffix="_after").join(status, on="case_id")
    changed_expr = pl.any_horizontal(
        [pl.col(c).ne_missing(pl.col(f"{c}_after")) for c in (*COMPARED, "designation_group")]
    )
    transitions = (
        joined.group_by("recommendation", "recommendation_after")
        .len()
        .sort("recommendation", "recommendation_after")
    )
    changed = joined.filter(changed_expr).with_columns(
        pl.col("applied")
        .list.set_symmetric_difference("applied_after")
        .list.sort()
        .alias("changed_rules")
    )
    t, c, n = pl.collect_all([transitions, changed, joined.select(pl.len())])
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
