"""Request plumbing shared by the HTTP doors (the API and the web app), so that neither has
to import the other. They are put together in one place: haven.server."""

from fastapi import Request

from haven.errors import InputError, Problem


def no_nul(request: Request) -> None:
    """A NUL in a path or query value is an error naming it, on every backend: PostgreSQL
    text cannot hold one (a 500 there, found by fuzzing), SQLite would store it."""
    values = [("path", k, v) for k, v in request.path_params.items() if isinstance(v, str)]
    values += [("query", k, v) for k, v in request.query_params.multi_items()]
    found = [f"{where}.{k}" for where, k, v in values if "\x00" in v]
    if found:
        raise InputError([Problem(field, "contains a NUL character") for field in found])
