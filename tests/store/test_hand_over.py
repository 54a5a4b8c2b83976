"""Someone leaves: an admin hands their cases (access rows) and open work items over to a
colleague, over the API, the web page /admin/users and the CLI, without reading any case.
SQLite and PostgreSQL."""

import json

from sqlalchemy import select

from haven.store.auth import now
from haven.store.models import CaseRecord, User, WorkItem, WorkQueue
from tests.store.store_helpers import Api, make_case
from tests.store.test_accounts import _cli
from tests.store.test_web_pages import CSRF, signed_in


def _listed(api: Api, who: str) -> set[str]:
    r = api.get("/cases?limit=500", who)
    assert r.status_code == 200, r.text
    return {c["id"] for c in r.json()["items"]}


def _world(api: Api) -> None:
    for ref in ("A", "B"):
        api.create("officer", make_case(ref))
    api.create("officer2", make_case("C"))
    assert api.post("/cases/A/share", "officer", {"username": "advocate"}).status_code == 204
    assert api.post("/cases/C/share", "officer2", {"username": "officer"}).status_code == 204
    assert api.post("/cases/B/share", "officer", {"username": "officer2"}).status_code == 204


def _items(api: Api) -> dict[str, str | None]:
    """Two work items of the officer's (one open, one closed), made in the store as a queue
    would make them; who each is assigned to, by state."""
    with api.db.session() as s:
        officer = s.scalar(select(User).where(User.username == "officer"))
        assert officer is not None
        queue = WorkQueue(org_id=officer.org_id, name="q", from_date=now().date(),
                          to_date=now().date(), pack="nl", pack_version_before="x",
                          pack_version_after="y", cases=2, created_at=now(),
                          created_by=officer.id)  # fmt: skip
        s.add(queue)
        s.flush()
        for ref, state in (("A", "open"), ("B", "closed")):
            rec = s.scalar(select(CaseRecord).where(CaseRecord.ref == ref))
            assert rec is not None
            s.add(WorkItem(queue_id=queue.id, case_id=rec.id, case_ref=ref, case_version=1,
                           case_status="refused", next_step="review", urgent=False, detail={},
                           state=state, assigned_to=officer.id))  # fmt: skip
    return _assigned(api)


def _assigned(api: Api) -> dict[str, str | None]:
    with api.db.session() as s:
        names = {u.id: u.username for u in s.scalars(select(User))}
        return {i.state: names.get(i.assigned_to or 0) for i in s.scalars(select(WorkItem))}


def test_an_admin_hands_a_leaving_officers_cases_over_over_the_api(api: Api) -> None:
    _world(api)
    assert _items(api) == {"open": "officer", "closed": "officer"}
    assert _listed(api, "officer") == {"A", "B", "C"}
    # Not to someone who cannot work on cases, not to themselves, not across organisations,
    # and only an admin may: each refused naming the field, nothing moved.
    for to, status, field in (
        ("reviewer", 422, "to"),
        ("officer", 422, "to"),
        ("x.officer", 404, "to"),
        ("nobody", 404, "to"),
    ):
        r = api.post("/users/officer/hand-over", "admin", {"to": to})
        assert r.status_code == status, r.text
        assert [p["field"] for p in r.json()["error"]["problems"]] == [field]
    assert api.post("/users/officer/hand-over", "officer2", {"to": "officer2"}).status_code == 403
    r = api.post("/users/officer/hand-over", "admin", {"to": "officer2", "extra": 1})
    assert r.status_code == 422
    assert _listed(api, "officer") == {"A", "B", "C"}

    r = api.post("/users/officer/hand-over", "admin", {"to": "officer2"})
    assert r.status_code == 200, r.text
    assert r.json() == {"username": "officer", "to": "officer2", "cases": 3}
    assert _listed(api, "officer") == set()
    assert _listed(api, "officer2") == {"A", "B", "C"}
    assert _listed(api, "advocate") == {"A"}  # others' shares stay
    # An assignment stays an assignment (officer2 may now take A's share back from the
    # advocate, as the officer could), a share a share, and officer2's own row of B is kept.
    holders = api.get("/cases/A/share", "officer2").json()["holders"]
    assert {h["username"]: h["kind"] for h in holders} == {
        "advocate": "shared", "officer2": "assigned"}  # fmt: skip
    kinds = {
        h["username"]: h["kind"] for h in api.get("/cases/B/share", "officer2").json()["holders"]
    }
    assert kinds == {"officer2": "shared"}
    assert _assigned(api) == {"open": "officer2", "closed": "officer"}  # closed: history
    entry = next(e for e in api.audit() if e["action"] == "user.hand_over")
    assert entry["detail"] == {"username": "officer", "to": "officer2", "cases": 3,
                               "work_items": 1}  # fmt: skip


def test_hand_over_from_the_admin_page_and_the_cli(api: Api) -> None:
    _world(api)
    b = signed_in(api, "admin")
    page = b.get("/admin/users").text
    # Offered for officers and advocates, to the other active ones only.
    assert 'for="to-' in page
    token = CSRF.search(page)
    assert token
    r = b.post(
        "/admin/users/officer", {"csrf": token.group(1), "do": "handover", "to": "reviewer"},
        htmx=False)  # fmt: skip
    assert r.status_code == 422
    assert "reviewer is not an active case officer or NGO advocate." in r.text
    r = b.post(
        "/admin/users/officer", {"csrf": token.group(1), "do": "handover", "to": "advocate2"},
        htmx=False)  # fmt: skip
    assert r.status_code == 303
    assert "The cases and open work items of officer are handed over." in b.get(
        r.headers["location"]).text  # fmt: skip
    assert _listed(api, "advocate2") == {"A", "B", "C"} and _listed(api, "officer") == set()

    done = _cli(api, "hand-over", "advocate2", "--to", "officer", "--org", "acme")
    assert done.returncode == 0, done.stderr
    assert "handed 3 cases of 'advocate2' over to 'officer'" in done.stdout
    assert _listed(api, "officer") == {"A", "B", "C"}
    refused = _cli(api, "hand-over", "officer", "--to", "auditor", "--org", "acme")
    assert refused.returncode != 0 and "Traceback" not in refused.stderr
    assert "'auditor' is not an active case officer or NGO advocate" in refused.stderr
    assert json.loads(_cli(api, "list", "--org", "acme").stdout)
