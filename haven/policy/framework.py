"""Framework rules: the general law each reasoning step applies when no entry says otherwise.

They live in the pack (with sources) so that the engine hard-codes no legal fact.
"""

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from haven.vocab import FlagCode, IncidentKind, Standard


class RuleId(StrEnum):
    CREDIBILITY_GATE = "credibility_gate"
    FACTS_AS_OF = "facts_as_of"
    SAFE_COUNTRY = "safe_country"
    DECISION_MORATORIUM = "decision_moratorium"
    DEPARTURE_MORATORIUM = "departure_moratorium"
    DESIGNATION = "designation"
    EXCEPTIONAL_SITUATION = "exceptional_situation"
    STANDARD_MEMBERSHIP = "standard_membership"
    STANDARD_LIMITED = "standard_limited_indications"
    STANDARD_MINOR = "standard_minor_indications"
    STANDARD_INDIVIDUAL = "standard_individual"
    PAST_HARM = "past_harm"
    FORWARD_LOOKING = "forward_looking_risk"
    PROTECTION_DUTY = "protection_duty"
    STATE_IS_PERSECUTOR = "state_is_persecutor"
    INTERNAL_PROTECTION = "internal_protection"
    GUARDRAILS = "guardrails"
    EVIDENCE = "evidence"
    UNVERIFIED = "unverified"
    RECOMMENDATION = "recommendation"


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    id: RuleId
    title: str
    text: str = Field(min_length=10, description="The rule in plain words")
    sources: tuple[str, ...] = Field(min_length=1)
    incident_kinds: tuple[IncidentKind, ...] = Field(
        (),
        description="past_harm only: the incident kinds that are past persecution or serious "
        "harm, or direct threats of it (QD art. 4(4) in the shipped packs)",
    )


# The framework rule that defines each evidentiary standard.
STANDARD_RULES: dict[Standard, RuleId] = {
    Standard.MEMBERSHIP: RuleId.STANDARD_MEMBERSHIP,
    Standard.LIMITED_INDICATIONS: RuleId.STANDARD_LIMITED,
    Standard.MINOR_INDICATIONS: RuleId.STANDARD_MINOR,
    Standard.INDIVIDUAL: RuleId.STANDARD_INDIVIDUAL,
}


class CheckId(StrEnum):
    """The policy-evidence consistency checks (haven.policy.checks)."""

    RELOCATION = "relocation_vs_nationwide_harm"
    PROTECTION = "protection_duty_vs_no_protection"
    DESIGNATION = "weak_designation_vs_systematic_persecution"
    REVIEW_DUE = "review_due"
    INFORMATION_GAP = "information_gap"


class CheckBasis(BaseModel):
    """The legal basis of a consistency check, in the pack (framework.yaml: checks): plain
    words and the sources that say so. The law lives in the pack, not in the code."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    id: CheckId
    text: str = Field(min_length=10, description="The legal basis in plain words")
    sources: tuple[str, ...] = Field(min_length=1)


class FlagText(BaseModel):
    """What a flag means for a refusal, in plain words, with the law that says so, in the pack
    (framework.yaml: flags). A flag that follows from a dated entry cites that entry's sources
    when it is raised; its text may then cite none."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    id: FlagCode
    text: str = Field(
        min_length=10, description="The flag's meaning and legal basis in plain words"
    )
    sources: tuple[str, ...] = ()


class StepTitle(BaseModel):
    """The heading of a reasoning step, in the pack (framework.yaml: steps): what the case page,
    the memo and the letter call each step of the assessment trace. One per step kind; a
    guardrail step (`guardrails.<reason>`) is headed by the `guardrails` title and the reason."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    id: RuleId
    title: str = Field(min_length=3, description="The step's heading in plain words")
