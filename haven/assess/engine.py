"""assess(case, as_of, pack) -> Assessment: the steps of haven.assess.stages, in order.

Pure: no I/O, no clock. The same case, date and pack give the same assessment, byte for byte.
"""

from datetime import date

from haven.assess import designation
from haven.assess.model import Assessment, DesignationOut, PolicyRef, Step
from haven.assess.pipeline import Context
from haven.assess.stages import (
    CREDIBILITY,
    DESIGNATION,
    GUARDRAILS,
    INTERNAL_PROTECTION,
    MORATORIUM,
    PROTECTION_DUTY,
    RECOMMENDATION,
    SAFE_COUNTRY,
    SITUATION,
    STAGES,
    STANDARD,
)
from haven.cases import Case
from haven.cases.known import known_on
from haven.errors import CaseError, Problem
from haven.policy.framework import RuleId
from haven.policy.pack import Pack
from haven.policy.snapshot import PolicyOn, policy_on
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
    # Only what existed on the date: the pack as of that date, and the facts known then.
    ctx = Context(recorded=case, known=known_on(case, as_of), policy=policy_on(pack, as_of))
    trace: list[Step] = []
    for stage in STAGES:
        result = stage.run(ctx)
        ctx.results[stage] = result
        trace += result.steps
    return _assessment(ctx, trace)


def _assessment(ctx: Context, trace: list[Step]) -> Assessment:
    """The contract's answer, from the steps' results."""
    policy, pack = ctx.policy, ctx.policy.pack
    gate, route, mora = ctx[CREDIBILITY], ctx[SAFE_COUNTRY], ctx[MORATORIUM]
    chosen, sit, evaluation = ctx[DESIGNATION], ctx[SITUATION], ctx[STANDARD]
    duty, ipa = ctx[PROTECTION_DUTY], ctx[INTERNAL_PROTECTION]
    flags, done = ctx[GUARDRAILS].flags, ctx[RECOMMENDATION]
    applied = {f.entry for f in flags if f.entry} | set(mora.out.entries)
    for entry in (chosen.entry, sit.entry, duty.waiver, ipa.exclusion):
        if entry is not None:
            applied.add(entry.id)
    if route.out.designated and route.out.entry:
        applied.add(route.out.entry)
    return Assessment(
        case_id=ctx.recorded.id,
        as_of=policy.as_of,
        policy=PolicyRef(pack=pack.meta.id, version=pack.version),
        recommendation=done.outcome.recommendation,
        ground=done.outcome.ground,
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
        steps=trace,
        exceptional_situation=sit.level.value if sit.level else None,
        unverified=done.unverified,
        applied=sorted(applied),
    )


def _designation_out(policy: PolicyOn, chosen: designation.Selected) -> DesignationOut | None:
    out = chosen.out(policy.as_of)
    if out is None:
        return None
    cited = policy.cite(out.sources)
    return out.model_copy(
        update={"sources": cited.sources or policy.rule_sources(RuleId.DESIGNATION)}
    )
