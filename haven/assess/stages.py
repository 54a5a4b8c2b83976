"""The steps of an assessment, declared once and in order (`STAGES`).

Each stage runs one step module of haven.assess on the context (haven.assess.pipeline) and
returns that module's result; a later stage reads the earlier ones' results. The hand-written
findings stay in the step modules: they are the product.
"""

from dataclasses import dataclass, field
from typing import Any

from haven.assess import (
    credibility,
    designation,
    evidence,
    moratorium,
    protection,
    relocation,
    routing,
    situation,
    standard,
)
from haven.assess.match import Basis, Match, group_match
from haven.assess.model import Flag, Step
from haven.assess.pipeline import Context, Stage
from haven.assess.recommendation import Inputs, Outcome, recommend
from haven.assess.trace import step
from haven.guardrails import ReasonContext, check_reasons
from haven.policy.decisions import PROTECTION_NEED
from haven.policy.entries import SituationLevel
from haven.policy.framework import FindingKey, RuleId
from haven.policy.rules import pick
from haven.policy.snapshot import Citation, PolicyOn
from haven.vocab import InternalProtection


@dataclass(frozen=True)
class Later:
    """Facts dated after the as-of date: named in the trace, never counted."""

    steps: list[Step] = field(default_factory=list)


@dataclass(frozen=True)
class Guarded:
    """The refusal reasons checked (haven.guardrails) and the flags they raised."""

    flags: list[Flag]
    steps: list[Step]


@dataclass(frozen=True)
class Recommended:
    outcome: Outcome
    unverified: list[str]  # entries that may apply but are not confirmed on the date
    steps: list[Step]


def _gate(ctx: Context) -> credibility.Gate:
    return credibility.gate(ctx.case, ctx.policy)


def _not_known(ctx: Context) -> Later:
    later = ctx.known.later
    if not later:
        return Later()
    listed = ", ".join(
        f"incidents[{i}] ({x.kind.value}, {x.date})"
        for i, x in ((i, ctx.recorded.incidents[i]) for i in later)
    )
    # Argument `later`: "i:kind:date,..." (haven/reports/wording.py).
    said = ",".join(
        f"{i}:{ctx.recorded.incidents[i].kind.value}:{ctx.recorded.incidents[i].date}"
        for i in later
    )
    return Later(
        [
            step(
                ctx.policy,
                RuleId.FACTS_AS_OF,
                f"Not known on {ctx.policy.as_of}: {listed}. Dated after the as-of date, they "
                f"are left out of this assessment.",
                keys=[FindingKey.FACTS_LATER],
                args={"as_of": str(ctx.policy.as_of), "later": said},
            )
        ]
    )


def _route(ctx: Context) -> routing.Routing:
    return routing.route(ctx.case, ctx.policy)


def _moratoria(ctx: Context) -> moratorium.Moratoria:
    return moratorium.check(ctx.case, ctx.policy)


def _designation(ctx: Context) -> designation.Selected:
    if not ctx[CREDIBILITY].assessable:
        return designation.Selected(None, [])  # no country policy past a failed gate
    return designation.select(ctx.case, ctx.policy)


def _situation(ctx: Context) -> situation.Situation:
    return situation.check(ctx.case, ctx.policy)


def _standard(ctx: Context) -> standard.Evaluation:
    return standard.evaluate(ctx.known, ctx.policy, ctx[DESIGNATION].entry)


def _duty(ctx: Context) -> protection.Duty:
    return protection.assess_duty(ctx.known, ctx.policy)


def by_situation(ctx: Context) -> bool:
    """A most-exceptional 15(c) situation in the credible region."""
    return ctx[SITUATION].level is SituationLevel.MOST_EXCEPTIONAL


def _relocation(ctx: Context) -> relocation.Relocation:
    need = pick(
        PROTECTION_NEED,
        {
            "assessable": ctx[CREDIBILITY].assessable,
            "by_situation": by_situation(ctx),
            "met": ctx[STANDARD].met,
        },
    )
    return relocation.assess_relocation(
        ctx.case,
        ctx.policy,
        relevant=bool(need.then),
        state_actor=ctx[PROTECTION_DUTY].state_actor,
        designation=ctx[DESIGNATION].entry,
    )


