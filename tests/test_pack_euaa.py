"""The EU common analysis (EUAA country guidance) as a second shipped pack (issue 19): the real
CLI answers for Afghan, Iraqi, Syrian and Iranian cases from 2018 to 2025 citing the pack's
own sources as they stood on the date; versions under review are shown and never applied, in
both engines; the legal weight of the guidance by period is in every trace; the API and the
web app serve it."""

import json
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from fastapi.testclient import TestClient

from haven.assess import Assessment, assess
from haven.cases.readers import parse_case
from haven.impact.agreement import summary
from haven.impact.columnar import ENGINE, evaluate
from haven.policy.entries import ReviewFlag
from haven.policy.loader import load_pack
from haven.policy.sources import SourceKind
from haven.server import create_app
from haven.store.db import Database
from tests.store.store_helpers import one_user_database
from tests.web_sign_in import LOGIN, form_sign_in

EU = load_pack("euaa")
CREDIBLE = {"identity": "credible", "nationality": "credible", "region": "credible",
            "profile": "credible"}  # fmt: skip


def _case(cid: str, country: str, region: str, *, sogi: list[str], tags: list[str],
          sex: str = "male") -> dict[str, object]:  # fmt: skip
    return {
        "id": cid,
        "nationality": country,
        "region": region,
        "profile": {"sogi": sogi, "tags": tags, "sex": sex, "birth_date": "1990-01-01"},
        "credibility": CREDIBLE,
        "incidents": [],
        "procedure": {"lodged": "2018-01-10", "status": "pending", "reasons": []},
    }


CASES = [
    _case("EU-AF", "AF", "AF-KAB", sogi=[], tags=["former_security_forces"]),
    _case("EU-IQ", "IQ", "IQ-BG", sogi=["gay"], tags=[]),
    _case("EU-SY", "SY", "SY-HL", sogi=[], tags=["conscript"]),
    _case("EU-IR", "IR", "IR-23", sogi=[], tags=["house_church_member"]),
]
DATES = ["2018-07-01", "2019-09-01", "2020-06-01", "2021-03-01", "2021-09-01", "2022-03-01",
         "2023-06-01", "2024-08-01", "2025-03-01", "2025-12-10"]  # fmt: skip


def haven(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "haven", *args], capture_output=True, text=True, timeout=300
    )


def _eu_document(sid: str) -> bool:
    """An EUAA/EASO document, or the EUAA Regulation that gives the guidance its weight."""
    src = EU.sources[sid]
    return src.kind in (SourceKind.GUIDELINE, SourceKind.NEWS) or sid.startswith("reg-2303")


@pytest.mark.parametrize("day", DATES)
def test_assess_cli_cites_eu_sources_that_existed_on_the_date(tmp_path: Path, day: str) -> None:
    caseload = tmp_path / "cases.jsonl"
    caseload.write_text("\n".join(json.dumps(c) for c in CASES) + "\n", encoding="utf-8")
    r = haven("assess", str(caseload), "--pack", "euaa", "--as-of", day, "--format", "jsonl")
    assert r.returncode == 0, r.stderr
    results = [json.loads(line) for line in r.stdout.splitlines() if line.strip()]
    assert sorted(a["case_id"] for a in results) == sorted(str(c["id"]) for c in CASES)
    on = date.fromisoformat(day)
    for a in results:
        country = a["case_id"].removeprefix("EU-")
        assert a["policy"]["pack"] == "euaa" and a["as_of"] == day
        assert a["steps"], a["case_id"]
        for s in a["steps"]:
            where = f"{a['case_id']} on {day}, step {s['rule']}"
            assert s["sources"], where
            for sid in s["sources"]:
                assert sid in EU.sources, f"{where}: {sid} is not a source of the EU pack"
                src = EU.sources[sid]
                assert not src.later_than(on), f"{where}: {sid} did not exist yet"
                assert not src.superseded_on(on), f"{where}: {sid} no longer applied"
                assert src.concerns(country), f"{where}: {sid} concerns {src.countries}"
            assert any(_eu_document(sid) for sid in s["sources"]), f"{where}: {s['sources']}"


