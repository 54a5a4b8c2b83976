"""`haven users add|list|disable|enable|role|password|tokens|revoke|hand-over`: the account
lifecycle for the operator (the rules and the audit lines are haven/store/accounts.py's), on the
`users` group of server_cmd. Every error names the argument or option as the operator typed it
(`USERNAME`, `--org`, `--to`, ...), not the store's field."""

import getpass
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from sqlalchemy.orm import Session

from haven.cli.common import out, print_json
from haven.cli.server_cmd import users
from haven.errors import Conflict, InputError, NotFound, Problem
from haven.store import accounts
from haven.store.access import Role
from haven.store.auth import add_user, ensure_org, name_problems
from haven.store.db import Database, database_url, upgrade

ORG = typer.Option("default", "--org", help="Organisation slug")


def _db() -> Database:
    url = database_url()
    upgrade(url)
    return _Cli(url)


# The store's names of what the operator gave, as the command line names them.
OPTIONS = {
    "to": "--to",
    "token": "--token",
    "password": "--password",
    "username": "USERNAME",
    "org": "--org",
    "role": "--role",
}


def _named(problems: list[Problem]) -> list[Problem]:
    return [Problem(OPTIONS.get(p.where, p.where), p.message) for p in problems]


class _Cli(Database):
    """The store's "no such user or token" is the operator's input mistake here: exit 2 (it was
    exit 1, while `haven cases` says exit 2 for an unknown --user); it, the store's input
    errors and its conflicts (a username taken, the last admin) name the argument or option as
    given; rolled back like any error."""

    @contextmanager
    def session(self) -> Iterator[Session]:
        try:
            with super().session() as s:
                yield s
        except (NotFound, InputError) as e:
            raise InputError(_named(e.problems)) from None
        except Conflict as e:
            raise Conflict(_named(e.problems)) from None


@users.command("add")
def add(
    username: str = typer.Argument(...),
    role: Role = typer.Option(Role.ADMIN, "--role"),
    org: str = typer.Option("default", "--org", help="Organisation slug (created if new)"),
    password: str | None = typer.Option(
        None, "--password", envvar="HAVEN_PASSWORD", help="Default: prompt (or HAVEN_PASSWORD)"
    ),
) -> None:
    """Create a user; the first one is usually the organisation's admin."""
    # Both names checked before a password is asked for or the database is touched; they were
    # named `username` and `org`, the store's fields, not what the operator typed.
    if wrong := name_problems("USERNAME", username) + name_problems("--org", org):
        raise InputError(wrong)
    if password is None:
        password = getpass.getpass(f"Password for {username}: ")
    if not password:
        raise InputError([Problem("--password", "is empty")])
    with _db().session() as s:
        organisation = ensure_org(s, org)
        accounts.created(s, add_user(s, organisation, username, password, role))
    out.print(f"created {role.value} {username!r} in organisation {org!r}", markup=False)


@users.command("list")
def list_users(org: str = ORG) -> None:
    """Users of the organisation, with their role and whether they are active."""
    with _db().session() as s:
        o = accounts.org_of(s, org)
        print_json(
            [
                {"username": u.username, "role": u.role, "active": u.active}
                for u in accounts.list_users(s, o.id)
            ]
        )


@users.command("disable")
def disable(username: str = typer.Argument(...), org: str = ORG) -> None:
    """Disable a user: sign-in refused, every token stops at once."""
    with _db().session() as s:
        accounts.set_active(s, accounts.org_of(s, org).id, username, False)
    out.print(f"disabled {username!r} in {org!r}; their tokens are revoked", markup=False)


@users.command("enable")
def enable(username: str = typer.Argument(...), org: str = ORG) -> None:
    with _db().session() as s:
        accounts.set_active(s, accounts.org_of(s, org).id, username, True)
    out.print(f"enabled {username!r} in {org!r}", markup=False)


@users.command("hand-over")
def hand_over(
    username: str = typer.Argument(...),
    to: str = typer.Option(..., "--to", help="The active officer or NGO advocate who takes them"),
    org: str = ORG,
) -> None:
    """Hand a user's cases and open work items over to a colleague (someone leaves)."""
    with _db().session() as s:
        moved = accounts.hand_over(s, accounts.org_of(s, org).id, username, to)
    out.print(f"handed {moved} cases of {username!r} over to {to!r} in {org!r}", markup=False)


@users.command("role")
def role(
    username: str = typer.Argument(...),
    new_role: Role = typer.Argument(..., metavar="ROLE"),
    org: str = ORG,
) -> None:
    """Change a user's role (applies to their next request)."""
    with _db().session() as s:
        accounts.set_role(s, accounts.org_of(s, org).id, username, new_role)
    out.print(f"{username!r} is now {new_role.value}", markup=False)


@users.command("password")
def password(
    username: str = typer.Argument(...),
    org: str = ORG,
    new: str | None = typer.Option(
        None, "--password", envvar="HAVEN_PASSWORD", help="Default: prompt (or HAVEN_PASSWORD)"
    ),
) -> None:
    """Set or reset a password; the user's tokens are revoked."""
    if new is None:
        new = getpass.getpass(f"New password for {username}: ")
    if not new:
        raise InputError([Problem("--password", "is empty")])
    with _db().session() as s:
        accounts.set_password(s, accounts.org_of(s, org).id, username, new)
    out.print(f"password of {username!r} set; their tokens are revoked", markup=False)


@users.command("tokens")
def list_tokens(username: str = typer.Argument(...), org: str = ORG) -> None:
    """A user's tokens: id, name, times, revoked (never the token itself)."""
    with _db().session() as s:
        found = accounts.tokens(s, accounts.org_of(s, org).id, username)
    print_json(
        [
            {
                "id": t.id,
                "name": t.name,
                "created_at": t.created_at.isoformat() + "Z",
                "expires_at": t.expires_at.isoformat() + "Z" if t.expires_at else None,
                "last_used_at": t.last_used_at.isoformat() + "Z" if t.last_used_at else None,
                "revoked": t.revoked,
            }
            for t in found
        ]
    )


@users.command("revoke")
def revoke(
    username: str = typer.Argument(...),
    token: int | None = typer.Option(None, "--token", help="Token id; default: all"),
    org: str = ORG,
) -> None:
    """Revoke one token of a user (--token ID) or all of them (sign out everywhere)."""
    with _db().session() as s:
        n = accounts.revoke_token(s, accounts.org_of(s, org).id, username, token)
    out.print(f"revoked {n} token(s) of {username!r}", markup=False)
