"""The case editor's problems in plain words: the contract's validation messages (written for
developers and the API) become a sentence naming the field, in the reader's language, and each
problem is tied to the control that must change (decided-before-lodged marks the decision date)."""

import re
from collections.abc import Callable

from haven.web.labels import N_
from haven.web.messages import MESSAGES, Rules, plain_message, said

# Form field -> its name in a sentence, and the id of its control in _editor.html.
FIELDS: dict[str, tuple[str, str]] = {
    "id": (N_("the reference"), "editor-heading"),
    "nationality": (N_("the nationality"), "nationality"),
    "region": (N_("the region"), "region"),
    "profile.birth_date": (N_("the date of birth"), "birth_date"),
    "procedure.lodged": (N_("the date the application was lodged"), "lodged"),
    "procedure.decided": (N_("the decision date"), "decided"),
    "procedure.status": (N_("the status"), "status"),
    "procedure.reasons": (N_("the reasons the refusal relies on"), "decided"),
    "profile.tags": (N_("the profile tags"), "editor-heading"),
    "profile.sogi": (N_("the sexual orientation or gender identity"), "editor-heading"),
    "profile.sex": (N_("the sex"), "sex"),
    "credibility.identity": (N_("the credibility of the identity"), "cred-identity"),
    "credibility.nationality": (N_("the credibility of the nationality"), "cred-nationality"),
    "credibility.region": (N_("the credibility of the region"), "cred-region"),
    "credibility.profile": (N_("the credibility of the profile"), "cred-profile"),
}
INCIDENT = re.compile(r"^incidents\[(\d+)\]\.(date|kind|actor|credibility|sought_protection)$")
INCIDENT_IDS = {"date": "date", "kind": "kind", "actor": "actor", "credibility": "cred",
                "sought_protection": "sought"}  # fmt: skip

# The contract's messages, each a pattern and its sentence (the form messages' where the same).
RULES: Rules = [
    (
        re.compile(r"^contains a NUL character"),
        N_(
            "%(field)s contains an invisible character (NUL), shown as �, that cannot be stored: "
            "remove it."
        ),
    ),
    (re.compile(r"not a date"), MESSAGES["date"]),
    (re.compile(r"ISO 3166-1 alpha-2"), MESSAGES["country"]),
    (
        re.compile(r"ISO 3166-2"),
        N_("Enter %(field)s as a region code such as RU-MOW, or leave it empty."),
    ),
    (re.compile(r"at most \d+ characters|too long"), MESSAGES["too_long"]),
    (re.compile(r"[Ff]ield required|missing"), MESSAGES["required"]),
    (re.compile(r"in the future|after the date"), N_("%(field)s cannot be in the future.")),
    # haven/assess/admit.py and the case model (haven/cases/model.py, ids.py)
    (
        re.compile(r"is a region of \w+, not of the nationality"),
        N_("%(field)s must be a region of the nationality, for example RU-MOW for RU."),
    ),
    (re.compile(r"^unknown tag "), MESSAGES["choice"]),
    (re.compile(r"is not allowed; expected"), MESSAGES["choice"]),
    (re.compile(r"is listed twice"), N_("%(field)s lists the same choice twice.")),
    (
        re.compile(r"^may not contain '/'"),
        N_(
            "%(field)s may not contain / or \\, line breaks, tabs or other invisible "
            "characters, nor be . or .."
        ),
    ),
]
DECIDED_BEFORE_LODGED = re.compile(r"decided \(.*\) is before lodged")


def plain(where: str, message: str, gettext: Callable[[str], str]) -> tuple[str, str, str]:
    """(field, its control's id, the sentence) for one problem."""
    if DECIDED_BEFORE_LODGED.search(message):
        return (
            "procedure.decided",
            "decided",
            gettext(N_("The decision date cannot be before the date the application was lodged.")),
        )
    found = INCIDENT.match(where)
    if found:
        n, part = found.groups()
        label = gettext(N_("incident %(n)d: the %(part)s")) % {
            "n": int(n) + 1,
            "part": gettext({"date": N_("date"), "kind": N_("kind"), "actor": N_("actor"),
                             "credibility": N_("credibility"),
                             "sought_protection": N_("protection sought")}[part]),
        }  # fmt: skip
        control = f"inc-{n}-{INCIDENT_IDS[part]}"
    else:
        # One entry for a list's items: `profile.tags[2]` is named as the profile tags.
        name, control = FIELDS.get(re.sub(r"\[\d+\]$", "", where), (where, "editor-heading"))
        label = gettext(name)
    return (
        where,
        control,
        said(RULES, message, gettext, label) or plain_message(message, gettext, label),
    )