def _guardrails(ctx: Context) -> Guarded:
    case, policy = ctx.case, ctx.policy
    as_of, pack = policy.as_of, policy.pack
    duty = ctx[PROTECTION_DUTY]
    checks = check_reasons(
        case,
        as_of,
        pack,
        ReasonContext(
            waiver=duty.waiver,
            relocation_exclusion=ctx[INTERNAL_PROTECTION].exclusion,
            state_actor=duty.state_actor,
            designation=ctx[DESIGNATION].entry,
            standard_met=ctx[STANDARD].met,
            # Guardrails protect the claim as made, whatever the credibility finding: late
            # disclosure matters most when it was used to find the profile not credible.
            in_group=lambda gid: (
                group_match(pack.groups[gid], case, as_of, Basis.ASSERTED) is Match.YES
            ),
        ),
    )
    flags = [
        Flag(
            code=c.flag,
            reason=c.reason,
            sources=on_date(policy, c.sources, RuleId.GUARDRAILS).sources,
            message=c.message,
            entry=c.entries[0] if c.entries else None,
        )
        for c in checks
        if c.flag is not None
    ]
    steps = []
    for c in checks:
        label = f"flag {c.flag.value}" if c.flag else "not flagged"
        head = FindingKey.GUARD_FLAGGED if c.flag else FindingKey.GUARD_NOT_FLAGGED
        cited = on_date(policy, c.sources, RuleId.GUARDRAILS)
        steps.append(
            Step(
                rule=f"{RuleId.GUARDRAILS.value}.{c.reason.value}",
                finding=f"Reason {c.reason.value}: {label}. {c.message}",
                sources=cited.sources,
                entries=c.entries,
                later_sources=cited.later,
                finding_keys=[head, *c.keys],
                finding_args={
                    "reason": c.reason.value,
                    **({"flag": c.flag.value} if c.flag else {}),
                    **c.args,
                },
            )
        )
    return Guarded(flags, steps)


def _evidence(ctx: Context) -> Later:
    """Findings that contradict what was applied: steps only, no other field changes."""
    policy = ctx.policy
    applied = evidence.Applied(
        ctx[CREDIBILITY].assessable,
        ctx[DESIGNATION].entry,
        ctx[PROTECTION_DUTY].required,
        ctx[INTERNAL_PROTECTION].status,
    )
    steps = []
    for s in evidence.contradicted(ctx.case, policy.as_of, policy.pack, applied):
        cited = on_date(policy, s.sources, RuleId.EVIDENCE)
        steps.append(s.model_copy(update={"sources": cited.sources, "later_sources": cited.later}))
    return Later(steps)


