"""Step 6: the evidentiary standard, and whether the credible facts meet it."""

from collections.abc import Collection
from dataclasses import dataclass

from haven.assess.model import Step
from haven.assess.trace import step
from haven.cases import Case, Incident
from haven.cases.facts import HAS_CREDIBLE, HAS_OPEN, IncidentFact, claims_profile
from haven.cases.known import Known
from haven.policy.decisions import STANDARD_MET
from haven.policy.entries import Designation
from haven.policy.framework import STANDARD_RULES, FindingKey, RuleId
from haven.policy.rules import pick
from haven.policy.snapshot import PolicyOn
from haven.vocab import IncidentKind, Standard


@dataclass(frozen=True)
class Evaluation:
    standard: Standard
    met: bool | None
    steps: list[Step]
    forward_looking: bool = False  # met is open because the risk on return must be assessed


def _numbered(known: Known, fact: IncidentFact) -> list[tuple[str, Incident]]:
    return [(known.label(i), x) for i, x in enumerate(known.case.incidents) if fact.holds(x)]


def incident_args(
    known: Known, fact: IncidentFact, kinds: Collection[IncidentKind] | None = None
) -> str:
    """The incidents `fact` holds for, as a finding argument: "number:kind:actor,..." (the
    number in the recorded case, as `known.label` names it)."""
    return ",".join(
        f"{known.numbers[i]}:{x.kind.value}:{x.actor.value}"
        for i, x in enumerate(known.case.incidents)
        if fact.holds(x) and (kinds is None or x.kind in kinds)
    )


def claim_arg(case: Case) -> str:
    """The claimed profile as a finding argument: "sogi,...;tag,..."."""
    return ",".join(s.value for s in case.profile.sogi) + ";" + ",".join(case.profile.tags)


def _list(items: list[tuple[str, Incident]]) -> str:
    return ", ".join(f"{n} ({x.kind.value}, {x.actor.value})" for n, x in items)


def _claim(case: Case) -> str:
    parts = [", ".join(s.value for s in case.profile.sogi), ", ".join(case.profile.tags)]
    return "; ".join(p for p in parts if p)


def evaluate(known: Known, policy: PolicyOn, designation: Designation | None) -> Evaluation:
    case = known.case
    standard = designation.evidentiary_standard if designation else Standard.INDIVIDUAL
    rule = STANDARD_RULES[standard]
    credible = _numbered(known, HAS_CREDIBLE)
    still_open = _numbered(known, HAS_OPEN)
    entries = [designation] if designation else []
    claim = _claim(case)
    fired = pick(
        STANDARD_MET,
        {
            "standard": standard,
            "has_credible": bool(credible),
            "has_open": bool(still_open),
            "claims_profile": claims_profile(case.profile),
            "profile": case.credibility.profile,
        },
    )
    met = fired.then if isinstance(fired.then, bool) else None
    # The sentences of the finding and what they fill in (haven/reports/wording.py).
    args = {"standard": standard.value}
    key: FindingKey
    if fired.id == "membership":
        key = FindingKey.STANDARD_MEMBERSHIP
        finding = "Credible membership suffices; no individual incidents are required."
    elif fired.id == "indications":
        key = FindingKey.STANDARD_INDICATIONS
        args["incidents"] = incident_args(known, HAS_CREDIBLE)
        finding = f"Met: credible personal problems linked to the group ({_list(credible)})."
    elif fired.id == "individual_judgment":
        # Which kinds are past persecution or serious harm is law: the pack's past_harm rule.
        past = policy.pack.rule(RuleId.PAST_HARM)
        serious = [(n, x) for n, x in credible if x.kind in past.incident_kinds]
        key = FindingKey.STANDARD_JUDGMENT
        args["incidents"] = incident_args(known, HAS_CREDIBLE)
        finding = f"Credible incidents ({_list(credible)}) need an individual judgment of severity."
        if serious:
            finding += f" {past.title}: {_list(serious)} are a serious indication of risk."
            args["serious"] = incident_args(known, HAS_CREDIBLE, past.incident_kinds)
            return Evaluation(
                standard,
                met,
                [
                    step(
                        policy,
                        rule,
                        finding,
                        entries,
                        keys=[key, FindingKey.STANDARD_PAST_HARM],
                        args=args,
                    ),
                    step(
                        policy,
                        RuleId.PAST_HARM,
                        past.text,
                        keys=[FindingKey.RULE_TEXT],
                        args={"rule": RuleId.PAST_HARM.value},
                    ),
                ],
            )
    elif fired.id == "open_incidents":
        key = FindingKey.STANDARD_OPEN
        args["incidents"] = incident_args(known, HAS_OPEN)
        finding = f"Open: the credibility of {_list(still_open)} is not yet assessed."
    elif fired.id == "surroundings":
        key = FindingKey.STANDARD_SURROUNDINGS
        finding = (
            "No credible personal incident recorded; incidents against group members in the "
            "applicant's immediate surroundings can count and must be assessed."
        )
    elif fired.id == "forward_looking":
        ahead = policy.pack.rule(RuleId.FORWARD_LOOKING)
        args |= {"claim": claim_arg(case), "credibility": case.credibility.profile.value}
        return Evaluation(
            standard,
            met,
            [
                step(
                    policy,
                    rule,
                    f"Standard {standard.value}. Open: no credible personal incident is "
                    f"recorded, but the claimed profile ({claim}) is "
                    f"{case.credibility.profile.value} and no designation sets the standard; "
                    f"whether the fear is well founded is a forward-looking question.",
                    keys=[FindingKey.STANDARD_HEAD, FindingKey.STANDARD_FORWARD],
                    args=args,
                ),
                step(
                    policy,
                    RuleId.FORWARD_LOOKING,
                    f"{ahead.title}: {ahead.text}",
                    keys=[FindingKey.RULE_TITLED],
                    args={
                        "rule_title": RuleId.FORWARD_LOOKING.value,
                        "rule": RuleId.FORWARD_LOOKING.value,
                    },
                ),
            ],
            forward_looking=True,
        )
    elif standard is not Standard.INDIVIDUAL:
        key = FindingKey.STANDARD_NOT_MET_DESIGNATION
        finding = (
            "Not met: no credible personal incident is recorded, and no open fact could "
            "meet the standard the designation sets."
        )
    elif not claim:
        key = FindingKey.STANDARD_NOT_MET_UNCLAIMED
        finding = "Not met: no group characteristic is claimed and no credible incident."
    else:
        key = FindingKey.STANDARD_NOT_MET_PROFILE
        args["claim"] = claim_arg(case)
        finding = (
            f"Not met: the claimed profile ({claim}) is not credible and no credible "
            f"incident is recorded."
        )
    return Evaluation(
        standard,
        met,
        [
            step(
                policy,
                rule,
                f"Standard {standard.value}. {finding}",
                entries,
                keys=[FindingKey.STANDARD_HEAD, key],
                args=args,
            )
        ],
    )
