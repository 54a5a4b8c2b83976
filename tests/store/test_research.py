"""Pseudonymised research exports (issue 7, item 3), through the real CLI on SQLite and
PostgreSQL: no reference, name, free text or exact date of the input survives; pseudonyms are
stable within an export and unlinkable across exports; aggregates publish no count under 5."""

import json
import os
import re
import subprocess
import sys
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from haven.cases import Case
from haven.policy.pack import Pack
from haven.store import auth, repo
from haven.store.access import Role
from haven.store.db import Database
from haven.store.models import AuditEntry
from haven.store.repo import MIN_CELL
from haven.store.research import aggregates, suppress
from haven.store.suppression import SECONDARY
from tests.store.store_helpers import make_case

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery"
SECRET_TAG = "lives with partner Dmitri Petrov"  # free text typed into tags: must not leak


def identifying_cases() -> list[dict[str, Any]]:
    out = []
    for i in range(9):
        nationality = "RU" if i < 7 else "IR"
        case = make_case(
            f"NL-IND-Olga-Ivanova-{1980 + i}-{i:04d}",
            nationality=nationality,
            region="RU-MOW" if nationality == "RU" else None,
            procedure={"lodged": f"2015-0{1 + i % 8}-1{i}", "decided": None, "status": "pending"},
        )
        case["profile"]["birth_date"] = f"{1980 + i}-0{1 + i % 9}-2{i}"
        # Free text in tags (possible in stored cases; assessment would reject it as unknown).
        secret = [SECRET_TAG + f" #{i}"] if i % 2 else []
        case["profile"]["tags"] = [*secret, "political_critic"]
        for n, incident in enumerate(case["incidents"]):
            incident["date"] = f"2014-1{n % 3}-0{1 + i}"
        out.append(case)
    return out


@pytest.fixture
def org(db: Database, pack: Pack) -> list[dict[str, Any]]:
    with db.session() as s:
        acme = auth.ensure_org(s, "acme")
        officer = auth.add_user(s, acme, "officer.olga", PASSWORD, Role.CASE_OFFICER)
        auth.add_user(s, acme, "rita", PASSWORD, Role.RESEARCHER)
        actor = repo.Actor.of(officer)
    cases = identifying_cases()
    for i, data in enumerate(cases):
        case = Case.model_validate_json(json.dumps(data))
        with db.session() as s:
            repo.create_case(s, actor, case)
        if i % 2 == 0:
            with db.session() as s:
                repo.assess_and_store(s, actor, case.id, date(2015, 10, 1), pack)
    return cases


