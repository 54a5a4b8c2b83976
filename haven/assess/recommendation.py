"""Step 9: from findings to a recommendation. Recommends; never decides; no scores."""

from dataclasses import dataclass

from haven.policy.decisions import RECOMMENDATION
from haven.policy.framework import FindingKey
from haven.policy.rules import pick
from haven.vocab import Ground, Recommendation


@dataclass(frozen=True)
class Inputs:
    assessable: bool
    provisional: bool  # identity or nationality open
    deferred: bool  # a decision moratorium covers the case
    met: bool | None  # the evidentiary standard on the credible facts
    forward_looking: bool  # met is open: the risk on return must be assessed (no past harm)
    by_situation: bool  # a most-exceptional 15(c) situation in the credible region
    ground: Ground | None  # of the designation, if any
    # (the sentence key, its English words) of each: the finding names its reasons by key too
    objections: list[tuple[FindingKey, str]]  # unresolved protection-duty or relocation questions
    uncertain: list[tuple[FindingKey, str]]  # facts or policy still open that could change it


@dataclass(frozen=True)
class Outcome:
    recommendation: Recommendation
    ground: Ground | None
    why: str
    keys: tuple[FindingKey, ...] = ()  # the sentences `why` says (haven/reports/wording.py)
    reasons: tuple[FindingKey, ...] = ()  # the reasons a further assessment names, in order


def facts(i: Inputs) -> dict[str, object]:
    """The facts the recommendation table (haven.policy.decisions) reads."""
    return {
        "assessable": i.assessable,
        "provisional": i.provisional,
        "deferred": i.deferred,
        "met": i.met,
        "by_situation": i.by_situation,
        "objections": bool(i.objections),
        "uncertain": bool(i.uncertain),
    }


def recommend(i: Inputs) -> Outcome:
    fired = pick(RECOMMENDATION, facts(i))
    result = Recommendation(str(fired.then))
    if fired.id == "not_assessable":
        return Outcome(
            result,
            None,
            "Identity or nationality is not credible.",
            (FindingKey.REC_NOT_ASSESSABLE,),
        )
    if fired.id == "deferred":
        return Outcome(
            result, None, "A decision moratorium covers the case.", (FindingKey.REC_DEFERRED,)
        )
    met = True if i.by_situation else i.met
    if fired.id in ("indicated", "indicated_by_situation"):
        ground = Ground.SUBSIDIARY if i.by_situation and i.ground is None else i.ground
        return Outcome(
            result,
            ground,
            "The applicable standard is met on the credible facts and no relocation or "
            "protection-seeking question remains open.",
            (FindingKey.REC_INDICATED,),
        )
    if fired.id == "not_indicated":
        return Outcome(
            result,
            None,
            "The applicable standard is not met on the credible facts, and no open fact or "
            "unverified policy point could change that.",
            (FindingKey.REC_NOT_INDICATED,),
        )
    reasons = list(i.objections) + list(i.uncertain)
    if i.provisional:
        reasons.insert(0, (FindingKey.WHY_PROVISIONAL, "identity or nationality is still open"))
    if met is None and i.forward_looking:
        reasons.insert(
            0,
            (
                FindingKey.WHY_FORWARD,
                "no past harm is not no risk: the forward-looking question (the risk on return "
                "of living openly, practising one's faith or expressing opinions, and of "
                "activities since leaving) must be assessed",
            ),
        )
    elif met is None:
        reasons.insert(
            0,
            (
                FindingKey.WHY_JUDGMENT,
                "whether the standard is met needs an individual judgment or open facts",
            ),
        )
    elif met is True:
        reasons.insert(0, (FindingKey.WHY_MET, "the standard is met"))
    return Outcome(
        Recommendation.FURTHER_ASSESSMENT,
        None,
        "Further assessment: " + "; ".join(text for _, text in reasons) + ".",
        (FindingKey.REC_FURTHER,),
        tuple(key for key, _ in reasons),
    )
