"""Access control: the documented role table is the code's, and the API enforces it.

`python tests/store/test_access.py` prints the table that docs/access-control.md must hold.
Every HTTP test here runs on SQLite and on PostgreSQL, and checks that every 403 or 404 a
user met is in the audit log with outcome "denied".
"""

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select

from haven.store.access import (
    ALLOWED,
    CASE_ACTIONS,
    QUEUE_ITEM_ACTIONS,
    SCOPED,
    Action,
    Role,
    allowed,
)
from haven.store.auth import now
from haven.store.models import CaseAccess, CaseRecord, Organisation, User
from tests.store.store_helpers import PASSWORD, Api, make_case

DOC = Path(__file__).resolve().parents[2] / "docs" / "access-control.md"
START, END = "<!-- access-table:start -->", "<!-- access-table:end -->"

# Where each action is exercised over HTTP (the doc's first column).
ENDPOINTS: dict[Action, str] = {
    Action.CASE_CREATE: "`POST /cases`",
    Action.CASE_READ: "`GET /cases/{id}`, `…/versions`, `GET …/assessments`",
    Action.CASE_LIST: "`GET /cases`",
    Action.CASE_EDIT: "`PUT /cases/{id}`",
    Action.CASE_SHARE: "`GET`/`POST /cases/{id}/share`, `DELETE …/share/{name}`",
    Action.CASE_ASSESS: "`POST /cases/{id}/assessments`",
    Action.STATS_READ: "`GET /stats`",
    Action.AUDIT_READ: "`GET /audit`",
    Action.USER_MANAGE: "`GET`/`POST /users`, `PATCH /users/{name}`, `PUT …/password`, "
    "`GET`/`DELETE …/tokens[/{id}]`, `POST …/hand-over`",
    Action.ASSESS_STATELESS: "`POST /assessments`, `POST /impact`, `POST /lint`",
    Action.POLICY_READ: "`GET /policy/…`",
    Action.QUEUE_CREATE: "`POST /queues`",
    Action.QUEUE_READ: "`GET /queues`, `GET /queues/{id}`, `GET …/items/{n}`, `…/letter`",
    Action.QUEUE_WORK: "`POST …/items/{n}/assign`, `…/comments`, `…/close`",
    Action.QUEUE_COUNTS: "`GET /queues/{id}/counts`",
}
ALLOW, SCOPE, DENY = "allowed", "assigned or shared only", "denied"


def cell(role: Role, action: Action) -> str:
    if action not in ALLOWED[role]:
        return DENY
    # Listing is scoped the same way as the case actions (repo._visible): a scoped role's
    # list holds only the cases assigned or shared with it.
    # Work items act on their case, and are scoped like it.
    scoped = CASE_ACTIONS | QUEUE_ITEM_ACTIONS | {Action.CASE_LIST}
    if role in SCOPED and action in scoped:
        return SCOPE
    return ALLOW


def access_table() -> str:
    roles = list(Role)
    lines = [
        "| action | endpoints | " + " | ".join(f"`{r.value}`" for r in roles) + " |",
        "|---|---|" + "---|" * len(roles),
    ]
    for action in Action:
        cells = " | ".join(cell(r, action) for r in roles)
        lines.append(f"| `{action.value}` | {ENDPOINTS[action]} | {cells} |")
    return "\n".join(lines)


def test_the_doc_holds_exactly_the_role_table_of_the_code() -> None:
    assert set(ENDPOINTS) == set(Action), "a new action needs its endpoints and a doc row"
    assert set(ALLOWED) == set(Role)
    text = DOC.read_text(encoding="utf-8")
    assert text.count(START) == 1 and text.count(END) == 1, f"{DOC} lost its table markers"
    documented = text.split(START, 1)[1].split(END, 1)[0].strip()
    assert documented == access_table(), (
        "docs/access-control.md is out of date; regenerate the table with "
        "`.venv/bin/python tests/store/test_access.py`"
    )


def test_allowed_follows_the_table() -> None:
    for role in Role:
        for action in Action:
            want = cell(role, action)
            assert allowed(role, action, related=True) is (want != DENY)
            if action in CASE_ACTIONS:
                assert not allowed(role, action, same_org=False)
                assert allowed(role, action, related=False) is (want == ALLOW)


# --- over HTTP ----------------------------------------------------------------------------


