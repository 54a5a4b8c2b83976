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

    @model_validator(mode="after")
    def _interval(self) -> "EntryBase":
        if self.valid_to is not None and self.valid_to <= self.valid_from:
            raise ValueError(f"valid_to {self.valid_to} is not after valid_from {self.valid_from}")
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

    def in_force(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on < self.valid_to)

    def verified_on(self, on: date) -> bool:
        """Whether this entry may drive an outcome on `on`."""
        if not self.verified:
            return False
        return self.unconfirmed_from is None or on < self.unconfirmed_from.date

    def sources_on(self, on: date) -> tuple[str, ...]:
        """The entry's sources, plus those that put it in doubt once `on` is past that date."""
        uc = self.unconfirmed_from
        extra = uc.sources if uc is not None and on >= uc.date else ()
        return self.sources + tuple(s for s in extra if s not in self.sources)


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


class ExceptionalSituation(EntryBase):
    kind: Literal["exceptional_situation"]
    level: SituationLevel


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
    ProtectionDuty,
    InternalProtectionEntry,
    SafeCountry,
    Moratorium,
    ExceptionalSituation,
    ForbiddenReasoning,
)
