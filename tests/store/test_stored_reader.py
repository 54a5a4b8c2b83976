"""The stored-caseload reader (haven/store/columnar_caseload.py) on SQLite and PostgreSQL: the
envelope split by position reads what a JSON parser reads, the paged, threaded reader gives the
columns and rows of the per-case reference read (repo.current), the stored impact gives the
changed cases of the file impact on the same cases, and a read that is stopped (a cancelled
job) or fails leaves no reader thread behind and nothing audited."""

import json
import threading
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from haven.cases import Case
from haven.cases.synthetic import synthetic_caseload
from haven.impact.stream import ImpactStream
from haven.packs import DEFAULT_PACK
from haven.policy.loader import load_pack
from haven.store import auth, bulk_import, datakeys, repo
from haven.store import columnar_caseload as cc
from haven.store.access import Role
from haven.store.crypto import CryptoError, new_key, seal_json
from haven.store.db import Database
from haven.store.jobs import Cancelled
from haven.store.models import AuditEntry, CaseRecord, CaseVersion
from haven.store.repo import Actor
from tests.store.store_helpers import make_case

PASSWORD = "correct horse battery"
N = 120  # cases: several pages of 7 (PAGE is made small below)
BEFORE, AFTER = date(2015, 6, 1), date(2015, 10, 1)


# --- the envelope split ---------------------------------------------------------------------

_B64 = st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=", max_size=40)
_ANY = st.text(max_size=30)  # quotes, backslashes, control characters, non-ASCII
_VALUE = st.one_of(_ANY, _B64, st.integers(), st.none(), st.lists(st.integers(), max_size=2))


# A loaded shared machine makes generation look slow; the checks themselves are cheap.
_SETTINGS = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _stored(value: object) -> str:
    """What SQLite holds for a JSON column: SQLAlchemy's JSON type writes json.dumps(value)."""
    return json.dumps(value)


@_SETTINGS
@given(st.binary(max_size=300), st.integers(1, 2**31 - 1), st.integers(1, 50))
def test_a_sealed_envelope_is_split_by_position(plain: bytes, case_id: int, version: int) -> None:
    text = _stored(seal_json(new_key(), datakeys.CASE_KID, plain.hex(), f"{case_id}|{version}"))
    assert text.startswith(cc._HEAD)  # the fast path, not the parser
    assert cc.split_envelope(text) == cc.parse_envelope(text)
    # The same envelope as bulk import writes its JSON without the encoder.
    env = json.loads(text)
    assert bulk_import.envelope_json(env["nonce"], env["ct"]) == text


@_SETTINGS
@given(
    st.dictionaries(st.sampled_from(["enc", "kid", "nonce", "ct", "x"]), _VALUE, max_size=5),
    st.booleans(),
)
def test_any_json_object_splits_as_it_parses(obj: dict[str, object], compact: bool) -> None:
    text = json.dumps(obj, separators=(",", ":")) if compact else _stored(obj)
    assert cc.split_envelope(text) == cc.parse_envelope(text)


@_SETTINGS
@given(st.one_of(_B64, _ANY), st.one_of(_B64, _ANY), st.sampled_from(["", " ", "x", '"', "}"]))
@example("QVpZrbD7UECPWw/H", "", "")  # an empty ciphertext
@example("QVpZrbD7UECPWw/H", "a\\/b", "")  # an escape a parser reads as "/"
@example("QVpZrbD7UECPWw/H", "ab\x01", "")  # a control character a parser rejects
@example("QVpZrbD7UECPWw/H", "", '", "ct": "')  # the tail overlapping the middle
def test_text_at_the_fixed_offsets_splits_as_it_parses(nonce: str, ct: str, extra: str) -> None:
    """Text shaped like an envelope, with anything at the offsets (an altered row)."""
    for text in (
        f"{cc._HEAD}{nonce}{cc._MID}{ct}{cc._TAIL}{extra}",
        f"{cc._HEAD}{nonce}{cc._MID}{ct}{extra}{cc._TAIL}",
        f"{cc._HEAD}{nonce}{extra}{cc._MID}{ct}{cc._TAIL}",
        f"{cc._HEAD}{nonce}{cc._MID}{extra}",
    ):
        assert cc.split_envelope(text) == cc.parse_envelope(text), text


@_SETTINGS
@given(st.text(max_size=120))
def test_any_text_splits_as_it_parses(text: str) -> None:
    assert cc.split_envelope(text) == cc.parse_envelope(text)
    assert cc.split_envelope(cc._HEAD + text) == cc.parse_envelope(cc._HEAD + text)


# --- the reader over a real store -----------------------------------------------------------


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cc, "PAGE", 7)
    monkeypatch.setattr(cc, "AHEAD", 2)


def _setup(db: Database) -> dict[str, Actor]:
    with db.session() as s:
        org = auth.ensure_org(s, "acme", "Acme")
        return {
            name: Actor.of(auth.add_user(s, org, name, PASSWORD, role))
            for name, role in (
                ("ann", Role.CASE_OFFICER),
                ("bob", Role.CASE_OFFICER),
                ("rev", Role.REVIEWER),
            )
        }


def _cases(n: int = N) -> list[Case]:
    return [Case.model_validate_json(json.dumps(c)) for c in synthetic_caseload(n, 11)]