def research(db: Database, *args: str, **setting: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "HAVEN_DEBUG"}
    env["HAVEN_DATABASE_URL"] = db.url
    env.update(setting)
    return subprocess.run(
        [sys.executable, "-m", "haven", "research", "export", "--org", "acme", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=ROOT,
        check=False,
    )


BASIS = ["--purpose", "IPA refusals 2015", "--legal-basis", "GDPR 9(2)(j)", "--dpia", "DPIA-7"]


def exported(db: Database) -> tuple[str, dict[str, Any]]:
    r = research(db, "--user", "rita", *BASIS)
    assert r.returncode == 0, r.stderr
    return r.stdout, json.loads(r.stdout)


def test_no_identifier_survives(db: Database, org: list[dict[str, Any]]) -> None:
    text, doc = exported(db)
    assert len(doc["records"]) == len(org)
    needles: set[str] = {"Olga", "Ivanova", "officer.olga", "Dmitri", "Petrov", SECRET_TAG}
    for case in org:
        needles.add(case["id"])
        needles.update(t for t in case["profile"]["tags"] if t != "political_critic")
        needles.add(case["profile"]["birth_date"])
        needles.add(case["procedure"]["lodged"])
        needles.update(i["date"] for i in case["incidents"] if i["date"])
    found = sorted(n for n in needles if n.lower() in text.lower())
    assert found == [], f"identifiers in the export: {found}"
    # No day-precise date at all, except the export's own expiry date.
    days = set(re.findall(r"\d{4}-\d{2}-\d{2}", text))
    assert days == {doc["export"]["expires"]}
    record = doc["records"][0]
    assert set(record) >= {"case", "nationality", "procedure", "birth_year", "recommendation"}
    assert re.fullmatch(r"\d{4}-\d{2}", record["procedure"]["lodged"])
    assert all(r["tags"] == ["political_critic"] for r in doc["records"])  # vocabulary only


def test_pseudonyms_are_stable_within_an_export_and_unlinkable_across(
    db: Database, org: list[dict[str, Any]]
) -> None:
    _, first = exported(db)
    _, second = exported(db)
    ids = [r["case"] for r in first["records"]]
    assert len(set(ids)) == len(org)
    assert {a["case"] for a in first["assessments"]} <= set(ids)  # same case, same pseudonym
    assert len(first["assessments"]) == (len(org) + 1) // 2
    assert not set(ids) & {r["case"] for r in second["records"]}
    assert first["export"]["id"] != second["export"]["id"]
    assert ids == sorted(ids)  # ordered by pseudonym: nothing of the reference order


def test_aggregates_publish_no_small_cell(db: Database, org: list[dict[str, Any]]) -> None:
    _, doc = exported(db)
    agg = doc["aggregates"]
    assert agg["cases"] == len(org)
    for name, table in agg.items():
        if not isinstance(table, dict) or name == "notes":
            continue
        assert all(not isinstance(v, int) or v >= MIN_CELL for v in table.values()), name
        hidden = [k for k, v in table.items() if v in (f"<{MIN_CELL}", SECONDARY)]
        assert len(hidden) != 1 or len(table) == 1, f"{name}: one hidden cell is derivable"
    # 7 RU and 2 IR: IR is hidden, and so is RU (else 9 - 7 gives IR away); RU is not "<5".
    assert agg["by_nationality"] == {"IR": "<5", "RU": SECONDARY}
    # Every recommendation count names the as-of month and pack version it comes from.
    assert agg["as_of"] and all(
        k == "not_assessed" or re.fullmatch(r"\w+@2015-10/\w{12}", k)
        for k in agg["by_recommendation"]
    )


def test_aggregates_only_and_the_export_is_audited(db: Database, org: list[dict[str, Any]]) -> None:
    r = research(db, "--user", "rita", *BASIS, "--aggregates-only")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert set(doc) == {"export", "aggregates"}
    with db.session() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "research.export")).one()
    assert entry.detail["export_id"] == doc["export"]["id"]
    assert entry.detail["dpia"] == "DPIA-7" and entry.detail["records"] == len(org)


def test_only_researchers_export_and_the_basis_is_required(
    db: Database, org: list[dict[str, Any]]
) -> None:
    r = research(db, "--user", "officer.olga", *BASIS)
    assert r.returncode == 1 and "may not export research data" in r.stderr
    r = research(db, "--user", "rita", "--purpose", " ", "--legal-basis", "x", "--dpia", "y")
    assert r.returncode == 2 and "--purpose" in r.stderr
    r = research(db, "--user", "rita", *BASIS, "--expires", "2001-01-01")
    assert r.returncode == 2 and "--expires" in r.stderr


def test_an_export_expires_within_the_period_the_deployment_allows(
    db: Database, org: list[dict[str, Any]]
) -> None:
    """At most HAVEN_RESEARCH_EXPORT_MAX_DAYS (default 180) days ahead: further is refused
    naming --expires and the longest date allowed, and nothing is exported or audited."""
    today = date.today()

    def day(days: int) -> str:
        return (today + timedelta(days=days)).isoformat()

    r = research(db, "--user", "rita", *BASIS, "--expires", "2999-01-01")
    assert r.returncode == 2 and r.stdout == ""
    assert "--expires" in r.stderr and "180 days" in r.stderr and day(180) in r.stderr
    r = research(db, "--user", "rita", *BASIS, "--expires", day(181))
    assert r.returncode == 2 and "--expires" in r.stderr
    with db.session() as s:
        assert not s.scalars(select(AuditEntry).where(AuditEntry.action == "research.export")).all()
    r = research(db, "--user", "rita", *BASIS, "--expires", day(180), "--aggregates-only")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["export"]["expires"] == day(180)
    # A deployment that keeps exports for less: the default (90 days) shortens to it too.
    short = {"HAVEN_RESEARCH_EXPORT_MAX_DAYS": "30"}
    r = research(db, "--user", "rita", *BASIS, "--expires", day(31), **short)
    assert r.returncode == 2 and "30 days" in r.stderr and day(30) in r.stderr
    r = research(db, "--user", "rita", *BASIS, "--aggregates-only", **short)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["export"]["expires"] == day(30)
    r = research(db, "--user", "rita", *BASIS, "--expires", day(365), "--aggregates-only",
                 HAVEN_RESEARCH_EXPORT_MAX_DAYS="365")  # fmt: skip
    assert r.returncode == 0, r.stderr


