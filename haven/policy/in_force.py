"""The entries in force for a country on a date, each with the documents it may cite then: the
rows of every as-of policy view (`haven policy show`, `GET /api/v1/policy/entries`, the policy
explorer). Citations follow the one rule assessments follow (haven.policy.snapshot.cite_on):
documents published after the date are set apart, never the basis. Pure."""

from dataclasses import dataclass
from datetime import date

from haven.policy.entries import EntryBase
from haven.policy.pack import Pack
from haven.policy.snapshot import Citation, cite_on


@dataclass(frozen=True)
class InForce:
    entry: EntryBase
    cited: Citation  # the entry's own sources as of the date


def entries_on(pack: Pack, country: str, on: date, *, general: bool = True) -> list[InForce]:
    """The country's entries in force on `on`, then (`general`) the country-wide ones."""
    rows = [e for e in pack.for_country(country) if e.in_force(on)]
    if general:
        rows += [e for e in pack.for_country(None) if e.in_force(on)]
    return [InForce(e, cite_on(pack, e.sources, on)) for e in rows]
