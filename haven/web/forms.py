"""Reading submitted forms: one place that parses the body and checks the CSRF token."""

from datetime import date

from fastapi import Request
from starlette.datastructures import FormData

from haven.errors import Forbidden, InputError, Problem
from haven.policy.pack import Pack
from haven.policy.snapshot import coverage_problem
from haven.web.security import CSRF_FIELD, csrf_ok


async def checked_form(request: Request, *, nul_ok: bool = False) -> FormData:
    """The form, if its CSRF token matches this browser's; else 403 (nothing is changed).
    `nul_ok`: the route says a NUL next to its field itself (with `nul_fields`); else a value
    with NUL is an error page naming the field."""
    form = await request.form()
    # PostgreSQL text cannot hold NUL: refuse it here, naming the field, before any lookup.
    nul = nul_fields(form)
    if nul and not nul_ok:
        raise InputError([Problem(k, "contains a NUL character") for k in nul])
    submitted = form.get(CSRF_FIELD)
    if not csrf_ok(request, submitted if isinstance(submitted, str) else None):
        raise Forbidden("the form's security token is missing or stale: reload the page")
    return form


def nul_fields(form: FormData) -> list[str]:
    """The fields with a NUL character (which PostgreSQL text cannot hold), by name."""
    return sorted({k for k, v in form.multi_items() if isinstance(v, str) and "\x00" in v})


def without_nul(form: FormData) -> FormData:
    """The form with each NUL shown as U+FFFD (�): what the writer sent, to correct and
    send again, never stored as it is."""
    return FormData(
        [
            (k, v.replace("\x00", "\ufffd") if isinstance(v, str) else v)
            for k, v in form.multi_items()
        ]
    )


def text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def secret(form: FormData, name: str) -> str:
    """A password as typed: never stripped (haven/store/auth.py: spaces are characters, and
    the API and the CLI take it as given)."""
    value = form.get(name)
    return value if isinstance(value, str) else ""


def texts(form: FormData, name: str) -> list[str]:
    return [v.strip() for v in form.getlist(name) if isinstance(v, str) and v.strip()]


def covered(pack: Pack, day: date, field: str) -> Problem | None:
    """A date before the pack's coverage (it has no legal basis for some step then): the
    engine's problem, put on the form's `field` (haven/web/messages.py says it in plain words),
    so that the page shows its form with the problem instead of an error page."""
    return coverage_problem(pack, day, field)