class Audited:
    """Asserts statuses and remembers each 403/404 a user met, to find them in the audit log."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.denials: Counter[str] = Counter()

    def __call__(
        self, want: int, method: str, path: str, who: str, body: Any = None, **kw: Any
    ) -> Any:
        r = self.api.request(method, path, who, json_body=body, **kw)
        assert r.status_code == want, f"{who}: {method} {path} -> {r.status_code} {r.text}"
        if want in (403, 404):
            self.denials[who] += 1
        return r

    def check_log(self) -> None:
        """Every denial is in the audit log of the user's organisation, as 'denied'."""
        with self.api.db.session() as s:
            users = {u.id: (u.username, u.org_id) for u in s.scalars(select(User))}
        seen: Counter[str] = Counter()
        for auditor in ("auditor", "x.auditor"):
            for e in self.api.audit(auditor, limit=1000):
                if e["outcome"] == "denied":
                    seen[users[e["user_id"]][0]] += 1
        # The auditors' own reads of the log are not denials; drop users who met none.
        assert +seen == +self.denials


def _version(api: Api, org: str, ref: str) -> int:
    with api.db.session() as s:
        v = s.scalar(
            select(CaseRecord.version)
            .join(Organisation, Organisation.id == CaseRecord.org_id)
            .where(CaseRecord.ref == ref, Organisation.slug == org)
        )
    assert v is not None
    return v


MATRIX_USERS = {
    "officer": Role.CASE_OFFICER,
    "advocate": Role.NGO_ADVOCATE,
    "reviewer": Role.REVIEWER,
    "researcher": Role.RESEARCHER,
    "auditor": Role.AUDITOR,
    "admin": Role.ADMIN,
}


def test_every_role_gets_exactly_what_the_table_allows(api: Api) -> None:
    """For every role and action: a case shared with the user, one of its organisation that
    is not, and one of another organisation. Success or 403/404 follows `allowed`."""
    call = Audited(api)
    for who, role in MATRIX_USERS.items():
        api.create("officer2", make_case(f"REL-{who}"))
        if role in SCOPED:
            call(204, "POST", f"/cases/REL-{who}/share", "officer2", {"username": who})
            continue
        # The other roles cannot be given a case (422 naming the username); a row written
        # before that check existed must still grant them nothing beyond the table.
        r = call(422, "POST", f"/cases/REL-{who}/share", "officer2", {"username": who})
        assert r.json()["error"]["problems"][0]["field"] == "username"
        _share_directly(api, f"REL-{who}", who)
    api.create("officer2", make_case("UNREL"))
    api.create("x.officer", make_case("X-1", nationality="AF", region=None))

    requests: dict[Action, Callable[[str, str], tuple[str, str, Any, int]]] = {
        Action.CASE_READ: lambda who, ref: ("GET", f"/cases/{ref}", None, 200),
        Action.CASE_EDIT: lambda who, ref: ("PUT", f"/cases/{ref}", make_case(ref), 200),
        Action.CASE_SHARE: lambda who, ref: (
            "POST",
            f"/cases/{ref}/share",
            {"username": "advocate2"},
            204,
        ),
        Action.CASE_ASSESS: lambda who, ref: (
            "POST",
            f"/cases/{ref}/assessments",
            {"as_of": "2015-10-01"},
            201,
        ),
    }
    for who, role in MATRIX_USERS.items():
        for action, make in requests.items():
            for ref, org, related in (
                (f"REL-{who}", "acme", True),
                ("UNREL", "acme", False),
                ("X-1", "other", False),
            ):
                method, path, body, ok = make(who, ref)
                headers = {"If-Match": f'"{_version(api, org, ref)}"'}
                if action not in ALLOWED[role]:
                    want = 403  # the role alone decides, before the case is looked up
                elif org != "acme":
                    want = 404  # another organisation's cases do not exist for this caller
                else:
                    want = ok if allowed(role, action, related=related) else 403
                call(want, method, path, who, body, headers=headers)
                if action is Action.CASE_READ:
                    for sub in ("versions", "assessments"):
                        call(want, "GET", f"{path}/{sub}", who)

        # Actions on no particular case.
        may = ALLOWED[role]
        call(201 if Action.CASE_CREATE in may else 403, "POST", "/cases", who, make_case(who))
        r = call(200 if Action.CASE_LIST in may else 403, "GET", "/cases", who)
        if Action.CASE_LIST in may:
            listed = {c["id"] for c in r.json()["items"]}
            assert "X-1" not in listed
            assert (f"REL-{who}" in listed) and (("UNREL" in listed) is (role not in SCOPED))
        call(200 if Action.STATS_READ in may else 403, "GET", "/stats", who)
        call(200 if Action.AUDIT_READ in may else 403, "GET", "/audit", who)
        new_user = {"username": f"new.{who}", "password": PASSWORD, "role": "reviewer"}
        call(201 if Action.USER_MANAGE in may else 403, "POST", "/users", who, new_user)
        manage = 200 if Action.USER_MANAGE in may else 403
        call(manage, "GET", "/users", who)
        call(manage, "GET", "/users/officer/tokens", who)
        stateless = 200 if Action.ASSESS_STATELESS in may else 403
        call(stateless, "POST", "/assessments", who, {"case": make_case("T")})
        impact = {"cases": [make_case("T")], "from": "2015-01-01", "to": "2016-01-01"}
        call(stateless, "POST", "/impact", who, impact)
        for path in ("/policy/packs", "/policy/sources", "/policy/timeline/RU"):
            call(200 if Action.POLICY_READ in may else 403, "GET", path, who)
    call.check_log()


