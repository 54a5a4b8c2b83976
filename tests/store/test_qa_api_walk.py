"""A QA walk of the API's less-travelled endpoints with bad input and wrong roles: each test
here failed before its fix. On SQLite and PostgreSQL, with the real app."""

from tests.store.store_helpers import Api, make_case


def test_a_denial_on_a_long_path_is_answered_and_audited(api: Api) -> None:
    """A denial is audited with the method and path as its action (64 characters in the
    table) and the path's case id (200): a case id of 60 characters read by a colleague who
    does not hold it, or an id as long as any case's, was a 500 on PostgreSQL (the denial's
    own row did not fit) and no denial was recorded. (A longer id is refused before any
    lookup: test_a_case_reference_longer_than_any_case_is_refused.)"""
    ref = "CASE-" + "7" * 55
    api.create("officer", make_case(ref))
    r = api.get(f"/cases/{ref}/versions", "officer2")
    assert r.status_code == 403, r.text
    longest = "x" * 200
    assert api.get(f"/cases/{longest}/assessments", "officer").status_code == 404
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


def test_a_query_parameter_given_twice_is_refused(api: Api) -> None:
    """`?status=refused&status=granted` listed the granted cases, `?country=RU&country=IQ`
    Iraq's entries and `?pack=nl&pack=euaa` assessed under euaa: the last value silently won,
    as no API parameter takes a list. Refused, as a key given twice in a body is."""
    api.create("officer", make_case("Q-1"))
    for path, name in (
        ("/cases?status=refused&status=granted", "status"),
        ("/policy/entries?country=RU&country=IQ", "country"),
        ("/audit?limit=1&limit=2", "limit"),
    ):
        who = "auditor" if path.startswith("/audit") else "officer"
        r = api.get(path, who)
        assert r.status_code == 422, (path, r.text)
        problems = r.json()["error"]["problems"]
        assert problems == [{"field": f"query.{name}", "message": "given more than once"}]
    before = len(api.get("/cases/Q-1/assessments", "officer").json())
    r = api.post("/cases/Q-1/assessments?pack=nl&pack=euaa", "officer", {})
    assert r.status_code == 422, r.text
    assert len(api.get("/cases/Q-1/assessments", "officer").json()) == before  # nothing stored
    assert api.get("/cases?status=refused", "officer").status_code == 200


def test_a_blank_comment_or_resolution_is_refused_in_words(api: Api) -> None:
    """A comment or resolution of spaces only was refused with the regular expression
    ("does not have the expected form (\\S)"), which a case officer cannot be expected to read."""
    for n in range(1, 3):
        api.create("officer", make_case(f"RU-{n}"))
    r = api.post("/queues", "reviewer", {"from": "2015-06-01", "to": "2015-10-01"})
    assert r.status_code == 201, r.text
    qid = r.json()["id"]
    item = api.get(f"/queues/{qid}", "reviewer").json()["work_items"][0]["id"]
    for action, field in (("comments", "text"), ("close", "resolution")):
        r = api.post(f"/queues/{qid}/items/{item}/{action}", "officer", {field: " \n\t "})
        assert r.status_code == 422, r.text
        problems = r.json()["error"]["problems"]
        assert problems == [{"field": field, "message": "must hold more than spaces"}]


def test_a_blank_queue_name_is_refused(api: Api) -> None:
    """An empty name was refused, but one of spaces only was stored as the queue's name."""
    api.create("officer", make_case("RU-1"))
    body = {"from": "2015-06-01", "to": "2015-10-01", "name": "   "}
    r = api.post("/queues", "reviewer", body)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["problems"] == [
        {"field": "name", "message": "must hold more than spaces"}
    ]
    assert api.get("/queues", "reviewer").json() == []  # nothing stored
    r = api.post("/queues", "reviewer", {**body, "name": " Russia, 2015 "})
    assert r.status_code == 201 and r.json()["name"] == " Russia, 2015 "


