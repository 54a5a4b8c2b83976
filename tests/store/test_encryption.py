"""Encryption at rest (docs/security.md): the stored rows hold no case content in the clear,
what goes in comes out unchanged, altered or moved ciphertext is refused with a clear error,
keys rotate while the API serves, and shredding makes content unreadable. SQLite and PostgreSQL.
"""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text, update

from haven.store import crypto, datakeys, keyops
from haven.store.db import Database
from haven.store.keys import ENV_FILE, ENV_KEYS, KeyConfigError, KeyRing, ring_for
from haven.store.models import (
    CaseKey,
    CaseRecord,
    CaseVersion,
    Organisation,
    StoredAssessment,
)
from tests.store.store_helpers import Api, make_case, rows_as_text

HAVEN = [sys.executable, "-m", "haven"]

# Facts of the case below that must never reach the database in the clear. Quoted or with
# characters outside base64, so that they cannot occur in a ciphertext by chance.
BIRTH = "1979-03-14"
SECRETS = [BIRTH, '"sogi"', '"gay"', '"birth_date"', "RU-MOW", "sought_protection", '"threat"']


@pytest.fixture(autouse=True)
def _own_key_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A key file per test: rotation and shredding here must not touch other tests' keys."""
    monkeypatch.setenv(ENV_FILE, str(tmp_path / "keys.json"))


def _case(ref: str) -> dict[str, Any]:
    case = make_case(ref)
    case["profile"] = {**case["profile"], "birth_date": BIRTH}
    return case


def _sqlite_bytes(db: Database) -> bytes:
    path = Path(db.url.removeprefix("sqlite:///"))
    return b"".join(
        Path(f"{path}{s}").read_bytes() for s in ("", "-wal") if Path(f"{path}{s}").exists()
    )


def _error(r: Any) -> str:
    assert r.status_code == 500, r.text
    message: str = r.json()["error"]["message"]
    assert "Traceback" not in r.text
    return message


def test_stored_rows_hold_no_case_content_in_the_clear(api: Api) -> None:
    case = _case("NL-ENC-1")
    api.create("officer", case)
    edited = {**case, "region": "RU-MOW"}
    r = api.put("/cases/NL-ENC-1", "officer", edited, headers={"If-Match": '"1"'})
    assert r.status_code == 200
    r = api.post("/cases/NL-ENC-1/assessments", "officer", {"as_of": "2015-10-01"})
    assert r.status_code == 201
    assessment = r.json()["assessment"]

    # What goes in comes out unchanged, through every read path.
    assert api.get("/cases/NL-ENC-1", "officer").json()["case"] == edited
    assert [v["case"] for v in api.get("/cases/NL-ENC-1/versions", "officer").json()] == [
        case,
        edited,
    ]
    stored = api.get("/cases/NL-ENC-1/assessments", "officer").json()
    assert [a["assessment"] for a in stored] == [assessment]
    stateless = api.post("/assessments", "officer", {"case": edited, "as_of": "2015-10-01"})
    assert stateless.json() == assessment

    # ... and the database holds envelopes only.
    dump = rows_as_text(api.db)
    for secret in SECRETS:
        assert secret not in dump, f"{secret} stored in the clear"
    with api.db.session() as s:
        rows = [v.data for v in s.scalars(select(CaseVersion))]
        rows += [a.result for a in s.scalars(select(StoredAssessment))]
    assert len(rows) == 3
    assert all(crypto.is_envelope(r) and r["kid"] == datakeys.CASE_KID for r in rows)
    if api.db.url.startswith("sqlite"):
        raw = _sqlite_bytes(api.db)
        assert b"NL-ENC-1" in raw  # the file is readable: the reference is not encrypted
        for secret in SECRETS:
            assert secret.encode() not in raw, f"{secret} in the database file"


def _set_data(db: Database, ref: str, version: int, data: Any) -> None:
    with db.session() as s:
        case_id = s.scalar(select(CaseRecord.id).where(CaseRecord.ref == ref))
        s.execute(
            update(CaseVersion)
            .where(CaseVersion.case_id == case_id, CaseVersion.version == version)
            .values(data=data)
        )


def _raw(db: Database, ref: str, version: int = 1) -> dict[str, Any]:
    with db.engine.connect() as conn:
        row = conn.execute(
            select(CaseVersion.data)
            .join(CaseRecord, CaseRecord.id == CaseVersion.case_id)
            .where(CaseRecord.ref == ref, CaseVersion.version == version)
        ).scalar_one()
    assert crypto.is_envelope(row)
    return dict(row)


