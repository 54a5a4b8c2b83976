"""A case as the contract (v1) defines it. Strict: unknown fields and bad values are errors."""

import datetime as dt
from typing import Annotated, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from haven.codes import CountryCode, RegionCode
from haven.vocab import Actor, Finding, IncidentKind, Reason, Sex, Sogi, Status

T = TypeVar("T")


def _unique(items: list[T]) -> list[T]:
    if len(items) < 2:  # the usual case, and the check runs for every case of a bulk import
        return items
    seen = [i for n, i in enumerate(items) if i in items[:n]]
    if seen:
        raise ValueError(f"{str(seen[0])!r} is listed twice")
    return items


def _no_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL: such a case could be kept in SQLite but never moved to
    # PostgreSQL (nor restored there from a backup). Other control characters round-trip.
    if "\x00" in value:
        raise ValueError(NUL_MESSAGE)
    return value


NUL_MESSAGE = "must not contain the NUL character (\\u0000)"
ID_MAX = 200


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Profile(_Strict):
    sogi: Annotated[list[Sogi], AfterValidator(_unique)] = Field(default_factory=list)
    tags: Annotated[list[Annotated[str, Field(min_length=1)]], AfterValidator(_unique)] = Field(
        default_factory=list
    )
    sex: Sex | None = None
    birth_date: dt.date | None = None


class Credibility(_Strict):
    identity: Finding = Finding.OPEN
    nationality: Finding = Finding.OPEN
    region: Finding = Finding.OPEN
    profile: Finding = Finding.OPEN


class Incident(_Strict):
    date: dt.date | None = None
    kind: IncidentKind
    actor: Actor
    credibility: Finding = Finding.OPEN
    sought_protection: bool | None = None


class Procedure(_Strict):
    lodged: dt.date
    status: Status = Status.PENDING
    decided: dt.date | None = None
    reasons: Annotated[list[Reason], AfterValidator(_unique)] = Field(default_factory=list)

    @model_validator(mode="after")
    def _order(self) -> "Procedure":
        if self.decided is not None and self.decided < self.lodged:
            raise ValueError(f"decided ({self.decided}) is before lodged ({self.lodged})")
        return self


class Case(_Strict):
    id: Annotated[str, AfterValidator(_no_nul)] = Field(min_length=1, max_length=ID_MAX)
    nationality: CountryCode = Field(description="ISO 3166-1 alpha-2")
    region: RegionCode | None = Field(None, description="ISO 3166-2")
    profile: Profile = Field(default_factory=Profile)
    credibility: Credibility = Field(default_factory=Credibility)
    incidents: list[Incident] = Field(default_factory=list)
    procedure: Procedure

    def age_on(self, day: dt.date) -> int | None:
        born = self.profile.birth_date
        if born is None:
            return None
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
