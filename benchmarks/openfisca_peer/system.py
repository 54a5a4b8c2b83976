"""Haven's columnar rule set (haven/impact/columnar.py) as an OpenFisca tax-benefit system.

Benchmark peer only: nothing in Haven imports this. One entity, the applicant (one case).

How the pack becomes OpenFisca:

* **Dated policy = dated parameters.** Every pack entry gets two boolean parameters,
  `haven.entries.<id>.in_force` (true from `valid_from`, false from `valid_to`) and
  `haven.entries.<id>.verified` (the entry may drive an outcome: false for unverified entries
  and from `unconfirmed_from.date` on). One system therefore answers for any date: the
  period of a calculation (a day, the as-of date) selects the legislation, which is how
  OpenFisca models law that changes over time. Formulas read the parameters at their period
  and skip entries that are not in force, as Haven compiles only the entries in force.
* **Structure = generated variables.** What an entry says (country, regions, group, category,
  standard, precedence) is not a number, so it is not a parameter: it is compiled into the
  formulas when the system is built from the pack. Each group gets one tri-state variable per
  basis (`group__<id>__<basis>`), each designation, moratorium, protection-duty waiver,
  internal-protection entry and 15(c) situation one tri-state variable (`match__<id>`), and
  each rule step of columnar.evaluate one variable (designation_rank, standard_met,
  internal_protection, flag__<reason>, recommendation, ...).
* **Vocabularies = enums.** Countries and regions the pack names become Enum members (plus
  `other`, and `null` for a missing region); a case's list fields (SOGI, tags, refusal
  reasons) become one boolean input per value, since OpenFisca variables hold scalars.

Tri-state matches are ints as in columnar.py: 2 = yes, 1 = unknown (facts open), 0 = no.
Enum outputs use the member `null` where Haven yields null.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray
from openfisca_core.entities import build_entity
from openfisca_core.indexed_enums import Enum, EnumArray
from openfisca_core.parameters import ParameterNode
from openfisca_core.periods import DateUnit
from openfisca_core.taxbenefitsystems import TaxBenefitSystem
from openfisca_core.variables import Variable

from haven.assess.match import Basis
from haven.policy.entries import (
    Designation,
    EntryBase,
    ExceptionalSituation,
    ForbiddenReasoning,
    InternalProtectionEntry,
    Moratorium,
    ProtectionDuty,
    RelocationStatus,
    SafeCountry,
    SituationLevel,
)
from haven.policy.groups import Group
from haven.policy.pack import Pack
from haven.policy.precedence import by_group, favour, ordered
from haven.vocab import (
    Category,
    FlagCode,
    Ground,
    InternalProtection,
    Reason,
    Recommendation,
    Sex,
    Sogi,
    Standard,
)
from haven.vocab import Finding as CredibilityValue

YES, UNKNOWN, NO = 2, 1, 0
NONE_RANK = -1  # designation_rank when no designation applies
NULL = "null"  # the enum member standing for Haven's null

Array = NDArray[Any]

# Incident facts: variable name -> what it says. Inputs `<name>__first` hold the earliest date.
INCIDENT_FACTS = {
    "has_credible_incident": "Some incident is credible",
    "has_open_incident": "Some incident's credibility is open",
    "state_actor_incident": "A credible incident by a state actor",
    "unreported_non_state_incident": (
        "A credible non-state incident for which protection was not sought"
    ),
}
INCIDENT_ALWAYS = dt.date(1000, 1, 1)  # an undated incident counts on every date
INCIDENT_NEVER = dt.date(9999, 12, 31)  # no such incident
Formula = Callable[[Any, Any, Any], Any]  # (population, period, parameters) -> array

Applicant = build_entity(
    key="applicant",
    plural="applicants",
    label="An asylum applicant: one case",
    is_person=True,
)


def _enum(name: str, members: Iterable[str]) -> type[Enum]:
    """An OpenFisca Enum whose member names are Haven's string values."""
    values = list(members)
    assert len(set(values)) == len(values), f"{name}: duplicate members"
    cls: type[Enum] = Enum(name, [(v, v) for v in values])
    return cls


# Vocabularies that do not depend on the pack.
CredibilityFinding = _enum("CredibilityFinding", (f.value for f in CredibilityValue))
SexOrUnknown = _enum("SexOrUnknown", [*(s.value for s in Sex), "unknown"])
RecommendationOut = _enum("RecommendationOut", (r.value for r in Recommendation))
InternalProtectionOut = _enum("InternalProtectionOut", (i.value for i in InternalProtection))
StandardOut = _enum("StandardOut", (s.value for s in Standard))
CategoryOut = _enum("CategoryOut", [NULL, *(c.value for c in Category)])
GroundOut = _enum("GroundOut", [NULL, *(g.value for g in Ground)])
SituationOut = _enum("SituationOut", [NULL, *(s.value for s in SituationLevel)])
FlagOut = _enum("FlagOut", [NULL, *(f.value for f in FlagCode)])