def test_altered_ciphertext_is_refused_with_a_clear_error(api: Api) -> None:
    api.create("officer", _case("NL-A"))
    api.create("officer", _case("NL-B"))
    envelope = _raw(api.db, "NL-A")
    ct = crypto.unb64(envelope["ct"], "ct")
    flipped = bytes([ct[0] ^ 1]) + ct[1:]
    _set_data(api.db, "NL-A", 1, {**envelope, "ct": crypto.b64(flipped)})
    message = _error(api.get("/cases/NL-A", "officer"))
    assert "case 'NL-A' version 1: stored content failed authentication" in message
    assert BIRTH not in message
    assert api.get("/cases/NL-B", "officer").status_code == 200  # other cases unaffected

    # Plaintext written around Haven into an encrypted case is refused too.
    _set_data(api.db, "NL-A", 1, _case("NL-A"))
    assert "stored unencrypted in an encrypted case" in _error(api.get("/cases/NL-A", "officer"))


def test_rows_moved_between_cases_or_versions_are_refused(api: Api) -> None:
    api.create("officer", _case("NL-A"))
    api.create("officer", _case("NL-B"))
    r = api.put("/cases/NL-B", "officer", _case("NL-B"), headers={"If-Match": '"1"'})
    assert r.status_code == 200
    # Another case's row: sealed under that case's data key and bound to its id.
    _set_data(api.db, "NL-B", 2, _raw(api.db, "NL-A"))
    assert "case 'NL-B' version 2: stored content failed" in _error(
        api.get("/cases/NL-B", "officer")
    )
    # The same case's older version, copied over the current one: bound to its version.
    _set_data(api.db, "NL-B", 2, _raw(api.db, "NL-B", 1))
    assert "version 2: stored content failed" in _error(api.get("/cases/NL-B", "officer"))

    # Assessments are bound to their case version, date and pack.
    for day in ("2015-06-01", "2015-10-01"):
        assert api.post("/cases/NL-A/assessments", "officer", {"as_of": day}).status_code == 201
    with api.db.session() as s:
        first, second = s.scalars(select(StoredAssessment).order_by(StoredAssessment.id))
        s.execute(
            update(StoredAssessment)
            .where(StoredAssessment.id == second.id)
            .values(result=first.result)
        )
    assert "failed authentication" in _error(api.get("/cases/NL-A/assessments", "officer"))

    # A data key moved to another case does not open there either.
    with api.db.session() as s:
        ids = {ref: id_ for ref, id_ in s.execute(select(CaseRecord.ref, CaseRecord.id))}
        wrapped = s.get(CaseKey, ids["NL-A"])
        assert wrapped is not None
        s.execute(
            update(CaseKey).where(CaseKey.case_id == ids["NL-B"]).values(wrapped=wrapped.wrapped)
        )
    assert "data key of case 'NL-B'" in _error(api.get("/cases/NL-B", "officer"))


