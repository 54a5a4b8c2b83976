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
from haven.assess.model import Assessment, DesignationOut, Flag, PolicyRef, Step
from haven.assess.protection import assess_duty
from haven.assess.recommendation import Inputs, recommend
from haven.assess.relocation import assess_relocation
from haven.assess.trace import step
from haven.cases import Case
from haven.cases.known import Known, known_on
from haven.errors import CaseError, Problem
from haven.guardrails import ReasonContext, check_reasons
from haven.policy.decisions import PROTECTION_NEED
from haven.policy.entries import SituationLevel
from haven.policy.framework import RuleId
from haven.policy.pack import Pack
from haven.policy.rules import pick
from haven.policy.snapshot import Citation, PolicyOn
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
    recorded = case
    # Only what existed on the date: the pack as of that date, and the facts known then.
    policy = PolicyOn(pack, as_of)
    known = known_on(recorded, as_of)
    case = known.case
    steps: list[Step] = []

    gate = credibility.gate(case, policy)
    steps.append(gate.step)
    if known.later:
        steps.append(_not_known(policy, recorded, known))
    route = routing.route(case, policy)
    steps.append(route.step)
    mora = moratorium.check(case, policy)
    steps += mora.steps
    chosen = (
        designation.select(case, policy)
        if gate.assessable
        else designation.Selected(None, [])  # no country policy past a failed gate
    )
    steps += chosen.steps
    sit = situation.check(case, policy)
    steps += sit.steps
    evaluation = standard.evaluate(known, policy, chosen.entry)
    steps += evaluation.steps
    duty = assess_duty(known, policy)
    steps += duty.steps
    by_situation = sit.level is SituationLevel.MOST_EXCEPTIONAL
    needs_protection = bool(
        pick(
            PROTECTION_NEED,
            {"assessable": gate.assessable, "by_situation": by_situation, "met": evaluation.met},
        ).then
    )
    ipa = assess_relocation(
        case,
        policy,
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
            sources=_on_date(policy, c.sources, RuleId.GUARDRAILS).sources,
            message=c.message,
            entry=c.entries[0] if c.entries else None,
        )
        for c in checks
        if c.flag is not None
    ]
    for c in checks:
        label = f"flag {c.flag.value}" if c.flag else "not flagged"
        cited = _on_date(policy, c.sources, RuleId.GUARDRAILS)
        steps.append(
            Step(
                rule=f"{RuleId.GUARDRAILS.value}.{c.reason.value}",
                finding=f"Reason {c.reason.value}: {label}. {c.message}",
                sources=cited.sources,
                entries=c.entries,
                later_sources=cited.later,
            )
        )
    # Findings that contradict what was applied: steps only, no other field changes.
    for s in evidence.contradicted(
        case,
        as_of,
        pack,
        evidence.Applied(gate.assessable, chosen.entry, duty.required, ipa.status),
    ):
        cited = _on_date(policy, s.sources, RuleId.EVIDENCE)
        steps.append(s.model_copy(update={"sources": cited.sources, "later_sources": cited.later}))

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
            forward_looking=evaluation.forward_looking,
            by_situation=by_situation,
            ground=chosen.entry.ground if chosen.entry else None,
            objections=objections,
            uncertain=uncertain,
        )
    )
    steps.append(
        step(policy, RuleId.RECOMMENDATION, f"{outcome.recommendation.value}: {outcome.why}")
    )
    applied = {f.entry for f in flags if f.entry} | set(mora.out.entries)
    for entry in (chosen.entry, sit.entry, duty.waiver, ipa.exclusion):
        if entry is not None:
            applied.add(entry.id)
    if route.out.designated and route.out.entry:
        applied.add(route.out.entry)
    return Assessment(
        case_id=recorded.id,
        as_of=as_of,
        policy=PolicyRef(pack=pack.meta.id, version=pack.version),
        recommendation=outcome.recommendation,
        ground=outcome.ground,
        designation=_designation_out(policy, chosen),
        evidentiary_standard=evaluation.standard,
        standard_met=evaluation.met if gate.assessable else None,
        protection_seeking_required=duty.required,
        internal_protection=ipa.status if gate.assessable else InternalProtection.NOT_APPLICABLE,
        safe_country_of_origin=route.out.model_copy(
            update={"sources": policy.cite(route.out.sources).sources}
        ),
        moratorium=mora.out,
        flags=flags,
        steps=steps,
        exceptional_situation=sit.level.value if sit.level else None,
        unverified=unverified,
        applied=sorted(applied),
    )


def _on_date(policy: PolicyOn, ids: list[str], rule: RuleId) -> Citation:
    """Sources a guardrail or evidence step gives, split by the date; where none existed on the
    date, the rule's general law as it then stood is the basis."""
    general = policy.pack.rule(rule).sources
    cited = policy.cite(i for i in ids if i in policy.pack.sources)
    later = [s for s in cited.later if s not in general]  # only restatements of entries
    return Citation(cited.sources or policy.rule_sources(rule), later)


def _designation_out(policy: PolicyOn, chosen: designation.Selected) -> DesignationOut | None:
    out = chosen.out(policy.as_of)
    if out is None:
        return None
    cited = policy.cite(out.sources)
    return out.model_copy(
        update={"sources": cited.sources or policy.rule_sources(RuleId.DESIGNATION)}
    )


def _not_known(policy: PolicyOn, recorded: Case, known: Known) -> Step:
    """Facts dated after the as-of date were not known on it: named, never counted."""
    listed = ", ".join(
        f"incidents[{i}] ({recorded.incidents[i].kind.value}, {recorded.incidents[i].date})"
        for i in known.later
    )
    return step(
        policy,
        RuleId.FACTS_AS_OF,
        f"Not known on {policy.as_of}: {listed}. Dated after the as-of date, they are left "
        f"out of this assessment.",
    )
