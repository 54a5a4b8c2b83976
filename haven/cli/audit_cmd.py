"""`haven audit verify`: check the hash chains of the audit log (haven/store/audit_chain.py);
`haven audit list`: read it."""

import json
import sys
from datetime import date
from enum import StrEnum
from typing import Any

import typer
from rich.table import Table
from sqlalchemy.exc import DBAPIError

from haven.cli.acting import acting_user, require_role
from haven.cli.common import err, out, parse_date
from haven.cli.server_cmd import _safe
from haven.errors import HavenError, InputError, Problem
from haven.store import audit_chain, auditlog
from haven.store.access import Action
from haven.store.db import Database, database_url, unavailable, upgrade

app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)


@app.command("verify")
def verify(
    db: str | None = typer.Option(
        None, "--db", help="Database URL; default: HAVEN_DATABASE_URL, else ./haven.db"
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON"),
) -> None:
    """Recompute every audit chain; name each edited, deleted or reordered entry (exit 1)."""
    url = database_url(db, existing=True)
    database = Database(url)
    try:
        with database.session() as s:
            report = audit_chain.verify(s)
    except DBAPIError as e:
        if unavailable(e):
            raise  # the database is down, not the wrong one: `haven` says so in one line
        first = str(e.orig).strip().splitlines()[0] if e.orig else type(e).__name__
        raise HavenError(
            f"cannot read the audit log of {_safe(url)} ({first}); "
            "is it a Haven database at the latest schema (haven db upgrade)?"
        ) from None
    finally:
        database.engine.dispose()
    if as_json:
        sys.stdout.write(
            json.dumps(
                {
                    "ok": report.ok,
                    "entries": report.entries,
                    "chains": {
                        str(c): {"seq": seq, "hash": h} for c, (seq, h) in report.chains.items()
                    },
                    "lanes": {
                        f"{c}.{lane}": {"seq": seq, "hash": h}
                        for (c, lane), (seq, h) in report.lanes.items()
                    },
                    "problems": [
                        {
                            "chain": f.chain,
                            "lane": f.lane,
                            "entry": f.entry_id,
                            "message": f.message,
                        }
                        for f in report.findings
                    ],
                },
                indent=2,
            )
            + "\n"
        )
    else:
        for (chain, lane), (seq, digest) in sorted(report.lanes.items()):
            name = f"chain {chain} lane {lane}" if lane else f"chain {chain}"
            out.print(f"{name}: {seq} entries, head {digest}", markup=False)
        for f in report.findings:
            err.print(f"tampered: {f}", markup=False)
    if not report.ok:
        err.print(
            f"audit log of {_safe(url)}: {len(report.findings)} problem(s) found", markup=False
        )
        raise typer.Exit(1)
    if not as_json:
        out.print(
            f"audit log intact: {report.entries} entries in {len(report.chains)} chain(s)",
            markup=False,
        )


class ListFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


@app.command("list")
def list_entries(
    org: str | None = typer.Option(None, "--org", help="Organisation slug (with --user)"),
    user: str | None = typer.Option(
        None, "--user", help="An auditor or admin of the organisation (with --org)"
    ),
    no_org: bool = typer.Option(
        False,
        "--no-org",
        help="The entries of no organisation (sign-ins by unknown names, keys of an "
        "organisation no longer stored shredded): only the operator sees them",
    ),
    action: str | None = typer.Option(
        None, "--action", help="Action or its prefix, e.g. case. or user.disable"
    ),
    outcome: str | None = typer.Option(None, "--outcome", help="ok or denied"),
    case: str | None = typer.Option(None, "--case", help="Entries about this case reference"),
    since: str | None = typer.Option(None, "--since", help="YYYY-MM-DD, from that day on"),
    until: str | None = typer.Option(None, "--until", help="YYYY-MM-DD, up to and with that day"),
    limit: int = typer.Option(100, "--limit", help="At most this many entries, newest first"),
    fmt: ListFormat = typer.Option(ListFormat.TABLE, "--format", help="table or json"),
    db: str | None = typer.Option(
        None, "--db", help="Database URL; default: HAVEN_DATABASE_URL, else ./haven.db"
    ),
) -> None:
    """Read the audit log: an organisation's entries as its auditor or admin (as the web app's
    audit page shows them), or with --no-org the entries of no organisation. The reading is
    itself recorded."""
    problems: list[Problem] = []
    if no_org and (org or user):
        problems.append(
            Problem("--no-org", "reads no organisation's entries: leave out --org and --user")
        )
    elif not no_org and not (org and user):
        missing = "--org" if not org else "--user"
        problems.append(
            Problem(
                missing,
                "is required: --org SLUG --user NAME, or --no-org for the entries of no "
                "organisation",
            )
        )
    if outcome is not None and outcome not in ("ok", "denied"):
        problems.append(Problem("--outcome", f"{outcome[:64]!r} is not ok or denied"))
    if not 1 <= limit <= MAX_LIST:
        problems.append(Problem("--limit", f"must be 1 to {MAX_LIST}"))
    first = _day(since, "--since", problems)
    last = _day(until, "--until", problems)
    if first and last and last < first:
        problems.append(Problem("--until", f"{last} is before --since {first}"))
    if problems:
        raise InputError(problems)
    f = auditlog.AuditFilter(
        action=action or None, outcome=outcome, case_ref=case or None, since=first, until=last
    )
    url = database_url(db, existing=True)
    upgrade(url)
    database = Database(url)
    try:
        if no_org:
            with database.session() as s:
                total, rows = auditlog.search_unowned(s, f, limit)
                shown = [_entry(r, None) for r in rows]
        else:
            assert org and user
            actor = acting_user(database, org, user)
            require_role(database, actor, (Action.AUDIT_READ,), "audit.read", "read the audit log")
            with database.session() as s:
                total, rows = auditlog.search(s, actor, f, limit)
                shown = [_entry(r, org) for r in rows]
    finally:
        database.engine.dispose()
    if fmt is ListFormat.JSON:
        sys.stdout.write(
            json.dumps({"total": total, "entries": shown}, ensure_ascii=False, indent=2) + "\n"
        )
        return
    table = Table(title=f"{len(shown)} of {total} entries, newest first")
    for column in ("id", "at (UTC)", "user", "action", "outcome", "case", "detail"):
        table.add_column(column, overflow="fold")
    for shown_entry in shown:
        table.add_row(
            str(shown_entry["id"]),
            str(shown_entry["at"])[:19].replace("T", " "),
            shown_entry["user"] or "",
            shown_entry["action"],
            shown_entry["outcome"],
            shown_entry["case"] or "",
            json.dumps(shown_entry["detail"], ensure_ascii=False, sort_keys=True),
        )
    out.print(table)


MAX_LIST = 10_000


def _day(value: str | None, option: str, problems: list[Problem]) -> date | None:
    if value is None:
        return None
    try:
        return parse_date(value, option)
    except InputError as e:
        problems.extend(e.problems)
        return None


def _entry(row: auditlog.Row, org: str | None) -> dict[str, Any]:
    """One entry as the API's audit log gives it, with the user's name and the organisation."""
    e = row.entry
    return {
        "id": e.id,
        "at": e.at.isoformat() + "Z",
        "org": org,
        "user": row.username,
        "action": e.action,
        "outcome": e.outcome,
        "case": e.case_ref,
        "detail": e.detail,
    }
