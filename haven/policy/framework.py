"""Framework rules: the general law each reasoning step applies when no entry says otherwise.

They live in the pack (with sources) so that the engine hard-codes no legal fact.
"""

from datetime import date
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


# The framework rules whose own words are a step's finding (i18n/<lang>.yaml: rules,
# rule_titles): the law the step states, said in the reader's language.
QUOTED_RULES = (RuleId.PAST_HARM, RuleId.FORWARD_LOOKING)

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


class FindingKey(StrEnum):
    """The sentences a step's finding is made of (steps[].finding_keys): the engine states each
    finding in English and names its sentences and their arguments, so that a reader's language
    can say the same (framework.yaml: step_findings, i18n/<lang>.yaml: step_findings)."""

    UNCONFIRMED = "unverified.unconfirmed"
    UNVERIFIED_NOT_APPLIED = "unverified.not_applied"
    UNVERIFIED_NOT_APPLIED_2 = "unverified.not_applied_unverified"
    UNVERIFIED_MAY_APPLY = "unverified.may_apply"
    GATE_REJECTED = "credibility_gate.rejected"
    GATE_OPEN = "credibility_gate.open"
    GATE_CREDIBLE = "credibility_gate.credible"
    SAFE_NOT_DESIGNATED = "safe_country.not_designated"
    SAFE_SUSPENDED = "safe_country.suspended"
    SAFE_DESIGNATED = "safe_country.designated"
    SAFE_EXCEPTION_GROUP = "safe_country.exception_group"
    SAFE_EXCEPTION_REGION = "safe_country.exception_region"
    MORATORIUM_NONE = "moratorium.none"
    MORATORIUM_UNKNOWN = "moratorium.unknown"
    MORATORIUM_OLD = "moratorium.old_application"
    MORATORIUM_DECISION = "moratorium.decision"
    DEPARTURE_REFUSED = "moratorium.departure_refused"
    DEPARTURE_PENDING = "moratorium.departure_pending"
    DESIGNATION_NONE = "designation.none"
    DESIGNATION_CHOSEN = "designation.chosen"
    DESIGNATION_REGIONAL = "designation.chosen_in_regions"
    DESIGNATION_OTHERS = "designation.others"
    DESIGNATION_WOULD_APPLY = "designation.would_apply"
    STANDARD_HEAD = "standard.head"
    STANDARD_MEMBERSHIP = "standard.membership"
    STANDARD_INDICATIONS = "standard.indications"
    STANDARD_JUDGMENT = "standard.individual_judgment"
    STANDARD_PAST_HARM = "standard.past_harm"
    STANDARD_OPEN = "standard.open_incidents"
    STANDARD_SURROUNDINGS = "standard.surroundings"
    STANDARD_FORWARD = "standard.forward_looking"
    STANDARD_NOT_MET_DESIGNATION = "standard.not_met_designation"
    STANDARD_NOT_MET_UNCLAIMED = "standard.not_met_unclaimed"
    STANDARD_NOT_MET_PROFILE = "standard.not_met_profile"
    DUTY_WOULD_BE_WAIVED = "protection_duty.would_be_waived"
    DUTY_WAIVED = "protection_duty.waived"
    DUTY_STATE = "protection_duty.state_is_persecutor"
    DUTY_REQUIRED = "protection_duty.required"
    DUTY_UNREPORTED = "protection_duty.unreported"
    IPA_EXCLUDED_BY_POLICY = "internal_protection.excluded_by_policy"
    IPA_NATIONWIDE = "internal_protection.nationwide"
    IPA_STATE = "internal_protection.state_is_persecutor"
    IPA_ANYWAY = "internal_protection.anyway"
    IPA_NO_NEED = "internal_protection.no_need"
    IPA_POSSIBLE = "internal_protection.possible"
    IPA_ALLOWED_ONLY = "internal_protection.allowed_only"
    IPA_WOULD_EXCLUDE = "internal_protection.would_exclude"
    FACTS_LATER = "facts_as_of.later"
    FACTS_LODGED_LATER = "facts_as_of.lodged_later"
    FACTS_DECIDED_LATER = "facts_as_of.decided_later"
    SITUATION_REGION_OPEN = "exceptional_situation.region_open"
    SITUATION_MOST = "exceptional_situation.most_exceptional"
    SITUATION_LESS = "exceptional_situation.less_exceptional"
    SITUATION_IN_FORCE = "exceptional_situation.in_force"
    GUARD_FLAGGED = "guardrails.flagged"
    GUARD_NOT_FLAGGED = "guardrails.not_flagged"
    GUARD_WAIVER = "guardrails.waiver"
    GUARD_EXCLUSION = "guardrails.exclusion"
    GUARD_STATE_PROTECTION = "guardrails.state_protection"
    GUARD_STATE_RELOCATION = "guardrails.state_relocation"
    GUARD_STANDARD = "guardrails.standard_misapplied"
    GUARD_FORBIDDEN = "guardrails.forbidden"
    GUARD_NONE = "guardrails.none"
    GUARD_NOT_JUDGED = "guardrails.not_judged"
    EVIDENCE_DESIGNATION = "evidence.designation"
    EVIDENCE_NO_DESIGNATION = "evidence.no_designation"
    EVIDENCE_PROTECTION = "evidence.protection_duty"
    EVIDENCE_RELOCATION = "evidence.relocation"
    EVIDENCE_WEIGHS = "evidence.weighs"
    UNVERIFIED_NOTE = "unverified.note"
    UNCONFIRMED_SINCE = "unverified.unconfirmed_since"
    UNDER_REVIEW = "unverified.under_review"
    PROFILE_IF_OPEN = "designation.profile_if_open"
    PROFILE_GRADED = "designation.individual_profile_graded"
    PROFILE = "designation.individual_profile"
    LEGAL_WEIGHT = "recommendation.legal_weight"
    SAFE_REGION_NOTE = "safe_country.region_note"
    RULE_TEXT = "rule.text"
    RULE_TITLED = "rule.titled"
    REC_HEAD = "recommendation.head"
    REC_NOT_ASSESSABLE = "recommendation.not_assessable"
    REC_DEFERRED = "recommendation.deferred"
    REC_INDICATED = "recommendation.indicated"
    REC_NOT_INDICATED = "recommendation.not_indicated"
    REC_FURTHER = "recommendation.further"
    # The reasons a further assessment names (argument `reasons`), each a phrase.
    WHY_FORWARD = "reason.forward_looking"
    WHY_JUDGMENT = "reason.judgment"
    WHY_MET = "reason.met"
    WHY_PROVISIONAL = "reason.provisional"
    WHY_PROTECTION_DUTY = "reason.protection_duty"
    WHY_RELOCATION = "reason.relocation"
    WHY_OPEN_FACTS = "reason.open_facts"
    WHY_UNVERIFIED = "reason.unverified"
    WHY_LESS_EXCEPTIONAL = "reason.less_exceptional"


class FindingText(BaseModel):
    """One sentence of a step's finding in the pack's words (framework.yaml: step_findings),
    with `{name}` for each argument the engine gives (steps[].finding_args)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    id: FindingKey
    text: str = Field(min_length=3, description="The sentence, with {argument} placeholders")


class Weight(StrEnum):
    """How far the pack's policy binds a decision-maker in a period."""

    NOT_BINDING = "not_binding"  # invited to take it into account
    TAKE_INTO_ACCOUNT = "must_take_into_account"  # a duty to take it into account, not to follow
    BINDING = "binding"


class LegalWeight(BaseModel):
    """The legal weight of the pack's policy in one period (framework.yaml: legal_weight,
    optional): shown in every assessment as of a day inside it, citing its sources."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9\-]*$")
    valid_from: date
    valid_to: date | None = Field(None, description="Exclusive: first day it no longer applies")
    weight: Weight
    text: str = Field(min_length=10, description="The weight and its legal basis in plain words")
    sources: tuple[str, ...] = Field(min_length=1)

    def in_force(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on < self.valid_to)
