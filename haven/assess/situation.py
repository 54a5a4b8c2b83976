"""Step 5: an exceptional situation of indiscriminate violence (QD art. 15(c)) in the region."""

from dataclasses import dataclass, field

from haven.assess.match import Basis, Match, region_match
from haven.assess.model import Step
from haven.assess.trace import step, under_review_text
from haven.cases import Case
from haven.policy.decisions import SITUATION
from haven.policy.entries import ExceptionalSituation, SituationLevel
from haven.policy.framework import RuleId
from haven.policy.rules import first_of
from haven.policy.snapshot import PolicyOn


@dataclass(frozen=True)
class Situation:
    entry: ExceptionalSituation | None
    steps: list[Step] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    unverified: list[str] = field(default_factory=list)

    @property
    def level(self) -> SituationLevel | None:
        return self.entry.level if self.entry else None


def check(case: Case, policy: PolicyOn) -> Situation:
    as_of = policy.as_of
    entries = policy.in_force(ExceptionalSituation, case.nationality)
    if not entries:
        return Situation(None)
    found = [(e, region_match(e, case, Basis.CREDIBLE)) for e in entries]
    chosen = first_of(SITUATION, as_of, ((e, m is Match.YES) for e, m in found))
    steps: list[Step] = []
    unknown: list[str] = []
    unverified: list[str] = []
    for e, m in found:  # in precedence order (haven.policy.precedence): regional first
        if m is Match.NO:
            continue
        if not e.verified_on(as_of):
            unverified.append(e.id)
            steps.append(
                step(
                    policy,
                    RuleId.UNVERIFIED,
                    under_review_text(e, as_of) or f"Not applied, unverified: {e.label}.",
                    [e],
                )
            )
        elif m is Match.UNKNOWN:
            unknown.append(e.id)
            steps.append(
                step(
                    policy,
                    RuleId.EXCEPTIONAL_SITUATION,
                    f"{e.label}: applies only if the region of origin is recorded and credible.",
                    [e],
                )
            )
        elif e is chosen:
            steps.append(step(policy, RuleId.EXCEPTIONAL_SITUATION, _text(e), [e]))
    return Situation(chosen, steps, unknown, unverified)


def _text(e: ExceptionalSituation) -> str:
    if e.level is SituationLevel.MOST_EXCEPTIONAL:
        return f"{e.label} (from {e.valid_from}): mere presence is a real risk of serious harm."
    if e.level is SituationLevel.LESS_EXCEPTIONAL:
        return (
            f"{e.label} (from {e.valid_from}): some individual elements are needed on top of "
            f"the general violence (sliding scale)."
        )
    return f"{e.label} (from {e.valid_from})."
