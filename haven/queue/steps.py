"""The suggested next step for a case whose outcome improved, chosen by its procedural status.

Sourcing: the dossier's modelling note (../shared/domain/nl-policy-dossier.md, section 1.5)
says rejected applicants benefit from a policy change "only through a new (subsequent)
application or an ex officio review judged under the new rule", with no automatic re-opening,
and marks that UNVERIFIED as general policy; the Dutch re-opening procedure is marked [U] in
existing-tools-guardrails-privacy.md as well. So Haven offers these two routes as suggestions
for the officer or advocate to confirm, never as a procedural rule, and cites no provision.

Which route for which status is Haven's own heuristic, stated here so it can be challenged:
- `refused`: the refusal is not (yet) final, so the authority can still reconsider its own
  decision: ask for an ex officio review under the new policy;
- `refused_final`, `removal_scheduled`: the refusal stands; a fresh assessment under the new
  policy needs a subsequent application that cites it. A scheduled removal makes it urgent.
"""

from enum import StrEnum

from haven.vocab import Status


class NextStep(StrEnum):
    EX_OFFICIO_REVIEW = "ex_officio_review"
    SUBSEQUENT_APPLICATION = "subsequent_application"


# Statuses whose case may benefit from an improvement: a refusal that was (or will be) acted on.
QUEUED_STATUSES = frozenset({Status.REFUSED, Status.REFUSED_FINAL, Status.REMOVAL_SCHEDULED})
URGENT_STATUSES = frozenset({Status.REMOVAL_SCHEDULED})

_BY_STATUS = {
    Status.REFUSED: NextStep.EX_OFFICIO_REVIEW,
    Status.REFUSED_FINAL: NextStep.SUBSEQUENT_APPLICATION,
    Status.REMOVAL_SCHEDULED: NextStep.SUBSEQUENT_APPLICATION,
}


def next_step(status: Status) -> NextStep:
    """The suggested route for a queued status (KeyError for a status that is never queued)."""
    return _BY_STATUS[status]
