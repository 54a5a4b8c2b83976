"""A work queue from an impact run: the refused cases whose outcome improved, with the rules
that changed and a suggested next step. Pure: cases, dates and packs in; items out."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from haven.cases import Case
from haven.impact import Change, Impact, Summary, compare
from haven.policy.pack import Pack
from haven.queue.affected import decided_after_change
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


@dataclass(frozen=True)
class Selection:
    """What a queue holds: `items` to act on, and `decided_after`, the refused cases whose
    outcome improved but whose refusal was decided on or after the later date (or that were
    not lodged by then): the change did not affect them (haven/queue/affected.py). Both
    urgent first, then by case id."""

    items: list[Item]
    decided_after: list[Item]


def _order(items: list[Item]) -> list[Item]:
    """Urgent items first, then by case id: the order a team works through them."""
    return sorted(items, key=lambda i: (not i.urgent, i.case_id))


def select_items(impact: Impact) -> Selection:
    """The one selection of every door that makes or previews a queue."""
    items: list[Item] = []
    late: list[Item] = []
    for change in impact.changed:
        item = item_of(change)
        if item is None:
            continue
        after_it = decided_after_change(change.lodged, change.decided, impact.from_, impact.to)
        (late if after_it else items).append(item)
    return Selection(_order(items), _order(late))


def items_of(impact: Impact) -> list[Item]:
    return select_items(impact).items


def preview(
    cases: Iterable[Case], before: date, after: date, pack: Pack, after_pack: Pack | None = None
) -> tuple[Impact, Selection]:
    impact = compare(cases, before, after, pack, after_pack)
    return impact, select_items(impact)


def build(
    cases: Iterable[Case], before: date, after: date, pack: Pack, after_pack: Pack | None = None
) -> tuple[Impact, list[Item]]:
    impact, chosen = preview(cases, before, after, pack, after_pack)
    return impact, chosen.items
