"""`haven cases import` and `haven cases export`: caseloads in and out of the store.

Import validates every row (writing checked batches as it goes) and writes all or nothing,
in one transaction; export writes
the current version of every case the user may see, each read audited. CSV follows
docs/csv-format.md (haven.cases.tabular).
"""

import gc
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import overload

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from haven.cases import Case, caseload, tabular
from haven.cases.caseload import Format
from haven.cli import import_check
from haven.cli.acting import acting_user, require_role
from haven.cli.common import err, out, pack_option
from haven.cli.private import check_out, write_out
from haven.clock import today
from haven.errors import CaseError, InputError, Problem
from haven.packs import DEFAULT_PACK
from haven.store import bulk_import, repo
from haven.store.access import Action
from haven.store.bulk_import import Importer, Prepared
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


Entry = import_check.Entry


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
    exclusive: bool = typer.Option(
        False,
        "--exclusive",
        help="PostgreSQL: lock the case tables for the whole import and check their foreign "
        "keys once at the end instead of row by row (about twice as fast at a million cases; "
        "everyone else waits until it is done). For moving a caseload in.",
    ),
) -> None:
    """Import a caseload: every row is validated; one rejected row and nothing is written."""
    db = _database()
    actor = acting_user(db, org, user)
    require_role(db, actor, (Action.CASE_CREATE,), "case.import", "import cases")
    kind = caseload.format_of(file, Format(fmt.value) if fmt else None)
    # One reader for every caseload (haven/cases/caseload.py); rows parsed while checked. A
    # JSON file on disk is checked in bulk (import_check.check_lines), which needs the rows as
    # entries only for the few it leaves to the model: they are listed only then.
    lines = kind in (Format.JSON, Format.JSONL) and file != "-"
    entries: Sequence[Entry] = (
        _Entries(file, kind) if lines else _entries(caseload.entries(file, sys.stdin, kind))
    )
    total = caseload.line_count(file) if lines else len(entries)
    if not total:
        raise CaseError([Problem("", "no case found: the input has no rows")])

    batches = -(-total // bulk_import.BATCH)
    detail = {"format": kind.value if kind in (Format.CSV, Format.PARQUET) else "json"}
    policy, day = pack_option(pack), today()
    if exclusive and not db.url.startswith("postgresql"):
        err.print(
            "note: --exclusive changes nothing on SQLite, whose import holds the database's "
            "only write lock anyway",
            markup=False,
        )
    with db.session() as s, _checker(db, s) as checker, _progress(total) as bar:
        # The importer (it may create the organisation's key) only once a batch is to be written.
        run = _Import(
            s,
            checker,
            actor,
            org,
            entries,
            exclusive and db.url.startswith("postgresql"),
            # On PostgreSQL each batch is stored in a thread while the next rows are checked:
            # the server's work runs beside the checking.
            lambda: bulk_import.Importer(
                s,
                actor,
                batches,
                detail,
                background=True,
                cases=total,
                ids=checker,
                exclusive=exclusive,
            ),
        )
        checking = bar.add_task("checking", total=total)
        importing = bar.add_task("importing", total=total)
        # Batches are written as soon as they are checked; after the first problem nothing more
        # is written, checking goes on (to report every row) and the transaction is rolled back.
        step: Callable[[int], None] = lambda k: bar.advance(checking, k)  # noqa: E731
        rows = (
            import_check.check_lines(file, entries, policy, day, step)
            if lines
            else import_check.check_rows(entries, policy, day, step)
        )
        # No cyclic garbage is made here, but the collector would walk the growing heap of
        # rows again and again (100,000 cases: ~0.8 s of py-spy samples).
        collecting = gc.isenabled()
        gc.disable()
        try:
            for n, result in rows:
                if written := run.take(n, result):  # the bar moves once per batch, not per row
                    bar.advance(importing, written)
            bar.advance(importing, run.finish())
        finally:
            run.close()  # the writing thread done with the session before it ends
            if collecting:
                gc.enable()
        if run.found:
            rejected = len({n for n, _ in run.found})
            err.print(f"rejected {rejected} of {run.rows} rows; nothing was imported", markup=False)
            raise InputError([p for _, p in sorted(run.found, key=lambda item: item[0])])
    out.print(f"imported {run.valid} cases into {org!r} as {user!r}", markup=False)


@contextmanager
def _checker(db: Database, s: Session) -> Iterator[Session]:
    """Where each batch's ids are looked up. On PostgreSQL a connection of its own, so that the
    lookup runs while the batch before is being written (in the import's session it waited for
    that write: ~0.8 s of 7 s at 100,000 cases). It sees what other transactions committed, as
    the import's session does; the import's own cases it need not see (an id given twice in the
    file is found before). On SQLite the import's session: its writes take turns anyway. (An
    exclusive import looks its ids up in its own session, which locks `cases`; it takes them
    from this connection's sequence.)"""
    if s.get_bind().dialect.name != "postgresql":
        yield s
        return
    with db.statements() as checker:
        yield checker


def _entries(listed: list[caseload.Entry]) -> list[Entry]:
    return [(e.label, e.id_where, e.parse) for e in listed]


class _Entries(Sequence[Entry]):
    """A JSON file's rows as entries, listed when first asked for (in bulk checking, only if
    some row is the model's to check or a problem is to be named)."""

    def __init__(self, file: str, kind: Format) -> None:
        self.file, self.kind = file, kind
        self.listed: list[Entry] | None = None

    def _all(self) -> list[Entry]:
        if self.listed is None:
            self.listed = _entries(caseload.entries(self.file, None, self.kind))
        return self.listed

    @overload
    def __getitem__(self, i: int) -> Entry: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[Entry]: ...
    def __getitem__(self, i: int | slice) -> Entry | Sequence[Entry]:
        return self._all()[i]

    def __len__(self) -> int:
        return len(self._all())


class _Import:
    """One import's rows as they are checked: duplicates within the file, ids already stored,
    and the batches written while no row has been rejected."""

    def __init__(
        self,
        s: Session,
        checker: Session,
        actor: Actor,
        org: str,
        entries: Sequence[Entry],
        exclusive: bool,
        importer: Callable[[], Importer],
    ) -> None:
        self.s, self.actor, self.org, self.entries = s, actor, org, entries
        # The ids are looked up in the import's session, in the writing thread, just before
        # each batch is written: it alone may read `cases` (see bulk_import.Importer).
        self.exclusive = exclusive
        self.checker = checker  # where stored ids are looked up (see _checker)
        self.make_importer = importer
        self.importer: Importer | None = None
        self.found: list[tuple[int, Problem]] = []
        self.first: dict[str, int] = {}
        self.pending: list[tuple[int, Prepared]] = []
        self.valid = self.rows = 0

    def take(self, n: int, result: Prepared | list[Problem]) -> int:
        """Record row n; how many cases were written because it completed a batch."""
        self.rows += 1
        if not isinstance(result, Prepared):
            self.found += [(n, p) for p in result]
            return 0
        if result.id in self.first:
            earlier = self.entries[self.first[result.id]][0]
            message = f"case id {result.id!r} appears more than once (first at {earlier})"
            self.found.append((n, Problem(self.entries[n][1], message)))
            return 0
        self.first[result.id] = n
        self.valid += 1
        self.pending.append((n, result))
        return self._flush() if len(self.pending) >= bulk_import.BATCH else 0

    def finish(self) -> int:
        """Write the last, partial batch and wait for the writing; how many cases it held."""
        written = self._flush() if self.pending else 0
        try:
            if self.importer:
                self.importer.wait()
                if not self.found:
                    self.importer.analyse()
            self.close()
        except IntegrityError as e:
            self._raced(e)
            return 0
        return written

    def close(self) -> None:
        if self.importer:
            self.importer.close()

    def _flush(self) -> int:
        part, self.pending = self.pending, []
        if self.exclusive and not self.found:
            return self._write(part, lambda: self._conflicts(part, self.s))
        where = self.s if self.exclusive else self.checker
        if self.importer and where is self.s:
            self.importer.wait()  # the session is the writing thread's until it is done
        self._conflicts(part, where)
        if self.found:  # checking goes on, to report every rejected row; nothing is kept
            return 0
        return self._write(part, None)

    def _conflicts(self, part: list[tuple[int, Prepared]], where: Session) -> bool:
        """Record the batch's ids already stored; whether there were any."""
        stored = repo.existing_refs(where, self.actor, [c.id for _, c in part])
        for n, case in part:
            if case.id in stored:
                message = f"case {case.id!r} already exists in {self.org!r} (conflict)"
                self.found.append((n, Problem(self.entries[n][1], message)))
        return bool(stored)

    def _write(self, part: list[tuple[int, Prepared]], conflicts: Callable[[], bool] | None) -> int:
        self.importer = self.importer or self.make_importer()
        try:
            self.importer.write([c for _, c in part], conflicts)
        except IntegrityError as e:  # the batch before, written in the background, failed
            self._raced(e)
            return 0
        return len(part)

    def _raced(self, e: IntegrityError) -> None:
        """Another writer stored a case with one of this file's ids between its lookup and
        its write (the unique (organisation, reference) index said so): those rows are
        conflicts, like ids stored before the import began. The import's transaction is lost;
        nothing more is written and the caller rolls back."""
        if not repo.is_ref_conflict(e):
            raise e
        if self.importer:
            self.importer.close()  # the writing thread is done with the session
            self.importer = None
        if self.checker is self.s or self.exclusive:
            # SQLite: the lookup below runs in the import's session; an exclusive import's
            # session locks `cases` against the checker until it ends.
            self.s.rollback()
        ids = list(self.first)
        stored: set[str] = set()
        for i in range(0, len(ids), bulk_import.BATCH):
            stored |= repo.existing_refs(self.checker, self.actor, ids[i : i + bulk_import.BATCH])
        for ref in stored:
            n = self.first[ref]
            message = (
                f"case {ref!r} was stored in {self.org!r} by another user during this import "
                "(conflict)"
            )
            self.found.append((n, Problem(self.entries[n][1], message)))
        if not stored:  # taken and gone again: still nothing of this import may be kept
            message = (
                "a case id of this file was stored by another user during the import and removed "
                "again (conflict); import the file again"
            )
            self.found.append((0, Problem("id", message)))


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
    check_out(output)
    if fmt is None:
        fmt = OutFormat.CSV if output and output.suffix.lower() == ".csv" else OutFormat.JSONL
    db = _database()
    actor = acting_user(db, org, user)
    require_role(db, actor, (Action.CASE_LIST, Action.CASE_READ), "case.export", "export cases")
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
        write_out(output, text)
        out.print(f"exported {len(cases)} cases to {output}", markup=False)


# -- helpers --------------------------------------------------------------------------------


def _database() -> Database:
    url = database_url()
    upgrade(url)
    return Database(url)


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
