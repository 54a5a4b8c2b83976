"""The published JSON Schema must match the models, so outside tools can trust it."""

import json
from pathlib import Path

from haven.policy.schema import pack_schema

PUBLISHED = Path(__file__).resolve().parent.parent / "docs" / "policy-pack.schema.json"


def test_published_schema_is_current() -> None:
    published = json.loads(PUBLISHED.read_text(encoding="utf-8"))
    assert published == pack_schema(), "run `make schema` and commit docs/policy-pack.schema.json"