def test_a_missing_key_is_a_clear_error_naming_it(
    api: Api, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    api.create("officer", _case("NL-A"))
    with api.db.session() as s:
        kid = s.scalars(select(CaseKey.kid)).one()
    monkeypatch.setenv(ENV_FILE, str(tmp_path / "elsewhere.json"))  # the wrong key file
    message = _error(api.get("/cases/NL-A", "officer"))
    assert f"key {kid!r} of organisation 'acme' is not configured" in message
    assert "elsewhere" not in message  # no server paths in API answers
    # No key source at all (PostgreSQL has no default key file).
    monkeypatch.delenv(ENV_FILE)
    if not api.db.url.startswith("sqlite"):
        message = _error(api.post("/cases", "officer", _case("NL-C")))
        assert f"no encryption keys configured: set {ENV_FILE}" in message


def test_the_cli_names_a_missing_key_without_a_traceback(api: Api, tmp_path: Path) -> None:
    api.create("officer", _case("NL-A"))
    env = {**os.environ, "HAVEN_DATABASE_URL": api.db.url, ENV_FILE: str(tmp_path / "none.json")}
    r = subprocess.run(
        [*HAVEN, "cases", "export", "--org", "acme", "--user", "officer"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 1
    assert "of organisation 'acme' is not configured" in r.stderr
    assert "Traceback" not in r.stderr and BIRTH not in r.stdout


# Small batches with pauses, so that the rotation takes seconds and the reader meets it halfway.
SLOW_ROTATION = ["--batch", "4", "--pause", "0.1", "--grace", "0.5"]


def _bulk(api: Api, org: str, user: str, n: int) -> list[dict[str, Any]]:
    from haven.cases import Case
    from haven.store import repo

    cases = [_case(f"BULK-{org}-{i:03}") for i in range(n)]
    with api.db.session() as s:
        actor = repo.actor_by_name(s, org, user)
        repo.import_cases(s, actor, [Case.model_validate_json(json.dumps(c)) for c in cases])
    return cases


def test_rotation_keeps_the_api_serving_and_retires_the_old_key(api: Api) -> None:
    cases = _bulk(api, "acme", "officer", 60)
    kr = ring_for(api.db.url)
    (old,) = kr.keys("acme")
    env = {**os.environ, "HAVEN_DATABASE_URL": api.db.url}
    rotation = subprocess.Popen(
        [*HAVEN, "keys", "rotate", "--org", "acme", *SLOW_ROTATION],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    reads, mixed, created = 0, False, 0
    failures: list[str] = []
    while rotation.poll() is None:
        case = cases[reads % len(cases)]
        r = api.get(f"/cases/{case['id']}", "officer")
        if r.status_code != 200 or r.json()["case"] != case:
            failures.append(r.text)
        reads += 1
        if reads % 10 == 0:  # writes go on too: new cases get data keys during the rotation
            api.create("officer", _case(f"NEW-{created}"))
            created += 1
        with api.db.session() as s:
            mixed |= len(set(s.scalars(select(CaseKey.kid)))) > 1
    out, err = rotation.communicate()
    assert rotation.returncode == 0, err
    assert failures == []
    assert mixed, "the reader saw data keys under both organisation keys"
    assert reads >= 20 and created >= 2
    (new,) = kr.keys("acme")  # the old key is gone from the key file
    assert new.kid != old.kid and f"retired {old.kid}" in out
    with api.db.session() as s:
        assert set(s.scalars(select(CaseKey.kid))) == {new.kid}
    for case in cases[:5] + [_case(f"NEW-{i}") for i in range(created)]:
        assert api.get(f"/cases/{case['id']}", "officer").json()["case"] == case


def test_a_shredded_case_is_unreadable_and_other_cases_are_fine(api: Api) -> None:
    for ref in ("NL-A", "NL-B"):
        api.create("officer", _case(ref))
        assert api.post(f"/cases/{ref}/assessments", "officer").status_code == 201
    with api.db.session() as s:
        rec = s.scalars(select(CaseRecord).where(CaseRecord.ref == "NL-A")).one()
        backup = (s.get(CaseKey, rec.id), _raw(api.db, "NL-A"))  # as a backup would hold them
        assert backup[0] is not None
        s.expunge_all()
    env = {**os.environ, "HAVEN_DATABASE_URL": api.db.url}
    cmd = [*HAVEN, "cases", "shred", "NL-A", "--org", "acme", "--reason", "retention: 5 years"]
    r = subprocess.run([*cmd, "--user", "officer"], env=env, capture_output=True, text=True)
    assert r.returncode == 1 and "only an admin may shred cases" in r.stderr
    r = subprocess.run([*cmd, "--user", "admin"], env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr

    assert api.get("/cases/NL-A", "officer").status_code == 404
    assert api.get("/cases/NL-B", "officer").json()["case"] == _case("NL-B")
    assert len(api.get("/cases/NL-B/assessments", "officer").json()) == 1
    with api.db.session() as s:
        assert s.get(CaseKey, rec.id) is None
        assert s.scalars(select(CaseVersion).where(CaseVersion.case_id == rec.id)).all() == []
    shred = [e for e in api.audit() if e["action"] == "case.shred"]
    assert {(e["case"], e["outcome"], e["detail"]["reason"]) for e in shred} == {
        ("NL-A", "denied", "only an admin may shred cases, not role case_officer"),
        ("NL-A", "ok", "retention: 5 years"),
    }
    if api.db.url.startswith("sqlite"):  # no copy of the data key is left in the files
        assert backup[0].wrapped.encode() not in _sqlite_bytes(api.db)

    # A copy that survived elsewhere (a backup) opens only with the organisation key that
    # sealed its data key; rotating retires that key, and then nothing opens it.
    keyops.rotate(api.db, "acme", grace=0)
    with api.db.session() as s, pytest.raises(crypto.CryptoError, match="is not configured"):
        datakeys.unwrap(s, rec, backup[0])
    assert api.get("/cases/NL-B", "officer").status_code == 200


def test_shredding_an_organisations_keys_makes_its_content_unreadable(api: Api) -> None:
    api.create("officer", _case("NL-A"))
    api.create("x.officer", _case("NL-X"))
    env = {**os.environ, "HAVEN_DATABASE_URL": api.db.url}
    r = subprocess.run(
        [*HAVEN, "keys", "shred", "--org", "other", "--db", api.db.url, "--yes"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr
    assert "of organisation 'other' is not configured" in _error(
        api.get("/cases/NL-X", "x.officer")
    )
    assert api.get("/cases/NL-A", "officer").json()["case"] == _case("NL-A")
    with api.db.session() as s:
        logged = s.execute(
            text("SELECT action, detail FROM audit_log WHERE action = 'org.keys_shredded'")
        ).all()
    assert len(logged) == 1


def test_cases_stored_before_encryption_are_read_and_then_encrypted(api: Api) -> None:
    """A database from before encryption: plaintext rows read as they are; rotation (or the
    first edit) encrypts every row of the case."""
    api.create("officer", _case("NL-OLD"))
    with api.db.session() as s:  # turn it back into a pre-encryption case
        rec = s.scalars(select(CaseRecord).where(CaseRecord.ref == "NL-OLD")).one()
        s.execute(
            update(CaseVersion).where(CaseVersion.case_id == rec.id).values(data=_case("NL-OLD"))
        )
        s.delete(s.get(CaseKey, rec.id))
    assert api.get("/cases/NL-OLD", "officer").json()["case"] == _case("NL-OLD")
    assert keyops.status(api.db)["acme"] == {"unencrypted": 1}
    report = keyops.rotate(api.db, "acme", grace=0)
    assert report.encrypted_cases == 1
    assert crypto.is_envelope(_raw(api.db, "NL-OLD"))
    assert api.get("/cases/NL-OLD", "officer").json()["case"] == _case("NL-OLD")
    assert BIRTH not in rows_as_text(api.db)


# --- the key file -------------------------------------------------------------------------


def test_key_file_is_private_validated_and_shared_safely(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    kr = KeyRing(path)
    first = kr.add("acme")
    assert path.stat().st_mode & 0o777 == 0o600
    assert json.loads(path.read_text())["orgs"]["acme"][0]["id"] == first.kid

    # Several processes adding keys at once lose none (file lock, atomic replace).
    code = (
        "import sys; from pathlib import Path; from haven.store.keys import KeyRing; "
        "KeyRing(Path(sys.argv[1])).add('acme')"
    )
    procs = [subprocess.Popen([sys.executable, "-c", code, str(path)]) for _ in range(6)]
    assert [p.wait(timeout=60) for p in procs] == [0] * 6
    assert len(KeyRing(path).keys("acme")) == 7
    assert kr.keys("acme")[-1] == first  # a running process sees the new file

    path.chmod(0o644)
    with pytest.raises(KeyConfigError, match="accessible to other users"):
        KeyRing(path).keys("acme")
    path.write_text('{"format": 1, "orgs": {"acme": [{"id": "k1", "key": "c2hvcnQ="}]}}')
    path.chmod(0o600)
    with pytest.raises(KeyConfigError, match=r"orgs.acme\[0\].key: expected 32 bytes, got 5"):
        KeyRing(path).keys("acme")


def test_keys_from_the_environment_are_read_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    r = subprocess.run(
        [*HAVEN, "keys", "generate", "--org", "acme", "--stdout"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 0, r.stderr
    monkeypatch.setenv(ENV_KEYS, r.stdout)
    kr = ring_for(f"sqlite:///{tmp_path / 'x.db'}")
    assert kr.where == ENV_KEYS and len(kr.keys("acme")) == 1
    with pytest.raises(KeyConfigError, match="read-only"):
        kr.add("acme")
    with pytest.raises(crypto.CryptoError, match="has no encryption key"):
        kr.primary("other", create=True)


def test_sqlite_keys_default_to_an_owner_only_file_beside_the_database(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in (ENV_FILE, ENV_KEYS)}
    env["HAVEN_DATABASE_URL"] = f"sqlite:///{tmp_path / 'h.db'}"
    env["HAVEN_PASSWORD"] = "long enough password"
    (tmp_path / "c.json").write_text(json.dumps(_case("NL-1")))
    for cmd in (
        ["users", "add", "olga", "--role", "case_officer", "--org", "ngo"],
        ["cases", "import", str(tmp_path / "c.json"), "--org", "ngo", "--user", "olga"],
    ):
        r = subprocess.run([*HAVEN, *cmd], env=env, capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
    keys = tmp_path / "h.db.keys.json"
    assert keys.stat().st_mode & 0o777 == 0o600
    assert list(json.loads(keys.read_text())["orgs"]) == ["ngo"]
    db = Database(env["HAVEN_DATABASE_URL"])
    try:
        with db.session() as s:
            assert s.scalar(select(Organisation.slug)) == "ngo"
        assert BIRTH.encode() not in _sqlite_bytes(db)
    finally:
        db.engine.dispose()


def test_processes_racing_to_make_an_organisations_first_key_make_one(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    code = (
        "import sys; from pathlib import Path; from haven.store.keys import KeyRing; "
        "print(KeyRing(Path(sys.argv[1])).primary('acme', create=True).kid)"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", code, str(path)], stdout=subprocess.PIPE, text=True)
        for _ in range(6)
    ]
    kids = {p.communicate(timeout=60)[0].strip() for p in procs}
    assert len(kids) == 1
    assert [k.kid for k in KeyRing(path).keys("acme")] == list(kids)
