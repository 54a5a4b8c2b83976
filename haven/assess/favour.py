"""Which of two recommendations is the more favourable to the applicant, declared once as
ordered data over the contract's recommendation values; and the note a memo or case page
makes when a reference pack recommends something more favourable on the same date."""

from dataclasses import dataclass

from haven.assess.model import Assessment, Step
from haven.vocab import Recommendation as R

# Most favourable first. Values in one tier are equally favourable: further assessment and a
# deferred decision neither recommend protection nor stand in its way; not indicated and not
# assessable (identity or nationality not credible) both leave no policy ground to protect.
FAVOURABILITY: tuple[frozenset[R], ...] = (
    frozenset({R.PROTECTION_INDICATED}),
    frozenset({R.FURTHER_ASSESSMENT, R.DECISION_DEFERRED}),
    frozenset({R.PROTECTION_NOT_INDICATED, R.NOT_ASSESSABLE}),
)
_RANK = {r: i for i, tier in enumerate(FAVOURABILITY) for r in tier}


def more_favourable(a: R, b: R) -> bool:
    """Whether recommendation `a` is more favourable to the applicant than `b`."""
    return _RANK[a] < _RANK[b]


@dataclass(frozen=True)
class ReferenceNote:
    """A reference pack's assessment that is more favourable than the case's own, and the
    sources of the steps in which the two differ (each side its own pack's sources)."""

    own: Assessment
    reference: Assessment
    own_sources: list[str]
    reference_sources: list[str]


def reference_note(own: Assessment, reference: Assessment) -> ReferenceNote | None:
    """The note, if the reference assessment is more favourable than the own one; else None."""
    if not more_favourable(reference.recommendation, own.recommendation):
        return None
    mine, theirs = _by_rule(own.steps), _by_rule(reference.steps)
    differing = [
        r
        for r in dict.fromkeys([*mine, *theirs])
        if _gist(mine.get(r, [])) != _gist(theirs.get(r, []))
    ]
    return ReferenceNote(
        own,
        reference,
        _sources(own.steps, differing),
        _sources(reference.steps, differing),
    )


def _by_rule(steps: list[Step]) -> dict[str, list[Step]]:
    found: dict[str, list[Step]] = {}
    for s in steps:
        found.setdefault(s.rule, []).append(s)
    return found


def _gist(steps: list[Step]) -> list[tuple[str, list[str]]]:
    return [(s.finding, s.entries) for s in steps]


def _sources(steps: list[Step], rules: list[str]) -> list[str]:
    """The sources of the steps of these rules, in order, once each (all steps' if none)."""
    chosen = [s for s in steps if s.rule in rules] or steps
    return list(dict.fromkeys(src for s in chosen for src in s.sources))
