"""Shared CLI plumbing: option parsing, output, and the error boundary."""

import json
import sys
from collections.abc import Callable
from datetime import date
from enum import StrEnum
from typing import Any

from rich.console import Console

from haven.assess.admit import under_every
from haven.cases import Case
from haven.errors import InputError, PolicyError, Problem
from haven.policy.loader import load_pack, resolve
from haven.policy.pack import Pack

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


class Format(StrEnum):
    JSON = "json"
    JSONL = "jsonl"
    TABLE = "table"
    HTML = "html"


def parse_date(value: str | None, option: str, default: date | None = None) -> date:
    if value is None:
        if default is None:
            raise InputError([Problem(option, "is required")])
        return default
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(
            [Problem(option, f"{value!r} is not a date (expected YYYY-MM-DD)")]
        ) from None


def pack_option(name: str, option: str = "--pack") -> Pack:
    """The pack a command option names; an unknown one is an error naming that option."""
    try:
        resolve(name)
    except PolicyError as e:
        raise PolicyError([Problem(option, p.message) for p in e.problems]) from None
    return load_pack(name)


def assessable(*packs: Pack | None) -> Callable[[Case], list[Problem]]:
    """For read_caseload: what makes a case of the file one these packs cannot assess
    (haven.assess.admit), named by the case's line or item as the model's problems are."""
    chosen = [p for p in packs if p is not None]
    return lambda case: under_every(case, chosen)


def only(fmt: Format, allowed: tuple[Format, ...], option: str = "--format") -> None:
    if fmt not in allowed:
        choices = ", ".join(f.value for f in allowed)
        raise InputError([Problem(option, f"{fmt.value!r} is not available here; use {choices}")])


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
