"""Step 6: the evidentiary standard, and whether the credible facts meet it."""

from dataclasses import dataclass
from datetime import date

from haven.assess.model import Step
from haven.assess.trace import step
from haven.cases import Case, Incident
from haven.policy.entries import Designation
from haven.policy.framework import STANDARD_RULES, RuleId
from haven.policy.pack import Pack
from haven.vocab import Finding, IncidentKind, Standard

# QD art. 4(4): past persecution or serious harm, or direct threats of it.
SERIOUS = {
    IncidentKind.THREAT,
    IncidentKind.ASSAULT,
    IncidentKind.SEXUAL_VIOLENCE,
    IncidentKind.ARREST,
    IncidentKind.DETENTION,
    IncidentKind.TORTURE,
    IncidentKind.PROSECUTION,
}


@dataclass(frozen=True)
class Evaluation:
    standard: Standard
    met: bool | None
    steps: list[Step]


def _numbered(case: Case, finding: Finding) -> list[tuple[int, Incident]]:
    return [(i, x) for i, x in enumerate(case.incidents) if x.credibility is finding]


def _list(items: list[tuple[int, Incident]]) -> str:
    return ", ".join(f"incidents[{i}] ({x.kind.value}, {x.actor.value})" for i, x in items)


def evaluate(case: Case, as_of: date, designation: Designation | None, pack: Pack) -> Evaluation:
    standard = designation.evidentiary_standard if designation else Standard.INDIVIDUAL
    rule = STANDARD_RULES[standard]
    credible = _numbered(case, Finding.CREDIBLE)
    still_open = _numbered(case, Finding.OPEN)
    entries = [designation] if designation else []
    met: bool | None
    if standard is Standard.MEMBERSHIP:
        met = True
        finding = "Credible membership suffices; no individual incidents are required."
    elif credible and standard in (Standard.MINOR_INDICATIONS, Standard.LIMITED_INDICATIONS):
        met = True
        finding = f"Met: credible personal problems linked to the group ({_list(credible)})."
    elif standard is Standard.INDIVIDUAL and credible:
        met = None
        serious = [(i, x) for i, x in credible if x.kind in SERIOUS]
        finding = f"Credible incidents ({_list(credible)}) need an individual judgment of severity."
        if serious:
            past = pack.rule(RuleId.PAST_HARM)
            finding += f" {past.title}: {_list(serious)} are a serious indication of risk."
            return Evaluation(
                standard,
                met,
                [
                    step(pack, rule, finding, entries, on=as_of),
                    step(pack, RuleId.PAST_HARM, past.text),
                ],
            )
    elif still_open:
        met = None
        finding = f"Open: the credibility of {_list(still_open)} is not yet assessed."
    elif standard is Standard.LIMITED_INDICATIONS:
        met = None
        finding = (
            "No credible personal incident recorded; incidents against group members in the "
            "applicant's immediate surroundings can count and must be assessed."
        )
    else:
        met = False
        finding = "Not met: no credible personal incident is recorded."
    return Evaluation(
        standard,
        met,
        [step(pack, rule, f"Standard {standard.value}. {finding}", entries, on=as_of)],
    )