def test_the_legal_weight_of_the_guidance_changes_on_19_january_2022() -> None:
    case = parse_case(json.dumps(CASES[1]))
    before = assess(case, date(2022, 1, 18), EU)
    after = assess(case, date(2022, 1, 19), EU)

    def weight(a: Assessment) -> tuple[str, list[str]]:
        steps = [s for s in a.steps if s.finding.startswith("Legal weight")]
        assert len(steps) == 1
        return steps[0].finding, steps[0].sources

    text, sources = weight(before)
    assert "(not_binding)" in text and "easo-cg-page" in sources
    text, sources = weight(after)
    assert "(must_take_into_account)" in text and "reg-2303-art11-nl" in sources
    assert "easo-cg-page" not in sources


def test_a_version_under_review_is_shown_and_never_applied_by_either_engine() -> None:
    """SY-2024-04 is marked under review after the fall of the Assad regime (December 2024):
    the Damascus internal-protection conclusion drives nothing from then, in both engines, and
    the trace says why."""
    raw = {**_case("EU-SY-DI", "SY", "SY-DI", sogi=[], tags=[]),
           "incidents": [{"date": "2019-05-01", "kind": "threat", "actor": "non_state",
                          "credibility": "credible", "sought_protection": False}]}  # fmt: skip
    case = parse_case(json.dumps(raw))
    entry = "sy-2024-04-ipa-damascus"
    for day, under_review in ((date(2024, 11, 30), False), (date(2024, 12, 1), True)):
        a = assess(case, day, EU)
        columnar = (
            evaluate(pl.LazyFrame([case.model_dump(mode="json")]), day, EU)
            .collect(engine=ENGINE)
            .to_dicts()[0]
        )
        assert {k: columnar[k] for k in summary(a)} == summary(a)
        assert (entry in a.unverified) is under_review
        assert columnar["has_unverified"] is under_review
        said = [s.finding for s in a.steps if s.rule == "unverified" and entry in s.entries]
        if under_review:
            assert said and '"under review" since December 2024' in said[0]
            assert "euaa-sy-2024-ipa" in next(s for s in a.steps if entry in s.entries).sources
        else:
            assert not said


def test_a_review_flag_outside_the_entry_is_a_plain_error() -> None:
    base = EU.entries["sy-2024-04-ipa-damascus"].model_dump(mode="json")
    flag = ReviewFlag(date=date(2026, 1, 1), sources=("euaa-sy-2024-ipa",), note="outside it")
    with pytest.raises(ValueError, match=r"review_flag\.date must fall inside"):
        type(EU.entries["sy-2024-04-ipa-damascus"]).model_validate(
            {**base, "review_flag": flag.model_dump(mode="json")}, strict=False
        )


def test_every_profile_entry_keeps_the_guidance_grade_unless_unverified() -> None:
    for e in EU.entries.values():
        if e.group is None:
            continue
        assert e.version, e.id
        assert (e.eu_grade is not None) == e.verified, e.id


def test_the_schema_publishes_the_optional_fields() -> None:
    r = haven("policy", "schema")
    assert r.returncode == 0, r.stderr
    for name in ("eu_grade", "review_flag", "date_precision", "carried_from", "version",
                 "individual_elements", "individual_profile", "legal_weight"):  # fmt: skip
        assert f'"{name}"' in r.stdout, name


def test_policy_validate_and_test_pass_for_the_eu_pack() -> None:
    v = haven("policy", "validate", "euaa")
    assert v.returncode == 0, v.stdout + v.stderr
    assert "engines agree" in v.stdout
    t = haven("policy", "test", "euaa")
    assert t.returncode == 0, t.stdout + t.stderr
    assert "scenario checks of pack euaa pass" in t.stdout


def _database(tmp_path: Path) -> Database:
    return one_user_database(tmp_path, "eu", "EU")


