"""Groups: named predicates over the case profile, and the tag vocabulary they use."""

from pydantic import BaseModel, ConfigDict, Field, model_validator

from haven.vocab import Sex, Sogi

ID_PATTERN = r"^[a-z0-9][a-z0-9_\-]*$"


class Tag(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    id: str = Field(pattern=ID_PATTERN)
    label: str
    note: str | None = None


class Group(BaseModel):
    """All stated conditions must hold; within a list, any one value suffices.

    Conditions on `sogi_any` and the tags test the claimed profile; `sex` and the ages test
    identity. An empty selector matches everyone.
    """

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    id: str = Field(pattern=ID_PATTERN, description="Reported as designation.group")
    label: str
    sogi_any: tuple[Sogi, ...] = ()
    tags_any: tuple[str, ...] = ()
    tags_all: tuple[str, ...] = ()
    sex: Sex | None = None
    age_min: int | None = Field(None, ge=0, le=130, description="Age on the as-of date")
    age_max: int | None = Field(None, ge=0, le=130, description="Inclusive")
    note: str | None = None

    @model_validator(mode="after")
    def _ages(self) -> "Group":
        if self.age_min is not None and self.age_max is not None and self.age_min > self.age_max:
            raise ValueError("age_min is greater than age_max")
        return self

    @property
    def uses_profile(self) -> bool:
        return bool(self.sogi_any or self.tags_any or self.tags_all)

    @property
    def uses_identity(self) -> bool:
        return self.sex is not None or self.age_min is not None or self.age_max is not None
