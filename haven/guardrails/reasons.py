"""Flag refusal reasons (procedure.reasons) that are forbidden or insufficient on a date.

Pure: the engine passes in what it found (waivers, relocation exclusions, the standard), so
this package depends only on the policy and case models.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from haven.cases import Case
from haven.policy.decisions import entry_fact, flag_table
from haven.policy.entries import (
    Designation,
    ForbiddenReasoning,
    InternalProtectionEntry,
    ProtectionDuty,
)
from haven.policy.facts import forbidden_reaches
from haven.policy.framework import STANDARD_RULES, FindingKey, RuleId
from haven.policy.pack import Pack
from haven.policy.rules import pick
from haven.vocab import FlagCode, Reason


@dataclass(frozen=True)
class ReasonContext:
    """What the assessment found that decides whether a reason is lawful."""

    waiver: ProtectionDuty | None
    relocation_exclusion: InternalProtectionEntry | None
    state_actor: bool
    designation: Designation | None
    standard_met: bool | None
    in_group: Callable[[str], bool]  # does the applicant's claim fall within this group?


@dataclass(frozen=True)
class ReasonCheck:
    reason: Reason
    flag: FlagCode | None
    message: str
    sources: list[str]
    entries: list[str] = field(default_factory=list)
    # The sentences `message` says and their arguments (haven/reports/wording.py).
    keys: tuple[FindingKey, ...] = ()
    args: dict[str, str] = field(default_factory=dict)


def check_reasons(case: Case, as_of: date, pack: Pack, ctx: ReasonContext) -> list[ReasonCheck]:
    return [_check(r, case, as_of, pack, ctx) for r in case.procedure.reasons]


def _check(r: Reason, case: Case, as_of: date, pack: Pack, ctx: ReasonContext) -> ReasonCheck:
    state_rule = pack.rule(RuleId.STATE_IS_PERSECUTOR)
    forbidden = [
        e
        for e in pack.in_force(ForbiddenReasoning, as_of, case.nationality)
        if e.reason is r and e.verified_on(as_of)
    ]
    d = ctx.designation
    facts: dict[str, object] = {
        "waived": ctx.waiver is not None,
        "state_actor": ctx.state_actor,
        "excluded_by_policy": ctx.relocation_exclusion is not None,
        "designated_met": d is not None and ctx.standard_met is True,
    }
    for e in forbidden:
        # The country is in force for the nationality (pack.in_force): only the group is left.
        facts[entry_fact(e).name] = forbidden_reaches(e, True, ctx.in_group)
    fired = pick(flag_table(r, forbidden), facts)
    flag = FlagCode(str(fired.then)) if fired.then is not None else None
    if fired.id == "waiver" and ctx.waiver is not None:
        w = ctx.waiver
        return ReasonCheck(
            r,
            flag,
            f"The refusal relies on the applicant not seeking protection from the "
            f"authorities, but policy waives that duty on {as_of}: {w.label} "
            f"(from {w.valid_from}).",
            list(w.sources_on(as_of)),
            [w.id],
            (FindingKey.GUARD_WAIVER,),
            {"as_of": str(as_of), "entry": w.id, "date": str(w.valid_from)},
        )
    if fired.id == "exclusion" and ctx.relocation_exclusion is not None:
        x = ctx.relocation_exclusion
        return ReasonCheck(
            r,
            flag,
            f"The refusal relies on internal relocation, which policy rules out on {as_of}: "
            f"{x.label} (from {x.valid_from}).",
            list(x.sources_on(as_of)),
            [x.id],
            (FindingKey.GUARD_EXCLUSION,),
            {"as_of": str(as_of), "entry": x.id, "date": str(x.valid_from)},
        )
    if fired.id == "state_is_persecutor":
        protection = r is Reason.NO_STATE_PROTECTION_SOUGHT
        message = (
            "The refusal relies on the applicant not seeking protection, but the state is "
            "the actor of persecution in a credible incident: it cannot be asked to protect."
            if protection
            else "The refusal relies on internal relocation, but the state is the actor of "
            "persecution in a credible incident: there is normally no safe area."
        )
        key = FindingKey.GUARD_STATE_PROTECTION if protection else FindingKey.GUARD_STATE_RELOCATION
        return ReasonCheck(r, flag, message, list(state_rule.sources), [], (key,))
    if fired.id == "standard_misapplied" and d is not None:
        std = pack.rule(STANDARD_RULES[d.evidentiary_standard])
        return ReasonCheck(
            r,
            flag,
            f"The refusal finds the indications insufficient, but on {as_of} the applicable "
            f"standard is {d.evidentiary_standard.value} ({d.label}) and the credible facts "
            f"meet it.",
            [*d.sources_on(as_of), *(s for s in std.sources if s not in d.sources_on(as_of))],
            [d.id],
            (FindingKey.GUARD_STANDARD,),
            {"as_of": str(as_of), "standard": d.evidentiary_standard.value, "entry": d.id},
        )
    for e in forbidden:
        if fired.id == entry_fact(e).name:
            return ReasonCheck(
                r,
                flag,
                e.message,
                list(e.sources_on(as_of)),
                [e.id],
                (FindingKey.GUARD_FORBIDDEN,),
                {"message": e.id},
            )
    return ReasonCheck(
        r,
        None,
        f"No rule in the pack forbids relying on {r.value} for this applicant on {as_of}.",
        list(pack.rule(RuleId.GUARDRAILS).sources),
        keys=(FindingKey.GUARD_NONE,),
        args={"as_of": str(as_of)},
    )
