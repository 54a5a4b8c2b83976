"""The decisions of an assessment as tables (haven.policy.rules), declared once.

The explaining engine (haven.assess) picks the row that fires for one case and writes its
hand-written text for that row; the columnar engine (haven.impact.columnar) compiles the same
table objects to Polars. Row order is the priority; row ids are what the trace names.
"""

from haven.policy.rules import Fact, Table, row
from haven.vocab import Recommendation

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
