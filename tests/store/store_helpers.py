"""Helpers shared by the store and API tests (imported by conftest.py and the test modules)."""

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import text

from haven.cli.demo_cmd import EXAMPLE
from haven.store import auth
from haven.store.access import Role
from haven.store.db import Database, upgrade
from haven.store.models import Base

PASSWORD = "correct horse battery"  # >= 12 characters, as auth.hash_password demands

# Users of every role in organisation "acme", plus a second officer and advocate (to prove
# scoping within an organisation) and users of a second organisation "other".
USERS: dict[str, tuple[str, Role]] = {
    "officer": ("acme", Role.CASE_OFFICER),
    "officer2": ("acme", Role.CASE_OFFICER),
    "advocate": ("acme", Role.NGO_ADVOCATE),
    "advocate2": ("acme", Role.NGO_ADVOCATE),
    "reviewer": ("acme", Role.REVIEWER),
    "researcher": ("acme", Role.RESEARCHER),
    "auditor": ("acme", Role.AUDITOR),
    "admin": ("acme", Role.ADMIN),
    "x.officer": ("other", Role.CASE_OFFICER),
    "x.reviewer": ("other", Role.REVIEWER),
    "x.auditor": ("other", Role.AUDITOR),
}


@dataclass
class Api:
    """A TestClient with logged-in users: `api.get("/cases", as_="officer")`."""

    client: TestClient
    db: Database
    tokens: dict[str, str] = field(default_factory=dict)

    def headers(self, who: str | None, **extra: str) -> dict[str, str]:
        h = dict(extra)
        if who is not None:
            h["Authorization"] = f"Bearer {self.tokens[who]}"
        return h

    def request(
        self,
        method: str,
        path: str,
        as_: str | None,
        *,
        json_body: Any = None,
        headers: dict[str, str] | None = None,
        **kw: Any,
    ) -> Response:
        url = path if path.startswith("/api") or path == "/openapi.json" else f"/api/v1{path}"
        # Starlette types TestClient against httpx2, which is not installed (it runs on httpx),
        # so mypy sees its methods as untyped: the annotation says what they return.
        response: Response = self.client.request(
            method,
            url,
            headers=self.headers(as_, **(headers or {})),
            json=json_body,
            **kw,
        )
        return response

    def get(self, path: str, as_: str | None, **kw: Any) -> Response:
        return self.request("GET", path, as_, **kw)

    def post(self, path: str, as_: str | None, body: Any = None, **kw: Any) -> Response:
        return self.request("POST", path, as_, json_body=body, **kw)

    def put(self, path: str, as_: str | None, body: Any = None, **kw: Any) -> Response:
        return self.request("PUT", path, as_, json_body=body, **kw)

    def audit(self, as_: str = "auditor", limit: int = 1000) -> list[dict[str, Any]]:
        r = self.get(f"/audit?limit={limit}", as_)
        assert r.status_code == 200, r.text
        entries: list[dict[str, Any]] = r.json()
        return entries

    def create(self, as_: str, case: dict[str, Any]) -> Response:
        r = self.post("/cases", as_, case)
        assert r.status_code == 201, r.text
        return r


def make_case(ref: str, **changes: Any) -> dict[str, Any]:
    """A valid contract case; top-level keys and `procedure` keys can be overridden."""
    case: dict[str, Any] = copy.deepcopy(EXAMPLE)  # the contract example, as in the demo
    case["id"] = ref
    case["procedure"]["reasons"] = ["internal_relocation"]
    procedure = changes.pop("procedure", {})
    case.update(changes)
    case["procedure"] = {**case["procedure"], **procedure}
    return case


def rows_as_text(db: Database) -> str:
    """Every row of every table, as one text (raw SQL, no decryption)."""
    parts = []
    with db.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            for row in conn.execute(text(f"SELECT * FROM {table.name}")):
                parts.append(json.dumps([str(v) for v in row], ensure_ascii=False))
    return "\n".join(parts)


def one_user_database(tmp_path: Path, slug: str, name: str) -> Database:
    """A fresh SQLite database with one organisation and its case officer `olga`."""
    url = f"sqlite:///{tmp_path / 'haven.db'}"
    upgrade(url)
    db = Database(url)
    with db.session() as s:
        org = auth.ensure_org(s, slug, name)
        auth.add_user(s, org, "olga", "a long enough password", Role.CASE_OFFICER)
    return db
