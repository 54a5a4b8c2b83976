"""`haven cases import` and `haven cases export`: caseloads in and out of the store.

Import validates every row first and writes all or nothing, in one transaction; export writes
the current version of every case the user may see, each read audited. CSV follows
docs/csv-format.md (haven.cases.tabular).
"""

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from haven.assess.admit import admit
from haven.cases import Case, caseload, tabular
from haven.cases.caseload import Format
from haven.cli.common import err, out, pack_option
from haven.cli.private import write_private
from haven.clock import today
from haven.errors import CaseError, Forbidden, InputError, Problem
from haven.packs import DEFAULT_PACK
from haven.store import bulk_import, repo
from haven.store.access import Action
from haven.store.db import Database, database_url, upgrade
from haven.store.repo import Actor

app = typer.Typer(help="Import and export stored cases (JSONL, JSON or CSV).", no_args_is_help=True)

# Files with at least this many rows get a progress bar (on a terminal).
LARGE = 100
# Ids looked up per query when checking which are already stored.
CHUNK = 500


class InFormat(StrEnum):
    JSON = "json"
    JSONL = "jsonl"
    CSV = "csv"
    PARQUET = "parquet"


class OutFormat(StrEnum):
    JSONL = "jsonl"
    CSV = "csv"


@app.command("import")
def import_cases(
    file: str = typer.Argument(
        ...,
        help="JSON Lines, a JSON array, CSV (.csv or --format csv) or Parquet (.parquet); "
        "- for stdin",
    ),
    org: str = typer.Option(..., "--org", help="Organisation slug"),
    user: str = typer.Option(..., "--user", help="Import as this user (may create cases)"),
    fmt: InFormat | None = typer.Option(
        None,
        "--format",
        help="json, jsonl, csv or parquet; default: by the file name (.csv, .parquet), else JSON",
    ),
    pack: str = typer.Option(
        DEFAULT_PACK, "--pack", help="Pack whose tag vocabulary the cases use"
    ),
) -> None:
    """Import a caseload: every row is validated first; one rejected row and nothing is written."""
    db = _database()
    actor = _actor(db, org, user)
    _require(db, actor, Action.CASE_CREATE, "case.import", "import cases")
    kind = caseload.format_of(file, Format(fmt.value) if fmt else None)
    entries = caseload.entries(file, sys.stdin, kind)
    if not entries:
        raise CaseError([Problem("", "no case found: the input has no rows")])

    found: list[tuple[int, Problem]] = []
    valid: list[tuple[int, Case]] = []
    policy, day = pack_option(pack), today()
    with _progress(len(entries)) as bar:
        task = bar.add_task("validating", total=len(entries))
        for n, entry in enumerate(entries):
            try:
                # What the API and the web editor refuse is refused here too (issue 17, #3).
                case = entry.parse()
                valid.append((n, admit(case, policy, day, prefix=f"{entry.label}: ")))
            except CaseError as e:
                found += [(n, p) for p in e.problems]
            bar.advance(task)
    first: dict[str, int] = {}
    for n, case in valid:
        if case.id in first:
            earlier = entries[first[case.id]].label
            message = f"case id {case.id!r} appears more than once (first at {earlier})"
            found.append((n, Problem(entries[n].id_where, message)))
        else:
            first[case.id] = n

    with db.session() as s:
        stored = repo.existing_refs(s, actor, list(first))
        found += [
            (
                n,
                Problem(
                    entries[n].id_where, f"case {case.id!r} already exists in {org!r} (conflict)"
                ),
            )
            for n, case in valid
            if case.id in stored
        ]
        if found:
            rejected = len({n for n, _ in found})
            err.print(
                f"rejected {rejected} of {len(entries)} rows; nothing was imported", markup=False
            )
            raise InputError([p for _, p in sorted(found, key=lambda item: item[0])])
        with _progress(len(valid)) as bar:
            task = bar.add_task("importing", total=len(valid))
            # In batches, one audit entry per batch naming its cases (haven/store/bulk_import).
            bulk_import.import_batches(
                s,
                actor,
                [case for _, case in valid],
                progress=lambda n: bar.advance(task, n),
                format=kind.value if kind in (Format.CSV, Format.PARQUET) else "json",
            )
    out.print(f"imported {len(valid)} cases into {org!r} as {user!r}", markup=False)


@app.command("export")
def export_cases(
    org: str = typer.Option(..., "--org", help="Organisation slug"),
    user: str = typer.Option(..., "--user", help="Export the cases this user may see"),
    fmt: OutFormat | None = typer.Option(
        None, "--format", help="jsonl or csv; default: csv if --out ends in .csv, else jsonl"
    ),
    output: Path | None = typer.Option(None, "--out", help="File to write; default: stdout"),
) -> None:
    """Export the current version of every case the user may see (each read is audited)."""
    if fmt is None:
        fmt = OutFormat.CSV if output and output.suffix.lower() == ".csv" else OutFormat.JSONL
    db = _database()
    actor = _actor(db, org, user)
    _require(db, actor, Action.CASE_LIST, "case.export", "export cases")
    _require(db, actor, Action.CASE_READ, "case.export", "export cases")
    cases: list[Case] = []
    with db.session() as s:
        total, page = repo.list_cases(s, actor, limit=CHUNK)
        with _progress(total) as bar:
            task = bar.add_task("reading", total=total)
            while page:
                for rec in page:
                    _, version = repo.read_case(s, actor, rec.ref)
                    cases.append(Case.model_validate_json(json.dumps(version.data)))
                    bar.advance(task)
                if len(cases) >= total:
                    break
                _, page = repo.list_cases(s, actor, limit=CHUNK, offset=len(cases))
        # One line for the export as a whole, beside the case.list and case.read lines.
        repo.audit(s, actor, "case.export", count=len(cases), format=fmt.value)
    if fmt is OutFormat.CSV:
        text = tabular.to_csv(cases)
    else:
        text = "".join(
            json.dumps(c.model_dump(mode="json"), ensure_ascii=False) + "\n" for c in cases
        )
    if output is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(text.encode("utf-8"))
        sys.stdout.buffer.flush()
    else:
        write_private(output, text)
        out.print(f"exported {len(cases)} cases to {output}", markup=False)


# -- helpers --------------------------------------------------------------------------------


def _database() -> Database:
    url = database_url()
    upgrade(url)
    return Database(url)


def _actor(db: Database, org: str, username: str) -> Actor:
    with db.session() as s:
        return repo.actor_by_name(s, org, username)


def _require(db: Database, actor: Actor, action: Action, audited: str, doing: str) -> None:
    try:
        repo.require(actor, action)
    except Forbidden as e:
        repo.record_denial(db, actor, audited, None, str(e))
        raise Forbidden(
            f"{actor.username!r} (role {actor.role.value}) may not {doing}: {e}"
        ) from None


@contextmanager
def _progress(total: int) -> Iterator[Progress]:
    """A progress bar on stderr for large inputs, shown only on a terminal."""
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=total < LARGE or not err.is_terminal,
    )
    with bar:
        yield bar
