"""The Alembic migrations: the same on SQLite and PostgreSQL, idempotent, reversible, and in
step with the SQLAlchemy models (autogenerate finds nothing to add)."""

from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import DBAPIError

from haven.store.db import Database, alembic_config, upgrade
from haven.store.models import Base

TABLES = {
    "work_queues",
    "work_items",
    "work_item_comments",
    "organisations",
    "users",
    "api_tokens",
    "cases",
    "case_versions",
    "case_access",
    "assessments",
    "audit_log",
    "audit_heads",
    "login_throttle",
    "case_keys",
    "jobs",
}


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _revision(url: str) -> str | None:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def test_upgrade_creates_the_schema_and_is_idempotent(db_url: str) -> None:
    head = ScriptDirectory.from_config(alembic_config(db_url)).get_current_head()
    assert head is not None
    upgrade(db_url)
    assert _tables(db_url) == TABLES | {"alembic_version"}
    assert _revision(db_url) == head
    upgrade(db_url)  # again: nothing to do, nothing breaks
    assert _tables(db_url) == TABLES | {"alembic_version"}
    assert _revision(db_url) == head
    assert set(Base.metadata.tables) == TABLES


def test_models_and_migrations_agree(db_url: str) -> None:
    """What `alembic revision --autogenerate` would find: nothing."""
    upgrade(db_url)
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "compare_server_default": True}
            )
            diff: list[Any] = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert diff == []


def test_downgrade_and_upgrade_again(db_url: str) -> None:
    upgrade(db_url)
    command.downgrade(alembic_config(db_url), "base")
    assert _tables(db_url) <= {"alembic_version"}
    upgrade(db_url)
    assert _tables(db_url) == TABLES | {"alembic_version"}


def test_a_failed_migration_leaves_nothing_behind(db_url: str) -> None:
    """Migrations run in one transaction on both databases: a clash half-way (here a table
    `cases` that is already there) rolls back the tables created before it."""
    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE cases (x INTEGER)"))
    finally:
        engine.dispose()
    with pytest.raises(DBAPIError, match=r"(?i)cases"):
        upgrade(db_url)
    assert _tables(db_url) == {"cases"}, "organisations, users, ... were rolled back"
    assert _revision(db_url) is None


