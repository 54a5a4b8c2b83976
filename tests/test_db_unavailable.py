"""Which database errors are "unavailable, retry later" (503) and which are faults (500)."""

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from haven.store.db import unavailable


def test_a_sqlite_database_locked_by_another_writer_is_unavailable(tmp_path: Path) -> None:
    path = tmp_path / "locked.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x INTEGER)")
    holder.execute("BEGIN EXCLUSIVE")  # another writer holds the file
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 0.1})
    try:
        with pytest.raises(OperationalError) as err, engine.begin() as conn:
            conn.execute(text("INSERT INTO t VALUES (1)"))
        assert "database is locked" in str(err.value.orig)
        assert unavailable(err.value)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        engine.dispose()


def test_a_missing_table_is_a_fault_not_unavailability(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    try:
        with pytest.raises(OperationalError) as err, engine.connect() as conn:
            conn.execute(text("SELECT * FROM no_such_table"))
        assert not unavailable(err.value)
    finally:
        engine.dispose()
