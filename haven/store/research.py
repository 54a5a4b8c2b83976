"""Pseudonymised research exports (R6): no direct identifiers, per-export pseudonyms, dates
coarsened to months, and aggregates with small-cell suppression.

- Dropped: the case reference, every staff identity and timestamp, and every free-text value
  (profile tags that are not in the policy pack's tag vocabulary).
- Pseudonyms: HMAC-SHA256 of the case under a random key made for this export and never stored
  or shown, so the same case has the same pseudonym throughout one export (its record and its
  assessments) but two exports cannot be linked to each other or back to the case.
- Dates: months (`2015-09`); a birth date becomes a birth year.
- Aggregates: no count under MIN_CELL is published, and no hidden count can be worked out from
  the published ones (rows, columns, totals): complementary suppression over every table and
  its margins (haven/store/suppression.py). Counts of recommendations name the as-of month and
  pack version of the assessment they come from.
Each export has an id (its watermark), a purpose, a legal basis, a DPIA reference and an expiry
date, all recorded in the audit log. The expiry is after the export's day and at most
`max_days()` after it (storage limitation, GDPR Art. 5(1)(e); docs/security.md).
"""

import hashlib
import hmac
import json
import os
import secrets
import uuid
from collections import Counter
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from haven.cases import Case
from haven.errors import InputError, Problem
from haven.store import repo
from haven.store.access import Action
from haven.store.models import CaseRecord, StoredAssessment
from haven.store.repo import Actor
from haven.store.suppression import MIN_CELL, SECONDARY, Group, Key, protect, shown

Cell = int | str

# How long an export may be kept: a deployment's choice (its DPIA and retention schedule), not
# a figure of law. The default is conservative; an export's default expiry is shorter still.
MAX_DAYS_ENV = "HAVEN_RESEARCH_EXPORT_MAX_DAYS"
DEFAULT_MAX_DAYS = 180
DEFAULT_DAYS = 90


def max_days() -> int:
    """The most days after its export day that an export may expire: HAVEN_RESEARCH_EXPORT_
    MAX_DAYS (a whole number from 1), else 180 (also when the setting is not such a number)."""
    raw = os.environ.get(MAX_DAYS_ENV, "").strip()
    return int(raw) if raw.isdigit() and int(raw) > 0 else DEFAULT_MAX_DAYS


def default_expiry(today: date) -> date:
    """An export's expiry when none is given: 90 days, or the maximum if that is shorter."""
    return today + timedelta(days=min(DEFAULT_DAYS, max_days()))


def expiry_problems(expires: date, today: date, field: str = "--expires") -> list[Problem]:
    """Why `expires` cannot be an export's expiry: not after the export's day, or further than
    `max_days()` from it. Empty if it can."""
    if expires <= today:
        return [Problem(field, f"{expires} is not after today ({today})")]
    most = max_days()
    latest = today + timedelta(days=most)
    if expires > latest:
        message = (
            f"{expires} is more than {most} days after today ({today}), the longest an export "
            f"may be kept here ({MAX_DAYS_ENV}): choose {latest} or earlier"
        )
        return [Problem(field, message)]
    return []


def _month(d: date | None) -> str | None:
    return None if d is None else f"{d.year:04d}-{d.month:02d}"


class Pseudonyms:
    """Stable within one export, unlinkable across exports: the key lives only in memory."""

    def __init__(self) -> None:
        self._key = secrets.token_bytes(32)

    def __call__(self, org_id: int, ref: str) -> str:
        mac = hmac.new(self._key, f"{org_id}\x00{ref}".encode(), hashlib.sha256)
        return "P-" + mac.hexdigest()[:20]


def pseudonymise(case: Case, pseudonym: str, vocabulary: set[str]) -> dict[str, Any]:
    """The research record of a case: nothing that names or dates a person to the day."""
    p = case.profile
    return {
        "case": pseudonym,
        "nationality": case.nationality,
        "region": case.region,
        "sex": p.sex.value if p.sex else None,
        "sogi": [s.value for s in p.sogi],  # the claimed ground, as put forward (R10)
        "tags": sorted(t for t in p.tags if t in vocabulary),
        "birth_year": p.birth_date.year if p.birth_date else None,
        "credibility": case.credibility.model_dump(mode="json"),
        "incidents": [
            {
                "month": _month(i.date),
                "kind": i.kind.value,
                "actor": i.actor.value,
                "credibility": i.credibility.value,
                "sought_protection": i.sought_protection,
            }
            for i in case.incidents
        ],
        "procedure": {
            "lodged": _month(case.procedure.lodged),
            "status": case.procedure.status.value,
            "decided": _month(case.procedure.decided),
            "reasons": [r.value for r in case.procedure.reasons],
        },
    }


def suppress(counts: Counter[str]) -> dict[str, Cell]:
    """One table whose total is published: primary and complementary suppression."""
    values: dict[Key, int] = {k: v for k, v in counts.items()}
    values[_TOTAL] = sum(counts.values())
    hidden = protect(values, [(list(counts), _TOTAL)])
    return {k: shown(v, k in hidden) for k, v in sorted(counts.items())}


_TOTAL = ("cases", "")


