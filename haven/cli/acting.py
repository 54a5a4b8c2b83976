"""The user a command on the stored data acts as (`--org SLUG --user NAME`), and the refusal of
what that user's role may not do: recorded in the audit log (in a transaction of its own, as
the request's would be rolled back) and said in the CLI's words, exit 1."""

from haven.errors import Forbidden
from haven.store import repo
from haven.store.access import Action
from haven.store.db import Database
from haven.store.repo import Actor


def acting_user(db: Database, org: str, username: str) -> Actor:
    """The active user of the organisation (an unknown one is exit 2 naming --org/--user)."""
    with db.session() as s:
        return repo.actor_by_name(s, org, username)


def require_role(
    db: Database, actor: Actor, actions: tuple[Action, ...], audited: str, doing: str
) -> None:
    """Each of `actions` allowed to the actor's role, else the refusal recorded as `audited`
    and raised as '<user> (role R) may not <doing>: <why>'."""
    for action in actions:
        try:
            repo.require(actor, action)
        except Forbidden as e:
            repo.record_denial(db, actor, audited, None, str(e))
            raise Forbidden(
                f"{actor.username[:64]!r} (role {actor.role.value}) may not {doing}: {e}"
            ) from None
