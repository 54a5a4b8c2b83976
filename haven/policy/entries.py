"""Dated policy entries. Each kind is one thing a policy can say about a country and group.

Validity is a half-open interval: an entry applies on `valid_from` and on every day before
`valid_to` (the first day it no longer applies). An entry with no `valid_to` has no known end.
"""

from datetime import date
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from haven.codes import CountryCode, RegionCode
from haven.vocab import Category, FlagCode, Ground, Reason, Standard

ENTRY_ID = r"^[a-z0-9][a-z0-9\-]*$"
VERSION_ID = r"^[A-Z]{2}-\d{4}(-\d{2})?$"
# Optional fields added after the first packs: left out of the version hash while unset, so a
# pack that does not use them keeps its version.
ADDED_FIELDS = (
    "version",
    "date_precision",
    "carried_from",
    "eu_grade",
    "review_flag",
    "individual_elements",
)


class DateBasis(StrEnum):
    SIGNED = "signed"
    SENT = "sent"
    PUBLISHED = "published"
    IN_FORCE = "in_force"
    REPORTED = "reported"
    JUDGMENT = "judgment"


class Dates(BaseModel):
    """Every date a source gives for an entry, and which one `valid_from` follows and why."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    signed: date | None = None
    sent: date | None = None
    published: date | None = None
    in_force: date | None = None
    reported: date | None = None
    judgment: date | None = None
    decided_month: str | None = Field(None, pattern=r"^\d{4}-\d{2}$", description="Month only")
    governs: DateBasis
    why: str = Field(min_length=10)

    @model_validator(mode="after")
    def _governing_date_given(self) -> "Dates":
        if getattr(self, self.governs.value) is None:
            raise ValueError(f"governs is {self.governs.value!r} but that date is not given")
        return self


class Unconfirmed(BaseModel):
    """From `date` on, nobody has confirmed the entry still applies (e.g. after a policy reset).

    From then on the entry is treated like an unverified one: shown, never driving an outcome.
    """

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    date: date
    sources: tuple[str, ...] = Field(min_length=1)
    note: str = Field(min_length=10)


class DatePrecision(StrEnum):
    """How precisely the sources date an entry: a day, or only a month (then `valid_from` is
    the earliest day the document is confirmed to exist, never an invented day)."""

    DAY = "day"
    MONTH = "month"


class GuidanceGrade(StrEnum):
    """A guidance document's own graded conclusion on a profile, kept next to the mapping onto
    Haven's vocabulary so that nothing is lost in it (EUAA country guidance: "highly likely to
    qualify", well-founded fear "in general" substantiated, "risk-impacting circumstances",
    "only in exceptional cases", "no longer at risk")."""

    HIGHLY_LIKELY = "highly_likely"
    GENERAL_WFF = "general_wff"
    RISK_IMPACTING = "risk_impacting"
    EXCEPTIONAL_ONLY = "exceptional_only"
    NOT_AT_RISK = "not_at_risk"


class ReviewFlag(BaseModel):
    """From `date` on, the issuer itself marks the document the entry comes from as "under
    review" (it may no longer be valid). From then on the entry is shown, never applied: it
    does not drive an outcome, and the trace says why (like `unconfirmed_from`)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    date: date  # the first day the entry counts as under review
    date_precision: DatePrecision = DatePrecision.DAY
    date_verified: bool = Field(
        True,
        description="false: the day the banner appeared is not known; `date` is the earliest "
        "day the event that prompted it is confirmed, so the entry stops driving outcomes from "
        "then (never later than the banner could have appeared)",
    )
    sources: tuple[str, ...] = Field(min_length=1)
    note: str = Field(min_length=10)

    def since_text(self) -> str:
        """Since when, as the engine says it: the month when only the month is known."""
        since = (
            self.date.strftime("%B %Y") if self.date_precision.value == "month" else str(self.date)
        )
        return since + ("" if self.date_verified else " (the day of the banner is unverified)")


