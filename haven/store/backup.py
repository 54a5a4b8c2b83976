"""Consistent backups while the server writes, and restores into SQLite or PostgreSQL.

A backup is one snapshot of every table: on PostgreSQL a single REPEATABLE READ, READ ONLY
transaction; on SQLite a single read transaction (WAL keeps its snapshot while writers go on).
So it holds only whole, committed transactions: a case with all its versions, an audit chain
that ends at a commit. The file is portable (gzip'd JSON lines: a header with the schema
revision, then each table's columns and rows, then a trailer with the row counts that proves
the file is complete), so a SQLite backup restores into PostgreSQL and back.

Case content stays as the store holds it (encrypted where the store encrypts it): a backup does
not contain the keys, which are backed up separately. The file is written owner-only.
"""

import base64
import errno
import gzip
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any

from alembic import command
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import (
    JSON,
    Connection,
    Date,
    DateTime,
    Engine,
    LargeBinary,
    MetaData,
    Table,
    create_engine,
    event,
    func,
    inspect,
    select,
    text,
)
from sqlalchemy.orm import Session

from haven.errors import Conflict, HavenError, InputError, Problem
from haven.store import audit_chain
from haven.store.db import _private_file, _sqlite_pragmas, alembic_config, upgrade
from haven.store.models import Base

FORMAT = "haven-backup"
VERSION = 1
BATCH = 1000


@dataclass(frozen=True)
class Summary:
    revision: str
    counts: dict[str, int]


# -- values -----------------------------------------------------------------------------------


def _kind(column_type: Any) -> str:
    if isinstance(column_type, DateTime):
        return "datetime"
    if isinstance(column_type, Date):
        return "date"
    if isinstance(column_type, LargeBinary):
        return "binary"
    if isinstance(column_type, JSON):
        return "json"
    return "plain"


