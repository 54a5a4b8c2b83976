"""A case as the contract (v1) defines it. Strict: unknown fields and bad values are errors.

A null value is read as an absent field (its default, or "required field is missing"): Parquet
and the columnar JSON readers cannot tell the two apart, so every reader (haven.cases.caseload)
treats them alike, through `from_json`. The Polars schema and checks of the columnar reader are
derived from these classes (haven.cases.schema).
"""

import datetime as dt
import json
from typing import Annotated, Any, ClassVar, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

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
    # (later, earlier): date fields of which the first may not be before the second.
    DATE_ORDER: ClassVar[tuple[tuple[str, str], ...]] = ()

    @model_validator(mode="after")
    def _order(self) -> "_Strict":
        for later, earlier in self.DATE_ORDER:
            a, b = getattr(self, later), getattr(self, earlier)
            if a is not None and b is not None and a < b:
                raise ValueError(order_message(later, a, earlier, b))
        return self


def order_message(later: str, a: object, earlier: str, b: object) -> str:
    return f"{later} ({a}) is before {earlier} ({b})"


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

    DATE_ORDER = (("decided", "lodged"),)


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


def from_json(text: str | bytes) -> Case:
    """The case a JSON text holds, a null value read as an absent field. Raises
    ValidationError. Strict JSON validation is tried first (fast); only a text it refuses,
    and that holds a null where the model does not allow one, is read again without them."""
    try:
        return Case.model_validate_json(text)
    except ValidationError as err:
        if not any(e["input"] is None for e in err.errors()):
            raise
        stripped = _without_nulls(json.loads(text))
    return Case.model_validate_json(json.dumps(stripped))


def _without_nulls(value: Any) -> Any:
    """Object members whose value is null left out, at every depth (list items are kept)."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value
