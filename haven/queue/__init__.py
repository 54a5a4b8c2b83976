"""The affected-case work queue: which refused cases improved under a policy change, and what
to do next. Pure logic; persistence is haven/store/queue.py."""

from haven.queue.build import Item, build, item_of, items_of
from haven.queue.improvement import Verdict, compare_summaries
from haven.queue.steps import QUEUED_STATUSES, URGENT_STATUSES, NextStep, next_step

__all__ = [
    "QUEUED_STATUSES",
    "URGENT_STATUSES",
    "Item",
    "NextStep",
    "Verdict",
    "build",
    "compare_summaries",
    "item_of",
    "items_of",
    "next_step",
]
