"""The auditor's home: the organisation's audit log with filters, the verification of its hash
chain (the same check as `haven audit verify`, for this organisation's chain) and a CSV export
of what the filters select. haven/store/auditlog.py reads; reading is audited."""

import csv
import io
import json
from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from haven.errors import Problem
from haven.store import auditlog
from haven.web.labels import N_
from haven.web.render import problems_page, render
from haven.web.routes_impact import _cell
from haven.web.session import WebUser, database, web_user

router = APIRouter(include_in_schema=False)
User = Annotated[WebUser, Depends(web_user)]
PAGE_SIZE = 100
OUTCOMES = ("ok", "denied")
# The filters, as their problems name them (audit.html).
FIELDS = {"since": N_("the first day"), "until": N_("the last day"), "outcome": N_("the outcome")}


def _filter(request: Request) -> tuple[auditlog.AuditFilter, int, list[Problem], dict[str, str]]:
    q = request.query_params
    values = {k: (q.get(k) or "").strip()[:200] for k in ("action", "user", "outcome", "case")}
    values |= {k: (q.get(k) or "").strip()[:10] for k in ("since", "until")}
    problems: list[Problem] = []
    days: dict[str, date | None] = {}
    for name in ("since", "until"):
        try:
            days[name] = date.fromisoformat(values[name]) if values[name] else None
        except ValueError:
            problems.append(Problem(name, "date"))
            days[name] = None
    if days["since"] and days["until"] and days["until"] < days["since"]:
        problems.append(Problem("until", "not_before_from"))  # never an empty log unsaid
    outcome = values["outcome"] or None
    if outcome is not None and outcome not in OUTCOMES:
        problems.append(Problem("outcome", "choice"))
        outcome = None
    page_text = q.get("page") or "1"
    page = int(page_text) if page_text.isdigit() and 0 < int(page_text) < 1_000_000 else 1
    f = auditlog.AuditFilter(
        action=values["action"] or None,
        username=values["user"] or None,
        outcome=outcome,
        case_ref=values["case"] or None,
        since=days["since"],
        until=days["until"],
    )
    return f, page, problems, values


@router.get("/audit")
def audit_page(request: Request, user: User) -> HTMLResponse:
    f, page, problems, values = _filter(request)
    with database(request).session() as s:
        # A filter it cannot use: its problems and no entries (never the log unfiltered).
        total, rows = (
            (0, [])
            if problems
            else auditlog.search(s, user.actor, f, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
        )
        actions = auditlog.actions(s, user.actor)
    pages = max(1, -(-total // PAGE_SIZE))
    query = urlencode({k: v for k, v in values.items() if v})
    return render(
        request,
        "audit.html",
        status_code=422 if problems else 200,
        rows=rows,
        total=total,
        page=min(page, pages),
        pages=pages,
        problems=problems,
        values=values,
        actions=actions,
        outcomes=OUTCOMES,
        query=query,
        verified=None,
        findings=[],
        json=json,
    )


@router.get("/audit/verify")
def verify_page(request: Request, user: User) -> HTMLResponse:
    with database(request).session() as s:
        entries, findings = auditlog.verify(s, user.actor)
        total, rows = auditlog.search(s, user.actor, auditlog.AuditFilter(), limit=PAGE_SIZE)
        actions = auditlog.actions(s, user.actor)
    return render(
        request,
        "audit.html",
        rows=rows,
        total=total,
        page=1,
        pages=max(1, -(-total // PAGE_SIZE)),
        problems=[],
        values={k: "" for k in ("action", "user", "outcome", "case", "since", "until")},
        actions=actions,
        outcomes=OUTCOMES,
        query="",
        verified=entries,
        findings=findings,
        json=json,
    )


@router.get("/audit/export.csv")
def audit_export(request: Request, user: User) -> Response:
    f, _, problems, _ = _filter(request)
    if problems:
        return problems_page(request, problems, FIELDS)  # never a file of other entries
    with database(request).session() as s:
        rows = auditlog.export(s, user.actor, f)
        buf = io.StringIO()
        out = csv.writer(buf)
        out.writerow(["id", "at", "user", "action", "outcome", "case", "detail", "hash"])
        for r in rows:
            e = r.entry
            out.writerow(
                [
                    e.id,
                    e.at.isoformat() + "Z",
                    _cell(r.username or ""),
                    _cell(e.action),
                    e.outcome,
                    _cell(e.case_ref or ""),
                    _cell(json.dumps(e.detail, sort_keys=True, ensure_ascii=False)),
                    e.hash,
                ]
            )
    return Response(
        buf.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="haven-audit.csv"'},
    )