def test_database_settings(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """HAVEN_DATABASE_URL chooses the database; SQLite runs in WAL mode with foreign keys."""
    monkeypatch.setenv("HAVEN_DATABASE_URL", db_url)
    upgrade()
    db = Database()
    try:
        assert db.url == db_url
        with db.session() as s:
            if db_url.startswith("sqlite"):
                assert s.execute(text("PRAGMA journal_mode")).scalar() == "wal"
                assert s.execute(text("PRAGMA foreign_keys")).scalar() == 1
            else:
                assert db.engine.dialect.name == "postgresql"
                assert (
                    s.execute(text("SELECT current_database()")).scalar()
                    == db_url.rsplit("/", 1)[1]
                )
    finally:
        db.engine.dispose()
    assert _tables(db_url) == TABLES | {"alembic_version"}


def test_a_new_sqlite_database_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    import stat

    from haven.store.db import upgrade

    db = tmp_path / "private" / "haven.db"
    upgrade(f"sqlite:///{db}")
    for f in tmp_path.glob("private/haven.db*"):
        assert stat.S_IMODE(f.stat().st_mode) & 0o077 == 0, f"{f.name} is readable by others"


def test_recommendation_and_designation_are_indexed_where_set(db_url: str) -> None:
    # Partial indexes (0012): a filter on a value uses them; unassessed cases add no entry.
    upgrade(db_url)
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            for name in ("recommendation", "designation"):
                query = f"SELECT id FROM cases WHERE org_id = 1 AND {name} = 'x'"
                if conn.dialect.name == "postgresql":
                    conn.execute(text("SET enable_seqscan = off"))
                    definition = conn.scalar(
                        text("SELECT indexdef FROM pg_indexes WHERE indexname = :n"),
                        {"n": f"ix_cases_{name}"},
                    )
                    plan = " ".join(r[0] for r in conn.execute(text(f"EXPLAIN {query}")))
                else:
                    definition = conn.scalar(
                        text("SELECT sql FROM sqlite_master WHERE name = :n"),
                        {"n": f"ix_cases_{name}"},
                    )
                    plan = " ".join(
                        str(r[-1]) for r in conn.execute(text(f"EXPLAIN QUERY PLAN {query}"))
                    )
                assert definition is not None and f"{name} IS NOT NULL" in definition
                assert f"ix_cases_{name}" in plan, plan
    finally:
        engine.dispose()


def test_a_creator_without_an_access_row_gets_one(db_url: str) -> None:
    # 0013: the scoped filter reads access rows only, so a case whose creator had none (written
    # by other means than create_case or the import) gets an `assigned` row; shares stay.
    command.upgrade(alembic_config(db_url), "0012")
    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO organisations (id, slug, name, created_at)"
                    " VALUES (1, 'o', 'O', '2026-01-01')"
                )
            )
            for uid, name in ((1, "ann"), (2, "bob")):
                conn.execute(
                    text(
                        "INSERT INTO users (id, org_id, username, password_hash, role, active,"
                        " created_at) VALUES (:id, 1, :name, '-', 'case_officer', true, '2026-01-01')"
                    ),
                    {"id": uid, "name": name},
                )
            for cid, by in ((1, 1), (2, 1), (3, None)):
                conn.execute(
                    text(
                        "INSERT INTO cases (id, org_id, ref, version, nationality, status,"
                        " created_at, updated_at, created_by) VALUES (:id, 1, :ref, 1, 'RU',"
                        " 'pending', '2026-01-02', '2026-01-02', :by)"
                    ),
                    {"id": cid, "ref": f"C{cid}", "by": by},
                )
            conn.execute(
                text(
                    "INSERT INTO case_access (case_id, user_id, kind, created_at) VALUES"
                    " (2, 1, 'assigned', '2026-01-03'), (2, 2, 'shared', '2026-01-03')"
                )
            )
        upgrade(db_url)
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT case_id, user_id, kind FROM case_access ORDER BY case_id, user_id")
            ).all()
    finally:
        engine.dispose()
    assert [tuple(r) for r in rows] == [(1, 1, "assigned"), (2, 1, "assigned"), (2, 2, "shared")]


def test_queues_made_before_0014_keep_the_key_of_the_job_that_made_them(db_url: str) -> None:
    # 0014: a queue is kept under its key (unique per organisation). Two queues made under one
    # key before (the race it closes): the first keeps the key, the second none; both stay.
    command.upgrade(alembic_config(db_url), "0013")
    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO organisations (id, slug, name, created_at)"
                    " VALUES (1, 'o', 'O', '2026-01-01')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO users (id, org_id, username, password_hash, role, active,"
                    " created_at) VALUES (1, 1, 'rik', '-', 'reviewer', true, '2026-01-01')"
                )
            )
            for n in (1, 2, 3):
                conn.execute(
                    text(
                        "INSERT INTO work_queues (id, org_id, name, from_date, to_date, pack,"
                        " pack_version_before, pack_version_after, cases, created_at,"
                        " created_by) VALUES (:id, 1, 'q', '2015-06-01', '2015-10-01', 'nl',"
                        " 'v', 'v', 1, '2026-01-02', 1)"
                    ),
                    {"id": n},
                )
            # Queue 3 was made by the CLI before it kept queues under a key: no job.
            made: list[tuple[int, str, int | None]] = [(1, "a" * 64, 1), (2, "a" * 64, 2)]
            for jid, key, qid in [*made, (3, "b" * 64, None)]:
                params = '{"from": "2015-06-01"' + (f', "queue": {qid}' if qid else "") + "}"
                conn.execute(
                    text(
                        "INSERT INTO jobs (id, org_id, user_id, kind, key, params, state,"
                        " cancel, done, total, owner, created_at, beat_at) VALUES (:id, 1, 1,"
                        " 'queue', :key, :params, 'done', false, 1, 1, 'h:1', '2026-01-02',"
                        " '2026-01-02')"
                    ),
                    {"id": jid, "key": key, "params": params},
                )
        upgrade(db_url)
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT id, key FROM work_queues ORDER BY id")).all()
    finally:
        engine.dispose()
    assert [tuple(r) for r in rows] == [(1, "a" * 64), (2, None), (3, None)]
