"""`haven serve`, `haven db upgrade`: the store and the HTTP server; the `users` group, whose
commands are haven/cli/users_cmd.py's."""

import os

import typer

from haven.api import ops, proxy
from haven.cli import keys_cmd
from haven.cli.common import out
from haven.errors import InputError, Problem
from haven.packs import DEFAULT_PACK
from haven.policy.loader import offered
from haven.store.db import database_url, upgrade

users = typer.Typer(help="Manage local accounts.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Bind address (loopback by default)"),
    port: int = typer.Option(8000, "--port", min=1, max=65535),
    workers: int = typer.Option(1, "--workers", help="Worker processes (state lives in the DB)"),
    pack: str = typer.Option(DEFAULT_PACK, "--pack", envvar="HAVEN_PACK", help="The default pack"),
    packs: str = typer.Option(
        "",
        "--packs",
        envvar="HAVEN_PACKS",
        help="More packs offered besides the shipped ones (names or directories, comma-separated)",
    ),
    reference: str | None = typer.Option(
        None,
        "--reference-pack",
        envvar="HAVEN_REFERENCE_PACK",
        help="The pack the memo and case page compare with (default: the other shipped pack)",
    ),
    trusted_proxies: str = typer.Option(
        "",
        "--trusted-proxies",
        envvar="HAVEN_TRUSTED_PROXIES",
        help="Addresses of reverse proxies whose X-Forwarded-For/-Proto are believed "
        "(comma-separated); default: none",
    ),
    log_format: str = typer.Option(
        "text", "--log-format", envvar="HAVEN_LOG_FORMAT", help="text or json (one object a line)"
    ),
) -> None:
    """Run the HTTP API. Uses HAVEN_DATABASE_URL, else ./haven.db (SQLite, created on first use)."""
    import uvicorn
    import uvicorn.config

    if log_format not in ("text", "json"):
        raise InputError([Problem("--log-format", f"{log_format!r}: use text or json")])

    url = database_url()
    upgrade(url)
    os.environ["HAVEN_PACK"] = pack
    os.environ["HAVEN_PACKS"] = packs
    if reference:
        os.environ["HAVEN_REFERENCE_PACK"] = reference
    offered(pack, [p for p in packs.split(",") if p.strip()], reference)  # errors here, not later
    out.print(
        f"Haven API on http://{host}:{port}/api/v1 — database {_safe(url)}; "
        "OpenAPI at /openapi.json"
    )
    out.print(keys_cmd.notice(url), markup=False)
    uvicorn.run(
        "haven.asgi:app",
        host=host,
        port=port,
        workers=workers,
        # The C parser and libuv loop: less CPU per request than h11 on asyncio. uvloop turns
        # Nagle off on every accepted TCP connection itself, with several workers too (asyncio
        # did not: Kludex/uvicorn#3149, the ~40 ms delayed-ACK wait tests/store/
        # test_workers_latency.py guards against).
        http="httptools",
        loop="uvloop",
        log_level="warning",
        access_log=False,  # request lines can carry case references: keep them out of logs
        log_config=ops.log_config(log_format) or uvicorn.config.LOGGING_CONFIG,
        **proxy.uvicorn_options(trusted_proxies),
    )


def _safe(url: str) -> str:
    """A database URL without its password, for messages."""
    if "@" not in url:
        return url
    scheme, rest = url.split("://", 1)
    return f"{scheme}://…@{rest.split('@', 1)[1]}"


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the schema migrations to HAVEN_DATABASE_URL (or ./haven.db)."""
    url = database_url()
    upgrade(url)
    out.print(f"database {_safe(url)} is at the latest schema")
