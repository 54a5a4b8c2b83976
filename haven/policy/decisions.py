"""The decisions of an assessment as tables (haven.policy.rules), declared once.

The explaining engine (haven.assess) picks the row that fires for one case and writes its
hand-written text for that row; the columnar engine (haven.impact.columnar) compiles the same
table objects to Polars. Row order is the priority; row ids are what the trace names.
"""

from collections.abc import Iterable
from typing import TypeVar

import polars as pl

from haven.policy.entries import (
    ExceptionalSituation,
    ForbiddenReasoning,
    InternalProtectionEntry,
    ProtectionDuty,
    RelocationStatus,
)
from haven.policy.precedence import ENTRIES
from haven.policy.rules import Fact, First, Table, row
from haven.vocab import Finding, FlagCode, InternalProtection, Reason, Recommendation, Standard

B = TypeVar("B", bool, pl.Expr)

# -- facts ------------------------------------------------------------------------------------

ASSESSABLE = Fact.flag("assessable", "identity and nationality are not found not credible")
PROVISIONAL = Fact.flag("provisional", "identity or nationality is still open")
DEFERRED = Fact.flag("deferred", "a decision moratorium covers the case")
MET = Fact.open_flag("met", "the evidentiary standard is met on the credible facts (None: open)")
BY_SITUATION = Fact.flag(
    "by_situation", "a most-exceptional 15(c) situation in the credible region"
)
OBJECTIONS = Fact.flag("objections", "a protection-seeking or relocation question is unresolved")
UNCERTAIN = Fact.flag("uncertain", "open facts or unverified policy could change the outcome")
WAIVED = Fact.flag("waived", "a protection-duty entry in force waives the duty for the applicant")
STATE_ACTOR = Fact.flag("state_actor", "the state is the actor in a credible incident")
EXCLUDED_BY_POLICY = Fact.flag(
    "excluded_by_policy", "an internal-protection entry in force excludes relocation"
)
NATIONWIDE = Fact.flag(
    "nationwide_persecution", "the designation is group persecution in the whole country"
)
NEED = Fact.flag("need", "a need for protection may be established (PROTECTION_NEED)")

STANDARD = Fact.choice("standard", Standard, "the evidentiary standard (the designation's)")
HAS_CREDIBLE = Fact.flag("has_credible", "a credible incident is known on the date")
HAS_OPEN = Fact.flag("has_open", "an incident whose credibility is open is known on the date")
CLAIMS_PROFILE = Fact.flag("claims_profile", "a SOGI or a group tag is claimed")
PROFILE = Fact.choice("profile", Finding, "the credibility finding on the claimed profile")

# -- safe country of origin (step 2) ---------------------------------------------------------

VERIFIED = Fact.flag("verified", "the entry's facts are confirmed on the date")
SUSPENDED = Fact.flag("suspended", "the designation is suspended")
EXCEPTION_GROUP = Fact.flag("exception_group", "the claim falls in a group the designation exempts")
EXCEPTION_REGION = Fact.flag("exception_region", "the applicant's region is exempted")

# For the nationality's designation in force (at most one per country at a time).
SAFE_COUNTRY = Table(
    "safe_country_designated",
    (
        row("unverified", False, {VERIFIED: False}),
        row("suspended", False, {SUSPENDED: True}),
    ),
    row("designated", True),
    "Is the applicant's country a designated safe country of origin on the date?",
)
# Never conclusive: an exempted group or region keeps the normal track.
SAFE_COUNTRY_EXCEPTION = Table(
    "safe_country_exception",
    (
        row("exception_group", True, {EXCEPTION_GROUP: True}),
        row("exception_region", True, {EXCEPTION_REGION: True}),
    ),
    row("no_exception", False),
    "Does an exception of a (designated) safe country apply to the applicant?",
)

# -- moratoria (step 3) -----------------------------------------------------------------------

STOPS_DECISIONS = Fact.flag("stops_decisions", "the moratorium stops substantive decisions")
STOPS_DEPARTURE = Fact.flag("stops_departure", "the moratorium suspends removal")
OLD_APPLICATION = Fact.flag(
    "old_application", "the application is older than the moratorium's limit on the date"
)

