"""Helpers to build steps that cite the pack: a framework rule, entries, or both.

Every citation goes through the snapshot of the pack on the as-of date (`PolicyOn`): a step
cites only documents that existed on that date; later ones that restate an entry are listed
apart (`later_sources`).
"""

from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from haven.assess.model import Step
from haven.policy.entries import EntryBase
from haven.policy.framework import FindingKey, RuleId
from haven.policy.snapshot import PolicyOn


def cite(*groups: Iterable[str]) -> list[str]:
    """Source ids in first-seen order, without repeats."""
    out: list[str] = []
    for group in groups:
        out += [s for s in group if s not in out]
    return out


def step(
    policy: PolicyOn,
    rule: RuleId,
    finding: str,
    entries: Iterable[EntryBase] = (),
    *,
    with_rule_sources: bool = True,
    keys: Sequence[FindingKey] = (),
    args: Mapping[str, str] | None = None,
) -> Step:
    """A step citing its entries' sources and the rule's, as they stood on the as-of date.

    Where an entry's own documents all postdate the date (the pack dates the entry from an
    earlier event), the step rests on the rule's general law and lists the entry's documents
    as later sources. `keys` and `args` name the sentences `finding` says and what they fill
    in (haven/reports/wording.py)."""
    entries = list(entries)
    cited = [policy.entry_sources(e) for e in entries]
    sources = cite(*(c.sources for c in cited))
    if with_rule_sources or not sources:
        sources = cite(sources, policy.rule_sources(rule))
    later = cite(*(c.later for c in cited))
    return Step(
        rule=rule.value,
        finding=finding,
        sources=sources,
        entries=[e.id for e in entries],
        later_sources=later,
        finding_keys=[str(k) for k in keys],
        finding_args=dict(args or {}),
    )


def on_entry(
    policy: PolicyOn, rule: RuleId, finding: str, e: EntryBase, key: FindingKey, **more: str
) -> Step:
    """A step about one entry that says one sentence, of the entry (`{entry}`) and `more`."""
    return step(policy, rule, finding, [e], keys=[key], args={"entry": e.id, **more})


def not_applied(policy: PolicyOn, e: EntryBase, *, unverified: bool = False) -> Step:
    """An entry that may apply but may not drive the outcome on the date: not applied, as under
    review (the pack's own words), as unverified or (`unverified` False) as unconfirmed."""
    review = under_review(e, policy.as_of)
    if review is not None:
        finding, keys, args = review
        return step(policy, RuleId.UNVERIFIED, finding, [e], keys=keys, args=args)
    if unverified:
        finding, key = f"Not applied, unverified: {e.label}.", FindingKey.UNVERIFIED_NOT_APPLIED_2
    else:
        finding, key = f"Not applied, unconfirmed: {e.label}.", FindingKey.UNCONFIRMED
    return on_entry(policy, RuleId.UNVERIFIED, finding, e, key)


def under_review(e: EntryBase, as_of: date) -> tuple[str, list[FindingKey], dict[str, str]] | None:
    """Why an entry under review on `as_of` is not applied, its sentence and arguments (None: it
    is not under review)."""
    rf = e.review_flag
    if rf is None or not e.under_review(as_of):
        return None
    finding = (
        f"Not applied: {e.label} (from {e.valid_from}) comes from a version its issuer marks "
        f'"under review" since {rf.since_text()}: {rf.note}'
    )
    args = {"entry": e.id, "date": str(e.valid_from), "review_since": e.id, "review_note": e.id}
    return finding, [FindingKey.UNDER_REVIEW], args