def _world(api: Api) -> None:
    """officer, officer2, advocate and advocate2 each own one case; 'other' has two."""
    for who, ref in (
        ("officer", "A"),
        ("officer2", "B"),
        ("advocate", "C"),
        ("advocate2", "D"),
    ):
        api.create(who, make_case(ref))
    api.create("officer", make_case("SAME"))
    api.create("x.officer", make_case("SAME", nationality="IR", region=None))
    api.create("x.officer", make_case("X", nationality="AF", region=None))


def _listed(api: Api, who: str, query: str = "") -> set[str]:
    r = api.get(f"/cases?limit=500{query}", who)
    assert r.status_code == 200, r.text
    return {c["id"] for c in r.json()["items"]}


def _share_directly(api: Api, ref: str, username: str) -> None:
    with api.db.session() as s:
        case_id = s.scalar(select(CaseRecord.id).where(CaseRecord.ref == ref))
        user_id = s.scalar(select(User.id).where(User.username == username))
        s.add(CaseAccess(case_id=case_id, user_id=user_id, kind="shared", created_at=now()))


def _may_change(call: Audited, want: int, who: str, ref: str, version: int = 1) -> None:
    """Every way to change a case: edit, share and store an assessment."""
    call(want, "PUT", f"/cases/{ref}", who, make_case(ref), headers={"If-Match": f'"{version}"'})
    call(204 if want == 200 else want, "POST", f"/cases/{ref}/share", who, {"username": who})
    call(201 if want == 200 else want, "POST", f"/cases/{ref}/assessments", who, {})


def _may_read(call: Audited, want: int, who: str, ref: str) -> None:
    for path in (f"/cases/{ref}", f"/cases/{ref}/versions", f"/cases/{ref}/assessments"):
        call(want, "GET", path, who)


