"""`haven audit list`, the real CLI: an organisation's auditor reads its entries and only its
own; the operator reads the entries of no organisation (which no user of an organisation may
see: sign-ins by unknown names, keys of an organisation no longer stored shredded); every
reading is itself recorded, a refusal too, and a mistake is exit 2 naming the option before
anything is read or recorded."""

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.cli_db import haven


def listed(*args: str, db: Path) -> dict[str, Any]:
    r = haven("audit", "list", *args, "--format", "json", db=db)
    assert r.returncode == 0, (r.stdout, r.stderr)
    found: dict[str, Any] = json.loads(r.stdout)
    return found


def entries(db: Path) -> list[tuple[int | None, str, str]]:
    with sqlite3.connect(db) as c:
        return list(c.execute("SELECT org_id, action, outcome FROM audit_log ORDER BY id"))


def _made(db: Path) -> Path:
    for name, role, org in (
        ("aud", "auditor", "acme"),
        ("olga", "case_officer", "acme"),
        ("other", "auditor", "beta"),
    ):
        r = haven("users", "add", name, "--role", role, "--org", org, db=db)
        assert r.returncode == 0, r.stderr
    # Keys of an organisation this database does not have, shredded: an entry of no organisation.
    assert haven("keys", "generate", "--org", "ghost", db=db).returncode == 0
    r = haven("keys", "shred", "--org", "ghost", "--yes", db=db)
    assert r.returncode == 0, r.stderr
    return db


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return _made(tmp_path / "h.db")


@pytest.fixture(scope="module")
def shared_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """For the mistakes, which change nothing: made once."""
    return _made(tmp_path_factory.mktemp("audit-list") / "h.db")


def test_an_auditor_reads_its_organisations_entries_and_only_those(db: Path) -> None:
    found = listed("--org", "acme", "--user", "aud", db=db)
    made = [e["detail"].get("username") for e in found["entries"] if e["action"] == "user.create"]
    assert sorted(made) == ["aud", "olga"]  # not beta's user, not the ghost's shredding
    assert {e["org"] for e in found["entries"]} == {"acme"}
    assert found["total"] == len(found["entries"]) == 2
    # The reading was recorded in acme's log, by aud, and the next reading shows it.
    again = listed("--org", "acme", "--user", "aud", "--action", "audit.", db=db)
    assert [(e["action"], e["user"], e["detail"]["returned"]) for e in again["entries"]] == [
        ("audit.read", "aud", 2)
    ]
    third = listed("--org", "acme", "--user", "aud", "--action", "audit.", db=db)
    assert third["entries"][0]["detail"] == {"returned": 1, "filter_action": "audit."}


def test_the_operator_reads_the_entries_of_no_organisation(db: Path) -> None:
    found = listed("--no-org", db=db)
    assert [(e["action"], e["detail"]["org"]) for e in found["entries"]] == [
        ("org.keys_shredded", "ghost")
    ]
    assert all(e["org"] is None for e in found["entries"])
    again = listed("--no-org", "--limit", "1", db=db)
    assert again["total"] == 2 and len(again["entries"]) == 1
    assert again["entries"][0]["action"] == "audit.read"
    assert again["entries"][0]["detail"] == {"returned": 1, "by": "cli"}
    # Neither shows in an organisation's list.
    acme = listed("--org", "acme", "--user", "aud", db=db)
    assert "org.keys_shredded" not in {e["action"] for e in acme["entries"]}
    assert haven("audit", "verify", db=db).returncode == 0


def test_a_role_that_may_not_read_the_log_is_refused_and_recorded(db: Path) -> None:
    r = haven("audit", "list", "--org", "acme", "--user", "olga", db=db)
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert "may not read the audit log" in r.stderr and "Traceback" not in r.stderr
    assert entries(db)[-1][1:] == ("audit.read", "denied")


@pytest.mark.parametrize(
    ("args", "named"),
    [
        ([], ["--org"]),
        (["--org", "acme"], ["--user"]),
        (["--no-org", "--org", "acme"], ["--no-org"]),
        (
            ["--org", "acme", "--user", "aud", "--outcome", "maybe", "--limit", "0"],
            ["--outcome", "--limit"],
        ),
        (["--no-org", "--since", "2020-13-01", "--until", "x"], ["--since", "--until"]),
        (["--no-org", "--since", "2020-02-01", "--until", "2020-01-01"], ["--until"]),
        (["--org", "nope", "--user", "aud"], ["--org"]),
        (["--org", "acme", "--user", "nobody"], ["--user"]),
    ],
)
def test_a_mistake_names_the_option_and_nothing_is_read_or_recorded(
    shared_db: Path, args: list[str], named: list[str]
) -> None:
    db = shared_db
    before = entries(db)
    r = haven("audit", "list", *args, db=db)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert all(f"{option}:" in r.stderr for option in named), r.stderr
    assert "Traceback" not in r.stderr and not r.stdout
    assert entries(db) == before


def test_a_mistyped_database_path_is_not_made(tmp_path: Path) -> None:
    r = haven(
        "audit", "list", "--no-org", "--db", f"sqlite:///{tmp_path}/typo.db", db=tmp_path / "h.db"
    )
    assert r.returncode == 2 and "--db" in r.stderr
    assert not (tmp_path / "typo.db").exists()
