"""Impact over a Polars frame: the columnar engine on both dates, joined per case."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import polars as pl

from haven.assess.model import PolicyRef
from haven.cases.facts import profile_key_expr
from haven.cases.schema import ISO
from haven.impact.batch import LINE, normalise
from haven.impact.columnar import ENGINE, evaluate_flat, flatten, spread
from haven.impact.compare import (
    COMPARED,
    Change,
    Impact,
    Summary,
    Transition,
    addressed_by_both,
    unaddressed_countries,
)
from haven.policy.pack import Pack
from haven.vocab import Status

SUMMARY_COLS = (
    "recommendation",
    "designation",
    "designation_group",
    "evidentiary_standard",
    "protection_seeking_required",
    "internal_protection",
    "flags",
)
# The columns of a changes frame, in the contract's order for a changed case.
CHANGE_COLS = (
    "case_id",
    "status",
    "before",
    "after",
    "changed_fields",
    "changed_rules",
    "profile",
    "lodged",
    "decided",
)

NOT_ADDRESSED = {"case_id": pl.String, "profile": pl.String, "nationality": pl.String}


@dataclass(frozen=True)
class FrameImpact:
    """Impact of one frame: the counts, and the changed cases as a frame (CHANGE_COLS)."""

    cases: int
    transitions: pl.DataFrame  # recommendation, recommendation_after, len
    changed: pl.DataFrame
    # Between packs: the cases whose nationality a pack does not address (case_id, profile,
    # nationality; input order). Empty for one pack.
    not_addressed: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(NOT_ADDRESSED))


def changes(
    lf: pl.LazyFrame, before: date, after: date, pack: Pack, after_pack: Pack | None = None
) -> FrameImpact:
    """Evaluate both dates; changed cases come in input order (like the single-case engine)."""
    new_pack = after_pack or pack
    lf = normalise(lf)
    status = lf.select(
        pl.col("id").alias("case_id"),
        pl.col("procedure").struct.field("status").fill_null("pending").alias("status"),
        profile_key_expr(pl.col("nationality"), pl.col("profile")).alias("profile"),
        *(
            pl.col("procedure").struct.field(f).str.to_date(ISO).alias(f)
            for f in ("lodged", "decided")
        ),
        pl.col("nationality").alias("_nat"),
        pl.col(LINE),
    )
    # Pass 1, every case: only the fields that decide whether a case changed (Polars prunes
    # the rest of the plan). Pass 2, changed cases only: flags and the entries applied.
    decisive = [c for c in SUMMARY_COLS if c != "flags"]
    # Both evaluations keep the input's row order, so they are put side by side, not joined.
    flat = spread(flatten(lf).collect()).lazy()  # once for both dates
    a = evaluate_flat(flat, before, pack, with_lists=False).select("case_id", *decisive)
    b = evaluate_flat(flat, after, new_pack, with_lists=False).select(
        pl.col(decisive).name.suffix("_after")
    )
    joined = pl.concat([a, b, status.drop("case_id")], how="horizontal")
    changed_expr = pl.any_horizontal(
        [pl.col(c).ne_missing(pl.col(f"{c}_after")) for c in (*COMPARED, "designation_group")]
    )
    transitions = joined.group_by("recommendation", "recommendation_after").len()
    both = addressed_by_both(pack, after_pack)
    silent = joined.filter(
        pl.lit(False) if both is None else ~pl.col("_nat").is_in(sorted(both)).fill_null(False)
    ).select("case_id", "profile", pl.col("_nat").alias("nationality"))
    t, first_pass, n, unaddressed = pl.collect_all(
        [transitions, joined.filter(changed_expr), joined.select(pl.len()), silent], engine=ENGINE
    )
    # Collected once: both dates' plans would otherwise each filter and flatten the input.
    subset = flatten(lf.filter(pl.col(LINE).is_in(first_pass.get_column(LINE).implode())))
    subset = subset.collect().lazy()
    detail_a = evaluate_flat(subset, before, pack).select("case_id", "flags", "applied")
    detail_b = evaluate_flat(subset, after, new_pack).select("case_id", "flags", "applied")

    def differs(f: str) -> pl.Expr:
        d = pl.col(f).ne_missing(pl.col(f"{f}_after"))
        if f == "designation":  # same category, other group: still a different designation
            d = d | pl.col("designation_group").ne_missing(pl.col("designation_group_after"))
        return d

    c = (
        first_pass.lazy()
        .join(detail_a, on="case_id")
        .join(detail_b, on="case_id", suffix="_after")
        .sort(LINE)
        .select(
            "case_id",
            "status",
            pl.struct(SUMMARY_COLS).alias("before"),
            pl.struct(pl.col(f"{k}_after").alias(k) for k in SUMMARY_COLS).alias("after"),
            pl.concat_list(pl.when(differs(f)).then(pl.lit(f)) for f in COMPARED)
            .list.drop_nulls()
            .alias("changed_fields"),
            pl.col("applied")
            .list.set_symmetric_difference("applied_after")
            .list.sort()
            .alias("changed_rules"),
            "profile",
            "lodged",
            "decided",
        )
        .collect(engine=ENGINE)
    )
    return FrameImpact(cases=int(n.item()), transitions=t, changed=c, not_addressed=unaddressed)


def impact_of(
    part: FrameImpact, before: date, after: date, pack: Pack, after_pack: Pack | None = None
) -> Impact:
    """The contract's Impact, every changed case as an object (small results and reports)."""
    tally = Tally()
    tally.add(part)
    return tally.impact(before, after, pack, after_pack or pack, change_objects(part.changed))


