"""Who may do what. Pure: a role, an action and the caller's relation to a case in; yes or no out.

The table this module encodes is documented in docs/access-control.md and checked by a test.
"""

from enum import StrEnum


class Role(StrEnum):
    CASE_OFFICER = "case_officer"
    REVIEWER = "reviewer"
    NGO_ADVOCATE = "ngo_advocate"
    RESEARCHER = "researcher"
    AUDITOR = "auditor"
    ADMIN = "admin"


class Action(StrEnum):
    CASE_CREATE = "case.create"
    CASE_READ = "case.read"
    CASE_LIST = "case.list"
    CASE_EDIT = "case.edit"
    CASE_SHARE = "case.share"
    CASE_ASSESS = "case.assess"  # assess and store
    STATS_READ = "stats.read"  # pseudonymised aggregates only
    AUDIT_READ = "audit.read"
    USER_MANAGE = "user.manage"
    ASSESS_STATELESS = "assess.stateless"  # POST /assessments and /impact: no stored data
    POLICY_READ = "policy.read"
    QUEUE_CREATE = "queue.create"  # save an impact run over the cases one sees as a queue
    QUEUE_READ = "queue.read"  # work items (per case), with their draft letters
    QUEUE_WORK = "queue.work"  # assign, comment, close a work item
    QUEUE_COUNTS = "queue.counts"  # per-queue counts only, small cells suppressed


# Roles that see only cases assigned or shared with them (within their organisation).
SCOPED = frozenset({Role.CASE_OFFICER, Role.NGO_ADVOCATE})

# Officers (for the state) and advocates (for the applicant) do the same case work on the cases
# they hold.
CASEWORK = frozenset(
    {
        Action.CASE_CREATE,
        Action.CASE_READ,
        Action.CASE_LIST,
        Action.CASE_EDIT,
        Action.CASE_SHARE,
        Action.CASE_ASSESS,
        Action.ASSESS_STATELESS,
        Action.POLICY_READ,
        # A queue over the cases they hold (scoped): an advocate can find which of their
        # clients a policy change helps without a reviewer running it for them.
        Action.QUEUE_CREATE,
        Action.QUEUE_READ,
        Action.QUEUE_WORK,
    }
)

ALLOWED: dict[Role, frozenset[Action]] = {
    Role.CASE_OFFICER: CASEWORK,
    Role.NGO_ADVOCATE: CASEWORK,
    Role.REVIEWER: frozenset(
        {
            Action.CASE_READ,
            Action.CASE_LIST,
            Action.CASE_ASSESS,
            Action.ASSESS_STATELESS,
            Action.POLICY_READ,
            # The reviewer sees the whole caseload: their queue covers every case.
            Action.QUEUE_CREATE,
            Action.QUEUE_READ,
            Action.QUEUE_WORK,
            Action.QUEUE_COUNTS,
        }
    ),
    Role.RESEARCHER: frozenset(
        {Action.STATS_READ, Action.ASSESS_STATELESS, Action.POLICY_READ, Action.QUEUE_COUNTS}
    ),
    Role.AUDITOR: frozenset({Action.AUDIT_READ}),
    Role.ADMIN: frozenset({Action.USER_MANAGE, Action.POLICY_READ}),
}

CASE_ACTIONS = frozenset(
    {Action.CASE_READ, Action.CASE_EDIT, Action.CASE_SHARE, Action.CASE_ASSESS}
)
# Actions on a work item act on its case: scoped the same way as CASE_ACTIONS.
QUEUE_ITEM_ACTIONS = frozenset({Action.QUEUE_READ, Action.QUEUE_WORK})


def allowed(role: Role, action: Action, *, same_org: bool = True, related: bool = True) -> bool:
    """`related`: the case is assigned or shared with the caller (or the caller created it)."""
    if action not in ALLOWED[role]:
        return False
    if action in CASE_ACTIONS or action in QUEUE_ITEM_ACTIONS:
        if not same_org:
            return False
        if role in SCOPED and not related:
            return False
    return True
