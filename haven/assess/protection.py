"""Step 7: must the applicant have sought protection from their own authorities?"""

from dataclasses import dataclass, field

from haven.assess.match import Basis, Match, entry_match
from haven.assess.model import Step
from haven.assess.trace import step, under_review_text
from haven.cases.facts import STATE_ACTOR, UNREPORTED, IncidentFact
from haven.cases.known import Known
from haven.policy.decisions import PROTECTION_DUTY, WAIVER
from haven.policy.entries import ProtectionDuty
from haven.policy.framework import FindingKey, RuleId
from haven.policy.rules import first_of, pick
from haven.policy.snapshot import PolicyOn


@dataclass(frozen=True)
class Duty:
    required: bool
    waiver: ProtectionDuty | None
    state_actor: bool
    unmet: bool  # required, and a credible non-state incident was not reported to the authorities
    steps: list[Step]
    unknown: list[str] = field(default_factory=list)
    unverified: list[str] = field(default_factory=list)


def state_is_actor(known: Known) -> list[str]:
    return [known.label(i) for i, x in enumerate(known.case.incidents) if STATE_ACTOR.holds(x)]


def _numbers(known: Known, fact: IncidentFact) -> str:
    """The incidents `fact` holds for, by number in the recorded case (a finding argument)."""
    return ",".join(
        str(known.numbers[i]) for i, x in enumerate(known.case.incidents) if fact.holds(x)
    )


def assess_duty(known: Known, policy: PolicyOn) -> Duty:
    case, as_of, pack = known.case, policy.as_of, policy.pack
    steps: list[Step] = []
    unknown: list[str] = []
    unverified: list[str] = []
    found = [
        (e, entry_match(pack, e, case, as_of, Basis.CREDIBLE))
        for e in policy.in_force(ProtectionDuty, case.nationality)
    ]
    waiver = first_of(WAIVER, as_of, ((e, m is Match.YES) for e, m in found))
    for e, m in found:
        if m is Match.NO or e.required:
            continue
        if not e.verified_on(as_of):
            unverified.append(e.id)
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
        elif m is Match.UNKNOWN:
            unknown.append(e.id)
            steps.append(
                step(
                    policy,
                    RuleId.PROTECTION_DUTY,
                    f"Would be waived if the open facts are found credible: {e.label}.",
                    [e],
                    keys=[FindingKey.DUTY_WOULD_BE_WAIVED],
                    args={"entry": e.id},
                )
            )
    state = state_is_actor(known)
    fired = pick(PROTECTION_DUTY, {"waived": waiver is not None, "state_actor": bool(state)})
    if fired.id == "waived":
        assert waiver is not None
        steps.insert(
            0,
            step(
                policy,
                RuleId.PROTECTION_DUTY,
                f"Not required: {waiver.label} (from {waiver.valid_from}).",
                [waiver],
                with_rule_sources=False,
                keys=[FindingKey.DUTY_WAIVED],
                args={"entry": waiver.id, "date": waiver.valid_from.isoformat()},
            ),
        )
        return Duty(False, waiver, bool(state), False, steps, unknown, unverified)
    if fired.id == "state_is_persecutor":
        steps.insert(
            0,
            step(
                policy,
                RuleId.STATE_IS_PERSECUTOR,
                f"Not required: the state is the actor in credible "
                f"{', '.join(state)}; it cannot be asked to protect.",
                keys=[FindingKey.DUTY_STATE],
                args={"state": _numbers(known, STATE_ACTOR)},
            ),
        )
        return Duty(False, None, True, False, steps, unknown, unverified)
    unreported = [known.label(i) for i, x in enumerate(case.incidents) if UNREPORTED.holds(x)]
    finding = "Required: no policy waives the duty for this applicant on this date."
    keys = [FindingKey.DUTY_REQUIRED]
    if unreported:
        finding += (
            f" Protection was not (or not known to be) sought after "
            f"{', '.join(unreported)}: the officer must assess whether "
            f"seeking it would have been dangerous or pointless."
        )
        keys.append(FindingKey.DUTY_UNREPORTED)
    args = {"unreported": _numbers(known, UNREPORTED)}
    steps.insert(0, step(policy, RuleId.PROTECTION_DUTY, finding, keys=keys, args=args))
    return Duty(True, None, False, bool(unreported), steps, unknown, unverified)
