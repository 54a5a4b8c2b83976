"""Database engine and migrations. SQLite (WAL) by default; PostgreSQL via HAVEN_DATABASE_URL."""

import os
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
DEFAULT_URL = "sqlite:///haven.db"


def database_url(url: str | None = None) -> str:
    return url or os.environ.get("HAVEN_DATABASE_URL") or DEFAULT_URL


def make_engine(url: str | None = None) -> Engine:
    url = database_url(url)
    if url.startswith("sqlite"):
        _private_file(url)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def _private_file(url: str) -> None:
    """Case data is special-category data: a new database file is readable by its owner only.
    SQLite gives the -wal and -shm files the same permissions."""
    path = url.split(":///", 1)[1] if ":///" in url else ""
    if path and path != ":memory:" and not Path(path).exists():
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))


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
        self._turn: AbstractContextManager[object] = (
            threading.RLock() if self.url.startswith("sqlite") else nullcontext()
        )

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction: committed if the block succeeds, rolled back if it raises.

        SQLite has one writer at a time and its busy handler backs off in sleeps of up to
        100 ms, so threads of one process take turns here instead; PostgreSQL runs them
        concurrently."""
        with self._turn, self._sessions() as s, s.begin():
            yield s