def key(identifier: str) -> str:
    """A pack id as an OpenFisca name (ids use dashes, which names and parameters avoid)."""
    return identifier.replace("-", "_")


def idx(values: EnumArray) -> NDArray[np.int16]:
    """The member indices of an EnumArray, as a plain array."""
    return values.view(np.ndarray)


def as_enum(indices: Array, cls: type[Enum]) -> EnumArray:
    return EnumArray(np.asarray(indices, dtype=np.int16), cls)


def any_of(parts: Sequence[Array], n: int) -> NDArray[np.bool_]:
    return np.logical_or.reduce(list(parts)) if parts else np.zeros(n, dtype=bool)


def first(conds: Sequence[Array], values: Sequence[int], default: int, n: int) -> Array:
    """The value of the first condition that holds, else default (np.select, empty-safe)."""
    return np.select(list(conds), list(values), default) if conds else np.full(n, default)


def add_months(days: NDArray[np.datetime64], months: int) -> NDArray[np.datetime64]:
    """Calendar months later, clamped to the month's last day (as Polars `offset_by("Nmo")`)."""
    month = days.astype("datetime64[M]")
    day = (days - month.astype("datetime64[D]")).astype(np.int64)
    target = month + months
    length = ((target + 1).astype("datetime64[D]") - target.astype("datetime64[D]")).astype(
        np.int64
    )
    return target.astype("datetime64[D]") + np.minimum(day, length - 1)


def _is_yes(m: Array) -> Array:
    return m == YES


def _is_unknown(m: Array) -> Array:
    return m == UNKNOWN


def _maybe(m: Array) -> Array:
    """Yes or unknown: an unverified entry that may apply."""
    return m >= UNKNOWN


def _entry_parameters(pack: Pack) -> dict[str, Any]:
    """haven.entries.<id>.{in_force,verified}: dated booleans from each entry's dates."""
    start = "1000-01-01"  # OpenFisca needs a value before an entry's first date

    def history(points: dict[dt.date, bool]) -> dict[str, Any]:
        values = {start: {"value": False}}
        values.update({d.isoformat(): {"value": v} for d, v in sorted(points.items())})
        return {"values": values}

    nodes: dict[str, Any] = {}
    for e in pack.entries.values():
        in_force = {e.valid_from: True}
        if e.valid_to is not None:
            in_force[e.valid_to] = False
        verified = {e.valid_from: e.verified}
        if e.unconfirmed_from is not None:
            verified[e.unconfirmed_from.date] = False
        nodes[key(e.id)] = {"in_force": history(in_force), "verified": history(verified)}
    return {"haven": {"entries": nodes}}


