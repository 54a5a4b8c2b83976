"""Property-based API testing: schemathesis generates requests from /openapi.json and checks
that no response is a server error and every response conforms to the published schema.

One test per operation, each on a fresh SQLite database with an officer's token. (The lazy
`schemathesis.pytest.from_fixture` loader does not work with pytest 9, so the schema is read
from an app built at import time, whose database each test swaps for its own.)
"""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from haven.server import create_app
from haven.store.db import Database
from tests.store.schemathesis_checks import excluded_checks
from tests.store.store_helpers import Api, make_case

APP = create_app(Database("sqlite://"))  # never used: each test installs its own database
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """SQLite only: the traffic would be the same on PostgreSQL, which the other tests cover."""
    return f"sqlite:///{tmp_path / 'haven.db'}"


@pytest.fixture
def officer(api: Api) -> Iterator[dict[str, str]]:
    api.create("officer", make_case("EX-RU-1"))  # something for the {ref} paths to find
    previous = APP.state.db
    APP.state.db = api.db
    try:
        yield api.headers("officer")
    finally:
        APP.state.db = previous


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)
def test_the_api_keeps_its_published_schema(case: Any, officer: dict[str, str]) -> None:
    # Every check but "schema-valid data must be accepted" (see schemathesis_checks.py for why,
    # and for invalid tokens). Server errors, undocumented statuses, response schemas, headers,
    # accepted invalid input and auth are all checked.
    case.call_and_validate(headers=officer, excluded_checks=excluded_checks(case))
