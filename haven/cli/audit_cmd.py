"""`haven audit verify`: check the hash chains of the audit log (haven/store/audit_chain.py)."""

import json
import sys

import typer
from sqlalchemy.exc import DBAPIError

from haven.cli.common import err, out
from haven.cli.server_cmd import _safe
from haven.errors import HavenError
from haven.store import audit_chain
from haven.store.db import Database, database_url, unavailable

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
