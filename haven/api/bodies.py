"""Request bodies, validated in Pydantic's strict JSON mode (the contract's strictness).

FastAPI would validate decoded JSON in Python mode, where strict models reject ISO date
strings; so routes read the raw body, and the schemas are registered in OpenAPI by hand.
"""

from datetime import date
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from haven.cases import Case
from haven.errors import InputError
from haven.store.access import Role
from haven.validation import problems

M = TypeVar("M", bound=BaseModel)
REGISTRY: dict[str, type[BaseModel]] = {}


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class AssessRequest(_Body):
    case: Case
    as_of: date | None = Field(None, description="Default: today")


class ImpactRequest(_Body):
    cases: list[Case] = Field(max_length=100_000)
    from_: date = Field(alias="from")
    to: date

    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=True)


class LintRequest(_Body):
    text: str = Field(max_length=100_000, description="The draft decision text (en or nl)")
    case: Case
    as_of: date | None = Field(None, description="Default: today")


class StoreAssessmentRequest(_Body):
    as_of: date | None = None


class LoginRequest(_Body):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class ShareRequest(_Body):
    username: str = Field(min_length=1, max_length=64)


class NewUserRequest(_Body):
    username: str = Field(pattern=r"^[a-z0-9][a-z0-9._\-]{1,63}$")
    password: str = Field(min_length=12, max_length=1024)
    role: Role


for _m in (
    AssessRequest,
    ImpactRequest,
    LintRequest,
    StoreAssessmentRequest,
    LoginRequest,
    ShareRequest,
    NewUserRequest,
    Case,
):
    REGISTRY[_m.__name__] = _m


def parse(model: type[M], raw: bytes) -> M:
    try:
        return model.model_validate_json(raw)
    except ValidationError as err:
        raise InputError(problems(err)) from None


def openapi_body(model: type[BaseModel]) -> dict[str, Any]:
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}
            },
        }
    }
