"""Helpers to build steps that cite the pack: a framework rule, entries, or both."""

from collections.abc import Iterable
from datetime import date

from haven.assess.model import Step
from haven.policy.entries import EntryBase
from haven.policy.framework import RuleId
from haven.policy.pack import Pack


def cite(*groups: Iterable[str]) -> list[str]:
    """Source ids in first-seen order, without repeats."""
    out: list[str] = []
    for group in groups:
        out += [s for s in group if s not in out]
    return out


def step(
    pack: Pack,
    rule: RuleId,
    finding: str,
    entries: Iterable[EntryBase] = (),
    *,
    on: date | None = None,
    with_rule_sources: bool = True,
) -> Step:
    """A step citing its entries' sources (as they stand `on` the as-of date) and the rule's."""
    entries = list(entries)
    sources = cite(
        *(e.sources_on(on) if on else e.sources for e in entries),
        pack.rule(rule).sources if with_rule_sources or not entries else (),
    )
    return Step(rule=rule.value, finding=finding, sources=sources, entries=[e.id for e in entries])
