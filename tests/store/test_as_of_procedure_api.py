"""POST /api/v1/assessments as of a date before the application: the trace names the later
application and decision, and the refusal's reasons are said not judged, with no flag (the same
as the CLI: tests/test_as_of_procedure.py). Found by a QA walk."""

from typing import Any

from tests.store.store_helpers import Api


def test_an_assessment_before_the_application_does_not_judge_the_later_refusal(
    api: Api, example_case: dict[str, Any]
) -> None:
    r = api.post("/assessments", "officer", {"case": example_case, "as_of": "2012-01-01"})
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["flags"] == []
    steps = {s["rule"]: s for s in doc["steps"]}
    facts = steps["facts_as_of"]["finding"]
    assert "The application was lodged on 2015-03-02, after 2012-01-01" in facts
    assert "The last decision (refused, 2015-07-20) is dated after 2012-01-01" in facts
    for reason in ("internal_relocation", "no_state_protection_sought"):
        step = steps[f"guardrails.{reason}"]
        assert step["finding"].startswith(f"Reason {reason}: not judged."), step
        assert step["finding_keys"] == ["guardrails.not_judged"]
    # On the day of the refusal its reasons are judged again.
    r = api.post("/assessments", "officer", {"case": example_case, "as_of": "2015-07-20"})
    assert [f["code"] for f in r.json()["flags"]] == ["protection_seeking_waived"]