def _recommendation(ctx: Context) -> Recommended:
    gate, route, mora = ctx[CREDIBILITY], ctx[SAFE_COUNTRY], ctx[MORATORIUM]
    chosen, sit, evaluation = ctx[DESIGNATION], ctx[SITUATION], ctx[STANDARD]
    duty, ipa = ctx[PROTECTION_DUTY], ctx[INTERNAL_PROTECTION]
    unverified = sorted(
        {
            *route.unverified,
            *mora.unverified,
            *chosen.unverified,
            *sit.unverified,
            *duty.unverified,
            *ipa.unverified,
        }
    )
    # Each reason with the key of its sentence (haven/reports/wording.py).
    objections = []
    if duty.unmet:
        objections.append(
            (
                FindingKey.WHY_PROTECTION_DUTY,
                "whether seeking the authorities' protection was required",
            )
        )
    if ipa.status is InternalProtection.POSSIBLE:
        objections.append(
            (FindingKey.WHY_RELOCATION, "an internal protection alternative is not ruled out")
        )
    uncertain = []
    if chosen.unknown or mora.unknown or sit.unknown or duty.unknown or ipa.unknown:
        uncertain.append(
            (FindingKey.WHY_OPEN_FACTS, "a policy entry would apply if open facts are established")
        )
    if unverified:
        uncertain.append(
            (FindingKey.WHY_UNVERIFIED, f"unverified policy may apply ({', '.join(unverified)})")
        )
    if sit.level is SituationLevel.LESS_EXCEPTIONAL:
        uncertain.append(
            (
                FindingKey.WHY_LESS_EXCEPTIONAL,
                "a less exceptional 15(c) situation needs individual elements",
            )
        )
    outcome = recommend(
        Inputs(
            assessable=gate.assessable,
            provisional=gate.provisional,
            deferred=mora.out.decision,
            met=evaluation.met,
            forward_looking=evaluation.forward_looking,
            by_situation=by_situation(ctx),
            ground=chosen.entry.ground if chosen.entry else None,
            objections=objections,
            uncertain=uncertain,
        )
    )
    text = f"{outcome.recommendation.value}: {outcome.why}"
    args = {"recommendation": outcome.recommendation.value}
    if outcome.reasons:
        args["reasons"] = ",".join(outcome.reasons)
    if unverified:
        args["unverified"] = ", ".join(unverified)
    said = step(
        ctx.policy,
        RuleId.RECOMMENDATION,
        text,
        keys=[FindingKey.REC_HEAD, *outcome.keys],
        args=args,
    )
    return Recommended(outcome, unverified, [said, *_weight(ctx)])


def _weight(ctx: Context) -> list[Step]:
    """The legal weight of the pack's policy on the date (framework.yaml: legal_weight), citing
    the sources that existed then and concern the case's country or every country."""
    policy, country = ctx.policy, ctx.case.nationality
    weight = policy.pack.weight_on(policy.as_of)
    if weight is None:
        return []
    cited = policy.cite(s for s in weight.sources if policy.pack.sources[s].concerns(country))
    return [
        Step(
            rule=RuleId.RECOMMENDATION.value,
            finding=f"Legal weight on {policy.as_of} ({weight.weight.value}): {weight.text}",
            finding_keys=[FindingKey.LEGAL_WEIGHT.value],
            finding_args={
                "as_of": str(policy.as_of),
                "weight": weight.weight.value,
                "weight_text": weight.id,
            },
            sources=cited.sources or policy.rule_sources(RuleId.RECOMMENDATION),
            later_sources=cited.later,
        )
    ]


def on_date(policy: PolicyOn, ids: list[str], rule: RuleId) -> Citation:
    """Sources a guardrail or evidence step gives, split by the date; where none existed on the
    date, the rule's general law as it then stood is the basis."""
    general = policy.pack.rule(rule).sources
    cited = policy.cite(i for i in ids if i in policy.pack.sources)
    later = [s for s in cited.later if s not in general]  # only restatements of entries
    return Citation(cited.sources or policy.rule_sources(rule), later)


CREDIBILITY = Stage("credibility_gate", _gate)
FACTS_AS_OF = Stage("facts_as_of", _not_known)
SAFE_COUNTRY = Stage("safe_country", _route)
MORATORIUM = Stage("moratorium", _moratoria)
DESIGNATION = Stage("designation", _designation)
SITUATION = Stage("exceptional_situation", _situation)
STANDARD = Stage("standard", _standard)
PROTECTION_DUTY = Stage("protection_duty", _duty)
INTERNAL_PROTECTION = Stage("internal_protection", _relocation)
GUARDRAILS = Stage("guardrails", _guardrails)
EVIDENCE = Stage("evidence", _evidence)
RECOMMENDATION = Stage("recommendation", _recommendation)

# The order of the assessment, and of its trace: a step reads only the steps before it.
STAGES: tuple[Stage[Any], ...] = (
    CREDIBILITY,
    FACTS_AS_OF,
    SAFE_COUNTRY,
    MORATORIUM,
    DESIGNATION,
    SITUATION,
    STANDARD,
    PROTECTION_DUTY,
    INTERNAL_PROTECTION,
    GUARDRAILS,
    EVIDENCE,
    RECOMMENDATION,
)
