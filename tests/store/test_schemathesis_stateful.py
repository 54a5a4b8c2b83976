"""Stateful property-based API testing: schemathesis follows the OpenAPI links
(haven/api/links.py) to chain requests (list cases, read one, edit it with the ETag just seen,
assess it, list its versions, open a work item, ...) and checks every response as the stateless
test does (tests/store/test_schemathesis.py), on SQLite and on PostgreSQL.

Each scenario starts from the same seeded database (restored in place: copying a PostgreSQL
database per scenario costs a second): Hypothesis demands that the same choices meet the same
responses, which state left by earlier scenarios would break (FlakyStrategyDefinition).
"""

import json
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, seed, settings
from hypothesis.errors import FlakyStrategyDefinition, UnsatisfiedAssumption
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import FailureGroup
from schemathesis.core.transport import Response
from schemathesis.generation.case import Case
from schemathesis.generation.stateful import run_state_machine_as_test
from schemathesis.generation.stateful.state_machine import StepInput, StepOutput
from sqlalchemy import text

from haven.store.models import Base
from tests.store.schemathesis_checks import excluded_checks
from tests.store.store_helpers import Api, make_case

WINDOW = {"from": "2015-06-01", "to": "2015-10-01"}  # EX-RU-1 improves in it: one work item
# Rounds of scenarios, each from a fixed seed (so a run is repeatable), up to 15 steps each.
# Six: the draws follow the published schema, and with four the stricter inputs of issue 17
# left no round that reached a successful linked edit.
SEEDS = range(6)
SETTINGS = settings(
    max_examples=12,
    stateful_step_count=15,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.generate],
    database=None,
)


@pytest.fixture
def seeded(api: Api) -> Callable[[], None]:
    """Seeds the database (the officer's case EX-RU-1 and a queue with its work item) and
    gives a function that puts it back as seeded: every row, and on PostgreSQL the next ids."""
    api.create("officer", make_case("EX-RU-1"))
    r = api.post("/queues", "reviewer", WINDOW)
    assert r.status_code == 201 and r.json()["items"] == 1, r.text
    tables = Base.metadata.sorted_tables  # parents first
    postgres = api.db.engine.dialect.name == "postgresql"
    with api.db.engine.connect() as conn:
        rows = {t.name: [dict(row._mapping) for row in conn.execute(t.select())] for t in tables}
        sequences = (
            conn.execute(text("SELECT sequencename, last_value FROM pg_sequences")).all()
            if postgres
            else []
        )

    def restore() -> None:
        with api.db.engine.begin() as conn:
            for table in reversed(tables):
                conn.execute(table.delete())
            for table in tables:
                if rows[table.name]:
                    conn.execute(table.insert(), rows[table.name])
            for name, last in sequences:
                called = last is not None
                conn.execute(
                    text("SELECT setval(:name, :value, :called)"),
                    {"name": name, "value": last if called else 1, "called": called},
                )

    return restore


