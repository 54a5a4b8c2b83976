"""`haven impact --org SLUG --user NAME`: the impact over an organisation's stored caseload,
read in columnar form (haven/store/columnar_caseload.py), with the access rules and audit of
listing and reading cases; a denial is audited and named."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from haven.cli.acting import acting_user, require_role
from haven.errors import InputError, Problem
from haven.impact.stream import ImpactStream
from haven.policy.pack import Pack
from haven.store.access import Action
from haven.store.columnar_caseload import StoredImpactStream
from haven.store.db import Database, database_url, upgrade


@contextmanager
def stored_stream(
    org: str | None,
    user: str | None,
    before: date,
    after: date,
    pack: Pack,
    after_pack: Pack | None,
    batch_size: int,
) -> Iterator[ImpactStream]:
    """The stream, inside the one transaction that reads the cases and audits the read."""
    if not org or not user:
        missing = "--org" if not org else "--user"
        raise InputError([Problem(missing, "give both --org and --user to use the stored cases")])
    url = database_url()
    upgrade(url)
    db = Database(url)
    actor = acting_user(db, org, user)
    reading = (Action.CASE_LIST, Action.CASE_READ)
    require_role(db, actor, reading, "case.bulk_read", "read the stored caseload")
    with db.session() as s:
        yield StoredImpactStream(s, actor, before, after, pack, after_pack, batch_size)
