"""Step 3: decision and departure moratoria covering the case's category."""

from dataclasses import dataclass, field

from haven.assess.match import Basis, Match, entry_match
from haven.assess.model import MoratoriumOut, Step
from haven.assess.trace import step
from haven.cases import Case
from haven.policy.decisions import (
    MORATORIUM_DECISION,
    MORATORIUM_DEPARTURE,
    moratorium_applied,
)
from haven.policy.entries import Moratorium
from haven.policy.facts import lodged_by
from haven.policy.framework import FindingKey, RuleId
from haven.policy.rules import pick
from haven.policy.snapshot import PolicyOn
from haven.vocab import Status

REFUSED = {Status.REFUSED, Status.REFUSED_FINAL, Status.REMOVAL_SCHEDULED}


@dataclass(frozen=True)
class Moratoria:
    out: MoratoriumOut
    steps: list[Step]
    unknown: list[str] = field(default_factory=list)
    unverified: list[str] = field(default_factory=list)


def check(case: Case, policy: PolicyOn) -> Moratoria:
    as_of, pack = policy.as_of, policy.pack
    decision = departure = False
    applied: list[str] = []
    steps: list[Step] = []
    unknown: list[str] = []
    unverified: list[str] = []
    for e in policy.in_force(Moratorium, case.nationality):
        m = entry_match(pack, e, case, as_of, Basis.CLAIMED)
        if m is Match.NO:
            continue
        if not e.verified_on(as_of):
            unverified.append(e.id)
            steps.append(
                step(
                    policy,
                    RuleId.UNVERIFIED,
                    f"May apply, unverified: {e.label}.",
                    [e],
                    keys=[FindingKey.UNVERIFIED_MAY_APPLY],
                    args={"entry": e.id},
                )
            )
            continue
        if m is Match.UNKNOWN:
            unknown.append(e.id)
            steps.append(
                step(
                    policy,
                    RuleId.DECISION_MORATORIUM,
                    f"{e.label}: whether it covers this applicant cannot be told from the "
                    f"recorded facts (e.g. birth date or sex missing).",
                    [e],
                    keys=[FindingKey.MORATORIUM_UNKNOWN],
                    args={"entry": e.id},
                )
            )
            continue
        limit = e.except_lodged_more_than_months
        facts = {
            "stops_decisions": e.decision,
            "stops_departure": e.departure,
            "old_application": limit is not None
            and case.procedure.lodged <= lodged_by(as_of, limit),
        }
        stop = pick(MORATORIUM_DECISION, facts)
        removal = pick(MORATORIUM_DEPARTURE, facts)
        if stop.id == "old_application":
            steps.append(
                step(
                    policy,
                    RuleId.DECISION_MORATORIUM,
                    f"{e.label}: no decision stop for this case, the application is older than "
                    f"{limit} months and is decided on the information available.",
                    [e],
                    keys=[FindingKey.MORATORIUM_OLD],
                    args={"entry": e.id, "months": str(limit)},
                )
            )
        if not moratorium_applied(bool(stop.then), bool(removal.then)):
            continue
        applied.append(e.id)
        decision |= bool(stop.then)
        departure |= bool(removal.then)
        if stop.then:
            steps.append(
                step(
                    policy,
                    RuleId.DECISION_MORATORIUM,
                    f"{e.label} (from {e.valid_from}): no substantive decision is taken while it "
                    f"runs.",
                    [e],
                    keys=[FindingKey.MORATORIUM_DECISION],
                    args={"entry": e.id, "date": e.valid_from.isoformat()},
                )
            )
        if removal.then:
            refused = case.procedure.status in REFUSED
            effect = (
                "removal is suspended and reception continues"
                if refused
                else "removal would be suspended if the claim were refused"
            )
            key = FindingKey.DEPARTURE_REFUSED if refused else FindingKey.DEPARTURE_PENDING
            steps.append(
                step(
                    policy,
                    RuleId.DEPARTURE_MORATORIUM,
                    f"{e.label}: {effect}.",
                    [e],
                    keys=[key],
                    args={"entry": e.id},
                )
            )
    if not steps:
        steps.append(
            step(
                policy,
                RuleId.DECISION_MORATORIUM,
                f"No decision or departure moratorium covers this case on {as_of}.",
                keys=[FindingKey.MORATORIUM_NONE],
                args={"as_of": as_of.isoformat()},
            )
        )
    return Moratoria(
        MoratoriumOut(decision=decision, departure=departure, entries=applied),
        steps,
        unknown,
        unverified,
    )
