"""An organisation's current cases in columnar form, for impact over the stored caseload.

The current version of every case the caller may list and read is fetched in pages, decrypted
in bulk (one AES-GCM unwrap of the data key and one open of the content per case, no Pydantic
model per case) and parsed by pyarrow with the contract's schema (haven.cases.arrow_jsonl.SCHEMA)
into Polars frames, which the columnar engine evaluates as it does a file
(haven.impact.stream). Stored content is compact JSON (crypto.seal_json; bulk_import seals
Pydantic's compact JSON), one object without line breaks, so the plaintexts joined by line
ends are JSON Lines.

Access and audit as for listing and reading cases: CASE_LIST and CASE_READ, scoped roles see
their own cases only, one `case.bulk_read` entry per run (how many, not which).
"""

import json
from binascii import Error as BinasciiError
from binascii import a2b_base64
from collections.abc import Callable, Iterator
from datetime import date

import polars as pl
import pyarrow as pa
import pyarrow.json as pj
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from haven.cases import arrow_jsonl as jsonl
from haven.cases.frame_checks import normalise
from haven.errors import CaseError, Problem
from haven.impact.stream import BATCH_SIZE, ImpactStream
from haven.policy.pack import Pack
from haven.store import datakeys
from haven.store.access import Action
from haven.store.crypto import NONCE_BYTES, VERSION, CryptoError
from haven.store.datakeys import _version_ad
from haven.store.models import CaseKey, CaseRecord, CaseVersion
from haven.store.repo import Actor, _visible, audit, require

# Rows fetched per query (and decrypted before the next): bounds memory with yield_per.
PAGE = 10_000
_PARSE = pj.ParseOptions(explicit_schema=jsonl.SCHEMA, unexpected_field_behavior="error")
_READ = pj.ReadOptions(block_size=jsonl.BLOCK)


def plaintexts(s: Session, actor: Actor, *, whole_org: bool = False) -> Iterator[tuple[str, bytes]]:
    """(reference, content as compact JSON) of every visible case's current version (with
    `whole_org`, every case of the organisation: the caller checked its right to that), in
    reference order. Raises CryptoError naming the case whose content cannot be opened."""
    slug = datakeys.org_slug(s, actor.org_id)
    kr = datakeys.ring(s)
    sealers: dict[str, AESGCM] = {}
    scope = select(CaseRecord).where(CaseRecord.org_id == actor.org_id)
    visible = (scope if whole_org else _visible(actor)).subquery()
    data = CaseVersion.data
    # The envelope's fields as text, extracted by the database (json_extract / ->>): parsing
    # each envelope in Python cost a quarter of the time.
    q = (
        select(
            visible.c.id,
            visible.c.ref,
            visible.c.version,
            data["enc"].as_string(),
            data["kid"].as_string(),
            data["nonce"].as_string(),
            data["ct"].as_string(),
            CaseKey.kid,
            CaseKey.wrapped,
        )
        .join(
            CaseVersion,
            and_(CaseVersion.case_id == visible.c.id, CaseVersion.version == visible.c.version),
        )
        .outerjoin(CaseKey, CaseKey.case_id == visible.c.id)
        .order_by(visible.c.ref)
        .execution_options(yield_per=PAGE)
    )
    for case_id, ref, version, enc, content_kid, nonce, ct, kid, wrapped in s.execute(q):
        what = f"case {ref!r} version {version}"
        sealed = enc == VERSION and ct is not None
        if kid is None:
            if sealed:
                raise CryptoError(
                    f"{what}: the case's data key is gone (crypto-shredded): it cannot be read"
                )
            yield ref, _plain(s, case_id, version)  # a case stored before encryption
            continue
        if not sealed or content_kid != datakeys.CASE_KID:
            raise CryptoError(f"{what}: stored unencrypted in an encrypted case (altered)")
        if kid not in sealers:
            sealers[kid] = AESGCM(kr.find(slug, kid).key)
        try:
            key = a2b_base64(wrapped, strict_mode=True)
            dek = sealers[kid].decrypt(
                key[:NONCE_BYTES], key[NONCE_BYTES:], datakeys.key_ad(slug, case_id)
            )
            yield (
                ref,
                AESGCM(dek).decrypt(
                    a2b_base64(nonce, strict_mode=True),
                    a2b_base64(ct, strict_mode=True),
                    _version_ad(case_id, version).encode(),
                ),
            )
        except (InvalidTag, ValueError, BinasciiError):
            raise CryptoError(
                f"{what}: stored content failed authentication "
                "(altered, or copied from another row); nothing was returned"
            ) from None


def _plain(s: Session, case_id: int, version: int) -> bytes:
    data = s.scalar(
        select(CaseVersion.data).where(
            CaseVersion.case_id == case_id, CaseVersion.version == version
        )
    )
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def frames(
    s: Session, actor: Actor, size: int = BATCH_SIZE, *, whole_org: bool = False
) -> Iterator[pl.DataFrame]:
    """The visible current cases as frames of `size` cases, typed as the contract's schema."""
    lines: list[bytes] = []
    for _, text in plaintexts(s, actor, whole_org=whole_org):
        lines.append(text)
        if len(lines) == size:
            yield _frame(lines)
            lines = []
    if lines:
        yield _frame(lines)


def _frame(lines: list[bytes]) -> pl.DataFrame:
    buffer = pa.BufferReader(pa.py_buffer(b"\n".join(lines)))
    try:
        table = pj.read_json(buffer, read_options=_READ, parse_options=_PARSE)
    except pa.ArrowException as e:  # stored content is validated on the way in
        raise CaseError([Problem("", f"a stored case does not fit the contract: {e}")]) from None
    frame = pl.from_arrow(table, rechunk=True)
    assert isinstance(frame, pl.DataFrame)
    return frame


class StoredImpactStream(ImpactStream):
    """ImpactStream over the stored caseload instead of a file: the same validation, engine,
    counts and changed cases. Ids are unique per organisation, so no repeated-id pass."""

    def __init__(
        self,
        s: Session,
        actor: Actor,
        before: date,
        after: date,
        pack: Pack,
        after_pack: Pack | None = None,
        batch_size: int = BATCH_SIZE,
        *,
        whole_org: bool = False,
        on_batch: Callable[[int], None] | None = None,
        audited: bool = True,
    ) -> None:
        """`whole_org`: every case of the organisation, read for a work queue (the caller
        checked QUEUE_CREATE and audits the queue); else the cases the actor may list.
        `on_batch(cases read so far)` after each batch: a job's progress, which may raise to
        stop (haven/web/jobs.py). `audited=False`: the caller audits the bulk read itself
        (a web job, in the transaction that keeps its result)."""
        if not whole_org:
            require(actor, Action.CASE_LIST)
            require(actor, Action.CASE_READ)
        super().__init__("", before, after, pack, after_pack, batch_size)
        self.session, self.actor, self.whole_org = s, actor, whole_org
        self.reader = "store"
        self.read = 0  # cases read so far
        self.on_batch, self.audited = on_batch, audited

    def _batches(self) -> Iterator[pl.DataFrame]:
        for df in frames(self.session, self.actor, self.batch_size, whole_org=self.whole_org):
            yield normalise(df.lazy(), first_line=self.read + 1).collect()
            self.read += df.height
            if self.on_batch is not None:
                self.on_batch(self.read)
        if not self.whole_org and self.audited:
            audit(self.session, self.actor, "case.bulk_read", purpose="impact", returned=self.read)

    def _repeated_ids(self, hashes: list[pl.Series]) -> list[Problem]:
        return []