def change_objects(frame: pl.DataFrame) -> list[Change]:
    """A changes frame as the contract's objects (values come from the engine: no re-check)."""
    return [
        Change.model_construct(
            case_id=row["case_id"],
            status=Status(row["status"]),
            before=Summary.model_construct(**row["before"]),
            after=Summary.model_construct(**row["after"]),
            changed_fields=row["changed_fields"],
            changed_rules=row["changed_rules"],
            profile=row["profile"],
            lodged=row["lodged"],
            decided=row["decided"],
        )
        for row in frame.iter_rows(named=True)
    ]


class Tally:
    """The counts of an impact, added up batch by batch (memory does not grow with cases)."""

    def __init__(self) -> None:
        self.cases = 0
        self.transitions: Counter[tuple[str, str]] = Counter()
        self.by_status: Counter[str] = Counter()
        self.by_profile: Counter[str] = Counter()
        # Between packs: ids of the cases a pack does not address (ids only: the rest of the
        # tally stays flat in the number of cases), their profiles and nationalities.
        self.not_addressed: list[str] = []
        self.silent_profiles: dict[str, str] = {}
        self.silent_by_profile: Counter[str] = Counter()
        self.silent_countries: set[str] = set()

    def add(self, part: FrameImpact) -> None:
        self.cases += part.cases
        for f, t, k in part.transitions.iter_rows():
            self.transitions[(f, t)] += k
        for s, k in part.changed.group_by("status").len().iter_rows():
            self.by_status[s] += k
        for p, k in part.changed.group_by("profile").len().iter_rows():
            self.by_profile[p] += k
        silent = part.not_addressed
        if silent.height:
            ids = silent.get_column("case_id").to_list()
            self.not_addressed += ids
            profiles = silent.get_column("profile").to_list()
            self.silent_profiles.update(zip(ids, profiles, strict=True))
            for p, k in silent.group_by("profile").len().iter_rows():
                self.silent_by_profile[p] += k
            self.silent_countries.update(silent.get_column("nationality").unique().to_list())

    def impact(
        self, before: date, after: date, pack: Pack, after_pack: Pack, changed: list[Change]
    ) -> Impact:
        """The Impact with these counts; `changed` may be left empty when it is streamed."""
        return Impact(
            from_=before,
            to=after,
            policy_before=PolicyRef(pack=pack.meta.id, version=pack.version),
            policy_after=PolicyRef(pack=after_pack.meta.id, version=after_pack.version),
            cases=self.cases,
            transitions=[
                Transition(from_=f, to=t, count=k) for (f, t), k in sorted(self.transitions.items())
            ],
            changed=changed,
            changed_by_status=dict(sorted(self.by_status.items())),
            changed_by_profile=dict(sorted(self.by_profile.items())),
            not_addressed=len(self.not_addressed),
            not_addressed_cases=list(self.not_addressed),
            not_addressed_by_profile=dict(sorted(self.silent_by_profile.items())),
            not_addressed_profiles=dict(self.silent_profiles),
            not_addressed_countries=unaddressed_countries(pack, after_pack, self.silent_countries),
        )


def compare_frame(
    lf: pl.LazyFrame, before: date, after: date, pack: Pack, after_pack: Pack | None = None
) -> Impact:
    """The whole frame at once (the reference for the streamed path in haven.impact.stream)."""
    return impact_of(changes(lf, before, after, pack, after_pack), before, after, pack, after_pack)
