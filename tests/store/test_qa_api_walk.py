"""A QA walk of the API's less-travelled endpoints with bad input and wrong roles: each test
here failed before its fix. On SQLite and PostgreSQL, with the real app."""

from tests.store.store_helpers import Api, make_case


def test_a_denial_on_a_long_path_is_answered_and_audited(api: Api) -> None:
    """A denial is audited with the method and path as its action (64 characters in the
    table) and the path's case id (200): a case id of 60 characters read by a colleague who
    does not hold it, or an id longer than any case's, was a 500 on PostgreSQL (the denial's
    own row did not fit) and no denial was recorded."""
    ref = "CASE-" + "7" * 55
    api.create("officer", make_case(ref))
    r = api.get(f"/cases/{ref}/versions", "officer2")
    assert r.status_code == 403, r.text
    too_long = "x" * 250
    assert api.get(f"/cases/{too_long}/assessments", "officer").status_code == 404
    denied = [e for e in api.audit() if e["outcome"] == "denied"]
    assert len(denied) == 2, denied
    assert denied[1]["case"] == ref
    assert denied[1]["action"].startswith("GET /api/v1/cases/CASE-")
    assert len(denied[1]["action"]) <= 64
    assert denied[1]["detail"]["path"] == f"/api/v1/cases/{ref}/versions"
    assert denied[0]["case"].startswith("xxx") and len(denied[0]["case"]) <= 200
    # A short path is recorded as before.
    assert api.get("/cases/NOPE", "officer").status_code == 404
    newest = api.audit()[0]
    assert (newest["action"], newest["detail"]) == (
        "GET /api/v1/cases/NOPE",
        {"reason": "not_found"},
    )