def test_linked_operations_keep_the_published_schema(api: Api, seeded: Callable[[], None]) -> None:
    app = api.client.app
    # Follow the declared links only, not schemathesis's guesses at more.
    config = SchemathesisConfig.from_dict(
        {"phases": {"stateful": {"inference": {"algorithms": []}}}}
    )
    officer = api.headers("officer")  # sent as the stateless test sends it
    # The case and queue workflow the links describe; account administration and sign-out are
    # left to the stateless test (a sign-out mid-scenario would end the officer's token).
    schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=config).exclude(
        path_regex=r"^/api/v1/(users|logout)"
    )
    followed: Counter[str] = Counter()  # link -> steps that used its values
    answered: Counter[tuple[str, int]] = Counter()  # (operation, status) -> responses
    failures: list[str] = []
    scenarios = 0
    cut = 0  # rounds ended early (see below)

    class Workflow(schema.as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            nonlocal scenarios
            scenarios += 1
            seeded()

        def step(self, input: StepInput) -> StepOutput:
            try:
                output: StepOutput = super().step(input)  # sends the request, runs the checks
            except UnsatisfiedAssumption:  # schemathesis set the case aside: not a failure
                raise
            except (Exception, FailureGroup) as exc:  # a failed check, or the app raised
                failures.append(f"{input.case.method} {input.case.formatted_path}: {exc}")
                raise
            if input.transition is not None and input.is_applied:
                followed[input.transition.id] += 1
            answered[(input.case.operation.label, output.response.status_code)] += 1
            return output

        def get_call_kwargs(self, case: Case[Any]) -> dict[str, Any]:
            return {"headers": officer}

        def validate_response(
            self, response: Response, case: Case[Any], additional_checks: Any = None, **kwargs: Any
        ) -> None:
            # The checks of the stateless test (schemathesis_checks.py says which cannot hold),
            # with schemathesis's stateful ones (e.g. a created resource must be readable).
            case.validate_response(
                response,
                excluded_checks=excluded_checks(case),
                transport_kwargs=kwargs or None,
                recorder=self.recorder,
            )

    for n in SEEDS:
        try:
            run_state_machine_as_test(seed(n)(Workflow), settings=SETTINGS)
        except FlakyStrategyDefinition:
            # Hypothesis found that the same choices drew differently: schemathesis's link
            # steps are not always replayable, even from the same database. Its own runner
            # ends the round there too; a failure seen first is in `failures` all the same.
            cut += 1
    assert not failures, failures[0]
    # Not vacuous: enough scenarios ran, links were followed, and values they carried made
    # requests that succeeded: an id from a list read that case, a read's ETag and content made
    # an edit, a queue led to its work item.
    links = {t.split("] ")[1].split()[0] for t in followed}
    ok = sum(n for (_, status), n in answered.items() if 200 <= status < 300)
    assert scenarios >= 20 and sum(followed.values()) >= 50 and ok >= 50, (scenarios, cut)
    assert {"ReadCase", "EditCase", "ReadQueue", "ReadItem"} <= links, followed
    assert answered[("PUT /api/v1/cases/{ref}", 200)] >= 1, answered


def test_huge_offsets_are_named_not_server_errors(api: Api) -> None:
    """Found by the stateful run: an offset past 2**63 reached the database (a 500)."""
    for path, who in [("/cases", "officer"), ("/audit", "auditor")]:
        r = api.get(f"{path}?offset={2**64}", who)
        assert r.status_code == 422, r.text
        assert [p["field"] for p in r.json()["error"]["problems"]] == ["query.offset"]
        assert api.get(f"{path}?offset=2147483647", who).status_code == 200


def test_nul_characters_are_named_not_server_errors(api: Api) -> None:
    """Found by the stateful run on PostgreSQL, whose text cannot hold a NUL (a 500): a NUL in
    a path, query or body value is a 422 naming the field, on SQLite too."""
    api.create("officer", make_case("EX-RU-1"))
    nul = "a\x00b"
    for method, url, who, body, field in [
        ("GET", "/cases/a%00b", "officer", None, "path.ref"),
        ("GET", "/cases?status=a%00b", "officer", None, "query.status"),
        ("POST", "/cases", "officer", make_case(nul), "id"),
        ("POST", "/cases/EX-RU-1/share", "officer", {"username": nul}, "username"),
        ("POST", "/queues", "reviewer", {**WINDOW, "name": nul}, "name"),
        ("POST", "/login", None, {"username": nul, "password": "x" * 12}, "username"),
    ]:
        r = api.request(method, url, who, json_body=body)
        assert r.status_code == 422, (url, r.text)
        assert r.json()["error"]["problems"] == [
            {"field": field, "message": "contains a NUL character"}
        ], url
    # A NUL is refused in any string or key, however deep, by its path; JSON that merely
    # mentions the escape (an escaped backslash) is not.
    r = api.post("/cases", "officer", {**make_case("EX-RU-2"), "profile": {"x\x00": [nul]}})
    fields = [p["field"] for p in r.json()["error"]["problems"]]
    assert fields == ["profile.x\x00", "profile.x\x00[0]"], r.text
    raw = json.dumps({**make_case("EX-RU-3"), "region": None}).replace('"region"', '"\\\\u0000"')
    r = api.client.post("/api/v1/cases", content=raw, headers=api.headers("officer"))
    assert r.json()["error"]["problems"][0]["message"] != "contains a NUL character", r.text
