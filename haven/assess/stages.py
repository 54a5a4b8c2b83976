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
    """One step naming what was not known on the date: an application lodged after it, a
    decision dated after it (its reasons are not judged), incidents dated after it."""
    known, as_of, proc = ctx.known, ctx.policy.as_of, ctx.recorded.procedure
    if not (known.later or known.lodged_later or known.decided_later):
        return Later()
    said: list[str] = []
    keys: list[FindingKey] = []
    args = {"as_of": str(as_of)}
    if known.lodged_later:
        said.append(
            f"The application was lodged on {proc.lodged}, after {as_of}: there was no "
            f"application on that date yet. This assessment says what the policy then in force "
            f"meant for the facts known then."
        )
        keys.append(FindingKey.FACTS_LODGED_LATER)
        args["lodged"] = str(proc.lodged)
    if known.decided_later:
        said.append(
            f"The last decision ({proc.status.value}, {proc.decided}) is dated after {as_of}: it "
            f"did not exist on that date, and the reasons it relies on are not judged as of then."
        )
        keys.append(FindingKey.FACTS_DECIDED_LATER)
        args |= {"status": proc.status.value, "decided": str(proc.decided)}
    if known.later:
        incidents = [(i, ctx.recorded.incidents[i]) for i in known.later]
        listed = ", ".join(f"incidents[{i}] ({x.kind.value}, {x.date})" for i, x in incidents)
        said.append(
            f"Not known on {as_of}: {listed}. Dated after the as-of date, they are left out of "
            f"this assessment."
        )
        keys.append(FindingKey.FACTS_LATER)
        # Argument `later`: "i:kind:date,..." (haven/reports/wording.py).
        args["later"] = ",".join(f"{i}:{x.kind.value}:{x.date}" for i, x in incidents)
    return Later([step(ctx.policy, RuleId.FACTS_AS_OF, " ".join(said), keys=keys, args=args)])


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
    if ctx.known.decided_later:
        return Guarded([], _not_judged(ctx))
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


def _not_judged(ctx: Context) -> list[Step]:
    """The reasons of a decision dated after the as-of date, each said not judged: the decision
    did not exist on that date (haven.cases.known), so the law of that date is not applied to
    it, neither to flag nor to clear it."""
    policy, proc = ctx.policy, ctx.recorded.procedure
    return [
        Step(
            rule=f"{RuleId.GUARDRAILS.value}.{r.value}",
            finding=f"Reason {r.value}: not judged. The decision relying on it is dated "
            f"{proc.decided}, after {policy.as_of}: on that date it did not exist yet.",
            sources=policy.rule_sources(RuleId.FACTS_AS_OF),
            finding_keys=[FindingKey.GUARD_NOT_JUDGED],
            finding_args={
                "reason": r.value,
                "decided": str(proc.decided),
                "as_of": str(policy.as_of),
            },
        )
        for r in proc.reasons
    ]


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
