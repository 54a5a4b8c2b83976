"""A second, fictional jurisdiction (tests/packs/example) goes through the CLI, the API, the web
app and impact with no code of its own: packs are independent data (issue 18)."""

import json
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient

from haven.server import create_app
from haven.store.db import Database
from tests.store.store_helpers import one_user_database
from tests.web_sign_in import LOGIN, form_sign_in

EXAMPLE = Path(__file__).resolve().parent / "packs" / "example"
CASE = EXAMPLE / "case.json"


def haven(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "haven", *args], capture_output=True, text=True, timeout=300
    )


def test_the_example_pack_validates_and_passes_its_own_scenarios() -> None:
    r = haven("policy", "validate", str(EXAMPLE))
    assert r.returncode == 0, r.stderr
    assert "pack example" in r.stdout and "engines agree" in r.stdout
    t = haven("policy", "test", str(EXAMPLE))
    assert t.returncode == 0, t.stderr
    assert "3 scenario checks of pack example pass" in t.stdout


def test_assess_with_the_example_pack_cites_only_its_own_sources() -> None:
    before = json.loads(haven("assess", str(CASE), "--pack", str(EXAMPLE), "--as-of",
                              "2016-02-29").stdout)  # fmt: skip
    after = json.loads(haven("assess", str(CASE), "--pack", str(EXAMPLE), "--as-of",
                             "2016-03-01").stdout)  # fmt: skip
    assert before["designation"] is None and before["internal_protection"] == "possible"
    assert after["designation"]["category"] == "risk_group"
    assert after["policy"]["pack"] == "example"
    assert [f["code"] for f in after["flags"]] == ["ipa_excluded_by_policy"]
    cited = {s for step in after["steps"] for s in step["sources"]}
    assert cited and cited <= {"ex-statute", "ex-circular-2016"}, cited


def test_impact_with_the_example_pack_is_the_same_in_both_engines() -> None:
    args = ["impact", str(EXAMPLE / "caseload.jsonl"), "--pack", str(EXAMPLE),
            "--from", "2016-01-01", "--to", "2016-06-01"]  # fmt: skip
    single = json.loads(haven(*args, "--engine", "single").stdout)
    columnar = json.loads(haven(*args, "--engine", "columnar").stdout)
    assert single == columnar
    assert sorted(c["case_id"] for c in single["changed"]) == ["EX-AQ-1", "EX-AQ-3"]


def _database(tmp_path: Path) -> Database:
    return one_user_database(tmp_path, "ex", "Example")


def test_the_api_serves_the_example_pack(tmp_path: Path) -> None:
    db = _database(tmp_path)
    try:
        with TestClient(create_app(db, pack=str(EXAMPLE))) as client:
            token = client.post("/api/v1/login", json=LOGIN).json()["token"]
            case = json.loads(CASE.read_text(encoding="utf-8"))
            r = client.post(
                "/api/v1/assessments",
                json={"case": case, "as_of": "2016-03-01"},
                headers={"Authorization": f"Bearer {token}"},
            )
            assert r.status_code == 200, r.text
            assert r.headers["X-Haven-Pack"].startswith("example;")
            assert r.json()["designation"]["entry"] == "ex-aq-cartographers-2016"
    finally:
        db.engine.dispose()


def test_the_web_app_serves_the_example_pack(tmp_path: Path) -> None:
    """Stored through the API, the case is shown by the web app under the example pack's own
    policy: its entry, its sources, its country in the explorer; nothing of the default pack."""
    db = _database(tmp_path)
    try:
        app = create_app(db, pack=str(EXAMPLE))
        with TestClient(app, base_url="https://testserver") as web:
            token = web.post("/api/v1/login", json=LOGIN).json()["token"]
            case = json.loads(CASE.read_text(encoding="utf-8"))
            created = web.post(
                "/api/v1/cases", json=case, headers={"Authorization": f"Bearer {token}"}
            )
            assert created.status_code == 201, created.text
            form_sign_in(web)
            page = web.get("/cases/EX-AQ-1?as_of=2016-03-01")
            assert page.status_code == 200, page.text[:500]
            assert "Cartographers from AQ are a risk group (fictional)" in page.text
            assert "Example country circular of 1 March 2016 (fictional)" in page.text
            assert "Qualification Directive" not in page.text  # nothing of the default pack
            explorer = web.get("/policy?country=AQ")
            assert explorer.status_code == 200, explorer.text[:500]
            assert "Cartographers from AQ cannot be told to relocate (fictional)" in explorer.text
    finally:
        db.engine.dispose()
