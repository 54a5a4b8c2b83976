"""Database engine and migrations. SQLite (WAL) by default; PostgreSQL via HAVEN_DATABASE_URL."""

import os
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    DisconnectionError,
    IntegrityError,
    OperationalError,
)
from sqlalchemy.orm import Session, sessionmaker

from haven.errors import InputError, Problem, Unavailable

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
DEFAULT_URL = "sqlite:///haven.db"
# Seconds a client should wait before retrying while the database is down or restarting.
RETRY_AFTER = 5
# PostgreSQL SQLSTATEs of a server that is not there or not taking work now (connection
# exceptions, admin/crash shutdown, starting up, too many connections), as opposed to a
# statement that is wrong.
_DOWN_STATES = ("57P01", "57P02", "57P03", "53300")
# A pooled PostgreSQL connection unused for longer than this is pinged before it is handed out
# (see _ping_if_idle). Under load connections come back within milliseconds and are not pinged.
PING_IF_IDLE_SECONDS = 1.0
_LAST_USED = "haven.last_used"
# Session.info key of a Database.statements() session: it may not write audit entries.
STATEMENTS = "haven.statements"


def database_url(url: str | None = None, option: str = "--db", *, existing: bool = False) -> str:
    """`url` (given as `option`), else HAVEN_DATABASE_URL, else ./haven.db: a URL of a database
    Haven can use, or an input error naming where the URL came from (not an internal error
    from the engine's first use). `existing`, for a command that only reads (backup, audit
    verify): a SQLite file that is not there is an error too, not a new empty file."""
    env = os.environ.get("HAVEN_DATABASE_URL")
    where = option if url else "HAVEN_DATABASE_URL" if env else option
    found = checked_url(url, option) if url else checked_url(env, where) if env else DEFAULT_URL
    if existing and found.startswith("sqlite"):
        path = make_url(found).database
        if path and path != ":memory:" and not path.startswith("file:") and not Path(path).exists():
            raise InputError([Problem(where, f"there is no database file {path}")])
    return found


def checked_url(url: str, where: str) -> str:
    # Not echoed: a URL may hold a password.
    expected = "expected sqlite:///FILE or postgresql+psycopg://USER@HOST/DATABASE"
    try:
        backend = make_url(url).get_backend_name()
    except ArgumentError:
        raise InputError([Problem(where, f"not a database URL; {expected}")]) from None
    if backend not in ("sqlite", "postgresql"):
        raise InputError(
            [
                Problem(
                    where,
                    f"Haven keeps its data in SQLite or PostgreSQL, not {backend}; {expected}",
                )
            ]
        )
    if backend == "sqlite":
        _sqlite_file(url, where)
    return url


SQLITE_HEADER = b"SQLite format 3\x00"


def _sqlite_file(url: str, where: str) -> None:
    """A SQLite URL naming a folder or a file that is not a SQLite database (a caseload, a
    backup given as --db by mistake) is an input error naming `where`; every command met it
    as `internal error: DatabaseError: file is not a database`. A missing or empty file is
    a new database."""
    path = make_url(url).database
    if not path or path == ":memory:" or path.startswith("file:"):
        return
    file = Path(path)
    if _key(file) in _ENGINES:
        # Never open a database file this process already uses: closing any descriptor of a
        # file drops every POSIX lock the process holds on it (SQLite's own connections'
        # too), and another process then writes through them: "database disk image is
        # malformed" (sqlite.org/howtocorrupt.html, 2.2). A file an engine opened is SQLite's.
        return
    if file.is_dir():
        raise InputError([Problem(where, f"{path} is a folder, not a SQLite database file")])
    try:
        with file.open("rb") as f:
            head = f.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return
    except OSError as e:
        raise InputError([Problem(where, f"cannot read {path}: {e.strerror or e}")]) from None
    if head and head != SQLITE_HEADER:
        raise InputError([Problem(where, f"{path} is not a SQLite database file")])


# The SQLite files this process has made an engine for (_sqlite_file must not open them).
_ENGINES: set[str] = set()


def _key(file: Path) -> str:
    return str(file.resolve())


def make_engine(url: str | None = None) -> Engine:
    url = database_url(url)
    if url.startswith("sqlite"):
        _private_file(url)
        path = make_url(url).database
        if path and path != ":memory:" and not path.startswith("file:"):
            _ENGINES.add(_key(Path(path)))
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # A pooled connection that died with a restart of PostgreSQL is replaced at checkout when
    # it has been idle (_ping_if_idle), so the same process serves again once the database is
    # back; SQLAlchemy also empties the pool when a statement fails with a disconnect.
    # (pool_pre_ping would ping at every checkout: a round trip per transaction.) LIFO: the
    # connections in use stay warm, the spare ones idle. connect_timeout bounds the wait for an
    # unreachable host (else the OS's TCP timeout, minutes).
    query = make_url(url).query
    args: dict[str, Any] = {} if "connect_timeout" in query else {"connect_timeout": 10}
    # JIT off (unless the URL sets options): the planner costs the scoped caseload filter (a
    # correlated EXISTS, repo._visible) above the JIT thresholds and compiled it on every count,
    # 90-175 ms of a 15 ms statement at 100k cases (benchmarks/results/scoped-caseload.md).
    # Haven's statements are short; none gains from compiled expressions.
    if "options" not in query:
        args["options"] = "-c jit=off"
    engine = create_engine(
        url, pool_size=10, max_overflow=10, pool_use_lifo=True, connect_args=args
    )
    event.listen(engine, "checkin", _note_use)
    event.listen(engine, "checkout", _ping_if_idle(engine))
    return engine


