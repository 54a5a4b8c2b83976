"""The assessment (contract v1, section 2). Fields beyond the contract are additions only."""

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from haven.vocab import (
    Category,
    FlagCode,
    Ground,
    InternalProtection,
    Reason,
    Recommendation,
    Standard,
)

NOTICE = (
    "Decision support only: this assessment recommends; the case officer decides. "
    "Check every step against the cited sources and the facts of the case."
)


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PolicyRef(_Out):
    pack: str
    version: str = Field(description="Content hash of the pack: same data, same version")


class DesignationOut(_Out):
    category: Category
    group: str
    since: date
    sources: list[str]
    entry: str
    label: str
    evidentiary_standard: Standard
    regions: list[str] = Field(default_factory=list)


class SafeCountryOut(_Out):
    designated: bool
    exception_applies: bool
    entry: str | None = None
    exception: str | None = Field(None, description="The exempting group or regional exception")
    sources: list[str] = Field(default_factory=list)


class MoratoriumOut(_Out):
    decision: bool
    departure: bool
    entries: list[str] = Field(default_factory=list)


class Flag(_Out):
    code: FlagCode
    reason: Reason
    sources: list[str]
    message: str
    entry: str | None = Field(None, description="The pack entry whose rule the reason breaks")


class Step(_Out):
    rule: str
    finding: str
    sources: list[str] = Field(
        min_length=1, description="Documents signed or published on or before the as-of date"
    )
    entries: list[str] = Field(default_factory=list, description="Pack entries applied")
    later_sources: list[str] = Field(
        default_factory=list,
        description="Documents dated after the as-of date that restate the step's entries: "
        "shown for information, never the basis (contract v1.1)",
    )
    finding_keys: list[str] = Field(
        default_factory=list,
        description="The sentences `finding` is made of, in order (the pack words each, "
        "framework.yaml: step_findings, so a reader's language can say it); empty when not "
        "named",
    )
    finding_args: dict[str, str] = Field(
        default_factory=dict,
        description="What the sentences fill in, by name: entry ids, ISO dates and codes, "
        "never words (haven/reports/wording.py says them)",
    )


class Assessment(_Out):
    case_id: str
    as_of: date
    policy: PolicyRef
    recommendation: Recommendation
    ground: Ground | None
    designation: DesignationOut | None
    evidentiary_standard: Standard
    standard_met: bool | None
    protection_seeking_required: bool
    internal_protection: InternalProtection
    safe_country_of_origin: SafeCountryOut
    moratorium: MoratoriumOut
    flags: list[Flag]
    steps: list[Step]
    exceptional_situation: str | None = Field(
        None, description="QD 15(c) level for the region of origin, if the pack sets one"
    )
    unverified: list[str] = Field(
        default_factory=list, description="Entries that may apply but are unverified: not applied"
    )
    applied: list[str] = Field(
        default_factory=list,
        description="Pack entries that determined a field above (designation, waiver, relocation "
        "rule, moratoria, 15(c) situation, safe-country designation, flags), sorted",
    )
    notice: str = NOTICE
