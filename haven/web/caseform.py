"""The case editor form: contract case <-> form fields named by their field path
(`procedure.lodged`, `incidents[0].date`), so validation problems land next to their field."""

import json
from typing import Any

from starlette.datastructures import FormData

from haven.cases import Case
from haven.cases.known import refuse_future
from haven.cases.readers import parse_case
from haven.clock import today
from haven.vocab import Actor, Finding, IncidentKind, Reason, Sex, Sogi, Status
from haven.web.forms import text, texts

CREDIBILITY = ("identity", "nationality", "region", "profile")
# One empty incident row is always offered, so an incident can be added without script.
BLANK_INCIDENTS = 1

CHOICES = {
    "sogi": [v.value for v in Sogi],
    "sex": [v.value for v in Sex],
    "finding": [v.value for v in Finding],
    "kind": [v.value for v in IncidentKind],
    "actor": [v.value for v in Actor],
    "status": [v.value for v in Status],
    "reasons": [v.value for v in Reason],
}


def _opt(value: str) -> str | None:
    return value or None


def _tri(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


def _filled(form: FormData, i: int) -> bool:
    """Something entered in an incident row besides its kind: a row with a date or an actor
    but no kind is kept, so validation names its kind instead of the row vanishing on save."""
    return bool(
        text(form, f"incidents[{i}].date")
        or text(form, f"incidents[{i}].actor")
        or text(form, f"incidents[{i}].sought_protection")
        or text(form, f"incidents[{i}].credibility") not in ("", "open")
    )


def from_form(form: FormData, ref: str) -> dict[str, Any]:
    """The submitted fields as a contract case dict (not yet validated)."""
    incidents = []
    rows = int(text(form, "incident_rows") or "0") if text(form, "incident_rows").isdigit() else 0
    for i in range(min(rows, 200)):
        kind = text(form, f"incidents[{i}].kind")
        if text(form, f"incidents[{i}].remove") == "yes" or not (kind or _filled(form, i)):
            continue  # removed, or the blank row left as offered
        incident: dict[str, Any] = {
            "kind": kind,
            "actor": text(form, f"incidents[{i}].actor"),
            "credibility": text(form, f"incidents[{i}].credibility") or "open",
            "sought_protection": _tri(text(form, f"incidents[{i}].sought_protection")),
        }
        if day := text(form, f"incidents[{i}].date"):
            incident["date"] = day
        incidents.append(incident)
    profile: dict[str, Any] = {
        "sogi": texts(form, "profile.sogi"),
        "tags": texts(form, "profile.tags"),
    }
    if sex := text(form, "profile.sex"):
        profile["sex"] = sex
    if born := text(form, "profile.birth_date"):
        profile["birth_date"] = born
    procedure: dict[str, Any] = {
        "lodged": text(form, "procedure.lodged"),
        "status": text(form, "procedure.status"),
        "reasons": texts(form, "procedure.reasons"),
    }
    if decided := text(form, "procedure.decided"):
        procedure["decided"] = decided
    return {
        "id": ref,
        "nationality": text(form, "nationality").upper(),
        "region": _opt(text(form, "region").upper()),
        "profile": profile,
        "credibility": {k: text(form, f"credibility.{k}") or "open" for k in CREDIBILITY},
        "incidents": incidents,
        "procedure": procedure,
    }


def validate(data: dict[str, Any]) -> Case:
    """Raises CaseError whose problems name the form fields (same paths), also for a date
    after today (a recorded fact cannot be in the future)."""
    return refuse_future(parse_case(json.dumps(data)), today())


def to_form(case: Case) -> dict[str, Any]:
    """Values for the template, in the same shape `from_form` reads."""
    return case.model_dump(mode="json")