def test_officers_and_advocates_see_only_their_own_and_shared_cases(api: Api) -> None:
    _world(api)
    call = Audited(api)
    assert _listed(api, "officer") == {"A", "SAME"}
    assert _listed(api, "officer2") == {"B"}
    assert _listed(api, "advocate") == {"C"}
    for who, own, others in (
        ("officer", "A", ("B", "C", "D")),
        ("advocate", "C", ("A", "B", "D")),
    ):
        _may_read(call, 200, who, own)
        _may_change(call, 200, who, own)
        for ref in others:  # the same organisation's cases, not assigned or shared: 403
            _may_read(call, 403, who, ref)
            _may_change(call, 403, who, ref)
        # Another organisation's case does not exist for them: 404, whatever the role allows.
        _may_read(call, 404, who, "X")
        _may_change(call, 404, who, "X")
        assert "X" not in _listed(api, who, "&nationality=AF")

    # A reference used by both organisations: each sees its own case only.
    assert call(200, "GET", "/cases/SAME", "officer").json()["case"]["nationality"] == "RU"
    assert call(200, "GET", "/cases/SAME", "x.officer").json()["case"]["nationality"] == "IR"

    # Sharing grants access, to that case only; only a related user may share.
    call(403, "POST", "/cases/B/share", "officer", {"username": "officer"})
    call(204, "POST", "/cases/B/share", "officer2", {"username": "officer"})
    assert _listed(api, "officer") == {"A", "B", "SAME"}
    _may_read(call, 200, "officer", "B")
    _may_change(call, 200, "officer", "B")
    assert _listed(api, "officer2") == {"B"}, "sharing does not widen the sharer's view"
    # Shared on: the advocate can now read and edit B (version 2 after officer's edit).
    call(204, "POST", "/cases/B/share", "officer", {"username": "advocate"})
    _may_read(call, 200, "advocate", "B")
    _may_change(call, 200, "advocate", "B", version=2)
    assert _listed(api, "advocate") == {"B", "C"}
    _may_read(call, 403, "advocate2", "B")
    # A share taken back: the advocate no longer sees B. An assignment is not taken back
    # (officer2 created B: 409), a share that is not there is a 404 naming the username, and
    # only a user who may share the case may take a share back.
    r = call(200, "GET", "/cases/B/share", "officer")
    assert r.json() == {
        "holders": [
            {"username": "advocate", "role": "ngo_advocate", "kind": "shared"},
            {"username": "officer", "role": "case_officer", "kind": "shared"},
            {"username": "officer2", "role": "case_officer", "kind": "assigned"},
        ],
        "candidates": [{"username": "advocate2", "role": "ngo_advocate"}],
    }
    call(403, "GET", "/cases/B/share", "advocate2")  # not related: nothing of who holds it
    call(403, "GET", "/cases/B/share", "reviewer")
    call(204, "DELETE", "/cases/B/share/advocate", "officer")
    _may_read(call, 403, "advocate", "B")
    assert _listed(api, "advocate") == {"C"}
    r = call(404, "DELETE", "/cases/B/share/advocate", "officer")
    assert [p["field"] for p in r.json()["error"]["problems"]] == ["username"]
    r = call(409, "DELETE", "/cases/B/share/officer2", "officer")
    assert [p["field"] for p in r.json()["error"]["problems"]] == ["username"]
    call(403, "DELETE", "/cases/B/share/officer", "advocate2")
    call(403, "DELETE", "/cases/B/share/officer", "reviewer")
    assert _listed(api, "officer") == {"A", "B", "SAME"}
    # Only users of the same organisation can be shared with.
    r = call(404, "POST", "/cases/A/share", "officer", {"username": "x.officer"})
    assert [p["field"] for p in r.json()["error"]["problems"]] == ["username"]
    _may_read(call, 404, "x.officer", "A")
    # Only an active case officer or advocate can be given a case: a reviewer already sees
    # every case, a researcher none, and a disabled account gains nothing (422, nothing kept).
    call(200, "PATCH", "/users/advocate2", "admin", {"active": False})
    for username in ("reviewer", "researcher", "advocate2"):
        r = call(422, "POST", "/cases/A/share", "officer", {"username": username})
        problem = r.json()["error"]["problems"][0]
        assert problem == {
            "field": "username",
            "message": f"{username!r} is not an active case officer or NGO advocate",
        }
    holders = call(200, "GET", "/cases/A/share", "officer").json()["holders"]
    assert [h["username"] for h in holders] == ["officer"]
    call.check_log()


def test_reviewer_reads_and_assesses_every_case_of_the_org_but_cannot_edit(api: Api) -> None:
    _world(api)
    call = Audited(api)
    assert _listed(api, "reviewer") == {"A", "B", "C", "D", "SAME"}
    for ref in ("A", "B", "C", "D", "SAME"):
        _may_read(call, 200, "reviewer", ref)
        call(201, "POST", f"/cases/{ref}/assessments", "reviewer", {"as_of": "2015-10-01"})
        r = call(
            403, "PUT", f"/cases/{ref}", "reviewer", make_case(ref), headers={"If-Match": '"1"'}
        )
        assert r.json()["error"]["code"] == "forbidden"
        call(403, "POST", f"/cases/{ref}/share", "reviewer", {"username": "reviewer"})
    call(403, "PUT", "/cases/A", "reviewer", make_case("A"))  # the role, before If-Match
    call(403, "POST", "/cases", "reviewer", make_case("R-1"))
    assert call(200, "GET", "/cases/SAME", "reviewer").json()["case"]["nationality"] == "RU"
    _may_read(call, 404, "reviewer", "X")
    call(404, "POST", "/cases/X/assessments", "reviewer", {})
    call(200, "GET", "/cases/X", "x.reviewer")
    assert _listed(api, "x.reviewer") == {"SAME", "X"}
    for who in ("officer", "officer2", "advocate", "advocate2"):
        assert len(_listed(api, who, "&recommendation=protection_indicated")) >= 1
    call.check_log()


