"""Facts about a case that the decision tables read, each declared once as data: the value for
one case (the explaining engine) and the Polars expression over the contract's columns (the
columnar engine) are both derived from the same declaration, so they cannot drift."""

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from haven.cases.model import Credibility, Incident, Profile
from haven.vocab import Actor, Finding, Sogi


@dataclass(frozen=True)
class IncidentFact:
    """Whether the case has an incident with this credibility finding (and actor, and with
    protection not known to have been sought)."""

    name: str
    credibility: Finding
    actor: Actor | None = None
    unreported: bool = False

    def holds(self, x: Incident) -> bool:
        return (
            x.credibility is self.credibility
            and (self.actor is None or x.actor is self.actor)
            and (not self.unreported or x.sought_protection is not True)
        )

    def element(self) -> pl.Expr:
        """The same test on `pl.element()` of the incidents list (absent fields as the case
        model defaults them: credibility open, protection not sought)."""
        field = pl.element().struct.field
        test = field("credibility").fill_null(Finding.OPEN.value) == self.credibility.value
        if self.actor is not None:
            test = test & (field("actor") == self.actor.value)
        if self.unreported:
            test = test & ~field("sought_protection").fill_null(False)
        return test


HAS_CREDIBLE = IncidentFact("has_credible", Finding.CREDIBLE)
HAS_OPEN = IncidentFact("has_open", Finding.OPEN)
STATE_ACTOR = IncidentFact("state_actor", Finding.CREDIBLE, Actor.STATE)
UNREPORTED = IncidentFact("unreported", Finding.CREDIBLE, Actor.NON_STATE, unreported=True)
INCIDENT_FACTS = (HAS_CREDIBLE, HAS_OPEN, STATE_ACTOR, UNREPORTED)


@dataclass(frozen=True)
class FindingsFact:
    """Whether any of the credibility findings `fields` is `value`."""

    name: str
    fields: tuple[str, ...]
    value: Finding

    def which(self, c: Credibility) -> list[str]:
        """The fields that have the value (the credibility gate names them)."""
        return [f for f in self.fields if getattr(c, f) is self.value]

    def holds(self, c: Credibility) -> bool:
        return bool(self.which(c))

    def expr(self, column: Callable[[str], pl.Expr]) -> pl.Expr:
        """The same test over one column per finding (`column(field)`)."""
        return pl.any_horizontal(column(f) == self.value.value for f in self.fields)


# The credibility gate: identity and nationality decide whether country policy applies.
GATE = ("identity", "nationality")
REJECTED = FindingsFact("rejected", GATE, Finding.NOT_CREDIBLE)  # not assessable
STILL_OPEN = FindingsFact("provisional", GATE, Finding.OPEN)

# The claimed profile: a SOGI or a group tag.
PROFILE_CLAIM = ("sogi", "tags")


def claims_profile(p: Profile) -> bool:
    return any(getattr(p, f) for f in PROFILE_CLAIM)


def claims_profile_expr(profile: pl.Expr) -> pl.Expr:
    """The same over the contract's `profile` struct column (an absent list claims nothing)."""
    return pl.any_horizontal(
        (profile.struct.field(f).list.len() > 0).fill_null(False) for f in PROFILE_CLAIM
    )


def profile_key(nationality: str, p: Profile) -> str:
    """A case's claimed profile as one pack-independent key, for grouping an impact: the
    nationality, then the claimed SOGI values and tags, sorted (`IR:christian_convert`,
    `RU:gay+lesbian`; `AF` when nothing is claimed)."""
    claimed = sorted({*(s.value for s in p.sogi), *p.tags})
    return f"{nationality}:{'+'.join(claimed)}" if claimed else nationality


def profile_key_expr(nationality: pl.Expr, profile: pl.Expr) -> pl.Expr:
    """The same over the contract's columns (an absent list claims nothing)."""
    claimed = (
        pl.concat_list([profile.struct.field(f).fill_null([]) for f in PROFILE_CLAIM])
        .list.unique()
        .list.sort()
        .list.join("+")
    )
    return (
        pl.when(claimed.fill_null("") == "")
        .then(nationality)
        .otherwise(pl.concat_str([nationality, pl.lit(":"), claimed]))
    )


# SOGI values as bits: the columnar engine holds a case's SOGI list as one integer (the OR of
# its values' bits), so a group's "any of these" is one AND.
SOGI_BITS = {s.value: 1 << i for i, s in enumerate(Sogi)}