def test_who_holds_a_case_is_an_audited_read(api: Api) -> None:
    """GET /cases/{ref}/share names who holds the case and whom it could go to; every other
    read of a case is in the log, this one was not (docs/access-control.md: every list)."""
    api.create("officer", make_case("H-1"))
    assert api.post("/cases/H-1/share", "officer", {"username": "advocate"}).status_code == 204
    r = api.get("/cases/H-1/share", "advocate")
    assert r.status_code == 200, r.text
    newest = api.audit()[0]
    assert (newest["action"], newest["case"], newest["outcome"]) == ("case.holders", "H-1", "ok")
    assert newest["detail"] == {"holders": 2, "candidates": 2}


def test_an_unshare_names_a_username_within_bounds(api: Api) -> None:
    """DELETE /cases/{ref}/share/{username} took a username of any length and echoed it
    whole in its 404; every other username in a path is at most 64 characters (422)."""
    api.create("officer", make_case("U-1"))
    r = api.request("DELETE", "/cases/U-1/share/" + "a" * 500, "officer")
    assert r.status_code == 422, r.text
    assert r.json()["error"]["problems"] == [
        {"field": "path.username", "message": "must be at most 64 characters long"}
    ]
    assert api.request("DELETE", "/cases/U-1/share/nobody", "officer").status_code == 404


def test_listing_a_users_tokens_is_audited(api: Api) -> None:
    """GET /users/{name}/tokens lists when and how a colleague signed in; every other list is
    in the log (docs/access-control.md), this one was not."""
    r = api.get("/users/officer/tokens", "admin")
    assert r.status_code == 200, r.text
    newest = api.audit()[0]
    assert (newest["action"], newest["outcome"]) == ("token.list", "ok")
    assert newest["detail"] == {"username": "officer", "returned": len(r.json())}


def test_a_memo_refused_for_its_date_is_not_logged_as_made(api: Api) -> None:
    """GET /cases/{ref}/memo?as_of= a date the pack cannot assess was refused (422) only after
    the case was read and the memo logged as made (`case.memo`, outcome ok): the log said a
    memo went out that never did. The date is checked first; nothing is read or logged."""
    api.create("officer", make_case("M-1"))
    before = len(api.audit())
    r = api.get("/cases/M-1/memo?as_of=2001-01-01&format=html", "officer")
    assert r.status_code == 422, r.text
    assert [p["field"] for p in r.json()["error"]["problems"]] == ["as_of"]
    log = api.audit()
    assert len(log) == before + 1  # the auditor's own read between, nothing else
    assert not [e for e in log if e["action"] in ("case.memo", "case.read")]
    r = api.get("/cases/M-1/memo?as_of=2015-10-01&format=html", "officer")
    assert r.status_code == 200
    assert api.audit()[0]["action"] == "case.memo"


def test_a_hand_over_gives_no_one_an_item_of_a_case_they_do_not_hold(api: Api) -> None:
    """A reviewer works on every case of the organisation without holding any: handing a
    reviewer's open work items over to an officer gave the officer items of cases they do not
    hold (and cannot open: 403), which assigning one refuses (422). Only items of cases the
    colleague holds move; the others stay where they were."""
    qid, items = _two_officers_queue(api)
    for item in items.values():
        r = api.post(f"/queues/{qid}/items/{item}/assign", "reviewer", {"username": "reviewer"})
        assert r.status_code == 200, r.text
    r = api.post("/users/reviewer/hand-over", "admin", {"to": "officer"})
    assert r.status_code == 200, r.text
    got = {c: api.get(f"/queues/{qid}/items/{i}", "reviewer").json() for c, i in items.items()}
    assert got["RU-1"]["assigned_to"] == "officer"  # officer holds RU-1
    assert got["RU-2"]["assigned_to"] == "reviewer"  # officer does not hold RU-2
    assert api.get(f"/queues/{qid}/items/{items['RU-1']}", "officer").status_code == 200


