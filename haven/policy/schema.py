"""The published JSON Schema of the pack format, generated from the Pydantic models."""

from typing import Any

from pydantic import BaseModel, ConfigDict, TypeAdapter

from haven.policy.entries import Entry
from haven.policy.evidence import Finding, Report
from haven.policy.framework import (
    CheckBasis,
    FindingText,
    FlagText,
    LegalWeight,
    Rule,
    StepTitle,
)
from haven.policy.groups import Group, Tag
from haven.policy.pack import PackMeta
from haven.policy.sources import Source

SCHEMA_ID = "https://haven.example/schemas/policy-pack/v1.json"


class _Sources(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sources: list[Source]


class _Groups(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tags: list[Tag]
    groups: list[Group]


class _Framework(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rules: list[Rule]
    checks: list[CheckBasis]
    flags: list[FlagText]
    steps: list[StepTitle]
    # Optional: the sentences of the steps' findings (complete when given).
    step_findings: list[FindingText] = []
    # Optional: the legal weight of the pack's policy by period.
    legal_weight: list[LegalWeight] = []


class _Findings(BaseModel):
    """Optional: country-of-origin reports and the findings extracted from them."""

    model_config = ConfigDict(extra="forbid")
    reports: list[Report]
    findings: list[Finding]


def pack_schema() -> dict[str, Any]:
    """One document with a schema per pack file kind, under `$defs`, plus `entries` files."""
    entry = TypeAdapter(list[Entry]).json_schema(ref_template="#/$defs/{model}")
    defs: dict[str, Any] = dict(entry.pop("$defs", {}))
    files: dict[str, Any] = {}
    models: dict[str, type[BaseModel]] = {
        "pack.yaml": PackMeta,
        "sources.yaml": _Sources,
        "groups.yaml": _Groups,
        "framework.yaml": _Framework,
        "findings.yaml": _Findings,
    }
    for name, model in models.items():
        sub = model.model_json_schema(ref_template="#/$defs/{model}")
        defs.update(sub.pop("$defs", {}))
        files[name] = sub
    files["entries/*.yaml"] = {
        "type": "object",
        "properties": {"entries": entry},
        "required": ["entries"],
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "Haven policy pack (v1)",
        "description": (
            "Each file of a pack directory validates against the schema named after it in "
            "`files`. Entry validity is half-open: valid_to is the first day an entry no "
            "longer applies."
        ),
        "files": files,
        "$defs": defs,
    }


def file_schema(name: str) -> dict[str, Any]:
    """A standalone schema for one file kind (e.g. 'entries/*.yaml'), for validators."""
    full = pack_schema()
    return {"$schema": full["$schema"], "$defs": full["$defs"], **full["files"][name]}
