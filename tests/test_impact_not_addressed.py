"""Impact between packs names the cases whose country one of the two packs does not address at
all (issue 19): the shipped EU pack speaks about AF, IQ, IR and SY only, the Dutch pack about
many more, so a Russian case compared under both is silence on one side, not a divergence.
The count `not_addressed`, the ids `not_addressed_cases` and the grouping by claimed profile
come in the CLI (both engines, json and table), the API (impact and queue creation) and the web
page (English and Dutch) with its CSV; with one pack on two dates they stay 0 and empty."""

import csv
import io
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from haven.server import create_app
from haven.store.db import Database
from tests.store.store_helpers import one_user_database
from tests.web_sign_in import LOGIN, form_sign_in

CREDIBLE = {"identity": "credible", "nationality": "credible", "region": "credible",
            "profile": "credible"}  # fmt: skip


def _case(cid: str, country: str, *, sogi: list[str], tags: list[str]) -> dict[str, Any]:
    return {
        "id": cid,
        "nationality": country,
        "profile": {"sogi": sogi, "tags": tags, "sex": "male", "birth_date": "1990-01-01"},
        "credibility": CREDIBLE,
        "incidents": [],
        "procedure": {"lodged": "2024-01-10", "status": "refused", "reasons": []},
    }


CASES = [
    _case("NA-IR-1", "IR", sogi=["gay"], tags=[]),  # both packs speak about Iran
    _case("NA-RU-1", "RU", sogi=["gay"], tags=[]),  # the EU pack has no Russian entry
    _case("NA-RU-2", "RU", sogi=[], tags=[]),
    _case("NA-VE-1", "VE", sogi=[], tags=[]),  # neither pack has a Venezuelan entry
]
SILENT = ["NA-RU-1", "NA-RU-2", "NA-VE-1"]
BETWEEN = ("--from-pack", "nl", "--to-pack", "euaa", "--on", "2025-02-01")


def haven(*args: str) -> subprocess.CompletedProcess[str]:
    r = subprocess.run(
        [sys.executable, "-m", "haven", *args], capture_output=True, text=True, timeout=300
    )
    assert "Traceback" not in r.stderr, r.stderr
    return r


@pytest.fixture(scope="module")
def caseload(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("na") / "caseload.jsonl"
    path.write_text("".join(json.dumps(c) + "\n" for c in CASES), encoding="utf-8")
    return path


def _check(out: dict[str, Any]) -> None:
    assert out["not_addressed"] == 3
    assert out["not_addressed_cases"] == SILENT  # input order
    assert out["not_addressed_by_profile"] == {"RU": 1, "RU:gay": 1, "VE": 1}
    assert out["not_addressed_countries"] == {"euaa": ["RU", "VE"], "nl": ["VE"]}
    assert out["not_addressed_profiles"]["NA-RU-1"] == "RU:gay"
    # The existing fields keep their shape.
    assert out["cases"] == 4 and {"transitions", "changed_by_profile"} <= set(out)


def test_the_cli_names_the_cases_a_pack_does_not_address(caseload: Path) -> None:
    single = haven("impact", str(caseload), *BETWEEN, "--engine", "single")
    columnar = haven("impact", str(caseload), *BETWEEN, "--engine", "columnar")
    assert single.returncode == 0 and columnar.returncode == 0, single.stderr + columnar.stderr
    one, other = json.loads(single.stdout), json.loads(columnar.stdout)
    assert one == other
    _check(one)
    table = haven("impact", str(caseload), *BETWEEN, "--format", "table")
    assert table.returncode == 0, table.stderr
    assert "3 cases whose country a pack does not address" in table.stdout
    assert "RU:gay" in table.stdout and "euaa: RU, VE" in table.stdout
    # jsonl: the head line carries the counts and ids.
    head = haven("impact", str(caseload), *BETWEEN, "--format", "jsonl").stdout.splitlines()[0]
    _check(json.loads(head))


def test_one_pack_on_two_dates_has_nothing_not_addressed(caseload: Path) -> None:
    r = haven("impact", str(caseload), "--from", "2015-06-01", "--to", "2025-02-01")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["not_addressed"] == 0 and out["not_addressed_cases"] == []
    table = haven("impact", str(caseload), "--from", "2015-06-01", "--to", "2025-02-01",
                  "--format", "table")  # fmt: skip
    assert "does not address" not in table.stdout


def test_the_queue_preview_reports_them(caseload: Path) -> None:
    r = haven("queue", "preview", str(caseload), "--from", "2025-02-01", "--to", "2025-02-01",
              "--to-pack", "euaa")  # fmt: skip
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["not_addressed"] == 3 and out["not_addressed_cases"] == SILENT


@pytest.fixture
def web(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str]]]:
    db: Database = one_user_database(tmp_path, "na", "NA")
    try:
        with TestClient(create_app(db, pack="nl"), base_url="https://testserver") as client:
            token = client.post("/api/v1/login", json=LOGIN).json()["token"]
            headers = {"Authorization": f"Bearer {token}"}
            for case in CASES:
                created = client.post("/api/v1/cases", json=case, headers=headers)
                assert created.status_code == 201, created.text
            yield client, headers
    finally:
        db.engine.dispose()