def test_an_unshare_takes_back_the_colleagues_open_items_of_the_case(api: Api) -> None:
    """Taking back a share left the colleague assigned to the case's open work items, which
    they could no longer open (403): assigned to no one now, for someone who may work on them."""
    api.create("officer", make_case("RU-1"))
    assert api.post("/cases/RU-1/share", "officer", {"username": "advocate"}).status_code == 204
    r = api.post("/queues", "reviewer", {"from": "2015-06-01", "to": "2015-10-01"})
    assert r.status_code == 201, r.text
    qid = r.json()["id"]
    item = api.get(f"/queues/{qid}", "reviewer").json()["work_items"][0]["id"]
    path = f"/queues/{qid}/items/{item}"
    assert api.post(f"{path}/assign", "reviewer", {"username": "advocate"}).status_code == 200
    assert api.request("DELETE", "/cases/RU-1/share/advocate", "officer").status_code == 204
    assert api.get(path, "reviewer").json()["assigned_to"] is None
    assert api.get(path, "advocate").status_code in (403, 404)
    unassigned = next(e for e in api.audit() if e["action"] == "case.unshare")
    assert unassigned["detail"] == {"with_user": "advocate", "work_items": 1}


def test_a_disabled_or_moved_colleague_is_assigned_no_open_item(api: Api) -> None:
    """Disabling a user, or a role that may not work on an item, took no item back: the open
    items stayed assigned to someone who could not open them (as an unshare did). They go back
    to no one, counted in the audit line; a scoped role keeps the items of cases it holds."""
    qid, items = _two_officers_queue(api)

    def assign(case: str, to: str) -> None:
        r = api.post(f"/queues/{qid}/items/{items[case]}/assign", "reviewer", {"username": to})
        assert r.status_code == 200, r.text

    def holder(case: str) -> str | None:
        item = api.get(f"/queues/{qid}/items/{items[case]}", "reviewer").json()
        held: str | None = item["assigned_to"]
        return held

    # A reviewer made a case officer: keeps nothing it does not hold (neither case).
    assign("RU-1", "reviewer")
    assign("RU-2", "reviewer")
    r = api.request("PATCH", "/users/reviewer", "admin", json_body={"role": "case_officer"})
    assert r.status_code == 200, r.text
    api.request("PATCH", "/users/reviewer", "admin", json_body={"role": "reviewer"})
    assert holder("RU-1") is None and holder("RU-2") is None
    # An officer made a researcher, or disabled: nothing stays theirs.
    assign("RU-1", "officer")
    assert holder("RU-1") == "officer"
    r = api.request("PATCH", "/users/officer", "admin", json_body={"active": False})
    assert r.status_code == 200, r.text
    assert holder("RU-1") is None
    api.request("PATCH", "/users/officer", "admin", json_body={"active": True})
    assign("RU-1", "officer")
    r = api.request("PATCH", "/users/officer", "admin", json_body={"role": "researcher"})
    assert r.status_code == 200, r.text
    assert holder("RU-1") is None
    # A scoped role that still holds the case keeps its item.
    api.request("PATCH", "/users/officer", "admin", json_body={"role": "case_officer"})
    assign("RU-1", "officer")
    r = api.request("PATCH", "/users/officer", "admin", json_body={"role": "ngo_advocate"})
    assert r.status_code == 200, r.text
    assert holder("RU-1") == "officer"


def _two_officers_queue(api: Api) -> tuple[int, dict[str, int]]:
    """RU-1 held by officer, RU-2 by officer2, and the reviewer's queue over both: its id and
    its items by case."""
    api.create("officer", make_case("RU-1"))
    api.create("officer2", make_case("RU-2"))
    r = api.post("/queues", "reviewer", {"from": "2015-06-01", "to": "2015-10-01"})
    assert r.status_code == 201, r.text
    qid: int = r.json()["id"]
    listed = api.get(f"/queues/{qid}", "reviewer").json()["work_items"]
    return qid, {i["case"]: i["id"] for i in listed}


