"""Case content at rest: every case has its own data key, sealed by its organisation's key.

- `case_versions.data` and `assessments.result` hold AES-256-GCM envelopes (haven/store/crypto)
  under the case's data key. The associated data names the row (case id and version; for an
  assessment also its as-of date and pack), so a row copied over another fails to open.
- `case_keys` holds each data key sealed by an organisation key from the key file
  (haven/store/keys). Rotating an organisation key re-seals these small rows only; deleting one
  makes every copy of that case's content unreadable (crypto-shredding).
- Rows are decrypted in place with `set_committed_value`: the objects the callers get carry the
  plaintext, but the session does not see a change, so the plaintext is never written back.
- Rows written before encryption (cases without a data key) are read as they are; the first
  write to such a case, or `haven keys rotate`, encrypts all of its rows.
"""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from haven.store.auth import now
from haven.store.crypto import (
    CryptoError,
    b64,
    is_envelope,
    new_key,
    open_bytes,
    open_json,
    seal_bytes,
    seal_json,
    unb64,
)
from haven.store.keys import KeyRing, ring_for
from haven.store.models import CaseKey, CaseRecord, CaseVersion, Organisation, StoredAssessment

# The envelope's key id for content: the data key of the row's own case (see case_keys.kid
# for the organisation key that seals it).
CASE_KID = "case"
_KEYS = "haven.data_keys"  # per-session cache: case id -> data key (gone with the session)
_OPENED = "haven.opened"  # rows decrypted in place in this session
_SLUGS = "haven.org_slugs"


def ring(s: Session) -> KeyRing:
    bind = s.get_bind()
    return ring_for(bind.engine.url.render_as_string(hide_password=False))


def org_slug(s: Session, org_id: int) -> str:
    slugs: dict[int, str] = s.info.setdefault(_SLUGS, {})
    if org_id not in slugs:
        org = s.get(Organisation, org_id)
        if org is None:
            raise CryptoError(f"organisation {org_id} does not exist")
        slugs[org_id] = org.slug
    return slugs[org_id]


def key_ad(slug: str, case_id: int) -> bytes:
    return f"haven/case-key/v1|{slug}|{case_id}".encode()


def _version_ad(case_id: int, version: int) -> str:
    return f"haven/case-version/v1|{case_id}|{version}"


def _assessment_ad(row: StoredAssessment) -> str:
    return (
        f"haven/assessment/v1|{row.case_id}|{row.case_version}|{row.as_of.isoformat()}"
        f"|{row.pack}|{row.pack_version}"
    )


def wrap(s: Session, rec: CaseRecord, dek: bytes, kr: KeyRing | None = None) -> CaseKey:
    """A case_keys row for `dek`, sealed by the organisation's newest key (made if none)."""
    slug = org_slug(s, rec.org_id)
    org_key = (kr or ring(s)).primary(slug, create=True)
    sealed = seal_bytes(org_key.key, dek, key_ad(slug, rec.id))
    return CaseKey(case_id=rec.id, kid=org_key.kid, wrapped=b64(sealed), created_at=now())


def unwrap(s: Session, rec: CaseRecord, row: CaseKey, kr: KeyRing | None = None) -> bytes:
    slug = org_slug(s, rec.org_id)
    org_key = (kr or ring(s)).find(slug, row.kid)
    what = f"data key of case {rec.ref!r}"
    return open_bytes(org_key.key, unb64(row.wrapped, what), key_ad(slug, rec.id), what)


def data_key(s: Session, rec: CaseRecord, *, create: bool, new: bool = False) -> bytes | None:
    """The case's data key; None for a case stored before encryption (unless `create`, which
    gives it one and encrypts its existing rows in this transaction). `new`: the case was
    just created, so it has neither key nor rows yet (saves the queries on bulk imports)."""
    cache: dict[int, bytes] = s.info.setdefault(_KEYS, {})
    if rec.id in cache:
        return cache[rec.id]
    row = None if new else s.get(CaseKey, rec.id)
    if row is not None:
        cache[rec.id] = unwrap(s, rec, row)
        return cache[rec.id]
    if not create:
        return None
    dek = new_key()
    s.add(wrap(s, rec, dek))
    cache[rec.id] = dek
    if not new:
        _encrypt_plain_rows(s, rec, dek)
    return dek


def _encrypt_plain_rows(s: Session, rec: CaseRecord, dek: bytes) -> None:
    """Encrypt the rows a case got before it had a data key (databases from before encryption)."""
    opened: set[tuple[str, int]] = s.info.setdefault(_OPENED, set())
    for v in s.scalars(select(CaseVersion).where(CaseVersion.case_id == rec.id)):
        if not is_envelope(v.data):
            v.data = seal_json(dek, CASE_KID, v.data, _version_ad(rec.id, v.version))
            opened.discard(("v", v.id))
    for a in s.scalars(select(StoredAssessment).where(StoredAssessment.case_id == rec.id)):
        if not is_envelope(a.result):
            a.result = seal_json(dek, CASE_KID, a.result, _assessment_ad(a))
            opened.discard(("a", a.id))


def seal_version(
    s: Session, rec: CaseRecord, version: int, data: dict[str, Any], *, new: bool = False
) -> Any:
    dek = data_key(s, rec, create=True, new=new)
    assert dek is not None
    return seal_json(dek, CASE_KID, data, _version_ad(rec.id, version))


def seal_assessment(s: Session, rec: CaseRecord, row: StoredAssessment) -> None:
    """Replace `row.result` (plaintext, before the row is written) by its envelope."""
    dek = data_key(s, rec, create=True)
    assert dek is not None
    row.result = seal_json(dek, CASE_KID, row.result, _assessment_ad(row))


def _open(s: Session, rec: CaseRecord, stored: Any, ad: str, what: str) -> Any:
    if is_envelope(stored):
        if stored.get("kid") != CASE_KID:
            raise CryptoError(f"{what}: sealed under unknown key {stored.get('kid')!r}")
        dek = data_key(s, rec, create=False)
        if dek is None:
            raise CryptoError(
                f"{what}: the case's data key is gone (crypto-shredded): it cannot be read"
            )
        return open_json(dek, stored, ad, what)
    if data_key(s, rec, create=False) is not None:
        # An encrypted case never holds plaintext: this row was written around Haven.
        raise CryptoError(f"{what}: stored unencrypted in an encrypted case (altered)")
    return stored  # a case stored before encryption


def forget(s: Session, case_id: int) -> None:
    """Drop a data key from this session's cache (its case was shredded)."""
    s.info.get(_KEYS, {}).pop(case_id, None)


def open_version(s: Session, rec: CaseRecord, v: CaseVersion) -> CaseVersion:
    opened: set[tuple[str, int]] = s.info.setdefault(_OPENED, set())
    if ("v", v.id) not in opened:
        what = f"case {rec.ref!r} version {v.version}"
        if v.case_id != rec.id:
            raise CryptoError(f"{what}: belongs to another case")
        set_committed_value(v, "data", _open(s, rec, v.data, _version_ad(rec.id, v.version), what))
        opened.add(("v", v.id))
    return v


def open_assessment(s: Session, rec: CaseRecord, row: StoredAssessment) -> StoredAssessment:
    opened: set[tuple[str, int]] = s.info.setdefault(_OPENED, set())
    if ("a", row.id) not in opened:
        what = f"assessment {row.id} of case {rec.ref!r}"
        if row.case_id != rec.id:
            raise CryptoError(f"{what}: belongs to another case")
        set_committed_value(row, "result", _open(s, rec, row.result, _assessment_ad(row), what))
        opened.add(("a", row.id))
    return row