def test_the_api_reports_them(web: tuple[TestClient, dict[str, str]]) -> None:
    client, headers = web
    body = {"cases": CASES, "from": "2025-02-01", "to": "2025-02-01", "to_pack": "euaa"}
    r = client.post("/api/v1/impact", json=body, headers=headers)
    assert r.status_code == 200, r.text
    _check(r.json())
    same = client.post("/api/v1/impact", json={**body, "to_pack": None}, headers=headers)
    assert same.status_code == 200, same.text
    assert same.json()["not_addressed"] == 0 and same.json()["not_addressed_cases"] == []
    queue = client.post(
        "/api/v1/queues",
        json={"from": "2025-02-01", "to": "2025-02-01", "to_pack": "euaa"},
        headers=headers,
    )
    assert queue.status_code == 201, queue.text
    made = queue.json()
    assert made["not_addressed"] == 3 and made["not_addressed_cases"] == SILENT
    assert {"id", "items", "open", "skipped", "policy"} <= set(made)  # the shape it had


def test_the_web_page_and_its_export(web: tuple[TestClient, dict[str, str]]) -> None:
    client, _ = web
    browser = form_sign_in(client)
    page = browser.get("/impact?from=2025-02-01&to=2025-02-01&to_pack=euaa")
    assert page.status_code == 200, page.text[:500]
    section = page.text[page.text.index('id="not-addressed"') :]
    assert "Cases whose country a pack does not address" in section
    assert "3 cases are from a country on which one of the two packs has no entry" in section
    assert "Pack euaa has no entry for RU, VE." in section
    assert "<code>RU:gay</code></td><td>1</td>" in section
    assert all(cid in section for cid in SILENT)
    export = browser.get("/impact/not-addressed.csv?from=2025-02-01&to=2025-02-01&to_pack=euaa")
    assert export.status_code == 200, export.text[:300]
    rows = list(csv.reader(io.StringIO(export.text)))
    assert rows == [
        ["case_id", "profile", "nationality", "not_addressed_by"],
        ["NA-RU-1", "RU:gay", "RU", "euaa"],
        ["NA-RU-2", "RU", "RU", "euaa"],
        ["NA-VE-1", "VE", "VE", "euaa nl"],
    ]
    changed = browser.get("/impact/export.csv?from=2025-02-01&to=2025-02-01&to_pack=euaa")
    assert changed.text.splitlines()[0].endswith(",profile")  # its columns unchanged
    same = browser.get("/impact?from=2025-02-01&to=2025-02-01")
    assert 'id="not-addressed"' not in same.text
    dutch = form_sign_in(client, lang="nl").get(
        "/impact?from=2025-02-01&to=2025-02-01&to_pack=euaa"
    )
    assert "Zaken uit een land waarover een beleidspakket niets zegt" in dutch.text
    assert "Beleidspakket euaa zegt niets over RU, VE." in dutch.text
    assert "3 zaken komen uit een land" in dutch.text
