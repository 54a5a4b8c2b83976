"""Did a case's outcome improve between two assessments? Better on some field, worse on none.

"Better" is judged per field, on the order the contract's vocabularies already carry:
- recommendation: protection_not_indicated < further_assessment < protection_indicated; a
  change to or from decision_deferred or not_assessable has no such order and counts as "not
  known to be better" (`incomparable`), which keeps the case out of the queue;
- designation: a more favourable category (vocab.CATEGORY_RANK), any designation over none;
- evidentiary standard: an easier standard (vocab.STANDARD_RANK);
- protection-seeking duty: required -> waived;
- internal protection: possible -> excluded (a change to or from not_applicable follows from
  another finding and says nothing on its own).
"""

from dataclasses import dataclass

from haven.impact import Summary
from haven.vocab import CATEGORY_RANK, STANDARD_RANK, Category, InternalProtection, Standard

# Higher is better for the applicant.
RECOMMENDATION_ORDER = {
    "protection_not_indicated": 0,
    "further_assessment": 1,
    "protection_indicated": 2,
}


@dataclass(frozen=True)
class Verdict:
    better: list[str]
    worse: list[str]  # includes changes that cannot be ordered

    @property
    def improved(self) -> bool:
        return bool(self.better) and not self.worse


def _designation_rank(category: str | None) -> int:
    return len(CATEGORY_RANK) if category is None else CATEGORY_RANK[Category(category)]


def _relocation_rank(value: str) -> int | None:
    ranks = {InternalProtection.POSSIBLE.value: 0, InternalProtection.EXCLUDED.value: 1}
    return ranks.get(value)


def compare_summaries(before: Summary, after: Summary) -> Verdict:
    better: list[str] = []
    worse: list[str] = []

    def judge(field: str, old: int | None, new: int | None) -> None:
        """`old`/`new` ranks, higher better; None: a changed value with no order."""
        if old is None or new is None:
            worse.append(field)
        elif new > old:
            better.append(field)
        elif new < old:
            worse.append(field)

    if before.recommendation != after.recommendation:
        judge(
            "recommendation",
            RECOMMENDATION_ORDER.get(before.recommendation),
            RECOMMENDATION_ORDER.get(after.recommendation),
        )
    # Lower category and standard ranks are more favourable: negate them.
    judge(
        "designation",
        -_designation_rank(before.designation),
        -_designation_rank(after.designation),
    )
    judge(
        "evidentiary_standard",
        -STANDARD_RANK[Standard(before.evidentiary_standard)],
        -STANDARD_RANK[Standard(after.evidentiary_standard)],
    )
    judge(
        "protection_seeking_required",
        int(not before.protection_seeking_required),
        int(not after.protection_seeking_required),
    )
    old, new = (
        _relocation_rank(before.internal_protection),
        _relocation_rank(after.internal_protection),
    )
    if old is not None and new is not None:
        judge("internal_protection", old, new)
    return Verdict(better, worse)