def _encode(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind in ("datetime", "date"):
        return str(value.isoformat())
    if kind == "binary":
        return base64.b64encode(value).decode()
    return value


def _decode(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "datetime":
        return datetime.fromisoformat(value)
    if kind == "date":
        return date.fromisoformat(value)
    if kind == "binary":
        return base64.b64decode(value)
    return value


# -- snapshot ---------------------------------------------------------------------------------


def _snapshot_engine(url: str) -> Engine:
    """An engine whose transactions are real snapshots: pysqlite does not BEGIN before a
    SELECT, so each query would see a different moment; here BEGIN is said explicitly."""
    if not url.startswith("sqlite"):
        return create_engine(url).execution_options(
            isolation_level="REPEATABLE READ", postgresql_readonly=True
        )
    engine = create_engine(url, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, record: Any) -> None:
        _sqlite_pragmas(dbapi_connection, record)
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN")

    return engine


def _revision(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def _head(url: str) -> str:
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    assert head is not None
    return head


def backup(url: str, out: Path, *, replace: bool = True) -> Summary:
    """Write one consistent snapshot of the database at `url` to `out` (atomically). With
    `replace` False an existing `out` is kept: FileExistsError, even if it appeared while the
    snapshot was written."""
    engine = _snapshot_engine(url)
    partial = out.with_name(out.name + ".partial")
    try:
        with engine.begin() as conn:
            revision = _revision(conn)
            if revision != _head(url):
                raise HavenError(
                    f"the database is at schema {revision}, not {_head(url)}: "
                    "run `haven db upgrade` with this version of Haven first"
                )
            tables = Base.metadata.sorted_tables  # parents before children
            out.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(partial, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
            counts: dict[str, int] = {}
            with os.fdopen(fd, "wb") as raw, gzip.open(raw, "wt", encoding="utf-8") as f:
                _line(
                    f,
                    {
                        "format": FORMAT,
                        "version": VERSION,
                        "revision": revision,
                        "dialect": engine.dialect.name,
                        "created_at": datetime.now(UTC).isoformat(),
                        "tables": [t.name for t in tables],
                    },
                )
                for table in tables:
                    counts[table.name] = _dump_table(conn, table, f)
                _line(f, {"end": True, "counts": counts})
                f.flush()
                raw.flush()
                os.fsync(raw.fileno())
        if replace:
            partial.replace(out)
        else:
            _place(partial, out)
    finally:
        engine.dispose()
        partial.unlink(missing_ok=True)
    return Summary(revision, counts)


def _place(partial: Path, out: Path) -> None:
    """`partial` renamed to `out` unless `out` exists (a hard link fails if it does)."""
    try:
        os.link(partial, out)
    except FileExistsError:
        raise
    except OSError:  # a file system without hard links: checked, then renamed
        if os.path.lexists(out):
            raise FileExistsError(errno.EEXIST, "File exists", str(out)) from None
        partial.replace(out)


def _line(f: IO[str], obj: Any) -> None:
    f.write(json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n")


def _dump_table(conn: Connection, table: Table, f: IO[str]) -> int:
    columns = list(table.columns)
    kinds = [_kind(c.type) for c in columns]
    _line(f, {"table": table.name, "columns": [c.name for c in columns], "kinds": kinds})
    n = 0
    q = select(table).order_by(*table.primary_key.columns)
    for row in conn.execution_options(yield_per=BATCH).execute(q):
        _line(f, [_encode(k, v) for k, v in zip(kinds, row, strict=True)])
        n += 1
    return n


# -- restore ----------------------------------------------------------------------------------


def _read(file: Path) -> Iterator[Any]:
    try:
        with gzip.open(file, "rt", encoding="utf-8") as f:
            for line in f:
                yield json.loads(line)
    except FileNotFoundError:
        raise InputError([Problem(str(file), "no such file")]) from None
    except (OSError, EOFError, json.JSONDecodeError, UnicodeDecodeError) as e:
        raise InputError(
            [Problem(str(file), f"not a complete Haven backup ({type(e).__name__}: {e})")]
        ) from None


def _user_tables(conn: Connection) -> list[Table]:
    meta = MetaData()
    meta.reflect(conn)
    return [t for t in meta.sorted_tables if t.name != "alembic_version"]


def is_empty(url: str) -> bool:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return all(
                not conn.execute(select(func.count()).select_from(t)).scalar()
                for t in _user_tables(conn)
            )
    finally:
        engine.dispose()


def restore(file: Path, url: str, *, force: bool = False) -> tuple[Summary, audit_chain.Report]:
    """Load a backup into the database at `url`; refuse a non-empty database unless `force`.
    All rows are written in one transaction; then the schema is brought to the latest
    revision and the audit chain is verified (the report says whether it is intact)."""
    records = _read(file)
    header = next(records, None)
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise InputError([Problem(str(file), "not a Haven backup")])
    if header.get("version") != VERSION:
        raise InputError([Problem(str(file), f"backup format {header.get('version')} unknown")])
    revision = str(header["revision"])
    script = ScriptDirectory.from_config(alembic_config(url))
    if script.get_revision(revision) is None:
        raise InputError([Problem(str(file), f"schema {revision} is unknown to this Haven")])
    if url.startswith("sqlite"):
        _private_file(url)
    if not is_empty(url) and not force:
        raise Conflict(
            "the database is not empty: restore into a new database, or pass --force to "
            "replace everything in it with the backup"
        )
    _schema_at(url, revision)

    engine = create_engine(url)
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_pragmas)
    counts: dict[str, int] = {}
    try:
        with engine.begin() as conn:
            target = {t.name: t for t in _user_tables(conn)}
            for t in reversed(list(target.values())):
                conn.execute(t.delete())
            table: Table | None = None
            kinds: list[str] = []
            names: list[str] = []
            batch: list[dict[str, Any]] = []
            complete = False
            expected: dict[str, int] = {}
            for rec in records:
                if isinstance(rec, list):
                    if table is None:
                        raise InputError([Problem(str(file), "a row before any table")])
                    batch.append(
                        {n: _decode(k, v) for n, k, v in zip(names, kinds, rec, strict=True)}
                    )
                    if len(batch) >= BATCH:
                        conn.execute(table.insert(), batch)
                        batch = []
                    continue
                if table is not None and batch:
                    conn.execute(table.insert(), batch)
                    batch = []
                if rec.get("end"):
                    complete = True
                    expected = rec["counts"]
                    break
                table = target.get(rec["table"])
                if table is None:
                    raise InputError([Problem(str(file), f"table {rec['table']!r} is unknown")])
                names, kinds = rec["columns"], rec["kinds"]
                counts[table.name] = 0
            if not complete:
                raise InputError([Problem(str(file), "the backup is truncated (no trailer)")])
            for name in counts:
                counts[name] = conn.execute(
                    select(func.count()).select_from(target[name])
                ).scalar_one()
            if counts != expected:
                raise InputError(
                    [Problem(str(file), f"row counts differ: file says {expected}, got {counts}")]
                )
            if conn.dialect.name == "postgresql":
                _reset_sequences(conn, list(target.values()))
    finally:
        engine.dispose()
    upgrade(url)
    return Summary(revision, counts), verify(url)


def _schema_at(url: str, revision: str) -> None:
    """Bring the (now empty or to be emptied) database to the backup's schema revision."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            current = _revision(conn)
    finally:
        engine.dispose()
    if current == revision:
        return
    cfg = alembic_config(url)
    script = ScriptDirectory.from_config(cfg)
    newer = current is not None and revision in {
        r.revision for r in script.iterate_revisions(current, "base")
    }
    if newer:
        if not is_empty(url):
            raise Conflict(
                f"the database's schema ({current}) is newer than the backup's ({revision}): "
                "restore into a new, empty database"
            )
        command.downgrade(cfg, revision)
    else:
        command.upgrade(cfg, revision)


def _reset_sequences(conn: Connection, tables: list[Table]) -> None:
    """Rows came with their ids: move each id sequence past them."""
    for t in tables:
        if "id" in t.columns and inspect(conn).has_table(t.name):
            conn.execute(
                text(
                    "SELECT setval(pg_get_serial_sequence(:t, 'id'), COALESCE(MAX(id), 1), "
                    f'MAX(id) IS NOT NULL) FROM "{t.name}"'
                ),
                {"t": t.name},
            )


def verify(url: str) -> audit_chain.Report:
    engine = create_engine(url)
    try:
        with Session(engine) as s:
            return audit_chain.verify(s)
    finally:
        engine.dispose()
