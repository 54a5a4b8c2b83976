"""What the case page works out beyond the assessment itself: which date it opens on, the
decisive reason for the outcome, which pack entries changed between the saved assessment and
the one shown, and what each case version changed. Pure: values in, values out."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from haven.assess import Assessment
from haven.cases import Case
from haven.policy.pack import Pack
from haven.store.models import StoredAssessment
from haven.vocab import Recommendation
from haven.web.labels import N_


def opening_day(stored: list[StoredAssessment], case: Case, today: date) -> tuple[date, str]:
    """The date a case opens on, and why: the latest saved assessment's date (what the caseload
    shows), else the decision date (what the decision was taken on), else today."""
    if stored:
        latest = max(stored, key=lambda a: a.id)
        return latest.as_of, "saved"
    if case.procedure.decided is not None:
        return case.procedure.decided, "decided"
    return today, "today"


WHY_DAY = {
    "saved": N_("Shown as of the date of the latest saved assessment."),
    "decided": N_("Shown as of the decision date: no assessment has been saved yet."),
    "today": N_("Shown as of today: no assessment was saved and no decision taken yet."),
    "chosen": N_("Shown as of the date you chose."),
}


@dataclass(frozen=True)
class Reason:
    text: str  # an English message id
    entries: list[str]  # pack entry ids it names (their labels are shown)


def decisive(result: Assessment, case: Case) -> list[Reason]:
    """The reason that decides the outcome first: a moratorium, unverified policy, open facts;
    empty when the outcome follows from the findings shown below it."""
    out = []
    if result.recommendation is Recommendation.DECISION_DEFERRED or result.moratorium.decision:
        out.append(
            Reason(N_("A decision moratorium is in force on this date."), result.moratorium.entries)
        )
    if result.unverified:
        out.append(
            Reason(
                N_(
                    "Policy that may apply on this date is unverified, so Haven does not apply "
                    "it: check it before relying on the outcome."
                ),
                list(result.unverified),
            )
        )
    open_facts = [k for k, v in case.credibility.model_dump().items() if v == "open"]
    if open_facts and result.recommendation is Recommendation.FURTHER_ASSESSMENT:
        out.append(Reason(N_("Credibility findings are still open."), []))
    return out


@dataclass(frozen=True)
class EntryChange:
    id: str
    label: str
    sources: list[str]
    applies_now: bool  # applies in the assessment shown, not in the saved one (else the reverse)


def entry_changes(before: dict[str, Any], after: Assessment, pack: Pack) -> list[EntryChange]:
    """Pack entries applied in one of the two assessments only, named, with their sources."""
    then, now = set(before.get("applied") or []), set(after.applied)
    out = []
    for eid in sorted(then ^ now):
        entry = pack.entries.get(eid)
        out.append(
            EntryChange(
                eid,
                entry.label if entry else eid,
                list(entry.sources) if entry else [],
                eid in now,
            )
        )
    return out


def flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    """{"profile.sogi": [...], "incidents.0.date": ...}: a case as field paths."""
    if isinstance(data, dict):
        out: dict[str, Any] = {}
        for k, v in data.items():
            out |= flatten(v, f"{prefix}{k}.")
        return out
    if isinstance(data, list) and any(isinstance(v, dict) for v in data):
        out = {}
        for i, v in enumerate(data):
            out |= flatten(v, f"{prefix}{i}.")
        return out
    return {prefix.rstrip("."): data}


def version_diff(old: dict[str, Any] | None, new: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """(field, before, after) for every field a version changed (all fields for the first)."""
    a, b = flatten(old or {}), flatten(new)
    return [(k, a.get(k), b.get(k)) for k in sorted(a.keys() | b.keys()) if a.get(k) != b.get(k)]