def _import(db: Database, actor: Actor, cases: list[Case]) -> None:
    with db.session() as s:
        bulk_import.import_batches(s, actor, cases, batch=50)


def _reference(db: Database, actor: Actor) -> pl.DataFrame:
    """The visible cases read one by one through the ORM and the case's own decryption."""
    with db.session() as s:
        recs = s.scalars(repo._visible(actor).order_by(CaseRecord.ref)).all()
        lines = [
            json.dumps(repo.current(s, r).data, ensure_ascii=False, separators=(",", ":")).encode()
            for r in recs
        ]
    return cc._frame(lines)


def _readers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "haven-stored-reader"]


def _bulk_reads(db: Database) -> int:
    with db.session() as s:
        return len(s.scalars(select(AuditEntry).where(AuditEntry.action == "case.bulk_read")).all())


@pytest.mark.usefixtures("small_pages")
def test_same_columns_and_rows_as_the_reference_read(db: Database) -> None:
    actors = _setup(db)
    _import(db, actors["ann"], _cases())
    with db.session() as s:  # one case created one by one, one edited, one shared with bob
        repo.create_case(
            s, actors["bob"], Case.model_validate_json(json.dumps(make_case("B-0001")))
        )
        mine = select(CaseRecord.ref).where(CaseRecord.created_by == actors["ann"].user_id)
        first = s.scalars(mine.order_by(CaseRecord.ref)).first()
        assert first is not None
        rec, version = repo.read_case(s, actors["ann"], first)
        edited = Case.model_validate_json(json.dumps({**version.data, "nationality": "IR"}))
        repo.update_case(s, actors["ann"], first, edited, rec.version)
        repo.share_case(s, actors["ann"], first, "bob")
    for who, count in (("ann", N), ("bob", 2), ("rev", N + 1)):
        actor = actors[who]
        with db.session() as s:
            got = pl.concat(list(cc.frames(s, actor, size=25)))
        want = _reference(db, actor)
        assert got.height == count
        assert got.schema == want.schema
        assert got.equals(want, null_equal=True), who
    assert _readers() == []


@pytest.mark.usefixtures("small_pages")
def test_stored_impact_gives_the_changed_cases_of_the_file_impact(
    db: Database, tmp_path: Path
) -> None:
    actors = _setup(db)
    cases = _cases()
    _import(db, actors["ann"], cases)
    file = tmp_path / "cases.jsonl"
    file.write_text("".join(c.model_dump_json() + "\n" for c in cases), encoding="utf-8")
    pack = load_pack(DEFAULT_PACK)
    from_file = ImpactStream(file, BEFORE, AFTER, pack, batch_size=30).collect()
    with db.session() as s:
        stream = cc.StoredImpactStream(s, actors["rev"], BEFORE, AFTER, pack, batch_size=30)
        stored = stream.collect()
    assert from_file.changed, "the dates must change some of these cases"
    got, want = stored.model_dump(mode="json"), from_file.model_dump(mode="json")
    got_changed, want_changed = got.pop("changed"), want.pop("changed")
    assert got == want  # counts, dates, packs
    assert sorted(got_changed, key=json.dumps) == sorted(want_changed, key=json.dumps)
    assert _bulk_reads(db) == 1 and _readers() == []


@pytest.mark.usefixtures("small_pages")
def test_a_read_cancelled_midway_stops_its_reader_and_keeps_nothing(db: Database) -> None:
    actors = _setup(db)
    _import(db, actors["ann"], _cases())
    seen: list[int] = []

    def cancel_after_first(n: int) -> None:
        seen.append(n)
        assert _readers(), "the reader runs while batches are handed out"
        raise Cancelled()

    pack = load_pack(DEFAULT_PACK)
    with db.session() as s:
        stream = cc.StoredImpactStream(
            s, actors["ann"], BEFORE, AFTER, pack, batch_size=10, on_batch=cancel_after_first
        )
        with pytest.raises(Cancelled):
            stream.collect()
    assert seen == [10]
    assert _readers() == []  # stopped and joined, not left reading ahead
    assert _bulk_reads(db) == 0  # no audited read: nothing was returned


@pytest.mark.usefixtures("small_pages")
def test_an_altered_row_fails_the_read_naming_it_and_stops_the_reader(db: Database) -> None:
    actors = _setup(db)
    _import(db, actors["ann"], _cases())
    with db.session() as s:
        refs = s.scalars(select(CaseRecord.ref).order_by(CaseRecord.ref)).all()
        victim, donor = refs[40], refs[41]  # a page or so in
        rv = s.scalar(select(CaseRecord).where(CaseRecord.ref == victim))
        rd = s.scalar(select(CaseRecord).where(CaseRecord.ref == donor))
        assert rv is not None and rd is not None
        donor_data = s.scalar(select(CaseVersion.data).where(CaseVersion.case_id == rd.id))
        s.execute(update(CaseVersion).where(CaseVersion.case_id == rv.id).values(data=donor_data))
    with db.session() as s, pytest.raises(CryptoError, match=f"case '{victim}' version 1"):
        list(cc.frames(s, actors["ann"], size=25))
    assert _readers() == []
