"""Step 8: the internal protection alternative (QD art. 8)."""

from dataclasses import dataclass, field
from datetime import date

from haven.assess.match import Basis, Match, entry_match
from haven.assess.model import Step
from haven.assess.trace import step
from haven.cases import Case
from haven.policy.entries import Designation, InternalProtectionEntry, RelocationStatus
from haven.policy.framework import RuleId
from haven.policy.pack import Pack
from haven.vocab import Category, InternalProtection


@dataclass(frozen=True)
class Relocation:
    status: InternalProtection
    exclusion: InternalProtectionEntry | None  # kept even when not applicable: guardrails use it
    steps: list[Step]
    unknown: list[str] = field(default_factory=list)
    unverified: list[str] = field(default_factory=list)


def assess_relocation(
    case: Case,
    as_of: date,
    pack: Pack,
    *,
    relevant: bool,
    state_actor: bool,
    designation: Designation | None = None,
) -> Relocation:
    found: list[tuple[InternalProtectionEntry, Match]] = []
    for e in pack.in_force(InternalProtectionEntry, as_of, case.nationality):
        m = entry_match(pack, e, case, as_of, Basis.CREDIBLE)
        if m is not Match.NO:
            found.append((e, m))
    # pack.in_force gives the precedence order (haven.policy.precedence): most specific first.
    steps: list[Step] = []
    unknown = [e.id for e, m in found if m is Match.UNKNOWN and e.verified_on(as_of)]
    unverified = [e.id for e, _ in found if not e.verified_on(as_of)]
    for e, _ in found:
        if not e.verified_on(as_of):
            steps.append(
                step(
                    pack, RuleId.UNVERIFIED, f"Not applied, unconfirmed: {e.label}.", [e], on=as_of
                )
            )
    usable = [e for e, m in found if m is Match.YES and e.verified_on(as_of)]
    excluded = [e for e in usable if e.status is RelocationStatus.EXCLUDED]
    if not relevant:
        steps.insert(
            0,
            step(
                pack,
                RuleId.INTERNAL_PROTECTION,
                "Not applicable: no need for protection is established to relocate from."
                + (
                    f" Policy rules relocation out anyway: {excluded[0].label}." if excluded else ""
                ),
                excluded[:1],
                on=as_of,
            ),
        )
        return Relocation(
            InternalProtection.NOT_APPLICABLE,
            excluded[0] if excluded else None,
            steps,
            [],
            unverified,
        )
    if excluded:
        steps.insert(
            0,
            step(
                pack,
                RuleId.INTERNAL_PROTECTION,
                f"Excluded by policy: {excluded[0].label} (from {excluded[0].valid_from}).",
                excluded,
                on=as_of,
                with_rule_sources=False,
            ),
        )
        return Relocation(InternalProtection.EXCLUDED, excluded[0], steps, unknown, unverified)
    if designation is not None and _nationwide_persecution(designation):
        steps.insert(
            0,
            step(
                pack,
                RuleId.INTERNAL_PROTECTION,
                f"Excluded: {designation.label} — the group is designated as systematically "
                f"persecuted in the whole country, so no part of it is free of a well-founded "
                f"fear (QD art. 8(1)).",
                [designation],
                on=as_of,
            ),
        )
        return Relocation(InternalProtection.EXCLUDED, None, steps, unknown, unverified)
    if state_actor:
        steps.insert(
            0,
            step(
                pack,
                RuleId.STATE_IS_PERSECUTOR,
                "Excluded: the state is the actor of persecution, so there is normally no safe "
                "area to relocate to.",
            ),
        )
        return Relocation(InternalProtection.EXCLUDED, None, steps, unknown, unverified)
    allowed = [e for e in usable if e.status is RelocationStatus.ALLOWED]
    finding = (
        "Possible: policy does not rule it out. The officer must name a specific area and show "
        "that it is safe, reachable and reasonable to settle in, without concealment."
    )
    if allowed:
        finding += f" Policy allows only: {', '.join(allowed[0].allowed_regions)}."
    if unknown:
        finding += " Policy would exclude it if the open facts are found credible."
    steps.insert(0, step(pack, RuleId.INTERNAL_PROTECTION, finding, allowed))
    return Relocation(InternalProtection.POSSIBLE, None, steps, unknown, unverified)


def _nationwide_persecution(d: Designation) -> bool:
    return d.category is Category.GROUP_PERSECUTION and not d.regions and not d.except_regions