def aggregates(records: list[dict[str, Any]], as_of: str | None = None) -> dict[str, Any]:
    """Counts over the records, every table suppressed together with its margins."""
    tables: dict[str, Counter[str]] = {
        "by_nationality": Counter(r["nationality"] for r in records),
        "by_status": Counter(r["procedure"]["status"] for r in records),
        "by_recommendation": Counter(_basis(r) for r in records),
        "by_lodged_year": Counter((r["procedure"]["lodged"] or "?")[:4] for r in records),
        "by_nationality_and_status": Counter(
            f"{r['nationality']}/{r['procedure']['status']}" for r in records
        ),
    }
    values: dict[Key, int] = {(t, k): v for t, counts in tables.items() for k, v in counts.items()}
    values[_TOTAL] = len(records)
    # The order matters to a greedy rule: the one-way tables first (their hidden margins then
    # free the rows and columns that sum to them), then the cross table's rows and columns
    # against its margins, then the cross table against the number of cases.
    cross_name = "by_nationality_and_status"
    groups: list[Group] = [
        ([(t, k) for k in counts], _TOTAL) for t, counts in tables.items() if t != cross_name
    ]
    cross = tables["by_nationality_and_status"]
    for margin, side in (("by_nationality", 0), ("by_status", 1)):
        for value in tables[margin]:
            members: list[Key] = [
                ("by_nationality_and_status", k) for k in cross if k.split("/")[side] == value
            ]
            groups.append((members, (margin, value)))
    groups.append(([(cross_name, k) for k in tables[cross_name]], _TOTAL))
    hidden = protect(values, groups)
    out: dict[str, Any] = {
        "cases": shown(len(records), _TOTAL in hidden),
        "as_of": as_of,  # the month of the export: the cases' current versions on that day
        **{
            t: {k: shown(v, (t, k) in hidden) for k, v in sorted(counts.items())}
            for t, counts in tables.items()
        },
        "suppressed_below": MIN_CELL,
        "notes": {
            "<5": "a count under 5, hidden",
            SECONDARY: "a count of 5 or more, hidden so that no hidden count can be derived",
            "by_recommendation": "recommendation@as-of month/pack version of the case's latest "
            "stored assessment (not_assessed: none)",
        },
    }
    return out


def _basis(record: dict[str, Any]) -> str:
    if not record.get("recommendation") or not record.get("assessed"):
        return "not_assessed"
    basis = record["assessed"]
    return f"{record['recommendation']}@{basis['as_of']}/{basis['pack_version'][:12]}"


def export(
    s: Session,
    actor: Actor,
    *,
    purpose: str,
    legal_basis: str,
    dpia: str,
    expires: date,
    today: date,
    vocabulary: set[str],
) -> dict[str, Any]:
    repo.require(actor, Action.STATS_READ)
    problems = [
        Problem(name, "is required (recorded with the export)")
        for name, value in (
            ("--purpose", purpose),
            ("--legal-basis", legal_basis),
            ("--dpia", dpia),
        )
        if not value.strip()
    ]
    problems += expiry_problems(expires, today)
    if problems:
        raise InputError(problems)
    pseudonym = Pseudonyms()
    records: list[dict[str, Any]] = []
    assessed: list[dict[str, Any]] = []
    for rec in s.scalars(select(CaseRecord).where(CaseRecord.org_id == actor.org_id)):
        case = Case.model_validate_json(json.dumps(repo.current(s, rec).data))
        row = pseudonymise(case, pseudonym(rec.org_id, rec.ref), vocabulary)
        row["recommendation"] = rec.recommendation
        row["designation"] = rec.designation
        row["flags"] = (rec.flags or "").split()
        row["assessed"] = None
        records.append(row)
        for a in s.scalars(
            select(StoredAssessment)
            .where(StoredAssessment.case_id == rec.id)
            .order_by(StoredAssessment.id)
        ):
            # The latest stored assessment gave the case's recommendation: say on which basis.
            row["assessed"] = {"as_of": _month(a.as_of), "pack_version": a.pack_version}
            assessed.append(
                {
                    "case": row["case"],
                    "as_of": _month(a.as_of),
                    "pack_version": a.pack_version,
                    "recommendation": a.recommendation,
                }
            )
    records.sort(key=lambda r: str(r["case"]))  # no trace of reference or insertion order
    assessed.sort(key=lambda r: (str(r["case"]), str(r["as_of"])))
    export_id = uuid.uuid4().hex
    meta = {
        "id": export_id,
        "created": _month(today),
        "expires": expires.isoformat(),
        "purpose": purpose,
        "legal_basis": legal_basis,
        "dpia": dpia,
        "pseudonyms": "HMAC-SHA256 under a key made for this export and not kept",
        "dates": "months; birth dates as years",
        "notice": "Pseudonymised special-category data (GDPR Art. 9, 89): do not attempt to "
        "re-identify, do not link with other exports, delete by the expiry date.",
    }
    repo.audit(
        s,
        actor,
        "research.export",
        export_id=export_id,
        purpose=purpose,
        legal_basis=legal_basis,
        dpia=dpia,
        expires=expires.isoformat(),
        records=len(records),
    )
    return {
        "export": meta,
        "records": records,
        "assessments": assessed,
        "aggregates": aggregates(records, _month(today)),
    }
