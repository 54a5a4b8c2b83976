"""Step 1: the credibility gate. Group rules apply only to credible facts."""

from dataclasses import dataclass

from haven.assess.model import Step
from haven.assess.trace import step
from haven.cases import Case
from haven.cases.facts import REJECTED, STILL_OPEN
from haven.policy.framework import FindingKey, RuleId
from haven.policy.snapshot import PolicyOn


@dataclass(frozen=True)
class Gate:
    assessable: bool
    provisional: bool  # identity or nationality still open
    step: Step

    @property
    def steps(self) -> list[Step]:
        return [self.step]


def gate(case: Case, policy: PolicyOn) -> Gate:
    c = case.credibility
    rejected = REJECTED.which(c)
    still_open = STILL_OPEN.which(c)
    rest = f"claimed profile: {c.profile.value}; region of origin: {c.region.value}"
    args = {"profile_credibility": c.profile.value, "region_credibility": c.region.value}
    if rejected:
        key, args["which"] = FindingKey.GATE_REJECTED, ",".join(rejected)
        finding = (
            f"{' and '.join(rejected)} found not credible: country policy cannot be applied and "
            f"the claim cannot be assessed on its merits ({rest})."
        )
    elif still_open:
        key, args["which"] = FindingKey.GATE_OPEN, ",".join(still_open)
        finding = (
            f"{' and '.join(still_open)} not yet assessed: the findings below are provisional "
            f"({rest})."
        )
    else:
        key = FindingKey.GATE_CREDIBLE
        finding = (
            f"Identity and nationality credible ({rest}). Group rules below apply only to "
            f"credible membership and, for regional rules, credible origin."
        )
    return Gate(
        assessable=not rejected,
        provisional=bool(still_open),
        step=step(policy, RuleId.CREDIBILITY_GATE, finding, keys=[key], args=args),
    )
