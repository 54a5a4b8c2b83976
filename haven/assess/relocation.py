"""Step 8: the internal protection alternative (QD art. 8)."""

from dataclasses import dataclass, field

from haven.assess.match import Basis, Match, entry_match
from haven.assess.model import Step
from haven.assess.trace import step, under_review_text
from haven.cases import Case
from haven.policy.decisions import INTERNAL_PROTECTION, RELOCATION_EXCLUSION
from haven.policy.entries import Designation, InternalProtectionEntry, RelocationStatus
from haven.policy.facts import nationwide_persecution
from haven.policy.framework import FindingKey, RuleId
from haven.policy.rules import first_of, pick
from haven.policy.snapshot import PolicyOn
from haven.vocab import InternalProtection


@dataclass(frozen=True)
class Relocation:
    status: InternalProtection
    exclusion: InternalProtectionEntry | None  # kept even when not applicable: guardrails use it
    steps: list[Step]
    unknown: list[str] = field(default_factory=list)
    unverified: list[str] = field(default_factory=list)


def assess_relocation(
    case: Case,
    policy: PolicyOn,
    *,
    relevant: bool,
    state_actor: bool,
    designation: Designation | None = None,
) -> Relocation:
    as_of, pack = policy.as_of, policy.pack
    found: list[tuple[InternalProtectionEntry, Match]] = []
    for e in policy.in_force(InternalProtectionEntry, case.nationality):
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
                    policy,
                    RuleId.UNVERIFIED,
                    under_review_text(e, as_of) or f"Not applied, unconfirmed: {e.label}.",
                    [e],
                    keys=[] if e.under_review(as_of) else [FindingKey.UNCONFIRMED],
                    args={"entry": e.id},
                )
            )
    usable = [e for e, m in found if m is Match.YES and e.verified_on(as_of)]
    excluded = [e for e in usable if e.status is RelocationStatus.EXCLUDED]  # all are cited
    exclusion = first_of(RELOCATION_EXCLUSION, as_of, ((e, m is Match.YES) for e, m in found))
    if not relevant:
        unknown = []  # open facts matter only where a need for protection may be established
    # Whether policy or law rules relocation out is answered first, need or no need: the
    # contract reports `excluded` whenever it is ruled out on the date.
    anyway = "" if relevant else " This holds whether or not a need for protection is established."
    also = [] if relevant else [FindingKey.IPA_ANYWAY]
    fired = pick(
        INTERNAL_PROTECTION,
        {
            "excluded_by_policy": exclusion is not None,
            "nationwide_persecution": designation is not None
            and nationwide_persecution(designation),
            "state_actor": state_actor,
            "need": relevant,
        },
    )
    status = InternalProtection(str(fired.then))
    if fired.id == "excluded_by_policy":
        assert exclusion is not None
        steps.insert(
            0,
            step(
                policy,
                RuleId.INTERNAL_PROTECTION,
                f"Excluded by policy: {exclusion.label} (from {exclusion.valid_from})." + anyway,
                excluded,
                with_rule_sources=False,
                keys=[FindingKey.IPA_EXCLUDED_BY_POLICY, *also],
                args={"entry": exclusion.id, "date": exclusion.valid_from.isoformat()},
            ),
        )
        return Relocation(status, exclusion, steps, unknown, unverified)
    if fired.id == "nationwide_persecution":
        assert designation is not None
        steps.insert(
            0,
            step(
                policy,
                RuleId.INTERNAL_PROTECTION,
                f"Excluded: {designation.label} — the group is designated as systematically "
                f"persecuted in the whole country, so no part of it is free of a well-founded "
                f"fear (QD art. 8(1)).{anyway}",
                [designation],
                keys=[FindingKey.IPA_NATIONWIDE, *also],
                args={"entry": designation.id},
            ),
        )
        return Relocation(status, None, steps, unknown, unverified)
    if fired.id == "state_is_persecutor":
        steps.insert(
            0,
            step(
                policy,
                RuleId.STATE_IS_PERSECUTOR,
                "Excluded: the state is the actor of persecution, so there is normally no safe "
                f"area to relocate to.{anyway}",
                keys=[FindingKey.IPA_STATE, *also],
            ),
        )
        return Relocation(status, None, steps, unknown, unverified)
    if fired.id == "no_need":
        steps.insert(
            0,
            step(
                policy,
                RuleId.INTERNAL_PROTECTION,
                "Not applicable: no need for protection is established to relocate from, and "
                "neither policy nor law rules relocation out on this date.",
                keys=[FindingKey.IPA_NO_NEED],
            ),
        )
        return Relocation(status, None, steps, [], unverified)
    allowed = [e for e in usable if e.status is RelocationStatus.ALLOWED]
    finding = (
        "Possible: policy does not rule it out. The officer must name a specific area and show "
        "that it is safe, reachable and reasonable to settle in, without concealment."
    )
    keys = [FindingKey.IPA_POSSIBLE]
    args = {}
    if allowed:
        finding += f" Policy allows only: {', '.join(allowed[0].allowed_regions)}."
        keys.append(FindingKey.IPA_ALLOWED_ONLY)
        args["regions"] = ", ".join(allowed[0].allowed_regions)
    if unknown:
        finding += " Policy would exclude it if the open facts are found credible."
        keys.append(FindingKey.IPA_WOULD_EXCLUDE)
    steps.insert(
        0, step(policy, RuleId.INTERNAL_PROTECTION, finding, allowed, keys=keys, args=args)
    )
    return Relocation(status, None, steps, unknown, unverified)
