"""Human words for the contract's codes, in English (the message ids of the web catalogue).
Templates show `label(code)`, translated; unknown codes show as they are."""

from collections.abc import Callable


def N_(message: str) -> str:
    """Marks a message id for extraction (`make messages`); translated where shown."""
    return message


LABELS: dict[str, str] = {
    # status
    "pending": N_("Pending"),
    "refused": N_("Refused"),
    "refused_final": N_("Finally refused"),
    "removal_scheduled": N_("Removal scheduled"),
    "granted": N_("Granted"),
    "withdrawn": N_("Withdrawn"),
    # recommendation
    "protection_indicated": N_("Protection indicated"),
    "further_assessment": N_("Further assessment needed"),
    "protection_not_indicated": N_("Protection not indicated"),
    "decision_deferred": N_("Decision deferred (moratorium)"),
    "not_assessable": N_("Not assessable"),
    "not_assessed": N_("Not assessed yet"),
    # designation
    "group_persecution": N_("Group persecution"),
    "vulnerable_minority": N_("Vulnerable minority"),
    "risk_group": N_("Risk group"),
    # evidentiary standard
    "membership": N_("Membership suffices"),
    "limited_indications": N_("Limited indications"),
    "minor_indications": N_("Minor indications"),
    "individual": N_("Individual assessment"),
    # internal protection
    "excluded": N_("Excluded"),
    "possible": N_("Possible"),
    "not_applicable": N_("Not applicable"),
    # credibility findings
    "credible": N_("Credible"),
    "not_credible": N_("Not credible"),
    "open": N_("Open"),
    # work items
    "closed": N_("Closed"),
    "ex_officio_review": N_("Ask for an ex officio review"),
    "subsequent_application": N_("Lodge a subsequent application"),
    # sogi
    "lesbian": N_("Lesbian"),
    "gay": N_("Gay"),
    "bisexual": N_("Bisexual"),
    "trans": N_("Trans"),
    "intersex": N_("Intersex"),
    "queer": N_("Queer"),
    # sex
    "female": N_("Female"),
    "male": N_("Male"),
    "other": N_("Other"),
    # incident kinds
    "threat": N_("Threat"),
    "harassment": N_("Harassment"),
    "discrimination": N_("Discrimination"),
    "extortion": N_("Extortion"),
    "assault": N_("Assault"),
    "sexual_violence": N_("Sexual violence"),
    "arrest": N_("Arrest"),
    "detention": N_("Detention"),
    "torture": N_("Torture"),
    "prosecution": N_("Prosecution"),
    # actors
    "state": N_("State"),
    "non_state": N_("Non-state actor"),
    # refusal reasons
    "discretion_possible": N_("Applicant could be discreet"),
    "no_state_protection_sought": N_("No state protection sought"),
    "internal_relocation": N_("Internal relocation possible"),
    "late_disclosure": N_("Late disclosure"),
    "stereotyped_knowledge": N_("Stereotyped knowledge questions"),
    "explicit_evidence_requested": N_("Explicit evidence requested"),
    "projective_test": N_("Projective test"),
    "criminalisation_not_enforced": N_("Criminalisation not enforced"),
    "insufficient_indications": N_("Insufficient indications"),
    "profile_not_credible": N_("Profile not credible"),
    # flags
    "discretion_reasoning": N_("Discretion reasoning (forbidden)"),
    "protection_seeking_waived": N_("Protection-seeking demanded although waived"),
    "state_is_persecutor": N_("Protection demanded from the persecuting state"),
    "ipa_excluded_by_policy": N_("Relocation relied on although policy excludes it"),
    "late_disclosure_alone": N_("Late disclosure as the sole ground"),
    "stereotyped_assessment": N_("Stereotyped assessment"),
    "explicit_evidence": N_("Explicit evidence requested"),
    "standard_misapplied": N_("Evidentiary standard misapplied"),
    # assessment fields (what changed)
    "recommendation": N_("Recommendation"),
    "designation": N_("Designation"),
    "evidentiary_standard": N_("Standard of proof"),
    "protection_seeking_required": N_("Must seek protection first"),
    "internal_protection": N_("Internal relocation"),
    "flags": N_("Flags"),
    "True": N_("Yes"),
    "False": N_("No"),
    "None": N_("—"),
    # roles
    "case_officer": N_("Case officer"),
    "reviewer": N_("Reviewer"),
    "ngo_advocate": N_("NGO advocate"),
    "researcher": N_("Researcher"),
    "auditor": N_("Auditor"),
    "admin": N_("Administrator"),
    # contradiction kinds
    "relocation_vs_nationwide_harm": N_("Relocation allowed, harm nationwide"),
    "protection_duty_vs_no_protection": N_("Protection-seeking required, no protection available"),
    "weak_designation_vs_systematic_persecution": N_(
        "Weak or no designation, systematic persecution"
    ),
    "review_due": N_("Review due"),
    "information_gap": N_("Information gap"),
    # finding types
    "harm_nationwide": N_("Harm nationwide"),
    "harm_in_region": N_("Harm in a region"),
    "authorities_unwilling_or_unable": N_("Authorities unwilling or unable to protect"),
    "criminalisation_enforced": N_("Criminalisation enforced"),
    "systematic_persecution": N_("Systematic persecution"),
    # grounds
    "refugee": N_("Refugee status"),
    "subsidiary": N_("Subsidiary protection"),
}


def label(code: object, gettext: Callable[[str], str]) -> str:
    text = LABELS.get(str(code))
    return gettext(text) if text else str(code)


# Messages from the core and the store that pages show as they are: translated here.
SHOWN_MESSAGES = (
    N_("unknown user or wrong password"),
    N_("invalid or expired token"),
    N_("the form's security token is missing or stale: reload the page"),
    # haven.validation's words for invalid fields
    N_("required field is missing"),
    N_("not a date (expected YYYY-MM-DD)"),
    N_("must be a string"),
    N_("must be true or false"),
    N_("must be a list"),
)
