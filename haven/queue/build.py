"""A work queue from an impact run: the refused cases whose outcome improved, with the rules
that changed and a suggested next step. Pure: cases, dates and packs in; items out."""

from collections.abc import Iterable
from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from haven.cases import Case
from haven.impact import Change, Impact, Summary, compare
from haven.policy.pack import Pack
from haven.queue.improvement import compare_summaries
from haven.queue.steps import QUEUED_STATUSES, URGENT_STATUSES, NextStep, next_step
from haven.vocab import Status


class Item(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    case_id: str
    status: Status
    next_step: NextStep
    urgent: bool = Field(description="Removal is scheduled")
    improved: list[str] = Field(description="The fields that became more favourable")
    changed_rules: list[str] = Field(description="Pack entries applied on one date only")
    new_flags: list[str] = Field(description="Flags on the refusal's reasons only after")
    before: Summary
    after: Summary


def item_of(change: Change) -> Item | None:
    """The work item for a changed case, or None if it is not queued or did not improve."""
    if change.status not in QUEUED_STATUSES:
        return None
    verdict = compare_summaries(change.before, change.after)
    if not verdict.improved:
        return None
    return Item(
        case_id=change.case_id,
        status=change.status,
        next_step=next_step(change.status),
        urgent=change.status in URGENT_STATUSES,
        improved=verdict.better,
        changed_rules=change.changed_rules,
        new_flags=sorted(set(change.after.flags) - set(change.before.flags)),
        before=change.before,
        after=change.after,
    )


def items_of(impact: Impact) -> list[Item]:
    """Urgent items first, then by case id: the order a team works through them."""
    found = [i for i in (item_of(c) for c in impact.changed) if i is not None]
    return sorted(found, key=lambda i: (not i.urgent, i.case_id))


def build(
    cases: Iterable[Case], before: date, after: date, pack: Pack, after_pack: Pack | None = None
) -> tuple[Impact, list[Item]]:
    impact = compare(cases, before, after, pack, after_pack)
    return impact, items_of(impact)