# For a verified moratorium that covers the case (the entry's own facts and the case's age).
MORATORIUM_DECISION = Table(
    "moratorium_decision",
    (
        # An application older than the limit is decided on the information available.
        row("old_application", False, {STOPS_DECISIONS: True, OLD_APPLICATION: True}),
        row("decision_stop", True, {STOPS_DECISIONS: True}),
    ),
    row("no_decision_stop", False),
    "Does the moratorium stop the substantive decision on this case?",
)
MORATORIUM_DEPARTURE = Table(
    "moratorium_departure",
    (row("departure_stop", True, {STOPS_DEPARTURE: True}),),
    row("no_departure_stop", False),
    "Does the moratorium suspend removal (whatever the age of the application)?",
)


def moratorium_applied(decision: B, departure: B) -> B:
    """A covering moratorium is applied to the case when it stops the decision or removal (a
    bool for one case, a Polars expression for a caseload)."""
    return decision | departure


# -- the evidentiary standard (step 6) --------------------------------------------------------

_LOWER = (Standard.MINOR_INDICATIONS, Standard.LIMITED_INDICATIONS)
STANDARD_MET = Table(
    "standard_met",
    (
        row("membership", True, {STANDARD: Standard.MEMBERSHIP}),
        row("indications", True, {STANDARD: _LOWER, HAS_CREDIBLE: True}),
        row("individual_judgment", None, {STANDARD: Standard.INDIVIDUAL, HAS_CREDIBLE: True}),
        row("open_incidents", None, {HAS_OPEN: True}),
        # Incidents against group members in the immediate surroundings can count.
        row("surroundings", None, {STANDARD: Standard.LIMITED_INDICATIONS}),
        # No past harm is not no risk: a claimed profile not found incredible, with no
        # designation setting the standard, needs the forward-looking question answered.
        row("forward_looking", None,
            {STANDARD: Standard.INDIVIDUAL, CLAIMS_PROFILE: True,
             PROFILE: (Finding.CREDIBLE, Finding.OPEN)}),
    ),
    row("not_met", False),
    "Whether the credible facts meet the evidentiary standard (None: open).",
)  # fmt: skip

# -- exceptional situation (step 5, QD art. 15(c)) --------------------------------------------

# The situation that governs: the first verified entry (regional before national) whose
# region the credible facts place the applicant in.
SITUATION = First(
    "exceptional_situation",
    ExceptionalSituation,
    lambda e, day: e.verified_on(day),
    ENTRIES.within_key,
    "Which 15(c) situation entry governs the applicant's region.",
)

# -- protection duty (step 7) -----------------------------------------------------------------

# The waiver that governs: the first verified entry (in precedence order) that waives the duty
# and reaches the applicant on the credible facts.
WAIVER = First(
    "protection_duty_waiver",
    ProtectionDuty,
    lambda e, day: not e.required and e.verified_on(day),
    ENTRIES.within_key,
    "Which protection-duty entry waives the duty for the applicant.",
)

PROTECTION_DUTY = Table(
    "protection_seeking_required",
    (
        row("waived", False, {WAIVED: True}),
        # The state cannot be asked to protect against itself.
        row("state_is_persecutor", False, {STATE_ACTOR: True}),
    ),
    row("required", True),
    "Must the applicant have sought the protection of their own authorities?",
)

# -- internal protection alternative (step 8, QD art. 8) --------------------------------------

PROTECTION_NEED = Table(
    "protection_need",
    (
        row("not_assessable", False, {ASSESSABLE: False}),
        row("by_situation", True, {BY_SITUATION: True}),
        row("standard_not_met", False, {MET: False}),
    ),
    row("met_or_open", True),
    "Is there a need for protection to relocate from (met, or not yet known not to be)?",
)

# The exclusion that governs: the first verified entry (in precedence order) that excludes
# relocation and reaches the applicant on the credible facts.
RELOCATION_EXCLUSION = First(
    "relocation_exclusion",
    InternalProtectionEntry,
    lambda e, day: e.status is RelocationStatus.EXCLUDED and e.verified_on(day),
    ENTRIES.within_key,
    "Which internal-protection entry excludes relocation for the applicant.",
)

