"""Dutch titles for the EU pack's sources (issue 19): every source of the shipped EU pack has a
Dutch title in its i18n file, which translates the title and adds nothing (the same numbers:
case numbers, articles, dates); the Dutch case page, memo and pack comparison show it, the
English ones and the comparison's JSON keep the English title."""

import json
import re
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient

from haven.policy.loader import load_pack
from haven.policy.texts import missing
from haven.server import create_app
from tests.store.store_helpers import one_user_database
from tests.web_sign_in import LOGIN, form_sign_in

EU = load_pack("euaa")
CASE = {
    "id": "EU-IQ",
    "nationality": "IQ",
    "region": "IQ-BG",
    "profile": {"sogi": ["gay"], "tags": [], "sex": "male", "birth_date": "1990-01-01"},
    "credibility": dict.fromkeys(("identity", "nationality", "region", "profile"), "credible"),
    "incidents": [],
    "procedure": {"lodged": "2024-01-10", "status": "pending", "reasons": []},
}
GUIDANCE = "euaa-iq-2024-gn"  # a source of iq-2024-11-sogiesc, the Iraqi SOGIESC entry
DUTCH = "Country Guidance Irak – richtsnoer (november 2024)"
ENGLISH = "Country Guidance Iraq – Guidance note (November 2024)"


def _numbers(text: str) -> set[str]:
    return set(re.findall(r"\d+", text))


def test_every_eu_source_has_a_dutch_title_that_adds_nothing() -> None:
    assert missing(EU.texts["nl"], EU.ids()) == {}  # every text a Dutch page shows, in Dutch
    for sid, source in EU.sources.items():
        dutch = EU.source_title(sid, "nl")
        assert dutch != source.title, sid  # translated
        assert _numbers(dutch) == _numbers(source.title), (sid, dutch, source.title)
        for case in re.findall(r"C-\d+/\d+", source.title):  # case numbers kept as they are
            assert case in dutch, sid
    assert EU.source_title(GUIDANCE, "nl") == DUTCH
    assert EU.source_title(GUIDANCE, "en") == EU.sources[GUIDANCE].title == ENGLISH


NAMES = {
    "en": {
        "nl": "Dutch asylum country policy",
        "euaa": "EU common analysis (EUAA country guidance)",
    },
    "nl": {
        "nl": "Nederlands landgebonden asielbeleid",
        "euaa": "Gemeenschappelijke EU-analyse (EUAA-landenrichtsnoeren)",
    },
}


def test_the_dutch_pages_show_the_dutch_title(tmp_path: Path) -> None:
    db = one_user_database(tmp_path, "eu", "EU")
    try:
        with TestClient(create_app(db, pack="euaa"), base_url="https://testserver") as client:
            token = client.post("/api/v1/login", json=LOGIN).json()["token"]
            made = client.post(
                "/api/v1/cases", json=CASE, headers={"Authorization": f"Bearer {token}"}
            )
            assert made.status_code == 201, made.text
            compare = "/policy/compare?country=IQ&left=nl&right=euaa&as_of=2025-01-01"
            for lang, title, other in (("nl", DUTCH, ENGLISH), ("en", ENGLISH, DUTCH)):
                web = form_sign_in(client, lang=lang)
                page = web.get("/cases/EU-IQ?as_of=2025-01-01")
                assert page.status_code == 200, page.text[:500]
                assert title in page.text and other not in page.text, lang
                table = web.get(compare)
                assert table.status_code == 200, table.text[:500]
                assert title in table.text and other not in table.text, lang
                # The pack selector names both packs in the page's language (i18n: pack.name).
                names = [NAMES[lang][p] for p in ("nl", "euaa")]
                other_names = [NAMES["en" if lang == "nl" else "nl"][p] for p in ("nl", "euaa")]
                selector = web.get("/impact").text
                assert all(f">{n} (" in selector for n in names), (lang, names)
                assert not any(f">{n} (" in selector for n in other_names), lang
    finally:
        db.engine.dispose()


def test_the_dutch_memo_and_the_compare_json(tmp_path: Path) -> None:
    case = tmp_path / "case.json"
    case.write_text(json.dumps(CASE), encoding="utf-8")
    memo = tmp_path / "memo.html"
    r = subprocess.run(
        [sys.executable, "-m", "haven", "memo", str(case), "--pack", "euaa", "--as-of",
         "2025-01-01", "--lang", "nl", "--out", str(memo)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert DUTCH in memo.read_text(encoding="utf-8")
    r = subprocess.run(
        [sys.executable, "-m", "haven", "policy", "compare", "IQ", "--packs", "nl,euaa",
         "--as-of", "2025-01-01", "--format", "json"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert ENGLISH in r.stdout and DUTCH not in r.stdout  # the contract's JSON: the registry
