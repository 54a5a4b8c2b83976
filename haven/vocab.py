"""The contract's closed vocabularies, shared by the policy and case packages.

This is a leaf module: it imports nothing of Haven, so every package may depend on it.
"""

from enum import StrEnum


class Sogi(StrEnum):
    LESBIAN = "lesbian"
    GAY = "gay"
    BISEXUAL = "bisexual"
    TRANS = "trans"
    INTERSEX = "intersex"
    QUEER = "queer"


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"


class Finding(StrEnum):
    """A case officer's credibility finding."""

    CREDIBLE = "credible"
    NOT_CREDIBLE = "not_credible"
    OPEN = "open"


class IncidentKind(StrEnum):
    THREAT = "threat"
    HARASSMENT = "harassment"
    DISCRIMINATION = "discrimination"
    EXTORTION = "extortion"
    ASSAULT = "assault"
    SEXUAL_VIOLENCE = "sexual_violence"
    ARREST = "arrest"
    DETENTION = "detention"
    TORTURE = "torture"
    PROSECUTION = "prosecution"
    OTHER = "other"


class Actor(StrEnum):
    STATE = "state"
    NON_STATE = "non_state"


class Status(StrEnum):
    PENDING = "pending"
    REFUSED = "refused"
    REFUSED_FINAL = "refused_final"
    REMOVAL_SCHEDULED = "removal_scheduled"
    GRANTED = "granted"
    WITHDRAWN = "withdrawn"


class Reason(StrEnum):
    """What a (draft or past) refusal relies on."""

    DISCRETION_POSSIBLE = "discretion_possible"
    NO_STATE_PROTECTION_SOUGHT = "no_state_protection_sought"
    INTERNAL_RELOCATION = "internal_relocation"
    LATE_DISCLOSURE = "late_disclosure"
    STEREOTYPED_KNOWLEDGE = "stereotyped_knowledge"
    EXPLICIT_EVIDENCE_REQUESTED = "explicit_evidence_requested"
    PROJECTIVE_TEST = "projective_test"
    CRIMINALISATION_NOT_ENFORCED = "criminalisation_not_enforced"
    INSUFFICIENT_INDICATIONS = "insufficient_indications"
    PROFILE_NOT_CREDIBLE = "profile_not_credible"


class FlagCode(StrEnum):
    DISCRETION_REASONING = "discretion_reasoning"
    PROTECTION_SEEKING_WAIVED = "protection_seeking_waived"
    STATE_IS_PERSECUTOR = "state_is_persecutor"
    IPA_EXCLUDED_BY_POLICY = "ipa_excluded_by_policy"
    LATE_DISCLOSURE_ALONE = "late_disclosure_alone"
    STEREOTYPED_ASSESSMENT = "stereotyped_assessment"
    EXPLICIT_EVIDENCE = "explicit_evidence"
    PROJECTIVE_TEST = "projective_test"
    STANDARD_MISAPPLIED = "standard_misapplied"


class Category(StrEnum):
    """Group designations, from most to least favourable to the applicant."""

    GROUP_PERSECUTION = "group_persecution"
    VULNERABLE_MINORITY = "vulnerable_minority"
    RISK_GROUP = "risk_group"


class Standard(StrEnum):
    """Evidentiary standards, from easiest to hardest for the applicant."""

    MEMBERSHIP = "membership"
    LIMITED_INDICATIONS = "limited_indications"
    MINOR_INDICATIONS = "minor_indications"
    INDIVIDUAL = "individual"


class Ground(StrEnum):
    REFUGEE = "refugee"
    SUBSIDIARY = "subsidiary"


class Recommendation(StrEnum):
    PROTECTION_INDICATED = "protection_indicated"
    FURTHER_ASSESSMENT = "further_assessment"
    PROTECTION_NOT_INDICATED = "protection_not_indicated"
    DECISION_DEFERRED = "decision_deferred"
    NOT_ASSESSABLE = "not_assessable"


class InternalProtection(StrEnum):
    EXCLUDED = "excluded"
    POSSIBLE = "possible"
    NOT_APPLICABLE = "not_applicable"


# Lower rank = more favourable to the applicant. Used to pick among designations.
STANDARD_RANK: dict[Standard, int] = {s: i for i, s in enumerate(Standard)}
CATEGORY_RANK: dict[Category, int] = {c: i for i, c in enumerate(Category)}
