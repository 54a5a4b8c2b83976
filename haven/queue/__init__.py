"""The affected-case work queue: which refused cases improved under a policy change, and what
to do next. Pure logic; persistence is haven/store/queue.py."""

from haven.queue.affected import decided_after_change
from haven.queue.build import Item, Selection, build, item_of, items_of, preview, select_items
from haven.queue.improvement import Verdict, compare_summaries
from haven.queue.steps import QUEUED_STATUSES, URGENT_STATUSES, NextStep, next_step

__all__ = [
    "QUEUED_STATUSES",
    "URGENT_STATUSES",
    "Item",
    "NextStep",
    "Selection",
    "Verdict",
    "build",
    "compare_summaries",
    "decided_after_change",
    "item_of",
    "items_of",
    "next_step",
    "preview",
    "select_items",
]
