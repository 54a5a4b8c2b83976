"""GET /api/v1/cases/{ref}/memo on SQLite and PostgreSQL: content, access, audit, bad input."""

import io
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from pypdf import PdfReader

from haven.policy.loader import load_pack
from tests.store.store_helpers import Api, make_case

MEMO = "/cases/EX-RU-1/memo"


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(p.extract_text() or "" for p in reader.pages).split())


@pytest.fixture
def stored(api: Api) -> Api:
    api.create("officer", make_case("EX-RU-1"))
    return api


def test_dutch_pdf_of_a_stored_case(stored: Api) -> None:
    r = stored.get(f"{MEMO}?as_of=2015-10-01&lang=nl&format=pdf", "officer")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"] == (
        'attachment; filename="memo-EX-RU-1-2015-10-01-nl.pdf"'
    )
    text = pdf_text(r.content)
    assert "risicogroep (ru-lgbti), sinds 7 september 2015" in text
    assert "uitgesloten: een vestigingsalternatief" in text
    assert f"versie {load_pack('nl').version}" in text
    assert "zij vervangt die beslissing niet" in text


def test_english_html_before_the_change(stored: Api) -> None:
    r = stored.get(f"{MEMO}?as_of=2015-06-01&format=html", "officer")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    assert r.headers["content-disposition"].startswith("inline;")
    assert "default-src 'none'" in r.headers["content-security-policy"]
    assert "no group designation" in r.text and "risk group (ru-lgbti)" not in r.text
    assert "it does not replace it" in r.text


def test_the_memo_is_audited(stored: Api) -> None:
    r = stored.get(f"{MEMO}?as_of=2015-10-01&lang=nl&format=html", "officer")
    assert r.status_code == 200
    entries = [e for e in stored.audit() if e["case"] == "EX-RU-1"]
    memo = [e for e in entries if e["action"] == "case.memo"]
    assert len(memo) == 1
    assert memo[0]["detail"] == {"as_of": "2015-10-01", "lang": "nl", "format": "html"}
    assert any(e["action"] == "case.read" for e in entries)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("officer2", 403),  # same organisation, not assigned or shared
        ("researcher", 403),
        ("auditor", 403),
        ("admin", 403),
        ("x.officer", 404),  # other organisations' cases do not exist for the caller
        (None, 401),
    ],
)
def test_access_is_that_of_reading_the_case(stored: Api, who: str | None, status: int) -> None:
    r = stored.get(f"{MEMO}?format=html", who)
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/json"
    if who is not None and who != "x.officer":
        denied = [e for e in stored.audit() if e["outcome"] == "denied" and e["case"] == "EX-RU-1"]
        assert denied, "every denial is audited"
    assert not any(e["action"] == "case.memo" for e in stored.audit())


def test_reviewer_and_shared_advocate_may_read_it(stored: Api) -> None:
    assert stored.get(f"{MEMO}?format=html", "reviewer").status_code == 200
    assert stored.get(f"{MEMO}?format=html", "advocate").status_code == 403
    r = stored.post("/cases/EX-RU-1/share", "officer", {"username": "advocate"})
    assert r.status_code == 204, r.text
    assert stored.get(f"{MEMO}?format=html", "advocate").status_code == 200


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("as_of=2015-13-01", "as_of"),
        ("as_of=0", "as_of"),
        ("lang=fr", "lang"),
        ("format=docx", "format"),
        ("langauge=nl", "query.langauge"),
    ],
)
def test_bad_query_is_422_naming_the_field(stored: Api, query: str, field: str) -> None:
    r = stored.get(f"{MEMO}?{query}", "officer")
    assert r.status_code == 422, r.text
    fields = [p["field"] for p in r.json()["error"]["problems"]]
    assert any(field in f for f in fields), fields


def test_hostile_reference_is_escaped_and_the_filename_safe(api: Api) -> None:
    ref = '<img src=x onerror=alert("x")>'  # no "/": a reference is one path segment
    api.create("officer", make_case(ref))
    r = api.get(f"/cases/{quote(ref, safe='')}/memo?as_of=2015-10-01&format=html", "officer")
    assert r.status_code == 200, r.text
    assert "<img" not in r.text and "&lt;img src=x onerror=alert(&#34;x&#34;)&gt;" in r.text
    assert r.headers["content-disposition"] == (
        'inline; filename="memo-_img_src_x_onerror_alert__x___-2015-10-01-en.html"'
    )


def test_cli_memo_of_a_stored_case(stored: Api, db_url: str, tmp_path: Path) -> None:
    """`haven memo REF --org --user` reads the stored case as that user, audited."""
    env = {**os.environ, "HAVEN_DATABASE_URL": db_url}

    def memo(user: str) -> subprocess.CompletedProcess[str]:
        args = ["memo", "EX-RU-1", "--org", "acme", "--user", user, "--as-of", "2015-10-01"]
        return subprocess.run(
            [sys.executable, "-m", "haven", *args, "--lang", "nl", "--out", "m.html"],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=tmp_path,
            env=env,
        )

    r = memo("officer")
    assert r.returncode == 0, r.stderr
    assert "risicogroep (ru-lgbti)" in (tmp_path / "m.html").read_text(encoding="utf-8")
    assert [e["detail"] for e in stored.audit() if e["action"] == "case.memo"] == [
        {"as_of": "2015-10-01", "lang": "nl", "format": "html"}
    ]
    (tmp_path / "m.html").unlink()
    denied = memo("officer2")
    assert denied.returncode == 1 and "Traceback" not in denied.stderr
    assert not (tmp_path / "m.html").exists()
    assert any(e["action"] == "case.memo" and e["outcome"] == "denied" for e in stored.audit())