class EntryBase(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    id: str = Field(pattern=ENTRY_ID)
    label: str = Field(min_length=3, description="What the entry says, in one line")
    country: CountryCode
    regions: tuple[RegionCode, ...] = Field((), description="Empty: the whole country")
    except_regions: tuple[RegionCode, ...] = ()
    group: str | None = Field(None, description="Group id; none: everyone from the country")
    valid_from: date
    valid_to: date | None = Field(None, description="Exclusive: first day it no longer applies")
    dates: Dates | None = None
    sources: tuple[str, ...] = Field(min_length=1)
    verified: bool = Field(True, description="false: shown, never drives a recommendation")
    unconfirmed_from: Unconfirmed | None = None
    note: str | None = None
    # Optional, for packs encoding graded, versioned guidance (e.g. EUAA country guidance).
    version: str | None = Field(
        None, pattern=VERSION_ID, description="The version of the document the entry encodes"
    )
    date_precision: DatePrecision | None = Field(
        None, description="month: the sources date the version by month only (default: day)"
    )
    carried_from: str | None = Field(
        None,
        pattern=VERSION_ID,
        description="The earlier version whose section this version carries over unchanged",
    )
    eu_grade: GuidanceGrade | None = Field(
        None, description="The guidance's own grade for the profile, before any mapping"
    )
    review_flag: ReviewFlag | None = None

    @model_validator(mode="after")
    def _interval(self) -> "EntryBase":
        if self.valid_to is not None and self.valid_to <= self.valid_from:
            raise ValueError(f"valid_to {self.valid_to} is not after valid_from {self.valid_from}")
        rf = self.review_flag
        if rf is not None and not (
            self.valid_from < rf.date and (self.valid_to is None or rf.date < self.valid_to)
        ):
            raise ValueError("review_flag.date must fall inside the validity interval")
        if self.carried_from is not None and self.carried_from == self.version:
            raise ValueError("carried_from: names the entry's own version")
        uc = self.unconfirmed_from
        if uc is not None and not (
            self.valid_from < uc.date and (self.valid_to is None or uc.date < self.valid_to)
        ):
            raise ValueError("unconfirmed_from.date must fall inside the validity interval")
        for field in ("regions", "except_regions"):
            for region in getattr(self, field):
                if not region.startswith(self.country + "-"):
                    raise ValueError(f"{field}: {region} is not a region of {self.country}")
        if self.regions and self.except_regions:
            raise ValueError("give regions or except_regions, not both")
        return self

    def hashed(self) -> dict[str, object]:
        """The entry as the pack's version hash sees it: added optional fields only when set."""
        doc = self.model_dump(mode="json")
        for name in ADDED_FIELDS:
            if doc.get(name, 0) is None:
                del doc[name]
        return doc

    def in_force(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on < self.valid_to)

    def verified_on(self, on: date) -> bool:
        """Whether this entry may drive an outcome on `on` (the one rule both engines use)."""
        if not self.verified:
            return False
        if self.under_review(on):
            return False
        return self.unconfirmed_from is None or on < self.unconfirmed_from.date

    def under_review(self, on: date) -> bool:
        """Whether the issuer marks the entry's document "under review" on `on`."""
        return self.review_flag is not None and on >= self.review_flag.date

    def doubt_dates(self) -> tuple[date, ...]:
        """The days from which the entry is in doubt (unconfirmed, under review)."""
        days = []
        if self.unconfirmed_from is not None:
            days.append(self.unconfirmed_from.date)
        if self.review_flag is not None:
            days.append(self.review_flag.date)
        return tuple(days)

    def sources_on(self, on: date) -> tuple[str, ...]:
        """The entry's sources, plus those that put it in doubt once `on` is past that date."""
        extra: tuple[str, ...] = ()
        uc = self.unconfirmed_from
        if uc is not None and on >= uc.date:
            extra += uc.sources
        if self.review_flag is not None and self.under_review(on):
            extra += self.review_flag.sources
        out = list(self.sources)
        out += [s for s in extra if s not in out]
        return tuple(out)


class Designation(EntryBase):
    kind: Literal["designation"]
    category: Category
    evidentiary_standard: Standard
    ground: Ground | None = Field(description="null: the sources do not say which ground")

    @model_validator(mode="after")
    def _group_required(self) -> "Designation":
        if self.group is None:
            raise ValueError("group: a designation must name the group it designates")
        return self


class IndividualProfile(EntryBase):
    """A profile the policy names without lowering the standard of proof: the claim is assessed
    individually, weighing what the sources say about the profile (e.g. EUAA's "risk-impacting
    circumstances", or a threshold reached "only in exceptional cases"). Shown in the trace
    when it matches; it never sets a designation, a standard or an outcome."""

    kind: Literal["individual_profile"]

    @model_validator(mode="after")
    def _group_required(self) -> "IndividualProfile":
        if self.group is None:
            raise ValueError("group: an individual profile must name the group it concerns")
        return self


class ProtectionDuty(EntryBase):
    """Whether applicants must first have sought protection from their own authorities."""

    kind: Literal["protection_duty"]
    required: bool


class RelocationStatus(StrEnum):
    EXCLUDED = "excluded"
    ALLOWED = "allowed"


class InternalProtectionEntry(EntryBase):
    """Internal protection alternative: ruled out, or allowed only in the named regions."""

    kind: Literal["internal_protection"]
    status: RelocationStatus
    allowed_regions: tuple[RegionCode, ...] = ()

    @model_validator(mode="after")
    def _areas(self) -> "InternalProtectionEntry":
        if self.status is RelocationStatus.EXCLUDED and self.allowed_regions:
            raise ValueError("allowed_regions: must be empty when status is excluded")
        if self.status is RelocationStatus.ALLOWED and not self.allowed_regions:
            raise ValueError("allowed_regions: name at least one region when status is allowed")
        return self


class SafeCountry(EntryBase):
    """Designation as a safe country of origin, with the groups and regions it exempts."""

    kind: Literal["safe_country"]
    exception_groups: tuple[str, ...] = ()
    exception_regions: tuple[RegionCode, ...] = ()
    exception_region_note: str | None = Field(
        None, description="A regional exception the sources describe but do not enumerate"
    )
    suspended: bool = False


class Moratorium(EntryBase):
    kind: Literal["moratorium"]
    decision: bool
    departure: bool
    except_lodged_more_than_months: int | None = Field(None, ge=1)

    @model_validator(mode="after")
    def _something(self) -> "Moratorium":
        if not (self.decision or self.departure):
            raise ValueError("a moratorium must cover decisions, departures or both")
        return self


class SituationLevel(StrEnum):
    """QD art. 15(c): indiscriminate violence in armed conflict."""

    MOST_EXCEPTIONAL = "most_exceptional"  # mere presence is a real risk
    LESS_EXCEPTIONAL = "less_exceptional"  # sliding scale: some individual elements needed
    NONE = "none"


class IndividualElements(StrEnum):
    """On the sliding scale of a less exceptional 15(c) situation: how much individual
    elements must add (EUAA: a "high level" of violence needs a low level of them)."""

    LOW = "low"
    HIGH = "high"


class ExceptionalSituation(EntryBase):
    kind: Literal["exceptional_situation"]
    level: SituationLevel
    individual_elements: IndividualElements | None = Field(
        None, description="less_exceptional only: how much individual elements must add"
    )

    @model_validator(mode="after")
    def _elements(self) -> "ExceptionalSituation":
        less = self.level is SituationLevel.LESS_EXCEPTIONAL
        if self.individual_elements is not None and not less:
            raise ValueError("individual_elements: only for level less_exceptional")
        return self


class ForbiddenReasoning(EntryBase):
    """A refusal reason that law or policy forbids, or makes insufficient on its own."""

    kind: Literal["forbidden_reasoning"]
    country: CountryCode | None = Field(  # type: ignore[assignment]
        None, description="null: every country (EU law binds every decision)"
    )
    reason: Reason
    flag: FlagCode
    message: str = Field(min_length=10, description="Plain words for the case officer")


Entry = Annotated[
    Designation
    | IndividualProfile
    | ProtectionDuty
    | InternalProtectionEntry
    | SafeCountry
    | Moratorium
    | ExceptionalSituation
    | ForbiddenReasoning,
    Field(discriminator="kind"),
]

ENTRY_KINDS: tuple[type[EntryBase], ...] = (
    Designation,
    IndividualProfile,
    ProtectionDuty,
    InternalProtectionEntry,
    SafeCountry,
    Moratorium,
    ExceptionalSituation,
    ForbiddenReasoning,
)
