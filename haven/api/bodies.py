"""Request bodies, validated in Pydantic's strict JSON mode (the contract's strictness).

FastAPI would validate decoded JSON in Python mode, where strict models reject ISO date
strings; so routes read the raw body, and the schemas are registered in OpenAPI by hand.
"""

import json
from datetime import date
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from haven.cases import Case
from haven.errors import InputError, Problem
from haven.store.access import Role
from haven.validation import USERNAME, path, problems

M = TypeVar("M", bound=BaseModel)
REGISTRY: dict[str, type[BaseModel]] = {}


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


_PACK = (
    "The id of a pack this server offers (GET /api/v1/packs); default: the server's default pack"
)


class AssessRequest(_Body):
    case: Case
    as_of: date | None = Field(None, description="Default: today")
    pack: str | None = Field(None, max_length=200, description=_PACK)


class ImpactRequest(_Body):
    cases: list[Case] = Field(max_length=100_000)
    from_: date = Field(alias="from")
    to: date
    pack: str | None = Field(None, max_length=200, description=_PACK)
    to_pack: str | None = Field(
        None,
        max_length=200,
        description="The pack of the `to` side (default: `pack`): with `from` equal to `to`, "
        "whose outcome would differ under this pack",
    )

    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=True)


class LintRequest(_Body):
    text: str = Field(max_length=100_000, description="The draft decision text (en or nl)")
    case: Case
    as_of: date | None = Field(None, description="Default: today")
    model: bool = Field(
        False,
        description="Also flag what the pack's linear model (lint/model.json) reads as "
        "forbidden reasoning where no rule did (`haven lint --model`); opt-in",
    )


class StoreAssessmentRequest(_Body):
    as_of: date | None = None


class LoginRequest(_Body):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class ShareRequest(_Body):
    username: str = Field(min_length=1, max_length=64)


class NewUserRequest(_Body):
    username: str = Field(pattern=USERNAME)
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


NUL = "contains a NUL character"


def parse(model: type[M], raw: bytes) -> M:
    if b"\\u0000" in raw:  # the only way JSON carries a NUL (PostgreSQL text cannot hold one)
        found = nul_problems(raw)
        if found:
            raise InputError(found)
    try:
        parsed = model.model_validate_json(raw)
    except ValidationError as err:
        raise InputError(problems(err)) from None
    repeated = duplicate_keys(raw)
    if repeated:  # JSON parsers disagree on which value wins: refuse, do not guess
        raise InputError([Problem(k, "appears more than once in one object") for k in repeated])
    return parsed


class _Repeated(dict[str, Any]):
    """A JSON object as parsed, with the keys it gives more than once."""

    repeated: list[str]


def duplicate_keys(raw: bytes) -> list[str]:
    """Keys given twice in one JSON object (`{"status": "refused", "status": "granted"}`), by
    their full path (`case.procedure.status`, `cases[1].id`), in document order. Run after the
    model accepted the body, so the JSON is valid."""

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        obj = _Repeated(items)
        keys = [k for k, _ in items]
        obj.repeated = list(dict.fromkeys(k for n, k in enumerate(keys) if k in keys[:n]))
        return obj

    try:
        data = json.loads(raw, object_pairs_hook=pairs)
    except (ValueError, RecursionError):
        return []
    found: list[str] = []
    todo: list[tuple[tuple[int | str, ...], Any]] = [((), data)]
    while todo:  # iterative, as deep as json.loads allows; depth first, in document order
        loc, value = todo.pop()
        if isinstance(value, _Repeated):
            found += [path((*loc, k)) for k in value.repeated]
            todo += reversed([((*loc, k), v) for k, v in value.items()])
        elif isinstance(value, list):
            todo += reversed([((*loc, i), v) for i, v in enumerate(value)])
    return found


def nul_problems(raw: bytes) -> list[Problem]:
    """Every string or key in the JSON that holds a NUL, by field path. Unreadable JSON gives
    none: the model's own validation names that."""
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return []
    found = []
    todo: list[tuple[tuple[int | str, ...], Any]] = [((), data)]
    while todo:  # iterative: the nesting may be as deep as json.loads allows
        loc, value = todo.pop()
        if isinstance(value, str) and "\x00" in value:
            found.append(Problem(path(loc), NUL))
        elif isinstance(value, dict):
            for key, item in value.items():
                if "\x00" in key:
                    found.append(Problem(path((*loc, key)), f"the key {NUL}"))
                todo.append(((*loc, key), item))
        elif isinstance(value, list):
            todo.extend(((*loc, i), item) for i, item in enumerate(value))
    return sorted(found, key=lambda p: p.where)


def openapi_body(model: type[BaseModel]) -> dict[str, Any]:
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}
            },
        }
    }