def _note_use(_dbapi_conn: Any, record: Any) -> None:
    if record is not None:
        record.info[_LAST_USED] = time.monotonic()


def _ping_if_idle(engine: Engine) -> Any:
    """A checkout handler: ping a connection that has been idle for PING_IF_IDLE_SECONDS, and
    have the pool replace it if the ping fails (DisconnectionError makes the pool reconnect).
    A new connection has no record of use (`info` is cleared when one is replaced) and needs
    no ping."""

    def checkout(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        used = record.info.get(_LAST_USED)
        if used is None or time.monotonic() - used < PING_IF_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except Exception as exc:
            raise DisconnectionError("the pooled connection failed its ping") from exc

    return checkout


def unavailable(exc: BaseException) -> bool:
    """Is this error the database being down, restarting or unreachable (so a retry later may
    succeed), rather than a fault of the statement or the schema?"""
    if isinstance(exc, DisconnectionError):
        return True
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    state = getattr(exc.orig, "sqlstate", None)
    if isinstance(state, str):
        return state.startswith("08") or state in _DOWN_STATES
    if not isinstance(exc, OperationalError):
        return False
    # psycopg reports a refused or lost connection without a SQLSTATE. SQLite's errors are
    # about the file (missing table, corrupt), except one: another writer held the lock for
    # longer than busy_timeout, and a retry later may succeed.
    if type(exc.orig).__module__.startswith("psycopg"):
        return True
    return "database is locked" in str(exc.orig)


def insert_or_skip(s: Session, model: Any) -> Any:
    """An INSERT for this session's database that can take `.on_conflict_do_nothing()`:
    a row another writer stored first is left as it is (PostgreSQL and SQLite alike)."""
    dialect = s.get_bind().dialect.name
    return (pg_insert if dialect == "postgresql" else sqlite_insert)(model)


def violates(e: IntegrityError, table: str, *columns: str) -> bool:
    """Whether a write failed on the unique key of these columns: another writer stored the
    same value between a lookup and the write (two requests, processes or an import at once).
    PostgreSQL names the constraint `<table>_<columns>_key` (its default for UNIQUE); SQLite
    names the columns."""
    diag = getattr(e.orig, "diag", None)
    if diag is not None:  # psycopg
        name = f"{table}_{'_'.join(columns)}_key"
        return getattr(diag, "constraint_name", None) == name
    failed = ", ".join(f"{table}.{c}" for c in columns)
    return f"UNIQUE constraint failed: {failed}" in str(e.orig)


def unavailable_error() -> Unavailable:
    """What an API client is told: no host, port or driver text (that is for the operator)."""
    return Unavailable("the database is unavailable; try again in a few seconds", RETRY_AFTER)


def down_reason(exc: BaseException) -> str:
    """For the operator: the driver's first line says why (refused, shut down, starting up)
    and names host and port, never a password or a statement."""
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip()
    return text.splitlines()[0] if text else type(orig).__name__


def _private_file(url: str) -> None:
    """Case data is special-category data: a new database file is readable by its owner only.
    SQLite gives the -wal and -shm files the same permissions."""
    path = url.split(":///", 1)[1] if ":///" in url else ""
    if path and path != ":memory:" and not Path(path).exists():
        try:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        except OSError as e:  # was `internal error: FileNotFoundError`
            why = e.strerror or str(e)
            raise InputError([Problem("database", f"cannot create {path}: {why}")]) from None


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # WAL lets readers and one writer work at once; foreign keys are off by default in SQLite.
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str | None = None) -> None:
    """Bring the schema to the latest migration (idempotent)."""
    url = database_url(url)
    if url.startswith("sqlite"):
        _private_file(url)
    command.upgrade(alembic_config(url), "head")


class Database:
    def __init__(self, url: str | None = None) -> None:
        self.url = database_url(url)
        self.engine = make_engine(self.url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        sqlite = self.url.startswith("sqlite")
        self._turn: AbstractContextManager[object] = threading.RLock() if sqlite else nullcontext()
        # PostgreSQL in autocommit mode: a statement is its own transaction, with no BEGIN or
        # COMMIT round trip. (SQLite's are function calls: its sessions serve as they are.)
        self._statements = (
            self._sessions
            if sqlite
            else sessionmaker(
                self.engine.execution_options(isolation_level="AUTOCOMMIT"),
                expire_on_commit=False,
            )
        )

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction: committed if the block succeeds, rolled back if it raises.

        SQLite has one writer at a time and its busy handler backs off in sleeps of up to
        100 ms, so threads of one process take turns here instead; PostgreSQL runs them
        concurrently."""
        with self._turn, self._sessions() as s, s.begin():
            yield s

    @contextmanager
    def statements(self) -> Iterator[Session]:
        """Statements that each stand alone, e.g. the token check of every request (one
        indexed read and, at most once a minute, an update of the token's last use): on
        PostgreSQL in autocommit mode, so each costs one round trip and nothing else.

        Nothing that needs a transaction belongs here: reads that must agree with each other,
        writes that must happen together, and audit entries, which are chained at commit
        under the chain's head lock (audit_chain.add refuses them here)."""
        with self._turn, self._statements() as s:
            s.info[STATEMENTS] = True
            yield s
            s.commit()  # flushes ORM changes (on PostgreSQL each statement already committed)
