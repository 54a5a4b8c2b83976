"""Bulk import (haven/store/bulk_import.py) on SQLite and PostgreSQL: the rows it writes are
the rows `create_case` writes (encrypted, scoped, openable), one audit entry per batch names
its cases, the audit chain verifies, and a failure leaves nothing behind."""

import json
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from haven.cases import Case
from haven.store import audit_chain, auth, bulk_import, repo
from haven.store.access import Role
from haven.store.db import Database
from haven.store.models import AuditEntry, CaseAccess, CaseKey, CaseRecord
from haven.store.repo import Actor
from tests.store.store_helpers import make_case, rows_as_text

PASSWORD = "correct horse battery"


def _actors(db: Database) -> dict[str, Actor]:
    with db.session() as s:
        org = auth.ensure_org(s, "acme", "Acme")
        out = {
            name: Actor.of(auth.add_user(s, org, name, PASSWORD, role))
            for name, role in (("officer", Role.CASE_OFFICER), ("officer2", Role.CASE_OFFICER))
        }
    return out


def _cases(n: int, **changes: Any) -> list[Case]:
    return [
        Case.model_validate_json(json.dumps(make_case(f"B-{i:04d}", **changes))) for i in range(n)
    ]


def test_bulk_rows_read_back_like_created_ones(db: Database) -> None:
    actors = _actors(db)
    officer = actors["officer"]
    cases = _cases(7)
    with db.session() as s:
        assert bulk_import.import_batches(s, officer, cases, batch=3, format="json") == 7
    with db.session() as s:
        for case in cases:
            rec, version = repo.read_case(s, officer, case.id)
            assert Case.model_validate_json(json.dumps(version.data)) == case
            assert (rec.version, rec.nationality, rec.status) == (
                1,
                "RU",
                case.procedure.status.value,
            )
        assert s.scalar(select(func.count()).select_from(CaseKey)) == 7
        assert s.scalar(select(func.count()).select_from(CaseAccess)) == 7  # assigned
        # Another officer of the organisation does not see them (scoped like create_case).
        total, _ = repo.list_cases(s, actors["officer2"])
        assert total == 0
        batches = list(
            s.scalars(
                select(AuditEntry)
                .where(AuditEntry.action == "case.import")
                .order_by(AuditEntry.seq)
            )
        )
        assert [b.detail["cases"] for b in batches] == [
            ["B-0000", "B-0001", "B-0002"],
            ["B-0003", "B-0004", "B-0005"],
            ["B-0006"],
        ]
        assert {b.detail["batches"] for b in batches} == {3}
        assert audit_chain.verify(s).ok
    # Encrypted at rest: no content in clear anywhere in the database.
    stored = rows_as_text(db)
    assert "B-0000" in stored and "credibility" not in stored and "RU-MOW" not in stored


def _in_background(s: Session, officer: Actor, cases: list[Case]) -> None:
    """As the CLI writes: each batch of 2 in the importer's thread."""
    importer = bulk_import.Importer(s, officer, 3, {}, background=True)
    try:
        for i in range(0, len(cases), 2):
            importer.write([bulk_import.Prepared.of(c) for c in cases[i : i + 2]])
    finally:
        importer.close()


@pytest.mark.parametrize("background", [False, True])
def test_bulk_import_is_all_or_nothing(db: Database, background: bool) -> None:
    officer = _actors(db)["officer"]
    with db.session() as s:
        repo.create_case(s, officer, _cases(1)[0])
        raw: Any = s.connection().connection.driver_connection
        sqlite = db.url.startswith("sqlite")
        cache = raw.execute("PRAGMA cache_size").fetchone()[0] if sqlite else None
    # The third batch collides with the stored case: the two batches before it go too (in the
    # background, the error comes back to the caller all the same).
    cases = [*_cases(6)[1:], Case.model_validate_json(json.dumps(make_case("B-0000")))]
    with pytest.raises(IntegrityError), db.session() as s:
        if background:
            _in_background(s, officer, cases)
        else:
            bulk_import.import_batches(s, officer, cases, batch=2)
    if cache is not None:  # the connection's page cache is as it was
        with db.session() as s:
            raw = s.connection().connection.driver_connection
            assert raw.execute("PRAGMA cache_size").fetchone()[0] == cache
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(CaseRecord)) == 1
        assert s.scalar(select(func.count()).select_from(CaseKey)) == 1
        assert not list(s.scalars(select(AuditEntry).where(AuditEntry.action == "case.import")))
        assert audit_chain.verify(s).ok


def test_driver_rows_match_what_sqlalchemy_writes(db: Database) -> None:
    """The rows go through the driver (COPY text, sqlite3 executemany): ids with quotes, spaces
    and other scripts survive, and the columns read back with the types of a created case."""
    officer = _actors(db)["officer"]
    refs = ["Q 'quoted' \"too\"", "Ω-ünï-名前", "100%_like", "plain"]
    cases = [Case.model_validate_json(json.dumps(make_case(r))) for r in refs]
    with db.session() as s:
        repo.create_case(s, officer, Case.model_validate_json(json.dumps(make_case("made"))))
        bulk_import.import_batches(s, officer, cases, batch=2)
    with db.session() as s:
        made, _ = repo.read_case(s, officer, "made")
        for case in cases:
            rec, version = repo.read_case(s, officer, case.id)
            assert Case.model_validate_json(json.dumps(version.data)) == case
            assert type(rec.created_at) is type(made.created_at)
            assert rec.created_at == rec.updated_at and rec.created_by == made.created_by
            assert (rec.recommendation, rec.designation, rec.flags) == (None, None, None)
        assert audit_chain.verify(s).ok


def test_envelope_and_copy_text() -> None:
    envelope = {"enc": "v1", "kid": "case", "nonce": "bm9uY2U=", "ct": "Y3Q+/w=="}
    assert bulk_import.envelope_json("bm9uY2U=", "Y3Q+/w==") == json.dumps(envelope)
    assert bulk_import._copy_text(None) == "\\N"
    assert bulk_import._copy_text(7) == "7"
    assert bulk_import._copy_text("a\\b\tc\nd\re") == "a\\\\b\\tc\\nd\\re"