class HavenPeerSystem(TaxBenefitSystem):
    """The Haven rule set, compiled from a pack into OpenFisca variables and parameters."""

    def __init__(self, pack: Pack) -> None:
        super().__init__([Applicant])
        self.pack = pack
        self.parameters = ParameterNode("", data=_entry_parameters(pack))
        # In precedence order (haven.policy.precedence), as both of Haven's engines read them.
        entries = ordered(pack.entries.values())

        def of(kind: type[EntryBase]) -> list[Any]:
            return [e for e in entries if isinstance(e, kind)]

        self.safe_countries: list[SafeCountry] = of(SafeCountry)
        self.moratoria: list[Moratorium] = of(Moratorium)
        self.designations: list[Designation] = of(Designation)
        self.situations: list[ExceptionalSituation] = of(ExceptionalSituation)
        self.waivers: list[ProtectionDuty] = [e for e in of(ProtectionDuty) if not e.required]
        self.relocations: list[InternalProtectionEntry] = of(InternalProtectionEntry)
        self.forbidden: list[ForbiddenReasoning] = of(ForbiddenReasoning)

        regions: set[str] = set()
        for e in entries:
            regions |= {*e.regions, *e.except_regions}
            if isinstance(e, SafeCountry):
                regions |= set(e.exception_regions)
            if isinstance(e, InternalProtectionEntry):
                regions |= set(e.allowed_regions)
        countries = sorted({e.country for e in entries if e.country is not None})
        self.Country = _enum("Country", [*countries, "other"])
        self.Region = _enum("Region", [*sorted(regions), "other", NULL])
        self.GroupOut = _enum("DesignationGroup", [NULL, *pack.groups])
        self.tags = {key(t): t for t in pack.tags}
        assert len(self.tags) == len(pack.tags), "two tags map to one variable name"

        self._inputs()
        self._matching()
        self._steps()

    # -- helpers ----------------------------------------------------------------------------

    def _add(
        self,
        name: str,
        value_type: type,
        formula: Formula | None = None,
        *,
        label: str,
        enum: type[Enum] | None = None,
        default: Any = None,
        period: DateUnit = DateUnit.DAY,
    ) -> None:
        attrs: dict[str, Any] = {
            "value_type": value_type,
            "entity": Applicant,
            "definition_period": period,
            "label": label,
        }
        if enum is not None:
            attrs["possible_values"] = enum
        if default is not None:
            attrs["default_value"] = default
        if formula is not None:
            attrs["formula"] = formula
        self.add_variable(type(name, (Variable,), attrs))

    def active(self, parameters: Any, period: Any, items: Iterable[Any]) -> list[Any]:
        """The entries in force at the period, each with whether it may drive an outcome."""
        node = parameters(period).haven.entries
        found = []
        for e in items:
            p = node[key(e.id)]
            if p.in_force:
                found.append((e, bool(p.verified)))
        return found

    def _add_any(
        self,
        name: str,
        items: Sequence[EntryBase],
        test: Callable[[Array], Array],
        *,
        verified: bool,
        label: str,
        mask: str | None = None,
    ) -> None:
        """A boolean variable: `test` holds for the match of some entry in force that is
        verified (or, with verified=False, unverified), optionally within a boolean `mask`."""

        def formula(applicant: Any, period: Any, parameters: Any) -> Array:
            hits = [
                test(applicant(f"match__{key(e.id)}", period))
                for e, ok in self.active(parameters, period, items)
                if ok is verified
            ]
            found = any_of(hits, applicant.count)
            return found & applicant(mask, period) if mask is not None and hits else found

        self._add(name, bool, formula, label=label)

    def country_is(self, nat: EnumArray, codes: Iterable[str]) -> NDArray[np.bool_]:
        return np.isin(idx(nat), [self.Country[c].index for c in codes])

    def region_in(self, reg: EnumArray, codes: Iterable[str]) -> NDArray[np.bool_]:
        return np.isin(idx(reg), [self.Region[c].index for c in codes])

    @staticmethod
    def _known(name: str) -> Formula:
        """Whether some incident of a kind is known on the period's day (dated on or before)."""

        def formula(applicant: Any, period: Any, parameters: Any) -> Array:
            first: Array = applicant(f"{name}__first", period)
            return first <= np.datetime64(period.start.date)

        return formula

    # -- input variables (one value per case; the as-of date does not change them) ---------

    def _inputs(self) -> None:
        eternal = DateUnit.ETERNITY
        cf = CredibilityFinding
        self._add(
            "nationality",
            Enum,
            label="Nationality (countries the pack names, else other)",
            enum=self.Country,
            default=self.Country["other"],
            period=eternal,
        )
        self._add(
            "region",
            Enum,
            label="Region of origin (null: not stated)",
            enum=self.Region,
            default=self.Region[NULL],
            period=eternal,
        )
        for f in ("identity", "nationality", "region", "profile"):
            self._add(
                f"{f}_finding",
                Enum,
                label=f"Credibility finding on {f}",
                enum=cf,
                default=cf["open"],
                period=eternal,
            )
        self._add(
            "sex",
            Enum,
            label="Sex (unknown: not stated)",
            enum=SexOrUnknown,
            default=SexOrUnknown["unknown"],
            period=eternal,
        )
        self._add("birth_date", dt.date, label="Birth date", period=eternal)
        self._add("birth_date_known", bool, label="Whether the birth date is known", period=eternal)
        self._add("lodged", dt.date, label="Date the application was lodged", period=eternal)
        self._add(
            "claims_profile",
            bool,
            label="A SOGI or a group tag is claimed",
            period=eternal,
        )
        # Facts as of the date (haven.cases.known): an incident counts from its date on, so each
        # kind of incident is an input of its earliest date (undated: INCIDENT_ALWAYS; none:
        # INCIDENT_NEVER) and a formula per period says whether it is known on that day.
        for name, label in INCIDENT_FACTS.items():
            self._add(
                f"{name}__first",
                dt.date,
                label=f"Earliest date of: {label}",
                default=INCIDENT_NEVER,
                period=eternal,
            )

            self._add(name, bool, self._known(name), label=f"{label}, known on the date")
        for s in Sogi:
            self._add(
                f"claims_sogi__{s.value}", bool, label=f"Claims SOGI {s.value}", period=eternal
            )
        for name, tag in self.tags.items():
            self._add(f"claims_tag__{name}", bool, label=f"Claims tag {tag}", period=eternal)
        for r in Reason:
            self._add(
                f"refusal_reason__{r.value}",
                bool,
                label=f"Refusal relies on {r.value}",
                period=eternal,
            )

        def age(applicant: Any, period: Any, parameters: Any) -> Array:
            birth = applicant("birth_date", period)
            year = birth.astype("datetime64[Y]").astype(np.int64) + 1970
            month = birth.astype("datetime64[M]").astype(np.int64) % 12 + 1
            day = (birth - birth.astype("datetime64[M]")).astype(np.int64) + 1
            on = period.start
            later = (on.month < month) | ((on.month == month) & (on.day < day))
            return on.year - year - later

        self._add("age", int, age, label="Age on the as-of date (birth_date_known: meaningful)")

        def assessable(applicant: Any, period: Any, parameters: Any) -> Array:
            return (applicant("identity_finding", period) != cf["not_credible"]) & (
                applicant("nationality_finding", period) != cf["not_credible"]
            )

        def provisional(applicant: Any, period: Any, parameters: Any) -> Array:
            return (applicant("identity_finding", period) == cf["open"]) | (
                applicant("nationality_finding", period) == cf["open"]
            )

        self._add("assessable", bool, assessable, label="Identity and nationality not rejected")
        self._add("provisional", bool, provisional, label="Identity or nationality still open")

    # -- matching: groups and entries as tri-state variables -------------------------------

    @staticmethod
    def finding(values: EnumArray, basis: Basis) -> Array:
        cf = CredibilityFinding
        if basis is Basis.ASSERTED:
            return np.full(len(values), YES, dtype=np.int8)
        if basis is Basis.CLAIMED:
            return np.where(values == cf["not_credible"], NO, YES).astype(np.int8)
        return np.select(
            [values == cf["credible"], values == cf["open"]], [YES, UNKNOWN], NO
        ).astype(np.int8)

    def _group_formula(self, g: Group, basis: Basis) -> Formula:
        def formula(applicant: Any, period: Any, parameters: Any) -> Array:
            parts: list[Array] = []
            if g.uses_profile:
                claimed = np.ones(applicant.count, dtype=bool)
                if g.sogi_any:
                    claimed &= any_of(
                        [applicant(f"claims_sogi__{s.value}", period) for s in g.sogi_any],
                        applicant.count,
                    )
                if g.tags_any:
                    claimed &= any_of(
                        [applicant(f"claims_tag__{key(t)}", period) for t in g.tags_any],
                        applicant.count,
                    )
                for t in set(g.tags_all):
                    claimed &= applicant(f"claims_tag__{key(t)}", period)
                profile = self.finding(applicant("profile_finding", period), basis)
                parts.append(np.where(claimed, profile, NO))
            if g.uses_identity:
                if g.sex is not None:
                    sex = applicant("sex", period)
                    parts.append(
                        np.select(
                            [sex == SexOrUnknown["unknown"], sex == SexOrUnknown[g.sex.value]],
                            [UNKNOWN, YES],
                            NO,
                        )
                    )
                if g.age_min is not None or g.age_max is not None:
                    age = applicant("age", period)
                    inside = np.ones(applicant.count, dtype=bool)
                    if g.age_min is not None:
                        inside &= age >= g.age_min
                    if g.age_max is not None:
                        inside &= age <= g.age_max
                    known = applicant("birth_date_known", period)
                    parts.append(np.select([~known, inside], [UNKNOWN, YES], NO))
                parts.append(self.finding(applicant("identity_finding", period), basis))
            if not parts:
                return np.full(applicant.count, YES)
            return np.minimum.reduce(parts)

        return formula

    def region_match(self, applicant: Any, period: Any, e: EntryBase, basis: Basis) -> Array:
        if not e.regions and not e.except_regions:
            return np.full(applicant.count, YES, dtype=np.int8)
        reg = applicant("region", period)
        inside = (
            self.region_in(reg, e.regions) if e.regions else ~self.region_in(reg, e.except_regions)
        )
        return np.select(
            [reg == self.Region[NULL], inside],
            [UNKNOWN, self.finding(applicant("region_finding", period), basis)],
            NO,
        )

    def _entry_formula(self, e: EntryBase, basis: Basis, with_group: bool = True) -> Formula:
        def formula(applicant: Any, period: Any, parameters: Any) -> Array:
            if not parameters(period).haven.entries[key(e.id)].in_force:
                return np.full(applicant.count, NO)
            m = self.region_match(applicant, period, e, basis)
            if with_group and e.group is not None:
                m = np.minimum(m, applicant(f"group__{key(e.group)}__{basis.value}", period))
            nat = applicant("nationality", period)
            return np.where(nat == self.Country[e.country], m, NO)

        return formula

    def _matching(self) -> None:
        for g in self.pack.groups.values():
            for basis in Basis:
                self._add(
                    f"group__{key(g.id)}__{basis.value}",
                    int,
                    self._group_formula(g, basis),
                    label=f"Is the applicant in group {g.id} ({basis.value} facts)?",
                )
        kinds: list[tuple[Sequence[EntryBase], Basis]] = [
            (self.moratoria, Basis.CLAIMED),
            (self.designations, Basis.CREDIBLE),
            (self.waivers, Basis.CREDIBLE),
            (self.relocations, Basis.CREDIBLE),
        ]
        for items, basis in kinds:
            for e in items:
                self._add(
                    f"match__{key(e.id)}",
                    int,
                    self._entry_formula(e, basis),
                    label=f"Does {e.id} reach the applicant? ({e.label})",
                )
        for s in self.situations:  # 15(c) situations: country and region only
            self._add(
                f"match__{key(s.id)}",
                int,
                self._entry_formula(s, Basis.CREDIBLE, with_group=False),
                label=f"Does {s.id} reach the applicant? ({s.label})",
            )

    # -- the rule steps --------------------------------------------------------------------

    def _steps(self) -> None:
        self._safe_country()
        self._moratoria()
        self._designation()
        self._situation()
        self._standard()
        self._protection_duty()
        self._internal_protection()
        self._flags()
        self._recommendation()

    def _safe_country(self) -> None:
        def usable(parameters: Any, period: Any) -> list[SafeCountry]:
            return [
                e
                for e, ok in self.active(parameters, period, self.safe_countries)
                if ok and not e.suspended
            ]

        def designated(applicant: Any, period: Any, parameters: Any) -> Array:
            countries = [e.country for e in usable(parameters, period)]
            return self.country_is(applicant("nationality", period), countries)

        def exception(applicant: Any, period: Any, parameters: Any) -> Array:
            nat = applicant("nationality", period)
            parts = []
            for e in usable(parameters, period):
                exc = [
                    applicant(f"group__{key(g)}__{Basis.CLAIMED.value}", period) == YES
                    for g in e.exception_groups
                ]
                if e.exception_regions:
                    exc.append(self.region_in(applicant("region", period), e.exception_regions))
                if exc:
                    parts.append((nat == self.Country[e.country]) & any_of(exc, applicant.count))
            return any_of(parts, applicant.count)

        def unverified(applicant: Any, period: Any, parameters: Any) -> Array:
            active = self.active(parameters, period, self.safe_countries)
            countries = [e.country for e, ok in active if not ok]
            return self.country_is(applicant("nationality", period), countries)

        self._add(
            "safe_country_designated",
            bool,
            designated,
            label="Nationality designated a safe country of origin",
        )
        self._add(
            "safe_country_exception",
            bool,
            exception,
            label="The safe-country designation exempts the applicant",
        )
        self._add(
            "safe_country_unverified",
            bool,
            unverified,
            label="An unverified safe-country entry names the nationality",
        )

    def _moratoria(self) -> None:
        def covered(decision: bool) -> Formula:
            def formula(applicant: Any, period: Any, parameters: Any) -> Array:
                parts = []
                for e, ok in self.active(parameters, period, self.moratoria):
                    if not ok or not (e.decision if decision else e.departure):
                        continue
                    m = applicant(f"match__{key(e.id)}", period) == YES
                    months = e.except_lodged_more_than_months
                    if decision and months is not None:  # old cases are not deferred
                        limit = add_months(applicant("lodged", period), months)
                        m &= ~(np.datetime64(period.start.date) > limit)
                    parts.append(m)
                return any_of(parts, applicant.count)

            return formula

        self._add(
            "moratorium_decision",
            bool,
            covered(decision=True),
            label="A decision moratorium covers the case",
        )
        self._add(
            "moratorium_departure",
            bool,
            covered(decision=False),
            label="A departure moratorium covers the case",
        )
        self._add_any(
            "moratorium_unknown",
            self.moratoria,
            _is_unknown,
            verified=True,
            label="Open facts decide whether a moratorium covers the case",
        )
        self._add_any(
            "moratorium_unverified",
            self.moratoria,
            _maybe,
            verified=False,
            label="An unverified moratorium may cover the case",
        )

    def _designation(self) -> None:
        ranked = sorted(self.designations, key=favour)
        rank = {e.id: i for i, e in enumerate(ranked)}
        per_group = by_group(self.designations)
        big = len(ranked)

        def chosen(applicant: Any, period: Any, parameters: Any) -> Array:
            """Per group the most specific matching entry; across groups the most favourable."""
            assessable = applicant("assessable", period)
            best = np.full(applicant.count, big)
            for group_entries in per_group.values():
                conds, ranks = [], []
                for e, ok in self.active(parameters, period, group_entries):
                    if ok:
                        m = applicant(f"match__{key(e.id)}", period)
                        conds.append(assessable & (m == YES))
                        ranks.append(rank[e.id])
                if conds:
                    best = np.minimum(best, np.select(conds, ranks, big))
            return np.where(best == big, NONE_RANK, best)

        def unknown(applicant: Any, period: Any, parameters: Any) -> Array:
            """A more favourable designation than the chosen one might apply once facts are in."""
            assessable = applicant("assessable", period)
            best = np.full(applicant.count, big)
            for e, ok in self.active(parameters, period, self.designations):
                if ok:
                    m = applicant(f"match__{key(e.id)}", period)
                    best = np.where(assessable & (m == UNKNOWN), np.minimum(best, rank[e.id]), best)
            pick = applicant("designation_rank", period)
            return (best != big) & ((pick == NONE_RANK) | (best < pick))

        self._add(
            "designation_rank",
            int,
            chosen,
            label="Precedence rank of the designation that applies (-1: none)",
        )
        self._add(
            "designation_unknown",
            bool,
            unknown,
            label="Open facts decide whether a better designation applies",
        )
        self._add_any(
            "designation_unverified",
            self.designations,
            _maybe,
            verified=False,
            label="An unverified designation may apply",
            mask="assessable",
        )

        def lookup(name: str, cls: type[Enum], values: list[str], default: str, label: str) -> None:
            table = np.array([cls[default].index] + [cls[v].index for v in values], np.int16)

            def formula(applicant: Any, period: Any, parameters: Any) -> EnumArray:
                return as_enum(table[applicant("designation_rank", period) + 1], cls)

            self._add(name, Enum, formula, label=label, enum=cls, default=cls[default])

        lookup(
            "designation",
            CategoryOut,
            [e.category.value for e in ranked],
            NULL,
            "Category of the designation that applies",
        )
        lookup(
            "evidentiary_standard",
            StandardOut,
            [e.evidentiary_standard.value for e in ranked],
            Standard.INDIVIDUAL.value,
            "Evidentiary standard (individual unless a designation applies)",
        )
        lookup(
            "designation_ground",
            GroundOut,
            [e.ground.value if e.ground else NULL for e in ranked],
            NULL,
            "Protection ground the designation names",
        )
        lookup(
            "designation_group",
            self.GroupOut,
            [e.group or NULL for e in ranked],
            NULL,
            "Group of the designation that applies",
        )
        nationwide = np.array(
            [False]
            + [
                e.category is Category.GROUP_PERSECUTION and not e.regions and not e.except_regions
                for e in ranked
            ]
        )

        def is_nationwide(applicant: Any, period: Any, parameters: Any) -> Array:
            return nationwide[applicant("designation_rank", period) + 1]

        self._add(
            "designation_nationwide",
            bool,
            is_nationwide,
            label="The designation is nationwide group persecution",
        )

    def _situation(self) -> None:
        def level(applicant: Any, period: Any, parameters: Any) -> EnumArray:
            conds, levels = [], []
            for e, ok in self.active(parameters, period, self.situations):
                if ok:
                    conds.append(applicant(f"match__{key(e.id)}", period) == YES)
                    levels.append(SituationOut[e.level.value].index)
            null = SituationOut[NULL].index
            return as_enum(first(conds, levels, null, applicant.count), SituationOut)

        self._add(
            "exceptional_situation",
            Enum,
            level,
            label="QD 15(c) level in the region",
            enum=SituationOut,
            default=SituationOut[NULL],
        )
        self._add_any(
            "situation_unknown",
            self.situations,
            _is_unknown,
            verified=True,
            label="Open facts decide the 15(c) level",
        )
        self._add_any(
            "situation_unverified",
            self.situations,
            _maybe,
            verified=False,
            label="An unverified 15(c) entry may apply",
        )

        def most(applicant: Any, period: Any, parameters: Any) -> Array:
            return (
                applicant("exceptional_situation", period)
                == SituationOut[SituationLevel.MOST_EXCEPTIONAL.value]
            )

        self._add("by_situation", bool, most, label="Mere presence is a real risk (15(c))")

    def _standard(self) -> None:
        def met(applicant: Any, period: Any, parameters: Any) -> Array:
            std = applicant("evidentiary_standard", period)
            has_cred = applicant("has_credible_incident", period)
            has_open = applicant("has_open_incident", period)
            limited = std == StandardOut[Standard.LIMITED_INDICATIONS.value]
            lower = limited | (std == StandardOut[Standard.MINOR_INDICATIONS.value])
            individual = std == StandardOut[Standard.INDIVIDUAL.value]
            # No past harm is not no risk: a claimed profile not found incredible, with no
            # designation setting the standard, leaves the forward-looking question open.
            forward = (
                individual
                & applicant("claims_profile", period)
                & (applicant("profile_finding", period) != CredibilityFinding["not_credible"])
            )
            return np.select(
                [
                    std == StandardOut[Standard.MEMBERSHIP.value],
                    has_cred & lower,
                    individual & has_cred,
                    has_open,
                    limited,
                    forward,
                ],
                [YES, YES, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN],
                NO,
            )

        def reported(applicant: Any, period: Any, parameters: Any) -> Array:
            return np.where(applicant("assessable", period), applicant("met", period), UNKNOWN)

        self._add("met", int, met, label="Evidence meets the standard (tri-state)")
        self._add(
            "standard_met",
            int,
            reported,
            label="Standard met as reported (tri-state; unknown if not assessable)",
        )

    def _protection_duty(self) -> None:
        def required(applicant: Any, period: Any, parameters: Any) -> Array:
            return ~applicant("protection_waived", period) & ~applicant(
                "state_actor_incident", period
            )

        def unmet(applicant: Any, period: Any, parameters: Any) -> Array:
            return applicant("protection_seeking_required", period) & applicant(
                "unreported_non_state_incident", period
            )

        self._add_any(
            "protection_waived",
            self.waivers,
            _is_yes,
            verified=True,
            label="Policy waives the duty to seek protection at home",
        )
        self._add_any(
            "protection_duty_unknown",
            self.waivers,
            _is_unknown,
            verified=True,
            label="Open facts decide whether the duty is waived",
        )
        self._add_any(
            "protection_duty_unverified",
            self.waivers,
            _maybe,
            verified=False,
            label="An unverified waiver may apply",
        )
        self._add(
            "protection_seeking_required",
            bool,
            required,
            label="The applicant had to seek protection at home",
        )
        self._add("protection_duty_unmet", bool, unmet, label="Required protection was not sought")

    def _internal_protection(self) -> None:
        ip = InternalProtectionOut

        def relevant(applicant: Any, period: Any, parameters: Any) -> Array:
            return applicant("assessable", period) & (
                (applicant("met", period) != NO) | applicant("by_situation", period)
            )

        def status(applicant: Any, period: Any, parameters: Any) -> EnumArray:
            out = (
                applicant("internal_protection_excluded_by_policy", period)
                | applicant("designation_nationwide", period)
                | applicant("state_actor_incident", period)
            )
            # Excluded whenever policy or law rules relocation out, need or no need; not
            # applicable for a case that cannot be assessed.
            return as_enum(
                np.select(
                    [
                        ~applicant("assessable", period),
                        out,
                        ~applicant("internal_protection_relevant", period),
                    ],
                    [ip["not_applicable"].index, ip["excluded"].index, ip["not_applicable"].index],
                    ip["possible"].index,
                ),
                ip,
            )

        self._add(
            "internal_protection_relevant",
            bool,
            relevant,
            label="Internal protection needs assessing",
        )
        exclusions = [e for e in self.relocations if e.status is RelocationStatus.EXCLUDED]
        self._add_any(
            "internal_protection_excluded_by_policy",
            exclusions,
            _is_yes,
            verified=True,
            label="Policy rules out internal protection",
        )
        self._add_any(
            "internal_protection_unknown",
            self.relocations,
            _is_unknown,
            verified=True,
            mask="internal_protection_relevant",
            label="Open facts decide whether policy rules out internal protection",
        )
        self._add_any(
            "internal_protection_unverified",
            self.relocations,
            _maybe,
            verified=False,
            label="An unverified internal-protection entry may apply",
        )
        self._add(
            "internal_protection",
            Enum,
            status,
            label="Internal protection alternative",
            enum=ip,
            default=ip["not_applicable"],
        )

    def _flags(self) -> None:
        specials: dict[Reason, list[tuple[str, FlagCode]]] = {
            Reason.NO_STATE_PROTECTION_SOUGHT: [
                ("protection_waived", FlagCode.PROTECTION_SEEKING_WAIVED),
                ("state_actor_incident", FlagCode.STATE_IS_PERSECUTOR),
            ],
            Reason.INTERNAL_RELOCATION: [
                ("internal_protection_excluded_by_policy", FlagCode.IPA_EXCLUDED_BY_POLICY),
                ("state_actor_incident", FlagCode.STATE_IS_PERSECUTOR),
            ],
            Reason.INSUFFICIENT_INDICATIONS: [
                ("standard_misapplied", FlagCode.STANDARD_MISAPPLIED),
            ],
        }

        def misapplied(applicant: Any, period: Any, parameters: Any) -> Array:
            return (applicant("designation_rank", period) != NONE_RANK) & (
                applicant("met", period) == YES
            )

        self._add(
            "standard_misapplied",
            bool,
            misapplied,
            label="A designation applies and its lower standard is met",
        )

        def flag_formula(r: Reason) -> Formula:
            def formula(applicant: Any, period: Any, parameters: Any) -> EnumArray:
                conds: list[Array] = []
                codes: list[int] = []
                for name, code in specials.get(r, []):
                    conds.append(applicant(name, period))
                    codes.append(FlagOut[code.value].index)
                for e, ok in self.active(parameters, period, self.forbidden):
                    if not ok or e.reason is not r:
                        continue
                    hit = np.ones(applicant.count, dtype=bool)
                    if e.country is not None:
                        hit &= applicant("nationality", period) == self.Country[e.country]
                    if e.group:
                        group = f"group__{key(e.group)}__{Basis.ASSERTED.value}"
                        hit &= applicant(group, period) == YES
                    conds.append(hit)
                    codes.append(FlagOut[e.flag.value].index)
                null = FlagOut[NULL].index
                if not conds:
                    return as_enum(np.full(applicant.count, null), FlagOut)
                given = applicant(f"refusal_reason__{r.value}", period)
                return as_enum(np.where(given, np.select(conds, codes, null), null), FlagOut)

            return formula

        for r in Reason:
            self._add(
                f"flag__{r.value}",
                Enum,
                flag_formula(r),
                label=f"Guardrail flag on the refusal reason {r.value}",
                enum=FlagOut,
                default=FlagOut[NULL],
            )

        def count(applicant: Any, period: Any, parameters: Any) -> Array:
            return sum(
                (applicant(f"flag__{r.value}", period) != FlagOut[NULL]).astype(np.int32)
                for r in Reason
            )

        self._add("flag_count", int, count, label="Number of guardrail flags")

    def _recommendation(self) -> None:
        rec = RecommendationOut
        unverified_parts = (
            "safe_country_unverified",
            "moratorium_unverified",
            "designation_unverified",
            "situation_unverified",
            "protection_duty_unverified",
            "internal_protection_unverified",
        )
        unknown_parts = (
            "moratorium_unknown",
            "designation_unknown",
            "situation_unknown",
            "protection_duty_unknown",
            "internal_protection_unknown",
        )

        def has_unverified(applicant: Any, period: Any, parameters: Any) -> Array:
            return any_of([applicant(v, period) for v in unverified_parts], applicant.count)

        def uncertain(applicant: Any, period: Any, parameters: Any) -> Array:
            less = (
                applicant("exceptional_situation", period)
                == SituationOut[SituationLevel.LESS_EXCEPTIONAL.value]
            )
            parts = [applicant(v, period) for v in unknown_parts]
            return any_of([*parts, applicant("has_unverified", period), less], applicant.count)

        def recommendation(applicant: Any, period: Any, parameters: Any) -> EnumArray:
            met = np.where(applicant("by_situation", period), YES, applicant("met", period))
            provisional = applicant("provisional", period)
            objections = applicant("protection_duty_unmet", period) | (
                applicant("internal_protection", period) == InternalProtectionOut["possible"]
            )
            choice = np.select(
                [
                    ~applicant("assessable", period),
                    applicant("moratorium_decision", period),
                    (met == YES) & ~(objections | provisional),
                    (met == NO) & ~(applicant("uncertain", period) | provisional),
                ],
                [
                    rec[Recommendation.NOT_ASSESSABLE.value].index,
                    rec[Recommendation.DECISION_DEFERRED.value].index,
                    rec[Recommendation.PROTECTION_INDICATED.value].index,
                    rec[Recommendation.PROTECTION_NOT_INDICATED.value].index,
                ],
                rec[Recommendation.FURTHER_ASSESSMENT.value].index,
            )
            return as_enum(choice, rec)

        def ground(applicant: Any, period: Any, parameters: Any) -> EnumArray:
            indicated = (
                applicant("recommendation", period)
                == rec[Recommendation.PROTECTION_INDICATED.value]
            )
            named = applicant("designation_ground", period)
            fallback = applicant("by_situation", period) & (named == GroundOut[NULL])
            subsidiary = GroundOut[Ground.SUBSIDIARY.value].index
            chosen = np.where(fallback, subsidiary, idx(named))
            return as_enum(np.where(indicated, chosen, GroundOut[NULL].index), GroundOut)

        self._add(
            "has_unverified",
            bool,
            has_unverified,
            label="An unverified entry may apply (shown, never drives the outcome)",
        )
        self._add(
            "uncertain",
            bool,
            uncertain,
            label="Open facts or unverified policy keep the outcome open",
        )
        self._add(
            "recommendation",
            Enum,
            recommendation,
            label="Recommendation",
            enum=rec,
            default=rec[Recommendation.FURTHER_ASSESSMENT.value],
        )
        self._add(
            "ground",
            Enum,
            ground,
            label="Protection ground when protection is indicated",
            enum=GroundOut,
            default=GroundOut[NULL],
        )