# Whether policy or law rules relocation out is answered first, need or no need: the contract
# reports `excluded` whenever it is ruled out on the date.
INTERNAL_PROTECTION = Table(
    "internal_protection",
    (
        row("excluded_by_policy", InternalProtection.EXCLUDED, {EXCLUDED_BY_POLICY: True}),
        row("nationwide_persecution", InternalProtection.EXCLUDED, {NATIONWIDE: True}),
        row("state_is_persecutor", InternalProtection.EXCLUDED, {STATE_ACTOR: True}),
        row("no_need", InternalProtection.NOT_APPLICABLE, {NEED: False}),
    ),
    row("possible", InternalProtection.POSSIBLE),
    "The internal protection alternative: ruled out, not applicable, or for the officer.",
)

# -- recommendation ---------------------------------------------------------------------------

_CLEAR = {OBJECTIONS: False, PROVISIONAL: False}
RECOMMENDATION = Table(
    "recommendation",
    (
        row("not_assessable", Recommendation.NOT_ASSESSABLE, {ASSESSABLE: False}),
        row("deferred", Recommendation.DECISION_DEFERRED, {DEFERRED: True}),
        # A most-exceptional 15(c) situation meets the need whatever the standard says.
        row("indicated_by_situation", Recommendation.PROTECTION_INDICATED,
            {BY_SITUATION: True, **_CLEAR}),
        row("indicated", Recommendation.PROTECTION_INDICATED, {MET: True, **_CLEAR}),
        row("not_indicated", Recommendation.PROTECTION_NOT_INDICATED,
            {BY_SITUATION: False, MET: False, UNCERTAIN: False, PROVISIONAL: False}),
    ),
    row("further_assessment", Recommendation.FURTHER_ASSESSMENT),
    "Recommends; never decides. Protection is indicated only when nothing remains open.",
)  # fmt: skip

# -- guardrail flags per refusal reason -------------------------------------------------------

DESIGNATED_MET = Fact.flag(
    "designated_met", "a designation sets the standard and the credible facts meet it"
)


def entry_fact(e: ForbiddenReasoning) -> Fact:
    """Whether a forbidden-reasoning entry reaches the applicant (country and group)."""
    return Fact.flag(f"entry:{e.id}", f"{e.id} reaches the applicant")


_NO_FLAG = row("no_flag", None)
# What the law itself says about a reason comes first; the pack's forbidden-reasoning entries
# follow in precedence order (flag_table).
FLAG_LAW: dict[Reason, Table] = {
    r: Table(f"flag:{r.value}", rows, _NO_FLAG, "Which flag a refusal reason gets, if any.")
    for r, rows in {
        **{r: () for r in Reason},
        Reason.NO_STATE_PROTECTION_SOUGHT: (
            row("waiver", FlagCode.PROTECTION_SEEKING_WAIVED, {WAIVED: True}),
            row("state_is_persecutor", FlagCode.STATE_IS_PERSECUTOR, {STATE_ACTOR: True}),
        ),
        Reason.INTERNAL_RELOCATION: (
            row("exclusion", FlagCode.IPA_EXCLUDED_BY_POLICY, {EXCLUDED_BY_POLICY: True}),
            row("state_is_persecutor", FlagCode.STATE_IS_PERSECUTOR, {STATE_ACTOR: True}),
        ),
        Reason.INSUFFICIENT_INDICATIONS: (
            row("standard_misapplied", FlagCode.STANDARD_MISAPPLIED, {DESIGNATED_MET: True}),
        ),
    }.items()
}


def flag_table(reason: Reason, entries: Iterable[ForbiddenReasoning]) -> Table:
    """The law's rows for a reason, then one row per entry about it (in the order given:
    precedence order), each firing when the entry reaches the applicant."""
    rows = tuple(
        row(entry_fact(e).name, e.flag, {entry_fact(e): True})
        for e in entries
        if e.reason is reason
    )
    # The law's own table object when no entry speaks to the reason (most reasons, most cases).
    return FLAG_LAW[reason].then(*rows) if rows else FLAG_LAW[reason]
