"""`haven policy diff`: what was added, ended or changed between two dates."""

import json
import subprocess
import sys
from datetime import date

from haven.policy.diff import ChangeKind, diff
from haven.policy.pack import Pack


def kinds(pack: Pack, start: str, end: str, country: str | None) -> dict[str, str]:
    out = {}
    for c in diff(pack, date.fromisoformat(start), date.fromisoformat(end), country):
        entry = c.after or c.before
        assert entry is not None
        out[entry.id] = c.kind.value
    return out


def test_september_2015_adds_the_risk_group_and_the_relocation_rule(pack: Pack) -> None:
    assert kinds(pack, "2015-06-01", "2015-10-01", "RU") == {
        "ru-lgbti-risk-group-2015": "added",
        "ru-lgbti-no-relocation-2015": "added",
    }
    assert kinds(pack, "2015-09-06", "2015-09-07", "RU") == kinds(
        pack, "2015-06-01", "2015-10-01", "RU"
    )
    assert kinds(pack, "2015-09-07", "2015-10-01", "RU") == {}


def test_a_replacement_within_one_scope_is_a_change(pack: Pack) -> None:
    changes = diff(pack, date(2020, 1, 1), date(2022, 1, 1), "RU")
    critics = [c for c in changes if c.before and c.before.id == "ru-critics-risk-group-2017"]
    assert len(critics) == 1
    assert critics[0].kind is ChangeKind.CHANGED
    assert critics[0].after is not None and critics[0].after.id == "ru-critics-risk-group-2021"


def test_an_ended_moratorium_and_an_unconfirmed_entry(pack: Pack) -> None:
    assert kinds(pack, "2023-06-01", "2023-07-01", "RU")["ru-conscripts-moratorium-2022"] == "ended"
    assert kinds(pack, "2023-06-07", "2023-06-08", "RU")["ru-lgbti-risk-group-2015"] == "changed"


def test_the_reverse_diff_mirrors_added_and_ended(pack: Pack) -> None:
    forward = kinds(pack, "2015-06-01", "2016-06-01", None)
    backward = kinds(pack, "2016-06-01", "2015-06-01", None)
    mirror = {"added": "ended", "ended": "added", "changed": "changed"}
    assert backward == {k: mirror[v] for k, v in forward.items()}


def test_cli_json_lists_changes_with_sources() -> None:
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "haven",
            "policy",
            "diff",
            "RU",
            "--from",
            "2015-06-01",
            "--to",
            "2015-10-01",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    added = {c["after"]: c for c in doc["changes"] if c["kind"] == "added"}
    assert "kst-19637-2029" in added["ru-lgbti-risk-group-2015"]["sources"]
    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "haven",
            "policy",
            "diff",
            "--from",
            "2015-06-31",
            "--to",
            "2015-10-01",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 2 and "--from: '2015-06-31' is not a date" in bad.stderr
