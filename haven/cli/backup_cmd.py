"""`haven backup` and `haven restore`: consistent snapshots while the server is writing."""

import os
from pathlib import Path

import typer

from haven.cli.common import err, out
from haven.cli.private import cannot_write, check_out
from haven.cli.server_cmd import _safe
from haven.errors import InputError, Problem
from haven.store import backup as store_backup
from haven.store.db import database_url

DB_HELP = "Database URL; default: HAVEN_DATABASE_URL, else ./haven.db"


def backup(
    output: Path = typer.Argument(
        ..., metavar="OUT", help="The backup file to write (gzip'd JSON lines)"
    ),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    force: bool = typer.Option(False, "--force", help="Replace OUT if it already exists"),
) -> None:
    """Write one consistent snapshot of every table; safe while the server is writing."""
    # The file is written beside OUT and renamed over it: its folder must be writable.
    check_out(output, "OUT", make_folder=True, beside=True)
    if not force and os.path.lexists(output):
        raise _exists(output)
    url = database_url(db, existing=True)
    try:
        summary = store_backup.backup(url, output, replace=force)
    except FileExistsError:  # made by someone else while the backup was being written
        raise _exists(output) from None
    except OSError as e:
        # The file or its folder (made if missing); the database's errors are not OSErrors.
        raise cannot_write(output, e.strerror or str(e), "OUT") from None
    rows = sum(summary.counts.values())
    out.print(
        f"backed up {_safe(url)} (schema {summary.revision}): {rows} rows, "
        f"{summary.counts.get('cases', 0)} cases, "
        f"{summary.counts.get('audit_log', 0)} audit entries -> {output}",
        markup=False,
    )


def _exists(output: Path) -> InputError:
    # An earlier backup was replaced without a word: it may be the only good copy.
    return InputError(
        [Problem("OUT", f"{output} already exists; choose another name or pass --force")]
    )


def restore(
    file: Path = typer.Argument(..., help="A file written by `haven backup`"),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    force: bool = typer.Option(
        False, "--force", help="Replace the content of a database that is not empty"
    ),
) -> None:
    """Restore a backup (all or nothing), bring the schema up to date, verify the audit log."""
    url = database_url(db)
    summary, report = store_backup.restore(file, url, force=force)
    out.print(
        f"restored {sum(summary.counts.values())} rows into {_safe(url)} "
        f"({summary.counts.get('cases', 0)} cases)",
        markup=False,
    )
    if not report.ok:
        for f in report.findings:
            err.print(f"tampered: {f}", markup=False)
        err.print("the restored audit log does NOT verify", markup=False)
        raise typer.Exit(1)
    out.print(f"audit log intact: {report.entries} entries", markup=False)