def test_researcher_gets_suppressed_counts_and_no_case(api: Api) -> None:
    call = Audited(api)
    # Fewer than 5 cases in all: even the total is suppressed.
    assert call(200, "GET", "/stats", "researcher").json() == {
        "cases": "<5",
        "by_nationality": {},
        "by_status": {},
        "by_recommendation": {},
        "suppressed_below": 5,
    }
    _world(api)  # 5 RU cases in acme (A, B, C, D, SAME), IR and AF in "other"
    api.create("officer", make_case("E", nationality="IR", region=None))
    api.create("officer", make_case("F", procedure={"status": "pending"}))
    r = call(200, "GET", "/stats", "researcher")
    stats = r.json()
    assert stats == {
        "cases": 7,
        # 7 - 6 would give the hidden 1 away: the 6 is hidden too (complementary, issue 17).
        "by_nationality": {"IR": "<5", "RU": "suppressed"},
        "by_status": {"pending": "<5", "refused": "suppressed"},
        "by_recommendation": {"not_assessed": 7},
        "suppressed_below": 5,
    }
    text = json.dumps(stats)
    assert not any(f'"{ref}"' in text for ref in ("A", "B", "C", "D", "E", "F", "SAME"))
    assert "AF" not in stats["by_nationality"], "another organisation's cases are not counted"

    _may_read(call, 403, "researcher", "A")
    _may_change(call, 403, "researcher", "A")
    call(403, "PUT", "/cases/A", "researcher", make_case("A"))  # no If-Match: still 403
    _may_read(call, 403, "researcher", "NO-SUCH-CASE")  # 403, not 404: existence not revealed
    _may_read(call, 403, "researcher", "X")
    call(403, "GET", "/cases", "researcher")
    call(403, "GET", "/cases?nationality=RU", "researcher")
    call(403, "POST", "/cases", "researcher", make_case("R-1"))
    call(403, "GET", "/audit", "researcher")
    call(
        403,
        "POST",
        "/users",
        "researcher",
        {"username": "r2", "password": PASSWORD, "role": "admin"},
    )

    call.check_log()


def test_auditor_reads_the_audit_log_only(api: Api) -> None:
    _world(api)
    call = Audited(api)
    log = call(200, "GET", "/audit?limit=1000", "auditor").json()
    created = {e["case"] for e in log if e["action"] == "case.create"}
    assert created == {"A", "B", "C", "D", "SAME"}, "only the auditor's organisation"
    assert {e["outcome"] for e in log} == {"ok"}
    assert {"id", "at", "user_id", "action", "outcome", "case", "detail"} == set(log[0])

    _may_read(call, 403, "auditor", "A")
    _may_change(call, 403, "auditor", "A")
    call(403, "GET", "/cases", "auditor")
    call(403, "POST", "/cases", "auditor", make_case("AU-1"))
    call(403, "GET", "/stats", "auditor")
    call(
        403, "POST", "/users", "auditor", {"username": "a2", "password": PASSWORD, "role": "admin"}
    )
    call(403, "POST", "/assessments", "auditor", {"case": make_case("T")})
    call(403, "GET", "/policy/packs", "auditor")
    call.check_log()

    # The auditor's own denials are in the log it reads.
    mine = [e for e in api.audit() if e["outcome"] == "denied"]
    assert len(mine) == call.denials["auditor"]
    assert {e["case"] for e in mine} == {"A", None}


def test_admin_manages_users_and_sees_no_case_content(api: Api) -> None:
    _world(api)
    call = Audited(api)
    body = {"username": "nina.officer", "password": PASSWORD, "role": "case_officer"}
    r = call(201, "POST", "/users", "admin", body)
    assert r.json() == {"username": "nina.officer", "role": "case_officer"}
    login = api.client.post(
        "/api/v1/login", json={"username": "nina.officer", "password": PASSWORD}
    )
    assert login.status_code == 200
    api.tokens["nina.officer"] = login.json()["token"]
    me = api.get("/me", "nina.officer").json()
    assert me["org_id"] == api.get("/me", "admin").json()["org_id"], "in the admin's org"
    assert _listed(api, "nina.officer") == set(), "a new officer sees no case until shared"

    r = call(409, "POST", "/users", "admin", body)
    assert [p["field"] for p in r.json()["error"]["problems"]] == ["username"]
    r = call(422, "POST", "/users", "admin", {**body, "username": "x2", "password": "short"})
    assert [p["field"] for p in r.json()["error"]["problems"]] == ["password"]
    r = call(422, "POST", "/users", "admin", {**body, "username": "x3", "role": "god"})
    assert [p["field"] for p in r.json()["error"]["problems"]] == ["role"]
    r = call(422, "POST", "/users", "admin", {**body, "username": "Bad Name"})
    assert [p["field"] for p in r.json()["error"]["problems"]] == ["username"]

    _may_read(call, 403, "admin", "A")
    _may_change(call, 403, "admin", "A")
    call(403, "GET", "/cases", "admin")
    call(403, "POST", "/cases", "admin", make_case("AD-1"))
    call(403, "GET", "/stats", "admin")
    call(403, "GET", "/audit", "admin")
    call(403, "POST", "/users", "officer", {**body, "username": "sneaky"})
    call(200, "GET", "/policy/packs", "admin")
    call.check_log()


if __name__ == "__main__":
    print(access_table())
