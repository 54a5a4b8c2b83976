"""Compare a caseload's assessments on two (pack, date) pairs: two dates under one pack, or
one date under two packs (`haven impact --from-pack A --to-pack B --on D`).

This version loops over cases with the single-case engine; a columnar engine can replace the
loop later, and must agree with it.
"""

from collections import Counter
from collections.abc import Iterable
from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from haven.assess import Assessment, assess
from haven.assess.model import PolicyRef
from haven.cases import Case
from haven.cases.facts import profile_key
from haven.policy.pack import Pack
from haven.vocab import Status

# The contract's fields whose change makes a case "changed".
COMPARED = (
    "recommendation",
    "designation",
    "evidentiary_standard",
    "protection_seeking_required",
    "internal_protection",
)


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Summary(_Out):
    recommendation: str
    designation: str | None = Field(description="Designation category, or null")
    designation_group: str | None
    evidentiary_standard: str
    protection_seeking_required: bool
    internal_protection: str
    flags: list[str]

    @classmethod
    def of(cls, a: Assessment) -> "Summary":
        return cls(
            recommendation=a.recommendation.value,
            designation=a.designation.category.value if a.designation else None,
            designation_group=a.designation.group if a.designation else None,
            evidentiary_standard=a.evidentiary_standard.value,
            protection_seeking_required=a.protection_seeking_required,
            internal_protection=a.internal_protection.value,
            flags=sorted(f.code.value for f in a.flags),
        )


class Change(_Out):
    case_id: str
    status: Status
    before: Summary
    after: Summary
    changed_fields: list[str]
    changed_rules: list[str] = Field(
        description="Entries that determined the outcome on one side and not the other"
    )
    profile: str | None = Field(
        None,
        description="The case's claimed profile: nationality, then SOGI values and tags "
        "(`IR:christian_convert`); the key of `changed_by_profile`",
    )


class Transition(_Out):
    from_: str = Field(alias="from", serialization_alias="from")
    to: str
    count: int

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Impact(_Out):
    from_: date = Field(serialization_alias="from")
    to: date
    policy_before: PolicyRef
    policy_after: PolicyRef
    cases: int
    transitions: list[Transition]
    changed: list[Change]
    changed_by_status: dict[str, int]
    changed_by_profile: dict[str, int] = Field(
        default_factory=dict, description="Changed cases per claimed profile (Change.profile)"
    )

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def compare(
    cases: Iterable[Case], before: date, after: date, pack: Pack, after_pack: Pack | None = None
) -> Impact:
    new_pack = after_pack or pack
    counts: Counter[tuple[str, str]] = Counter()
    changed: list[Change] = []
    n = 0
    for case in cases:
        n += 1
        a, b = assess(case, before, pack), assess(case, after, new_pack)
        sa, sb = Summary.of(a), Summary.of(b)
        counts[(sa.recommendation, sb.recommendation)] += 1
        fields = [
            f
            for f in COMPARED
            if getattr(sa, f) != getattr(sb, f)
            or (f == "designation" and sa.designation_group != sb.designation_group)
        ]
        if fields:
            rules = sorted(set(a.applied) ^ set(b.applied))
            changed.append(
                Change(
                    case_id=case.id,
                    status=case.procedure.status,
                    before=sa,
                    after=sb,
                    changed_fields=fields,
                    changed_rules=rules,
                    profile=profile_key(case.nationality, case.profile),
                )
            )
    by_status = Counter(c.status.value for c in changed)
    by_profile = Counter(c.profile for c in changed if c.profile is not None)
    return Impact(
        from_=before,
        to=after,
        policy_before=PolicyRef(pack=pack.meta.id, version=pack.version),
        policy_after=PolicyRef(pack=new_pack.meta.id, version=new_pack.version),
        cases=n,
        transitions=[Transition(from_=f, to=t, count=c) for (f, t), c in sorted(counts.items())],
        changed=changed,
        changed_by_status=dict(sorted(by_status.items())),
        changed_by_profile=dict(sorted(by_profile.items())),
    )
