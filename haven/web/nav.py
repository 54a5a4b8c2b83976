"""Each role's home page and menu: only what the role may open (haven/store/access.py decides,
so a link shown is never answered with "Not allowed")."""

from dataclasses import dataclass

from haven.store.access import ALLOWED, Action, Role
from haven.web.labels import N_


@dataclass(frozen=True)
class MenuItem:
    path: str
    label: str  # an English message id, translated in the template
    needs: frozenset[Action]


MENU = (
    MenuItem("/queues", N_("Work queues"), frozenset({Action.QUEUE_READ})),
    MenuItem("/cases", N_("Caseload"), frozenset({Action.CASE_LIST})),
    MenuItem("/policy", N_("Policy explorer"), frozenset({Action.POLICY_READ})),
    MenuItem("/policy/diff", N_("Policy diff"), frozenset({Action.POLICY_READ})),
    MenuItem("/policy/compare", N_("Compare packs"), frozenset({Action.POLICY_READ})),
    # The web impact re-assesses the stored cases the user can see (a bulk case read).
    MenuItem("/impact", N_("Impact"), frozenset({Action.CASE_LIST, Action.CASE_READ})),
    MenuItem("/research", N_("Research export"), frozenset({Action.STATS_READ})),
    MenuItem("/audit", N_("Audit log"), frozenset({Action.AUDIT_READ})),
    MenuItem("/admin", N_("Administration"), frozenset({Action.USER_MANAGE})),
)

# Where each role starts: its main task. The lawyer starts from "my clients affected by a
# policy change" (the work queues), the researcher from the policy explorer.
HOMES = {
    Role.CASE_OFFICER: "/cases",
    Role.REVIEWER: "/cases",
    Role.NGO_ADVOCATE: "/queues",
    Role.RESEARCHER: "/policy",
    Role.AUDITOR: "/audit",
    Role.ADMIN: "/admin",
}


def menu(role: Role) -> list[MenuItem]:
    may = ALLOWED[role]
    items = [m for m in MENU if m.needs <= may]
    home = HOMES[role]
    # The home first: the menu reads in the order of the role's work.
    return sorted(items, key=lambda m: m.path != home)


def home(role: Role) -> str:
    return HOMES[role]


def landing(role: Role, target: str) -> str:
    """Where to go after sign-in: the page asked for, unless the role may not open it (a
    bookmark of another role's page), then the role's home."""
    path = target.split("?")[0]
    for m in MENU:
        if (path == m.path or path.startswith(m.path + "/")) and not m.needs <= ALLOWED[role]:
            return HOMES[role]
    return target
