"""Key rotation and crypto-shredding over a live database.

Rotation adds a new organisation key, waits `grace` seconds so every server process has seen it
(they reload the key file when it changes) and seals new data keys with it, then re-seals the
existing data keys in small batches, each in its own short transaction, so the API keeps
serving: during the rotation a case's data key is sealed under the old key or the new one, and
both are readable. Cases stored before encryption get a data key on the way, and work-queue
texts stored before sealing (migration 0007) are sealed. Only when no data key under an old key
is left are the old keys removed from the key file.

Shredding a case deletes its data key with its rows; rows that survive elsewhere (a backup, a
file's free pages, PostgreSQL dead tuples) are ciphertext without a key. Shredding an
organisation deletes its keys from the key file: all its content becomes unreadable.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import delete, exists, func, select
from sqlalchemy.orm import Session

from haven.errors import Forbidden, NotFound, Problem, shown
from haven.store import audit_chain, datakeys, queuetext
from haven.store.access import Role
from haven.store.auth import now
from haven.store.crypto import b64, seal_bytes
from haven.store.db import Database
from haven.store.keys import KeyRing, ring_for
from haven.store.models import AuditEntry, Base, CaseKey, CaseRecord, Organisation
from haven.store.repo import Actor, audit


@dataclass
class Rotation:
    org: str
    new_kid: str
    resealed: int = 0
    encrypted_cases: int = 0  # cases stored before encryption, now encrypted
    sealed_texts: int = 0  # work-queue comments and resolutions stored before sealing
    batches: int = 0
    retired: list[str] = field(default_factory=list)


def _org_id(db: Database, slug: str) -> int | None:
    with db.session() as s:
        return s.scalar(select(Organisation.id).where(Organisation.slug == slug))


def rotate(
    db: Database,
    org: str,
    *,
    batch: int = 100,
    grace: float = 2.0,
    pause: float = 0.0,
    keep_old: bool = False,
    progress: Callable[[Rotation], None] | None = None,
) -> Rotation:
    kr = ring_for(db.url)
    old = {k.kid for k in kr.keys(org)}
    new = kr.add(org)
    report = Rotation(org, new.kid)
    org_id = _org_id(db, org)
    time.sleep(grace)
    if org_id is not None:
        while _reseal_batch(db, kr, org, org_id, new.kid, batch, report):
            report.batches += 1
            if progress:
                progress(report)
            time.sleep(pause)
        while _encrypt_batch(db, org_id, batch, report):
            report.batches += 1
            time.sleep(pause)
        while _seal_texts_batch(db, org_id, batch, report):
            report.batches += 1
            time.sleep(pause)
        if _left_under_old_keys(db, org_id, new.kid):
            raise RuntimeError("data keys are still sealed under an old key: run rotate again")
    if not keep_old and old:
        report.retired = kr.remove(org, old)
    return report


def _reseal_batch(
    db: Database, kr: KeyRing, org: str, org_id: int, kid: str, batch: int, report: Rotation
) -> bool:
    with db.session() as s:
        rows = s.execute(
            select(CaseKey, CaseRecord)
            .join(CaseRecord, CaseRecord.id == CaseKey.case_id)
            .where(CaseRecord.org_id == org_id, CaseKey.kid != kid)
            .order_by(CaseKey.case_id)
            .limit(batch)
            .with_for_update(of=CaseKey)
        ).all()
        target = kr.find(org, kid)
        for row, rec in rows:
            dek = datakeys.unwrap(s, rec, row, kr)
            sealed = seal_bytes(target.key, dek, datakeys.key_ad(org, rec.id))
            row.kid, row.wrapped = kid, b64(sealed)
        report.resealed += len(rows)
        return bool(rows)


def _encrypt_batch(db: Database, org_id: int, batch: int, report: Rotation) -> bool:
    """Give cases stored before encryption a data key and encrypt their rows."""
    with db.session() as s:
        recs = list(
            s.scalars(
                select(CaseRecord)
                .where(
                    CaseRecord.org_id == org_id,
                    ~exists().where(CaseKey.case_id == CaseRecord.id),
                )
                .order_by(CaseRecord.id)
                .limit(batch)
                .with_for_update()  # writers to these cases wait (PostgreSQL)
            )
        )
        for rec in recs:
            datakeys.data_key(s, rec, create=True)
        report.encrypted_cases += len(recs)
        return bool(recs)


def _seal_texts_batch(db: Database, org_id: int, batch: int, report: Rotation) -> bool:
    """Seal work-queue texts stored before sealing (haven/store/queuetext.py)."""
    with db.session() as s:
        done = queuetext.seal_legacy(s, org_id, batch)
        report.sealed_texts += done
        return bool(done)


def _left_under_old_keys(db: Database, org_id: int, kid: str) -> int:
    with db.session() as s:
        return (
            s.scalar(
                select(func.count())
                .select_from(CaseKey)
                .join(CaseRecord, CaseRecord.id == CaseKey.case_id)
                .where(CaseRecord.org_id == org_id, CaseKey.kid != kid)
            )
            or 0
        )


def status(db: Database) -> dict[str, dict[str, int]]:
    """Per organisation: data keys by the organisation key sealing them, and unencrypted cases."""
    out: dict[str, dict[str, int]] = {}
    with db.session() as s:
        for slug, kid, n in s.execute(
            select(Organisation.slug, CaseKey.kid, func.count())
            .join(CaseRecord, CaseRecord.org_id == Organisation.id)
            .join(CaseKey, CaseKey.case_id == CaseRecord.id, isouter=True)
            .group_by(Organisation.slug, CaseKey.kid)
        ):
            out.setdefault(slug, {})[kid or "unencrypted"] = n
    return out


def shred_case(s: Session, actor: Actor, ref: str, reason: str) -> dict[str, int]:
    """Delete a case with its data key (retention); audited with the reason, not the content."""
    if actor.role is not Role.ADMIN:
        # Retention is an administrator's task; administrators never see case content.
        raise Forbidden(f"only an admin may shred cases, not role {actor.role.value}")
    rec = s.scalar(
        select(CaseRecord)
        .where(CaseRecord.org_id == actor.org_id, CaseRecord.ref == ref)
        .with_for_update()
    )
    if rec is None:
        raise NotFound([Problem("case", f"no case {shown(ref)}")])
    if s.get_bind().dialect.name == "sqlite":
        s.connection().exec_driver_sql("PRAGMA secure_delete=ON")  # zero the freed pages
    counts: dict[str, int] = {}
    # Every table that refers to the case (including ones other features add), then the case.
    for table in reversed(Base.metadata.sorted_tables):
        for fk in table.foreign_keys:
            if fk.column.table.name == "cases" and fk.column.name == "id":
                done = s.execute(delete(table).where(fk.parent == rec.id))
                counts[table.name] = done.rowcount  # type: ignore[attr-defined]
    s.delete(rec)
    s.flush()
    datakeys.forget(s, rec.id)
    audit(s, actor, "case.shred", case_ref=ref, reason=reason, rows=counts)
    return counts


@dataclass(frozen=True)
class OrgShred:
    keys: list[str]  # the key ids destroyed; empty: there were none, nothing was done
    in_database: bool  # whether the database has the organisation


def shred_org(db: Database, org: str, *, actor: Actor | None = None) -> OrgShred:
    """Destroy every key of `org` in the key file, recorded in the audit log
    (`org.keys_shredded`, the key ids) in the same transaction: in the organisation's own
    chain, where its auditors look (it went to the chain of entries without an organisation,
    which none of them sees); keys of a slug this database has no organisation for (left over
    from an organisation no longer stored, or written for one that never was) in that chain of
    entries without an organisation, naming the slug. The keys are removed just before the
    entry commits: keys that cannot be removed (from HAVEN_KEYS) leave no entry. A slug with no
    keys changes nothing and records nothing (it was recorded as shredded, with no keys)."""
    ring = ring_for(db.url)
    with db.session() as s:
        org_id = s.scalar(select(Organisation.id).where(Organisation.slug == org))
        if not ring.keys(org):
            return OrgShred([], org_id is not None)
        gone = ring.remove(org)
        if gone:
            audit_chain.add(
                s,
                AuditEntry(
                    at=now(),
                    org_id=org_id,
                    user_id=actor.user_id if actor else None,
                    action="org.keys_shredded",
                    outcome="ok",
                    case_ref=None,
                    detail={
                        "org": org,
                        "keys": gone,
                        **({} if actor else {"by": "cli"}),
                        **({} if org_id is not None else {"organisation": "not in the database"}),
                    },
                ),
            )
    return OrgShred(gone, org_id is not None)
