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
    # Added fields: absent from results kept before them, so they have defaults.
    lodged: date | None = Field(None, description="The case's `procedure.lodged`")
    decided: date | None = Field(
        None,
        description="The case's `procedure.decided` (its last decision), or null. A refusal "
        "decided on or after `to` was decided under the later policy: a change between the "
        "two dates did not affect it, and no work queue lists it (haven/queue/affected.py)",
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
    # Added fields (impact between packs); absent from older results, so all have defaults.
    not_addressed: int = Field(
        0,
        description="Impact between packs: cases whose nationality one of the two packs does "
        "not address at all (no entry for the country). Its answer there is silence, not a "
        "divergence; they are counted whether or not their outcome changes. 0 for one pack",
    )
    not_addressed_cases: list[str] = Field(
        default_factory=list, description="The ids of those cases, in input order"
    )
    not_addressed_by_profile: dict[str, int] = Field(
        default_factory=dict, description="Those cases per claimed profile (as changed_by_profile)"
    )
    not_addressed_profiles: dict[str, str] = Field(
        default_factory=dict, description="Case id → its claimed profile key, for those cases"
    )
    not_addressed_countries: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Per pack id, the caseload's nationalities that pack does not address",
    )

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def addressed_by_both(pack: Pack, after_pack: Pack | None) -> frozenset[str] | None:
    """The countries both sides' packs address (have an entry for); None when both sides use
    one pack, where "not addressed" does not arise (nothing to compare it with)."""
    if after_pack is None or after_pack is pack:
        return None
    return frozenset(pack.countries()) & frozenset(after_pack.countries())


def unaddressed_countries(
    pack: Pack, after_pack: Pack, seen: Iterable[str]
) -> dict[str, list[str]]:
    """Per pack id, the nationalities among `seen` that the pack has no entry for."""
    seen = set(seen)
    found: dict[str, set[str]] = {}
    for p in (pack, after_pack):  # a draft of the same pack shares its id: one key
        found.setdefault(p.meta.id, set()).update(seen - set(p.countries()))
    return {k: sorted(v) for k, v in found.items() if v}


def compare(
    cases: Iterable[Case], before: date, after: date, pack: Pack, after_pack: Pack | None = None
) -> Impact:
    new_pack = after_pack or pack
    both = addressed_by_both(pack, after_pack)
    counts: Counter[tuple[str, str]] = Counter()
    changed: list[Change] = []
    unaddressed: list[Case] = []
    n = 0
    for case in cases:
        n += 1
        if both is not None and case.nationality not in both:
            unaddressed.append(case)
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
                    lodged=case.procedure.lodged,
                    decided=case.procedure.decided,
                )
            )
    by_status = Counter(c.status.value for c in changed)
    by_profile = Counter(c.profile for c in changed if c.profile is not None)
    silent = Counter(profile_key(c.nationality, c.profile) for c in unaddressed)
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
        not_addressed=len(unaddressed),
        not_addressed_cases=[c.id for c in unaddressed],
        not_addressed_by_profile=dict(sorted(silent.items())),
        not_addressed_profiles={c.id: profile_key(c.nationality, c.profile) for c in unaddressed},
        not_addressed_countries=unaddressed_countries(
            pack, new_pack, {c.nationality for c in unaddressed}
        ),
    )
