"""Step 4: which group designation applies (precedence: haven.policy.precedence)."""

from dataclasses import dataclass, field
from datetime import date

from haven.assess.match import Basis, Match, entry_match
from haven.assess.model import DesignationOut, Step
from haven.assess.trace import not_applied, step, under_review
from haven.cases import Case
from haven.policy.entries import Designation, IndividualProfile
from haven.policy.framework import FindingKey, RuleId
from haven.policy.precedence import DESIGNATION, choose, preferred
from haven.policy.snapshot import PolicyOn


@dataclass(frozen=True)
class Selected:
    entry: Designation | None
    steps: list[Step]
    unknown: list[Designation] = field(default_factory=list)  # might apply once facts are found
    unverified: list[str] = field(default_factory=list)

    def out(self, as_of: date) -> DesignationOut | None:
        e = self.entry
        if e is None or e.group is None:
            return None
        return DesignationOut(
            category=e.category,
            group=e.group,
            since=e.valid_from,
            sources=list(e.sources_on(as_of)),
            entry=e.id,
            label=e.label,
            evidentiary_standard=e.evidentiary_standard,
            regions=list(e.regions),
        )


def select(case: Case, policy: PolicyOn) -> Selected:
    as_of, pack = policy.as_of, policy.pack
    applies: list[Designation] = []
    unknown: list[Designation] = []
    unverified: list[Designation] = []
    for e in policy.in_force(Designation, case.nationality):
        m = entry_match(pack, e, case, as_of, Basis.CREDIBLE)
        if m is Match.NO:
            continue
        if not e.verified_on(as_of):
            unverified.append(e)
        elif m is Match.YES:
            applies.append(e)
        else:
            unknown.append(e)
    chosen = choose(DESIGNATION, applies)

    steps: list[Step] = []
    if chosen is None:
        steps.append(
            step(
                policy,
                RuleId.DESIGNATION,
                f"No group designation applies to the credible facts on {as_of}: the claim is "
                f"assessed individually.",
                keys=[FindingKey.DESIGNATION_NONE],
                args={"as_of": as_of.isoformat()},
            )
        )
    else:
        where = f" in {', '.join(chosen.regions)}" if chosen.regions else ""
        finding = (
            f"{chosen.label}{where} (from {chosen.valid_from}): category "
            f"{chosen.category.value}, standard {chosen.evidentiary_standard.value}."
        )
        keys = [FindingKey.DESIGNATION_REGIONAL if where else FindingKey.DESIGNATION_CHOSEN]
        args = {
            "entry": chosen.id,
            "regions": ", ".join(chosen.regions),
            "date": chosen.valid_from.isoformat(),
            "category": chosen.category.value,
            "standard": chosen.evidentiary_standard.value,
        }
        others = [e for e in applies if e is not chosen]
        if others:
            finding += (
                " Also applicable, less specific or less favourable: "
                + "; ".join(e.id for e in others)
                + "."
            )
            keys.append(FindingKey.DESIGNATION_OTHERS)
            args["others"] = "; ".join(e.id for e in others)
        steps.append(
            step(policy, RuleId.DESIGNATION, finding, [chosen, *others], keys=keys, args=args)
        )
    better_unknown = [e for e in unknown if chosen is None or preferred(DESIGNATION, e, chosen)]
    if better_unknown:
        steps.append(
            step(
                policy,
                RuleId.DESIGNATION,
                "Would apply if the open facts (profile, identity or region of origin) are found "
                "credible: " + "; ".join(e.label for e in better_unknown) + ".",
                better_unknown,
                keys=[FindingKey.DESIGNATION_WOULD_APPLY],
                args={"entries": ",".join(e.id for e in better_unknown)},
            )
        )
    for e in unverified:
        text, keys, args = _unverified_text(e, as_of)
        steps.append(step(policy, RuleId.UNVERIFIED, text, [e], keys=keys, args=args))
    steps += _individual_profiles(case, policy)
    return Selected(chosen, steps, better_unknown, [e.id for e in unverified])


def _individual_profiles(case: Case, policy: PolicyOn) -> list[Step]:
    """Profiles the policy names without lowering the standard of proof: shown, never applied
    (they set no designation, standard or outcome, so neither engine counts them)."""
    as_of, pack = policy.as_of, policy.pack
    steps: list[Step] = []
    for e in policy.in_force(IndividualProfile, case.nationality):
        m = entry_match(pack, e, case, as_of, Basis.CREDIBLE)
        if m is Match.NO:
            continue
        grade = f" (grade: {e.eu_grade.value})" if e.eu_grade else ""
        if not e.verified_on(as_of):
            steps.append(not_applied(policy, e, unverified=True))
            continue
        when = "" if m is Match.YES else "If the open facts are found credible: "
        keys = [] if m is Match.YES else [FindingKey.PROFILE_IF_OPEN]
        keys.append(FindingKey.PROFILE_GRADED if e.eu_grade else FindingKey.PROFILE)
        args = {"entry": e.id, "date": str(e.valid_from)}
        if e.eu_grade:
            args["eu_grade"] = e.eu_grade.value
        steps.append(
            step(
                policy,
                RuleId.DESIGNATION,
                f"{when}{e.label} (from {e.valid_from}){grade}. The profile does not lower the "
                f"standard of proof: the claim is assessed individually, weighing these "
                f"circumstances.",
                [e],
                keys=keys,
                args=args,
            )
        )
    return steps


def _unverified_text(e: Designation, as_of: date) -> tuple[str, list[FindingKey], dict[str, str]]:
    """The finding, its sentences and their arguments (haven/reports/wording.py); the note on
    the doubt is the pack's (`note`: Pack.note)."""
    args = {"entry": e.id}
    review = under_review(e, as_of)
    if review is not None:
        return review
    if e.verified and e.unconfirmed_from is not None:
        args |= {"date": str(e.valid_from), "since": str(e.unconfirmed_from.date), "note": e.id}
        return (
            f"Not applied: {e.label} (from {e.valid_from}) is unconfirmed since "
            f"{e.unconfirmed_from.date}: {e.unconfirmed_from.note}",
            [FindingKey.UNCONFIRMED_SINCE],
            args,
        )
    keys = [FindingKey.UNVERIFIED_NOT_APPLIED_2]
    if e.note:
        keys.append(FindingKey.UNVERIFIED_NOTE)
        args["note"] = e.id
    return f"Not applied, unverified: {e.label}. {e.note or ''}".strip(), keys, args