def test_the_api_and_web_app_serve_the_eu_pack(tmp_path: Path) -> None:
    db = _database(tmp_path)
    try:
        app = create_app(db, pack="euaa")
        with TestClient(app, base_url="https://testserver") as web:
            token = web.post("/api/v1/login", json=LOGIN).json()["token"]
            headers = {"Authorization": f"Bearer {token}"}
            r = web.post(
                "/api/v1/assessments",
                json={"case": CASES[1], "as_of": "2025-01-01"},
                headers=headers,
            )
            assert r.status_code == 200, r.text
            assert r.headers["X-Haven-Pack"].startswith("euaa;")
            assert r.json()["designation"]["entry"] == "iq-2024-11-sogiesc"
            created = web.post("/api/v1/cases", json=CASES[2], headers=headers)
            assert created.status_code == 201, created.text
            form_sign_in(web)
            page = web.get("/cases/EU-SY?as_of=2023-06-01")
            assert page.status_code == 200, page.text[:500]
            assert "draft evaders and deserters" in page.text
            for country in ("AF", "IQ", "SY", "IR"):
                explorer = web.get(f"/policy?country={country}")
                assert explorer.status_code == 200, explorer.text[:500]
    finally:
        db.engine.dispose()


def test_the_iraqi_lgbti_control_pair_against_the_dutch_pack() -> None:
    """The dossier's control pair (§8.10): on 2021-06-01 both packs give group persecution with
    membership as the standard. On 2025-01-01 the EU pack does (IQ-2024-11); the Dutch pack
    holds the same designation but marks it unconfirmed after the reset of 27 May 2024, so it
    is shown and not applied there: a comparison must report that side as unconfirmed, not as
    a divergence of substance."""
    case = parse_case(json.dumps(CASES[1]))
    nl = load_pack("nl")
    for day in (date(2021, 6, 1), date(2025, 1, 1)):
        eu = assess(case, day, EU)
        assert eu.designation is not None and eu.designation.category.value == "group_persecution"
        assert eu.evidentiary_standard.value == "membership"
    dutch = assess(case, date(2021, 6, 1), nl)
    assert dutch.designation is not None and dutch.designation.category.value == "group_persecution"
    assert dutch.evidentiary_standard.value == "membership"
    later = assess(case, date(2025, 1, 1), nl)
    assert later.designation is None and "iq-lgbti-group-persecution-2012" in later.unverified


def test_a_caseload_tagged_for_the_dutch_pack_can_be_assessed_under_the_eu_pack(
    tmp_path: Path,
) -> None:
    """One vocabulary: every tag of the Dutch pack is known to the EU pack (it may address none
    of them), so `impact --from-pack nl --to-pack euaa` runs over a real mixed caseload."""
    assert set(load_pack("nl").tags) <= set(load_pack("euaa").tags)
    caseload = tmp_path / "caseload.jsonl"
    assert haven("generate", "--n", "400", "--out", str(caseload)).returncode == 0
    done = haven(
        "impact", str(caseload), "--from-pack", "nl", "--to-pack", "euaa", "--on", "2025-02-01"
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["policy_after"]["pack"] == "euaa" and out["cases"] == 400
    # Iranian LGB: a risk group with minor indications in nl, "highly likely" in the EU analysis.
    assert any(p.startswith("IR:") for p in out["changed_by_profile"])


def test_iraqi_lgbti_control_pair_with_the_real_packs() -> None:
    """Dossier §8.10: both packs ≈ group persecution. While both are verified the compare says
    `same`; after the Dutch reset of 27 May 2024 the Dutch entry is unconfirmed, and the row
    is `unconfirmed` (not `only_eu`: the mapping must not invent a divergence)."""

    def lgbti(on: str) -> Any:
        r = haven(
            "policy", "compare", "IQ", "--packs", "nl,euaa", "--as-of", on, "--format", "json"
        )
        assert r.returncode == 0, r.stderr
        out = json.loads(r.stdout)
        # `unconfirmed` rows are not one of the contract's five kinds: they sit in `unranked`.
        [row] = [d for d in out["divergences"] + out["unranked"] if "gay" in d["profile"]]
        return row

    before = lgbti("2021-06-01")
    assert before["kind"] == "same"
    assert before["left"]["entry"] == "iq-lgbti-group-persecution-2012"
    after = lgbti("2025-02-01")
    assert after["kind"] == "unconfirmed"
    assert after["left"]["entry"] is None
    assert [e["entry"] for e in after["left"]["not_counted"]] == ["iq-lgbti-group-persecution-2012"]
    assert after["right"]["entry"] == "iq-2024-11-sogiesc"
    assert "reliefweb-iq-2024" in [s["id"] for s in after["right"]["sources"]]