def test_a_closed_item_takes_no_comment_and_no_assignment(api: Api) -> None:
    """A closed work item still took comments and could be given to a colleague: both stored
    and logged as done. Refused as a conflict naming the state; nothing stored or logged."""
    qid, items = _two_officers_queue(api)
    path = f"/queues/{qid}/items/{items['RU-1']}"
    r = api.post(f"{path}/close", "officer", {"resolution": "Review asked"})
    assert r.status_code == 200, r.text
    before = api.audit()
    for action, body, words in (
        ("comments", {"text": "One more thing"}, "it takes no more comments"),
        ("assign", {"username": "reviewer"}, "it can no longer be assigned"),
    ):
        r = api.post(f"{path}/{action}", "officer", body)
        assert r.status_code == 409, r.text
        error = r.json()["error"]
        assert error["code"] == "conflict"
        assert error["problems"] == [
            {"field": "item", "message": f"item {items['RU-1']} is closed: {words}"}
        ]
    item = api.get(path, "officer").json()
    assert item["comments"] == [] and item["assigned_to"] is None
    after = api.audit()
    added = after[: len(after) - len(before)]
    assert not [e for e in added if e["action"] in ("queue.comment", "queue.assign")]
    # An open item still takes both.
    other = f"/queues/{qid}/items/{items['RU-2']}"
    assert api.post(f"{other}/comments", "officer2", {"text": "Called"}).status_code == 201
    r = api.post(f"{other}/assign", "reviewer", {"username": "officer2"})
    assert r.status_code == 200, r.text


def test_a_weak_etag_never_matches_if_match(api: Api) -> None:
    """`If-Match: W/"1"` edited the case as if it were `"1"`: If-Match uses the strong
    comparison, so a weak validator never matches (RFC 9110 §13.1.1). Refused as a failed
    precondition in words; nothing written. Access is still checked first."""
    api.create("officer", make_case("W-1"))
    edit = make_case("W-1", procedure={"status": "granted"})
    for sent in ('W/"1"', ' W/"1" ', 'W/"7"'):
        r = api.put("/cases/W-1", "officer", edit, headers={"If-Match": sent})
        assert r.status_code == 412, r.text
        error = r.json()["error"]
        assert error["code"] == "precondition_failed"
        assert "is a weak ETag, which an edit never matches" in error["message"]
        assert "without W/" in error["message"]
    assert [v["version"] for v in api.get("/cases/W-1/versions", "officer").json()] == [1]
    r = api.put("/cases/W-1", "officer2", edit, headers={"If-Match": 'W/"1"'})
    assert r.status_code == 403, r.text
    r = api.put("/cases/W-1", "officer", edit, headers={"If-Match": '"1"'})
    assert r.status_code == 200 and r.headers["ETag"] == '"2"'


def test_an_empty_pack_is_refused(api: Api) -> None:
    """`?pack=` (empty) was taken as the default pack: a caller whose script lost the pack's
    name got an answer under a pack they did not name. Refused as an unknown pack is (422
    naming the parameter, in words); a body's `"pack": ""` too. Nothing stored."""
    api.create("officer", make_case("P-1"))
    for path in ("/policy/entries?country=RU&pack=", "/cases/P-1/memo?as_of=2015-10-01&pack="):
        r = api.get(path, "officer")
        assert r.status_code == 422, (path, r.text)
        [problem] = r.json()["error"]["problems"]
        assert problem["field"] == "query.pack"
        assert problem["message"].startswith("is empty: name a pack this server offers (nl")
        assert problem["message"].endswith("or leave it out for the default")
    r = api.post("/cases/P-1/assessments?pack=", "officer", {})
    assert r.status_code == 422, r.text
    assert api.get("/cases/P-1/assessments", "officer").json() == []  # nothing stored
    r = api.post("/assessments", "officer", {"case": make_case("P-1"), "pack": ""})
    assert r.status_code == 422, r.text
    assert [p["field"] for p in r.json()["error"]["problems"]] == ["pack"]
    assert api.get("/policy/entries?country=RU", "officer").status_code == 200


