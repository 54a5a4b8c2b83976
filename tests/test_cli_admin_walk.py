"""The real CLI's admin commands (users, keys, serve, demo) with an operator's mistakes, as a
QA walk found them: each mistake is refused with exit 2 naming the option, before anything is
stored or served, and every account change is audited."""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher

from tests.cli_db import haven

HAVEN = [sys.executable, "-m", "haven"]


@pytest.mark.parametrize(
    "args",
    [
        ["serve", "--port", "70000"],  # served on 4464 (70000 mod 65536), announced as 70000
        ["serve", "--port", "0"],
        ["demo", "--port", "65536", "--out", "x"],  # the demo built, then no server or another
        ["demo", "--no-serve", "--port", "-1", "--out", "x"],
    ],
)
def test_a_port_that_cannot_be_one_is_refused_before_anything_is_done(
    args: list[str], tmp_path: Path
) -> None:
    r = haven(*args, db=tmp_path / "x.db")
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert "--port" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "x").exists() and not (tmp_path / "x.db").exists()


def _audit(db: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(db) as c:
        return list(c.execute("SELECT action, detail FROM audit_log ORDER BY id"))


def test_an_account_made_on_the_cli_is_audited(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    r = haven("users", "add", "boss", "--org", "acme", db=db)
    assert r.returncode == 0, r.stderr
    r = haven("users", "add", "olga", "--role", "case_officer", "--org", "acme", db=db)
    assert r.returncode == 0, r.stderr
    created = [d for a, d in _audit(db) if a == "user.create"]
    assert len(created) == 2, _audit(db)
    assert '"olga"' in created[1] and '"case_officer"' in created[1] and '"cli"' in created[1]
    assert haven("audit", "verify", db=db).returncode == 0


def test_a_password_sign_in_would_refuse_is_not_set(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    assert haven("users", "add", "boss", "--org", "acme", db=db).returncode == 0
    long = "p" * 1025  # the API's sign-in takes at most 1024 characters
    for args in (["add", "olga"], ["password", "boss"]):
        r = haven("users", *args, "--org", "acme", "--password", long, db=db)
        assert r.returncode == 2, (args, r.stderr)
        assert "password: longer than 1024 characters" in r.stderr
    with sqlite3.connect(db) as c:
        assert [n for (n,) in c.execute("SELECT username FROM users")] == ["boss"]
    assert [a for a, _ in _audit(db)] == ["user.create"]


def test_a_blank_password_is_not_set_and_spaces_are_kept(tmp_path: Path) -> None:
    """`--password` of spaces only was stored (the web forms refused it, stripped to nothing):
    one rule now (haven/store/auth.py), refused naming the field, nothing stored. A password
    with surrounding spaces is kept as given, as the API and now the web forms keep it."""
    db = tmp_path / "x.db"
    assert haven("users", "add", "boss", "--org", "acme", db=db).returncode == 0
    for args in (["add", "olga"], ["password", "boss"]):
        r = haven("users", *args, "--org", "acme", "--password", " \t" * 8, db=db)
        assert r.returncode == 2, (args, r.stderr)
        assert "password: must not be empty or only spaces" in r.stderr
    with sqlite3.connect(db) as c:
        assert [n for (n,) in c.execute("SELECT username FROM users")] == ["boss"]
    assert [a for a, _ in _audit(db)] == ["user.create"]
    spaced = "  a passphrase with spaces  "
    r = haven("users", "password", "boss", "--org", "acme", "--password", spaced, db=db)
    assert r.returncode == 0, r.stderr
    with sqlite3.connect(db) as c:
        [(stored,)] = c.execute("SELECT password_hash FROM users")
    assert PasswordHasher().verify(stored, spaced)


def _key_orgs(db: Path) -> set[str]:
    keys = db.parent / "keys.json"
    return set(json.loads(keys.read_text())) if keys.exists() else set()


@pytest.mark.parametrize("slug", ["", "a b", "a\x01b", "o" * 65])
def test_no_key_is_made_for_a_slug_no_organisation_can_have(slug: str, tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    for more in ([], ["--stdout"]):
        r = haven("keys", "generate", "--org", "acme", "--org", slug, *more, db=db)
        assert r.returncode == 2, (more, r.stdout, r.stderr)
        assert "--org: must be 1 to 64 characters" in r.stderr and "hvn" not in r.stdout
    assert _key_orgs(db) == set()  # not even acme's: all or nothing


def test_rotating_an_organisation_that_does_not_exist_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    assert haven("users", "add", "boss", "--org", "acme", db=db).returncode == 0
    assert haven("keys", "generate", "--org", "acme", db=db).returncode == 0
    before = (tmp_path / "keys.json").read_text()
    r = haven("keys", "rotate", "--org", "acme", "--org", "acm", "--grace", "0", db=db)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert "--org: no organisation 'acm'" in r.stderr and "new key" not in r.stdout
    assert (tmp_path / "keys.json").read_text() == before  # acme not rotated either
    r = haven("keys", "rotate", "--org", "acme", "--grace", "0", db=db)
    assert r.returncode == 0 and "acme: new key" in r.stdout, r.stderr


def test_a_file_that_is_not_a_database_is_named_not_an_internal_error(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    caseload = tmp_path / "cases.jsonl"
    caseload.write_text('{"id": "A-1"}\n')
    url = f"sqlite:///{caseload}"
    for args in (
        ["audit", "verify", "--db", url],
        ["backup", str(tmp_path / "b.gz"), "--db", url],
        ["restore", str(caseload), "--db", url],
        ["keys", "status", "--db", url],
        ["keys", "status", "--db", f"sqlite:///{tmp_path}"],
    ):
        r = haven(*args, db=db)
        assert r.returncode == 2, (args, r.stderr)
        assert "  --db: " in r.stderr and "internal error" not in r.stderr, (args, r.stderr)
    r = subprocess.run(
        [*HAVEN, "users", "list"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "HAVEN_DATABASE_URL": url},
        check=False,
    )
    assert r.returncode == 2 and "  HAVEN_DATABASE_URL: " in r.stderr, r.stderr
    assert caseload.read_text() == '{"id": "A-1"}\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cases.jsonl"]


def test_reading_a_database_that_is_not_there_makes_no_empty_one(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    missing = tmp_path / "typo" / "haven.db"
    for args in (
        ["audit", "verify", "--db", f"sqlite:///{missing}"],
        ["backup", str(tmp_path / "b.gz"), "--db", f"sqlite:///{missing}"],
        ["keys", "status", "--db", f"sqlite:///{missing}"],  # made typo/haven.db
        ["audit", "verify"],  # HAVEN_DATABASE_URL: x.db, not there
        ["keys", "status"],
    ):
        r = haven(*args, db=db)
        assert r.returncode == 2, (args, r.stderr)
        assert "there is no database file" in r.stderr, (args, r.stderr)
    assert list(tmp_path.iterdir()) == []  # no empty database, no folder, no backup


def test_a_database_file_that_cannot_be_made_is_named(tmp_path: Path) -> None:
    backup = tmp_path / "b.gz"
    db = tmp_path / "x.db"
    assert haven("users", "add", "boss", "--org", "acme", db=db).returncode == 0
    assert haven("backup", str(backup), db=db).returncode == 0
    # No folder can be made in /proc: was `internal error: FileNotFoundError`.
    r = haven("restore", str(backup), "--db", "sqlite:////proc/no-such-haven/y.db", db=db)
    assert r.returncode == 2, r.stderr
    assert "cannot create /proc/no-such-haven/y.db" in r.stderr
    assert "internal error" not in r.stderr


def test_an_unknown_organisation_user_or_token_is_an_input_error(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    assert haven("users", "add", "boss", "--org", "acme", db=db).returncode == 0
    for args, said in (
        (["list", "--org", "acne"], "  --org: no organisation 'acne'"),
        (["list", "--org", "o" * 5000], "  --org: no organisation '" + "o" * 64 + "'\n"),
        (["disable", "nobody", "--org", "acme"], "  USERNAME: no user 'nobody'"),
        (["revoke", "boss", "--token", "999", "--org", "acme"], "  --token: no token 999"),
        (["hand-over", "boss", "--to", "nobody", "--org", "acme"], "  --to: no user 'nobody'"),
        (["password", "boss", "--password", "short", "--org", "acme"], "  --password: must be"),
    ):
        r = haven("users", *args, db=db)
        assert r.returncode == 2, (args, r.stderr)  # exit 2, as `haven cases` for an unknown --user
        assert said in r.stderr, (args, r.stderr)


def test_a_very_long_org_or_user_is_not_echoed_in_full(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    assert haven("users", "add", "boss", "--org", "acme", db=db).returncode == 0
    long = "o" * 5000
    for org, user, said in ((long, "boss", "--org"), ("acme", long, "--user")):
        for args in (
            ["cases", "export", "--org", org, "--user", user],
            ["cases", "shred", "X-1", "--org", org, "--user", user, "--reason", "retention"],
        ):
            r = haven(*args, db=db)
            assert r.returncode == 2 and f"  {said}: no " in r.stderr, (args, r.stderr)
            assert "o" * 65 not in r.stderr, args


def test_the_last_active_admin_is_kept(tmp_path: Path) -> None:
    """From the CLI an operator could demote or disable an organisation's only admin, leaving
    no one to manage its accounts in the web app or the API (which already refuse it, an admin
    not changing their own account). Refused (exit 1, a conflict, nothing changed and nothing
    logged) until there is another active admin."""
    db = tmp_path / "x.db"
    assert haven("users", "add", "boss", "--org", "acme", db=db).returncode == 0
    for args in (["role", "boss", "reviewer"], ["disable", "boss"]):
        r = haven("users", *args, "--org", "acme", db=db)
        assert r.returncode == 1, (args, r.stderr)
        assert "last active admin" in r.stderr and "Traceback" not in r.stderr
    with sqlite3.connect(db) as c:
        assert list(c.execute("SELECT role, active FROM users")) == [("admin", 1)]
    assert [a for a, _ in _audit(db)] == ["user.create"]
    # With a second admin, either may go.
    assert haven("users", "add", "boss2", "--org", "acme", db=db).returncode == 0
    r = haven("users", "role", "boss", "reviewer", "--org", "acme", db=db)
    assert r.returncode == 0, r.stderr
    assert haven("users", "disable", "boss2", "--org", "acme", db=db).returncode == 1


def test_a_backup_does_not_replace_an_existing_file_unless_forced(tmp_path: Path) -> None:
    """`haven backup OUT` replaced an existing file without a word: an earlier backup, perhaps
    the only good one, was gone. Refused (exit 2 naming OUT) unless --force is given."""
    db = tmp_path / "x.db"
    backup = tmp_path / "b.gz"
    assert haven("users", "add", "boss", "--org", "acme", db=db).returncode == 0
    assert haven("backup", str(backup), db=db).returncode == 0
    earlier = backup.read_bytes()
    assert haven("users", "add", "olga", "--org", "acme", db=db).returncode == 0
    r = haven("backup", str(backup), db=db)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert f"  OUT: {backup} already exists; choose another name or pass --force" in r.stderr
    assert backup.read_bytes() == earlier and "backed up" not in r.stdout
    r = haven("backup", str(backup), "--force", db=db)
    assert r.returncode == 0 and "backed up" in r.stdout, r.stderr
    assert backup.read_bytes() != earlier
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("b.gz")) == ["b.gz"]


def test_users_errors_name_what_the_operator_typed(tmp_path: Path) -> None:
    """`haven users add` named the store's fields (`username: …`, `org: …`), which the command
    line does not have; every error now names the argument or option as typed (USERNAME,
    --org, --password), a conflict too, and bad names are refused before a database is made."""
    db = tmp_path / "x.db"
    r = haven("users", "add", "two words", "--org", "a\x1bb", db=db)
    assert r.returncode == 2, r.stderr
    assert "\n  USERNAME: must be 1 to 64 characters" in r.stderr
    assert "\n  --org: must be 1 to 64 characters" in r.stderr
    assert not db.exists()
    assert haven("users", "add", "boss", "--org", "acme", db=db).returncode == 0
    for args, code, said in (
        (["add", "Boss", "--org", "other"], 1, "error: USERNAME: this username cannot be used"),
        (["add", "olga", "--org", "acme", "--password", "short"], 2, "  --password: must be"),
        (["role", "boss", "reviewer", "--org", "acme"], 1, "error: USERNAME: 'boss' is the"),
        (["enable", "", "--org", "acme"], 2, "  USERNAME: no user ''"),
    ):
        r = haven("users", *args, db=db)
        assert r.returncode == code, (args, r.stderr)
        assert said in r.stderr, (args, r.stderr)
        assert "username:" not in r.stderr and "  org:" not in r.stderr, (args, r.stderr)
    assert [a for a, _ in _audit(db)] == ["user.create"]


def _shreds(db: Path) -> list[tuple[int | None, dict[str, Any]]]:
    with sqlite3.connect(db) as c:
        rows = c.execute("SELECT org_id, detail FROM audit_log WHERE action = 'org.keys_shredded'")
        return [(org, json.loads(detail)) for org, detail in rows]


def test_every_shredding_of_keys_is_recorded_and_nothing_else_is(tmp_path: Path) -> None:
    """Destroying an organisation's keys is the erasure of its content: an auditor must find
    each one in the audit log, and only real ones. A QA walk found keys of a slug the database
    has no organisation for (left from one no longer stored) shredded without a record; the
    shredding of a stored organisation recorded outside its chain (its auditors never saw it);
    and a slug without keys recorded as shredded (with no keys) although the command failed."""
    db = tmp_path / "x.db"
    keys = tmp_path / "keys.json"
    assert haven("users", "add", "boss", "--org", "acme", db=db).returncode == 0
    assert haven("keys", "generate", "--org", "acme", "--org", "gone", db=db).returncode == 0
    before = keys.read_bytes()
    # No such organisation and no keys: an input error naming --org; nothing done or recorded.
    for slug in ("acne", "nope"):
        r = haven("keys", "shred", "--org", slug, "--yes", db=db)
        assert r.returncode == 2, r.stderr
        assert f"  --org: no organisation {slug!r} and no keys of it in key file" in r.stderr
        assert "nothing was shredded" in r.stderr
    assert keys.read_bytes() == before and _shreds(db) == []
    # Keys of a slug with no organisation here: destroyed, and recorded (no organisation's chain).
    r = haven("keys", "shred", "--org", "gone", "--yes", db=db)
    assert r.returncode == 0, r.stderr
    assert "destroyed 1 keys of 'gone'" in r.stdout and "no organisation 'gone'" in r.stdout
    assert "gone" not in json.loads(keys.read_text())
    # A stored organisation's: recorded in its own chain, where its auditors look.
    r = haven("keys", "shred", "--org", "acme", "--yes", db=db)
    assert r.returncode == 0 and "destroyed 1 keys of 'acme'" in r.stdout, r.stderr
    with sqlite3.connect(db) as c:
        (acme,) = c.execute("SELECT id FROM organisations WHERE slug = 'acme'").fetchone()
    shreds = _shreds(db)
    assert [(org, d["org"], len(d["keys"])) for org, d in shreds] == [
        (None, "gone", 1),
        (acme, "acme", 1),
    ], shreds
    # Shredded already: nothing left to destroy, nothing recorded.
    r = haven("keys", "shred", "--org", "acme", "--yes", db=db)
    assert r.returncode == 2 and "  --org: organisation 'acme' has no keys in" in r.stderr
    assert len(_shreds(db)) == 2
    # A database that is not there is not made to record it in.
    missing = f"sqlite:///{tmp_path / 'typo.db'}"
    r = haven("keys", "shred", "--org", "acme", "--yes", "--db", missing, db=db)
    assert r.returncode == 2 and "  --db: there is no database file" in r.stderr, r.stderr
    assert not (tmp_path / "typo.db").exists()
    assert haven("audit", "verify", db=db).returncode == 0