def test_suppression_hides_a_second_cell_when_one_would_be_derivable() -> None:
    # The second cell is shown as suppressed, not as "<5": 7 is not under 5.
    assert suppress(Counter({"a": 10, "b": 7, "c": 2})) == {"a": 10, "b": SECONDARY, "c": "<5"}
    # Two small cells adding up to 3 would still give away a count under 5: a third is hidden.
    assert suppress(Counter({"a": 10, "b": 2, "c": 1})) == {
        "a": SECONDARY,
        "b": "<5",
        "c": "<5",
    }
    assert suppress(Counter({"a": 10, "b": 6})) == {"a": 10, "b": 6}
    assert suppress(Counter({"a": 3})) == {"a": "<5"}


def _records(rows: list[tuple[str, str, int]]) -> list[dict[str, Any]]:
    """Minimal pseudonymised records: (nationality, status, how many)."""
    return [
        {
            "nationality": n,
            "procedure": {"status": st, "lodged": "2015-03"},
            "recommendation": None,
            "assessed": None,
        }
        for n, st, k in rows
        for _ in range(k)
    ]


def test_a_row_total_does_not_give_away_its_one_hidden_cell() -> None:
    """Issue 17, finding 2: RU 369 = refused 368 + pending 1 published the 368 and the 369."""
    agg = aggregates(
        _records([("RU", "refused", 368), ("RU", "pending", 1), ("IR", "refused", 40)])
    )
    cross, by_nat = agg["by_nationality_and_status"], agg["by_nationality"]
    assert cross["RU/pending"] == "<5" and by_nat["RU"] == 369
    assert cross["RU/refused"] == SECONDARY  # else 369 - 368 = 1
    # And no false "<5": a hidden count of 5 or more is never said to be under 5.
    agg = aggregates(_records([("RU", "refused", 22), ("RU", "pending", 3), ("IR", "refused", 9)]))
    assert all(
        v != "<5" or k in ("RU/pending",) for k, v in agg["by_nationality_and_status"].items()
    )


NATIONALITIES = ["RU", "IR", "IQ", "SY"]
STATUSES = ["pending", "refused", "granted"]


@given(
    st.lists(
        st.tuples(st.sampled_from(NATIONALITIES), st.sampled_from(STATUSES), st.integers(1, 40)),
        min_size=1,
        max_size=12,
    )
)
@settings(max_examples=300, deadline=None, derandomize=True)
def test_no_suppressed_count_can_be_derived_by_differencing(
    rows: list[tuple[str, str, int]],
) -> None:
    records = _records(rows)
    agg = aggregates(records)
    truth = {
        "by_nationality": Counter(r["nationality"] for r in records),
        "by_status": Counter(r["procedure"]["status"] for r in records),
        "by_nationality_and_status": Counter(
            f"{r['nationality']}/{r['procedure']['status']}" for r in records
        ),
    }
    # Published counts are true; "<5" is said only of counts under 5.
    for table, counts in truth.items():
        for k, v in agg[table].items():
            assert v == counts[k] if isinstance(v, int) else (v == "<5") == (counts[k] < MIN_CELL)
    # Every published sum: table totals, rows and columns of the cross table.
    cross = truth["by_nationality_and_status"]
    sums: list[tuple[list[tuple[str, str]], Any]] = [
        ([(t, k) for k in truth[t]], agg["cases"]) for t in truth
    ]
    for margin, side in (("by_nationality", 0), ("by_status", 1)):
        for value in truth[margin]:
            members = [
                ("by_nationality_and_status", k) for k in cross if k.split("/")[side] == value
            ]
            sums.append((members, agg[margin][value]))
    for members, total in sums:
        if not isinstance(total, int):
            continue
        hidden = [(t, k) for t, k in members if not isinstance(agg[t][k], int)]
        if not hidden:
            continue
        # Differencing gives the sum of the hidden cells: it must cover two cells or more, and
        # not be a count under 5 itself.
        difference = total - sum(agg[t][k] for t, k in members if (t, k) not in hidden)
        assert difference == sum(truth[t][k] for t, k in hidden)
        assert len(hidden) >= 2 and difference >= MIN_CELL, (members, hidden, difference)
