"""`haven impact --from-pack A --to-pack B --on D` (issue 19): whose outcome would differ under
another pack on one date, grouped by claimed profile; over a file with both engines, and over
the stored caseload (`--org/--user`) on SQLite and PostgreSQL, with the same answer. The real
CLI, with the fictional example packs (tests/packs)."""

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.store.store_helpers import PASSWORD

PACKS = Path(__file__).resolve().parents[1] / "packs"
EXAMPLE, COMMON = PACKS / "example", PACKS / "example_common"
CASELOAD = EXAMPLE / "caseload.jsonl"
BETWEEN = ("--from-pack", str(EXAMPLE), "--to-pack", str(COMMON), "--on", "2017-06-01")


def _run(*args: str, url: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **({"HAVEN_DATABASE_URL": url} if url else {})}
    r = subprocess.run(
        [sys.executable, "-m", "haven", *args], capture_output=True, text=True, timeout=300, env=env
    )
    assert "Traceback" not in r.stderr, r.stderr
    return r


def _ok(*args: str, url: str | None = None) -> str:
    r = _run(*args, url=url)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_both_engines_agree_on_the_impact_between_packs() -> None:
    single = json.loads(_ok("impact", str(CASELOAD), *BETWEEN, "--engine", "single"))
    columnar = json.loads(_ok("impact", str(CASELOAD), *BETWEEN, "--engine", "columnar"))
    assert single == columnar
    assert single["policy_before"]["pack"] == "example"
    assert single["policy_after"]["pack"] == "example-common"
    assert single["from"] == single["to"] == "2017-06-01"
    assert [c["case_id"] for c in single["changed"]] == ["EX-AQ-1", "EX-AQ-3"]
    assert {c["profile"] for c in single["changed"]} == {"AQ:cartographer"}
    assert single["changed_by_profile"] == {"AQ:cartographer": 2}
    # In 2015 the common analysis is the more favourable one; the same cases differ.
    earlier = json.loads(_ok("impact", str(CASELOAD), *BETWEEN[:4], "--on", "2015-10-01"))
    assert [c["after"]["recommendation"] for c in earlier["changed"]] == [
        "protection_indicated",
        "protection_indicated",
    ]


def test_the_table_names_the_profiles() -> None:
    table = _ok("impact", str(CASELOAD), *BETWEEN, "--format", "table")
    assert "AQ:cartographer" in table and "example-common" in table


def test_bad_pack_options_are_named() -> None:
    r = _run("impact", str(CASELOAD), "--from-pack", "nosuch", "--to-pack", str(COMMON),
             "--on", "2017-06-01")  # fmt: skip
    assert r.returncode == 2 and "--from-pack" in r.stderr, r.stderr
    r = _run("impact", str(CASELOAD), *BETWEEN, "--from", "2017-01-01")
    assert r.returncode == 2 and "--from" in r.stderr, r.stderr
    r = _run("impact", str(CASELOAD), *BETWEEN, "--draft", str(COMMON))
    assert r.returncode == 2 and "--to-pack" in r.stderr, r.stderr
    # A tag the second pack does not know is named with its line, as for the first pack.
    r = _run("impact", str(CASELOAD), "--from-pack", str(EXAMPLE), "--to-pack", "nl",
             "--on", "2017-06-01", "--engine", "columnar")  # fmt: skip
    assert r.returncode == 2 and "line 1: profile.tags[0]" in r.stderr, r.stderr


def test_the_stored_caseload_gives_the_same_impact_between_packs(db_url: str) -> None:
    _ok("users", "add", "ann", "--role", "case_officer", "--org", "alpha", "--password",
        PASSWORD, url=db_url)  # fmt: skip
    _ok("cases", "import", str(CASELOAD), "--org", "alpha", "--user", "ann", "--pack",
        str(EXAMPLE), url=db_url)  # fmt: skip
    from_file = _ok("impact", str(CASELOAD), *BETWEEN, "--engine", "columnar")
    stored = _ok("impact", "--org", "alpha", "--user", "ann", *BETWEEN, url=db_url)
    assert stored == from_file


def test_a_work_queue_preview_between_packs() -> None:
    out = json.loads(_ok("queue", "preview", str(CASELOAD), "--from", "2015-10-01", "--to",
                         "2015-10-01", "--pack", str(EXAMPLE), "--to-pack", str(COMMON)))  # fmt: skip
    assert [i["case_id"] for i in out["items"]] == ["EX-AQ-1"]  # the refused one improves
    # It was refused on 2015-09-20. Compared on a date before that, it is left out: its
    # refusal was decided under the policy of a later day, which that comparison does not
    # concern.
    assert out["decided_after_change"]["count"] == 0
    later = json.loads(_ok("queue", "preview", str(CASELOAD), "--from", "2015-09-01", "--to",
                           "2015-09-01", "--pack", str(EXAMPLE), "--to-pack", str(COMMON)))  # fmt: skip
    assert later["items"] == [] and later["decided_after_change"]["cases"] == ["EX-AQ-1"]
    assert "decided after 2015-09-01" in later["decided_after_change"]["message"]
