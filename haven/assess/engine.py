"""assess(case, as_of, pack) -> Assessment: the reasoning pipeline, in order.

Pure: no I/O, no clock. The same case, date and pack give the same assessment, byte for byte.
"""

from datetime import date

from haven.assess import (
    credibility,
    designation,
    evidence,
    moratorium,
    routing,
    situation,
    standard,
)
from haven.assess.match import Basis, Match, group_match
from haven.assess.model import Assessment, Flag, PolicyRef, Step
from haven.assess.protection import assess_duty
from haven.assess.recommendation import Inputs, recommend
from haven.assess.relocation import assess_relocation
from haven.assess.trace import step
from haven.cases import Case
from haven.errors import CaseError, Problem
from haven.guardrails import ReasonContext, check_reasons
from haven.policy.entries import SituationLevel
from haven.policy.framework import RuleId
from haven.policy.pack import Pack
from haven.vocab import InternalProtection


def vocabulary_problems(case: Case, pack: Pack) -> list[Problem]:
    """Tags come from the pack's vocabulary; an unknown tag is a typo that would match nothing."""
    return [
        Problem(
            f"profile.tags[{i}]",
            # At most 60 characters of the tag echoed: it may be any length.
            f"unknown tag {t[:60]!r}; the {pack.meta.id} pack knows: "
            + ", ".join(sorted(pack.tags)),
        )
        for i, t in enumerate(case.profile.tags)
        if t not in pack.tags
    ]


def check_vocabulary(case: Case, pack: Pack) -> None:
    bad = vocabulary_problems(case, pack)
    if bad:
        raise CaseError(bad)


def assess(case: Case, as_of: date, pack: Pack) -> Assessment:
    check_vocabulary(case, pack)
    steps: list[Step] = []

    gate = credibility.gate(case, pack)
    steps.append(gate.step)
    route = routing.route(case, as_of, pack)
    steps.append(route.step)
    mora = moratorium.check(case, as_of, pack)
    steps += mora.steps
    chosen = (
        designation.select(case, as_of, pack)
        if gate.assessable
        else designation.Selected(None, [])  # no country policy past a failed gate
    )
    steps += chosen.steps
    sit = situation.check(case, as_of, pack)
    steps += sit.steps
    evaluation = standard.evaluate(case, as_of, chosen.entry, pack)
    steps += evaluation.steps
    duty = assess_duty(case, as_of, pack)
    steps += duty.steps
    by_situation = sit.level is SituationLevel.MOST_EXCEPTIONAL
    needs_protection = gate.assessable and (evaluation.met is not False or by_situation)
    ipa = assess_relocation(
        case,
        as_of,
        pack,
        relevant=needs_protection,
        state_actor=duty.state_actor,
        designation=chosen.entry,
    )
    steps += ipa.steps

    checks = check_reasons(
        case,
        as_of,
        pack,
        ReasonContext(
            waiver=duty.waiver,
            relocation_exclusion=ipa.exclusion,
            state_actor=duty.state_actor,
            designation=chosen.entry,
            standard_met=evaluation.met,
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
            sources=c.sources,
            message=c.message,
            entry=c.entries[0] if c.entries else None,
        )
        for c in checks
        if c.flag is not None
    ]
    for c in checks:
        label = f"flag {c.flag.value}" if c.flag else "not flagged"
        steps.append(
            Step(
                rule=f"{RuleId.GUARDRAILS.value}.{c.reason.value}",
                finding=f"Reason {c.reason.value}: {label}. {c.message}",
                sources=c.sources,
                entries=c.entries,
            )
        )
    # Findings that contradict what was applied: steps only, no other field changes.
    steps += evidence.contradicted(
        case,
        as_of,
        pack,
        evidence.Applied(gate.assessable, chosen.entry, duty.required, ipa.status),
    )

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
    objections = []
    if duty.unmet:
        objections.append("whether seeking the authorities' protection was required")
    if ipa.status is InternalProtection.POSSIBLE:
        objections.append("an internal protection alternative is not ruled out")
    uncertain = []
    if chosen.unknown or mora.unknown or sit.unknown or duty.unknown or ipa.unknown:
        uncertain.append("a policy entry would apply if open facts are established")
    if unverified:
        uncertain.append(f"unverified policy may apply ({', '.join(unverified)})")
    if sit.level is SituationLevel.LESS_EXCEPTIONAL:
        uncertain.append("a less exceptional 15(c) situation needs individual elements")
    outcome = recommend(
        Inputs(
            assessable=gate.assessable,
            provisional=gate.provisional,
            deferred=mora.out.decision,
            met=evaluation.met,
            by_situation=by_situation,
            ground=chosen.entry.ground if chosen.entry else None,
            objections=objections,
            uncertain=uncertain,
        )
    )
    steps.append(
        step(pack, RuleId.RECOMMENDATION, f"{outcome.recommendation.value}: {outcome.why}")
    )
    applied = {f.entry for f in flags if f.entry} | set(mora.out.entries)
    for entry in (chosen.entry, sit.entry, duty.waiver, ipa.exclusion):
        if entry is not None:
            applied.add(entry.id)
    if route.out.designated and route.out.entry:
        applied.add(route.out.entry)
    return Assessment(
        case_id=case.id,
        as_of=as_of,
        policy=PolicyRef(pack=pack.meta.id, version=pack.version),
        recommendation=outcome.recommendation,
        ground=outcome.ground,
        designation=chosen.out(as_of),
        evidentiary_standard=evaluation.standard,
        standard_met=evaluation.met if gate.assessable else None,
        protection_seeking_required=duty.required,
        internal_protection=ipa.status if gate.assessable else InternalProtection.NOT_APPLICABLE,
        safe_country_of_origin=route.out,
        moratorium=mora.out,
        flags=flags,
        steps=steps,
        exceptional_situation=sit.level.value if sit.level else None,
        unverified=unverified,
        applied=sorted(applied),
    )
