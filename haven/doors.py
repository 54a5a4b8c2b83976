"""Request plumbing shared by the HTTP doors (the API and the web app), so that neither has
to import the other. They are put together in one place: haven.server."""

from typing import Any

from fastapi import Request, Response

from haven.cases.model import ID_MAX
from haven.errors import InputError, Problem, Unprocessable
from haven.policy.loader import PACKS_DIR, load_pack
from haven.policy.pack import Pack
from haven.reports.memo import MEDIA_TYPES, MemoFormat


async def no_nul(request: Request) -> None:
    """A NUL in a path or query value is an error naming it, on every backend: PostgreSQL
    text cannot hold one (a 500 there, found by fuzzing), SQLite would store it. Async: no
    I/O, so no worker-thread hop (FastAPI runs a plain `def` dependency in a thread)."""
    values = [("path", k, v) for k, v in request.path_params.items() if isinstance(v, str)]
    values += [("query", k, v) for k, v in request.query_params.multi_items()]
    found = [f"{where}.{k}" for where, k, v in values if "\x00" in v]
    if found:
        raise InputError([Problem(field, "contains a NUL character") for field in found])


# Path parameters that name a stored thing by a reference of bounded length: longer cannot name
# one (the case id's limit, the contract's and the store's column).
PATH_MAX = {"ref": ID_MAX}


async def bounded_path(request: Request) -> None:
    """A case reference in a path longer than any case's is refused (422 naming the path
    parameter, the API and the web pages alike), before any lookup: it was looked up, and its
    404 quoted it whole. Async: no I/O."""
    long = [
        (k, limit)
        for k, limit in PATH_MAX.items()
        if len(str(request.path_params.get(k, ""))) > limit
    ]
    if long:
        raise Unprocessable(
            [Problem(f"path.{k}", f"must be at most {limit} characters long") for k, limit in long]
        )


def document_response(data: bytes, fmt: MemoFormat, name: str) -> Response:
    """A memo or letter: HTML shown inline, PDF as a download."""
    disposition = "inline" if fmt is MemoFormat.HTML else "attachment"
    return Response(
        content=data,
        media_type=MEDIA_TYPES[fmt],
        headers={
            "Content-Disposition": f'{disposition}; filename="{name}"',
            # Case text is user input: even escaped, the page may run nothing and load
            # nothing from elsewhere.
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
        },
    )


# Versions are 32-bit integers in every backend.
VERSION_MAX = 2_147_483_647


def version_number(text: str) -> int | None:
    """The version an ETag or form field names: None if it is not a number; a number beyond
    any version (`"99999999999999999999999"`) becomes 0, which no case has (versions start at
    1), so the edit is refused as stale (412) without the database seeing the number (a 500
    on PostgreSQL, whose integers are 32-bit)."""
    if not text.isascii() or not text.isdigit():
        return None
    number = int(text) if len(text) <= 12 else VERSION_MAX + 1
    return number if number <= VERSION_MAX else 0


def _registered(request: Request) -> dict[str, Pack]:
    """Packs registered with the app (`app.state.packs`): a mapping of id to pack, or an
    object holding one as `.packs` (a server's offered packs)."""
    found: Any = getattr(request.app.state, "packs", None) or {}
    found = getattr(found, "packs", found)
    return dict(found)


def pack_ids(request: Request) -> list[str]:
    """The packs a request may name: the app's own, those registered with the app, and those
    shipped with Haven."""
    own: Pack = request.app.state.pack
    shipped = sorted(p.parent.name for p in PACKS_DIR.glob("*/pack.yaml"))
    return list(dict.fromkeys([own.meta.id, *_registered(request), *shipped]))


def named_pack(request: Request, name: str, field: str) -> Pack:
    """A pack by id (see pack_ids). Never a directory: a request must not load files by path."""
    own: Pack = request.app.state.pack
    if name == own.meta.id:
        return own
    extra = _registered(request)
    if name in extra:
        return extra[name]
    if name.isidentifier() and (PACKS_DIR / name / "pack.yaml").is_file():
        return load_pack(name)
    raise InputError([Problem(field, f"no pack named {name[:60]!r}")])
