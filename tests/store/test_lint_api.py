"""POST /api/v1/lint on SQLite and PostgreSQL: the same flags as the CLI, strict input, access
as for the other stateless endpoints, and an audit line that never holds the text."""

import json
from datetime import date
from typing import Any

from haven.assess.lint import lint
from haven.cases import Case
from haven.policy.pack import Pack
from tests.store.store_helpers import Api

TEXT = (
    "Betrokkene heeft geen aangifte gedaan bij de politie. "
    "Bovendien kan hij zich in Sint-Petersburg vestigen, waar hij niet bekend is."
)


def test_lint_endpoint_flags_by_date(api: Api, example_case: dict[str, Any], pack: Pack) -> None:
    body = {"text": TEXT, "case": example_case, "as_of": "2015-10-01"}
    r = api.post("/lint", "officer", body)
    assert r.status_code == 200, r.text
    doc = r.json()
    assert [f["code"] for f in doc["flags"]] == [
        "protection_seeking_waived",
        "ipa_excluded_by_policy",
    ]
    for f in doc["flags"]:
        assert TEXT[f["start"] : f["end"]] == f["text"]
    # The same result as the library the CLI uses.
    case = Case.model_validate_json(json.dumps(example_case))
    assert doc == lint(TEXT, case, date(2015, 10, 1), pack).model_dump(mode="json")

    r = api.post("/lint", "advocate", {**body, "as_of": "2015-06-01"})
    assert r.status_code == 200, r.text
    assert [f["code"] for f in r.json()["flags"]] == ["protection_seeking_waived"]


# Discretion reasoning that no rule or concept reads, only the pack's model (tests/test_lint_model.py).
MODEL_ONLY = (
    "Having kept his sexuality hidden in Lagos for many years, the appellant will keep it "
    "hidden on his return."
)


def test_lint_endpoint_with_the_model(api: Api, example_case: dict[str, Any], pack: Pack) -> None:
    body = {"text": MODEL_ONLY, "case": example_case, "as_of": "2019-01-01"}
    r = api.post("/lint", "officer", body)
    assert r.status_code == 200, r.text
    assert r.json()["flags"] == []  # the rules alone, as by default
    r = api.post("/lint", "officer", {**body, "model": True})
    assert r.status_code == 200, r.text
    (flag,) = r.json()["flags"]
    assert flag["code"] == "discretion_reasoning" and flag["rule"] == "model.discretion_possible"
    case = Case.model_validate_json(json.dumps(example_case))
    assert r.json() == lint(MODEL_ONLY, case, date(2019, 1, 1), pack, model=True).model_dump(
        mode="json"
    )
    # A pack without a model: the field named, nothing linted.
    r = api.post("/lint?pack=euaa", "officer", {**body, "model": True})
    assert r.status_code == 422, r.text
    assert [p["field"] for p in r.json()["error"]["problems"]] == ["model"]
    assert api.post("/lint", "officer", {**body, "model": "yes"}).status_code == 422
    lines = [e["detail"] for e in api.audit() if e["action"] == "lint.stateless"]
    assert lines == [
        {"chars": len(MODEL_ONLY), "flags": n} | m for n, m in ((1, MODEL), (0, {}))
    ]  # newest first


MODEL = {"model": True}


def test_lint_input_is_strict(api: Api, example_case: dict[str, Any]) -> None:
    def fields(body: dict[str, Any]) -> list[str]:
        r = api.post("/lint", "officer", body)
        assert r.status_code == 422, r.text
        return [p["field"] for p in r.json()["error"]["problems"]]

    assert fields({"case": example_case, "as_of": "2015-10-01"}) == ["text"]
    assert fields({"text": 3, "case": example_case}) == ["text"]
    assert fields({"text": TEXT, "case": example_case, "as_of": "01-10-2015"}) == ["as_of"]
    assert fields({"text": TEXT, "case": example_case, "colour": "blue"}) == ["colour"]
    bad = json.loads(json.dumps(example_case))
    bad["incidents"][0]["actor"] = "aliens"
    assert fields({"text": TEXT, "case": bad}) == ["case.incidents[0].actor"]
    assert fields({"text": "x" * 100_001, "case": example_case}) == ["text"]


def test_lint_access_and_audit_without_the_text(api: Api, example_case: dict[str, Any]) -> None:
    body = {"text": TEXT, "case": example_case, "as_of": "2015-10-01"}
    assert api.post("/lint", None, body).status_code == 401
    assert api.post("/lint", "auditor", body).status_code == 403
    assert api.post("/lint", "admin", body).status_code == 403
    for who in ("officer", "reviewer", "researcher"):
        assert api.post("/lint", who, body).status_code == 200
    log = api.audit()
    lines = [e for e in log if e["action"] == "lint.stateless"]
    assert len(lines) == 3 and all(e["outcome"] == "ok" for e in lines)
    assert all(e["detail"] == {"chars": len(TEXT), "flags": 2} for e in lines)
    dumped = json.dumps(log, ensure_ascii=False)
    assert "aangifte" not in dumped and "Sint-Petersburg" not in dumped
    denied = [e for e in log if e["outcome"] == "denied"]
    assert len(denied) >= 2
