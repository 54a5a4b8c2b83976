"""`haven keys ...` and `haven cases shred`: encryption keys of case content at rest.

Key material is never printed (except by `generate --stdout`, which is for HAVEN_KEYS) and
never written to the database. See docs/security.md, "Encryption at rest".
"""

import typer
from sqlalchemy import select

from haven.cli.common import out
from haven.errors import Forbidden, InputError, Problem
from haven.store import keyops, repo
from haven.store.auth import name_problems
from haven.store.db import Database, database_url, upgrade
from haven.store.keys import ENV_FILE, ENV_KEYS, dump, new_org_key, ring_for
from haven.store.models import Organisation

app = typer.Typer(help="Encryption keys of the stored case content.", no_args_is_help=True)

DB_HELP = "Database URL (default: HAVEN_DATABASE_URL, else ./haven.db)"


def notice(url: str) -> str:
    """One line for `haven serve` and `haven demo`: where the keys are."""
    kr = ring_for(url)
    if kr.path is None and kr.where != ENV_KEYS:
        return (
            f"No encryption keys configured: set {ENV_FILE} or {ENV_KEYS}, or storing cases "
            "will fail (docs/security.md)."
        )
    return (
        f"Case content is encrypted at rest; organisation keys in {kr.where} "
        "(owner-only, created on first use): back it up apart from the database."
    )


def _db(url: str | None, *, existing: bool = False) -> Database:
    url = database_url(url, existing=existing)
    upgrade(url)
    return Database(url)


@app.command("generate")
def generate(
    org: list[str] = typer.Option(..., "--org", help="Organisation slug (repeatable)"),
    db: str | None = typer.Option(None, "--db", help=DB_HELP + "; locates the default key file"),
    stdout: bool = typer.Option(
        False, "--stdout", help="Print a new key document (for HAVEN_KEYS) instead of saving"
    ),
) -> None:
    """Add a new key for each organisation (the newest seals new data keys)."""
    # A key for a slug no organisation can have (empty, spaces, control characters) was added.
    wrong = [p for slug in org for p in name_problems("--org", slug)]
    if wrong:
        raise InputError(wrong)
    if stdout:
        print(dump({slug: [new_org_key()] for slug in org}), end="")
        return
    kr = ring_for(database_url(db))
    for slug in org:
        key = kr.add(slug)
        out.print(f"added key {key.kid} for organisation {slug!r} to {kr.where}", markup=False)


@app.command("rotate")
def rotate(
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    org: list[str] | None = typer.Option(
        None, "--org", help="Organisation slug (repeatable); default: every organisation"
    ),
    batch: int = typer.Option(100, "--batch", min=1, help="Data keys re-sealed per transaction"),
    grace: float = typer.Option(
        2.0, "--grace", min=0.0, help="Seconds for running servers to pick up the new key"
    ),
    pause: float = typer.Option(0.0, "--pause", min=0.0, help="Seconds between batches"),
    keep_old: bool = typer.Option(False, "--keep-old", help="Keep the old keys in the key file"),
) -> None:
    """New key per organisation; re-seal every data key under it while the API keeps serving;
    then remove the old keys."""
    database = _db(db)
    slugs = org or _all_orgs(database)
    # A slug mistyped made a key for an organisation that does not exist, and said it rotated.
    known = set(_all_orgs(database)) | set(ring_for(database.url).orgs())
    if unknown := [slug for slug in slugs if slug not in known]:
        raise InputError(
            [Problem("--org", f"no organisation {slug[:64]!r} (and no keys)") for slug in unknown]
        )
    for slug in slugs:
        r = keyops.rotate(database, slug, batch=batch, grace=grace, pause=pause, keep_old=keep_old)
        out.print(
            f"{slug}: new key {r.new_kid}; re-sealed {r.resealed} data keys and encrypted "
            f"{r.encrypted_cases} cases stored before encryption and sealed {r.sealed_texts} "
            f"work-queue texts stored before sealing, in {r.batches} batches; "
            f"retired {', '.join(r.retired) or 'no keys'}",
            markup=False,
        )


@app.command("status")
def status(db: str | None = typer.Option(None, "--db", help=DB_HELP)) -> None:
    """Keys per organisation and how many cases each seals (no key material)."""
    database = _db(db, existing=True)  # a mistyped SQLite path is not made into a database
    kr = ring_for(database.url)
    counts = keyops.status(database)
    for slug in sorted(set(counts) | set(kr.orgs())):
        keys = kr.keys(slug)
        out.print(f"{slug}: keys in {kr.where}: {len(keys)}", markup=False)
        for k in keys:
            out.print(f"  {k.kid} (created {k.created or '?'})", markup=False)
        for kid, n in sorted(counts.get(slug, {}).items()):
            known = "" if kid == "unencrypted" or any(k.kid == kid for k in keys) else " MISSING"
            out.print(f"  cases under {kid}: {n}{known}", markup=False)


@app.command("shred")
def shred(
    org: str = typer.Option(..., "--org", help="Organisation slug"),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    yes: bool = typer.Option(False, "--yes", help="Confirm: this cannot be undone"),
) -> None:
    """Crypto-shred an organisation: delete all its keys; its case content becomes unreadable.
    Recorded in the audit log (org.keys_shredded), also for keys of a slug the database has no
    organisation for."""
    if not yes:
        raise InputError([Problem("--yes", "required: shredding keys cannot be undone")])
    if wrong := name_problems("--org", org):
        raise InputError(wrong)
    # The database the shredding is recorded in must be there: a mistyped --db made an empty
    # one and recorded it there.
    database = _db(db, existing=True)
    done = keyops.shred_org(database, org)
    if not done.keys:
        where = ring_for(database.url).where
        said = (
            f"organisation {org!r} has no keys in {where}"
            if done.in_database
            else f"no organisation {org!r} and no keys of it in {where}"
        )
        raise InputError([Problem("--org", f"{said}; nothing was shredded")])
    out.print(
        f"destroyed {len(done.keys)} keys of {org!r}: its stored case content can no longer be "
        "read",
        markup=False,
    )
    if not done.in_database:
        out.print(
            f"note: this database has no organisation {org!r}; the shredding is recorded in its "
            "audit log among the entries without an organisation (haven audit list --no-org)",
            markup=False,
        )


def shred_case(
    ref: str = typer.Argument(..., help="The case reference"),
    org: str = typer.Option(..., "--org", help="Organisation slug"),
    user: str = typer.Option(..., "--user", help="An admin of the organisation"),
    reason: str = typer.Option(..., "--reason", help="Why (retention rule, request): audited"),
) -> None:
    """Delete a case and crypto-shred its data key (retention). Audited; cannot be undone."""
    if not reason.strip():
        raise InputError([Problem("--reason", "is empty")])
    database = _db(None)
    with database.session() as s:
        actor = repo.actor_by_name(s, org, user)
    try:
        with database.session() as s:
            counts = keyops.shred_case(s, actor, ref, reason)
    except Forbidden as e:
        repo.record_denial(database, actor, "case.shred", ref, str(e))
        raise
    if database.url.startswith("sqlite"):
        with database.engine.connect() as conn:  # move the freed pages out of the WAL too
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    rows = sum(counts.values())
    out.print(f"shredded case {ref!r}: its data key and {rows} rows are gone", markup=False)


def _all_orgs(db: Database) -> list[str]:
    with db.session() as s:
        return list(s.scalars(select(Organisation.slug).order_by(Organisation.slug)))