def test_a_case_reference_longer_than_any_case_is_refused(api: Api) -> None:
    """A case reference in a path had no length limit: one of any length was looked up, and
    its 404 quoted it whole. Longer than a case id may be (200, the contract's and the
    store's limit): 422 naming the path parameter, before any lookup. A message quotes at
    most 64 characters of it."""
    api.create("officer", make_case("R-1"))
    too_long = "x" * 201
    for method, path in (
        ("GET", f"/cases/{too_long}"),
        ("GET", f"/cases/{too_long}/versions"),
        ("GET", f"/cases/{too_long}/memo?as_of=2015-10-01"),
        ("POST", f"/cases/{too_long}/assessments"),
        ("DELETE", f"/cases/{too_long}/share/officer2"),
    ):
        r = api.request(method, path, "officer", json_body={} if method == "POST" else None)
        assert r.status_code == 422, (path, r.text)
        assert r.json()["error"]["problems"] == [
            {"field": "path.ref", "message": "must be at most 200 characters long"}
        ]
    assert not [e for e in api.audit() if e["case"] and e["case"].startswith("xxx")]
    longest = "y" * 200  # as long as a case id may be: looked up, not found, quoted in part
    r = api.get(f"/cases/{longest}", "officer")
    assert r.status_code == 404, r.text
    [problem] = r.json()["error"]["problems"]
    assert problem["message"] == f"no case {'y' * 64 + '…'!r}"
    assert "y" * 65 not in r.text
    r = api.put("/cases/R-1", "officer", make_case("z" * 200), headers={"If-Match": '"1"'})
    assert r.status_code == 409 and "z" * 65 not in r.text, r.text


def test_a_password_is_taken_as_given_and_never_blank(api: Api) -> None:
    """The web forms stripped a password's surrounding spaces, the API and the CLI did not: a
    password set here with a space could not sign in on the web. One rule now (haven/store/
    auth.py): never stripped, never empty or only spaces (refused in words naming the field,
    nothing stored), at most 1024 characters; a wrong one still gets the one generic answer."""
    blank = " \t" * 8
    r = api.post("/users", "admin", {"username": "blank", "password": blank, "role": "reviewer"})
    assert r.status_code == 422, r.text
    assert r.json()["error"]["problems"] == [
        {"field": "password", "message": "must not be empty or only spaces"}
    ]
    assert "blank" not in [u["username"] for u in api.get("/users", "admin").json()]
    r = api.put("/users/officer/password", "admin", {"password": blank})
    assert r.status_code == 422, r.text
    spaced = "  a passphrase with spaces  "
    r = api.put("/users/officer/password", "admin", {"password": spaced})
    assert r.status_code == 204, r.text
    signed = api.client.post("/api/v1/login", json={"username": "officer", "password": spaced})
    assert signed.status_code == 200, signed.text
    for wrong in (spaced.strip(), spaced + " "):
        r = api.client.post("/api/v1/login", json={"username": "officer", "password": wrong})
        assert r.status_code == 401, r.text
        assert r.json()["error"]["message"] == "unknown user or wrong password"
    r = api.client.post("/api/v1/login", json={"username": "officer", "password": "   "})
    assert r.status_code == 422, r.text
    assert [p["field"] for p in r.json()["error"]["problems"]] == ["password"]


def test_a_country_or_group_in_a_path_is_quoted_in_part(api: Api) -> None:
    """GET /policy/timeline/{country} quoted a code of any length whole in its 422, and so did
    `?group=`: a message quotes at most 64 characters of the input."""
    for path in ("/policy/timeline/" + "q" * 300, "/policy/timeline/RU?group=" + "g" * 300):
        r = api.get(path, "officer")
        assert r.status_code == 422, (path, r.text)
        [problem] = r.json()["error"]["problems"]
        assert "…" in problem["message"] and ("q" * 65 not in r.text and "g" * 65 not in r.text)
    r = api.get("/policy/timeline/ZZ", "officer")
    assert r.status_code == 422 and "'ZZ' is not an ISO 3166-1" in r.text, r.text
