"""Evidence in the trace: where a finding in force contradicts what the assessment applies.

When the assessment applies a designation (or none), requires protection-seeking, or treats
relocation as possible (by an entry or the framework default), and a country-report finding in
force on the as-of date that reaches the case says otherwise, a step (rule `evidence`) says so
and cites both the policy's and the finding's sources. The officer sees the tension; nothing
else in the assessment changes. An information gap adds nothing: silence never counts against
the applicant.
"""

from dataclasses import dataclass
from datetime import date

from haven.assess.match import Basis, Match, entry_match, group_match
from haven.assess.model import Step
from haven.cases import Case
from haven.policy.checks import NATIONWIDE, NO_PROTECTION, Kind, cite, describe, who
from haven.policy.entries import Designation, EntryBase, InternalProtectionEntry, RelocationStatus
from haven.policy.evidence import Finding, FindingType
from haven.policy.framework import FindingKey, RuleId
from haven.policy.pack import Pack
from haven.vocab import Category, InternalProtection
from haven.vocab import Finding as Credibility


@dataclass(frozen=True)
class Applied:
    """What the assessment relied on, as decided by the earlier steps."""

    assessable: bool
    designation: Designation | None
    protection_required: bool
    relocation: InternalProtection


def reaches(pack: Pack, f: Finding, case: Case, as_of: date) -> bool:
    """The finding is about this applicant on the credible facts (group, and region if any)."""
    if f.country != case.nationality or f.group not in pack.groups:
        return False
    if group_match(pack.groups[f.group], case, as_of, Basis.CREDIBLE) is not Match.YES:
        return False
    if not f.regions:
        return True
    return case.region in f.regions and case.credibility.region is Credibility.CREDIBLE


def _step(
    pack: Pack,
    f: Finding,
    policy: EntryBase | RuleId,
    finding: str,
    as_of: date,
    said: tuple[FindingKey, Kind, dict[str, str]],
) -> Step:
    """The step; `said`: the key of its sentence, the check whose basis it quotes and its
    further arguments (haven/reports/wording.py)."""
    key, kind, args = said
    if isinstance(policy, RuleId):
        policy_sources, entries = pack.rule(policy).sources, []
    else:
        policy_sources, entries = policy.sources_on(as_of), [policy.id]
    sources = cite(policy_sources, (f.report, *f.sources), pack.rule(RuleId.EVIDENCE).sources)
    return Step(
        rule=RuleId.EVIDENCE.value,
        finding=finding + " This does not change the recommendation: the officer weighs it.",
        sources=[s for s in sources if s in pack.sources],
        entries=entries,
        finding_keys=[key, FindingKey.EVIDENCE_WEIGHS],
        finding_args={
            "finding": f.id,
            "who": f.group + (":" + ",".join(f.regions) if f.regions else ""),
            "paraphrase": f.id,
            "basis": kind.value,
            **args,
        },
    )


def _applied(d: Designation) -> dict[str, str]:
    return {"category": d.category.value, "designation": d.id}


def _allowed(pack: Pack, case: Case, as_of: date) -> list[InternalProtectionEntry]:
    return [
        e
        for e in pack.in_force(InternalProtectionEntry, as_of, case.nationality)
        if e.status is RelocationStatus.ALLOWED
        and e.verified_on(as_of)
        and entry_match(pack, e, case, as_of, Basis.CREDIBLE) is Match.YES
    ]


def contradicted(case: Case, as_of: date, pack: Pack, applied: Applied) -> list[Step]:
    """One step per finding in force that contradicts what the assessment applies."""
    if not applied.assessable or not pack.findings:
        return []
    found = [
        f for f in pack.findings_in_force(as_of, case.nationality) if reaches(pack, f, case, as_of)
    ]
    steps: list[Step] = []
    d = applied.designation
    for f in found:
        if f.type is not FindingType.SYSTEMATIC_PERSECUTION:
            continue
        if d is not None and d.category is Category.GROUP_PERSECUTION:
            continue
        policy: EntryBase | RuleId = d if d is not None else RuleId.DESIGNATION
        now = f"{d.category.value} ({d.id})" if d else "no group designation"
        steps.append(
            _step(
                pack,
                f,
                policy,
                f"Evidence against the designation applied: the assessment applies {now}, but "
                f"{describe(pack, f)} says {who(pack, f.group, f.regions)} are systematically "
                f"persecuted: {f.paraphrase} ({pack.check_basis(Kind.DESIGNATION).text}.)",
                as_of,
                (
                    (FindingKey.EVIDENCE_DESIGNATION, Kind.DESIGNATION, _applied(d))
                    if d
                    else (FindingKey.EVIDENCE_NO_DESIGNATION, Kind.DESIGNATION, {})
                ),
            )
        )
    if applied.protection_required:
        for f in found:
            if f.type in NO_PROTECTION:
                steps.append(
                    _step(
                        pack,
                        f,
                        RuleId.PROTECTION_DUTY,
                        f"Evidence against the protection-seeking duty applied: no policy waives "
                        f"it on this date, but {describe(pack, f)} says the authorities do not "
                        f"protect {who(pack, f.group, f.regions)}: {f.paraphrase} "
                        f"({pack.check_basis(Kind.PROTECTION).text}.)",
                        as_of,
                        (FindingKey.EVIDENCE_PROTECTION, Kind.PROTECTION, {}),
                    )
                )
    if applied.relocation is InternalProtection.POSSIBLE:
        allowed = _allowed(pack, case, as_of)
        for f in found:
            if f.type in NATIONWIDE:
                policy = allowed[0] if allowed else RuleId.INTERNAL_PROTECTION
                steps.append(
                    _step(
                        pack,
                        f,
                        policy,
                        f"Evidence against relocation being possible: no policy rules it out on "
                        f"this date, but {describe(pack, f)} says the harm to "
                        f"{who(pack, f.group, f.regions)} is not confined to one area: "
                        f"{f.paraphrase} ({pack.check_basis(Kind.RELOCATION).text}.)",
                        as_of,
                        (FindingKey.EVIDENCE_RELOCATION, Kind.RELOCATION, {}),
                    )
                )
    return steps
