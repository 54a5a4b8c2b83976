"""An organisation's current cases in columnar form, for impact over the stored caseload.

The current version of every case the caller may list and read is fetched in pages of `PAGE`
cases with SQLAlchemy Core (on SQLite by keyset pagination on the reference, each page an
index range scan; on PostgreSQL through one server-side cursor, see _Reader._rows),
decrypted in bulk
(one AES-GCM unwrap of the data key and one open of the content per case, no Pydantic model
per case) and parsed by pyarrow with the contract's schema (haven.cases.arrow_jsonl.SCHEMA)
into Polars frames, which the columnar engine evaluates as it does a file
(haven.impact.stream). Stored content is compact JSON (crypto.seal_json; bulk_import seals
Pydantic's compact JSON), one object without line breaks, so the plaintexts joined by line
ends are JSON Lines.

Pages are fetched and decrypted by a reader thread, `AHEAD` pages ahead of the caller, while
the caller builds frames and evaluates them (pyarrow and Polars release the GIL, so the two
overlap on two cores). Closing the iterator (a job cancelled from its progress callback, an
error) stops and joins the reader thread; nothing read is kept.

Access and audit as for listing and reading cases: CASE_LIST and CASE_READ, scoped roles see
their own cases only, one `case.bulk_read` entry per run (how many, not which).
"""

import json
import re
import threading
from binascii import Error as BinasciiError
from binascii import a2b_base64
from collections.abc import Callable, Generator, Iterator, Sequence
from datetime import date
from queue import Empty, Full, Queue
from typing import Any

import polars as pl
import pyarrow as pa
import pyarrow.json as pj
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Select, Text, and_, bindparam, select, type_coerce
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
from haven.store.keys import KeyRing
from haven.store.models import CaseKey, CaseRecord, CaseVersion
from haven.store.repo import Actor, _visible, audit, require

# Cases per query: small enough that a page is fetched in milliseconds (a cancel is prompt and
# the read-ahead holds little), large enough that the per-query cost is negligible.
PAGE = 500
AHEAD = 8  # pages read and decrypted ahead of the frame builder
_PARSE = pj.ParseOptions(explicit_schema=jsonl.SCHEMA, unexpected_field_behavior="error")
_READ = pj.ReadOptions(block_size=jsonl.BLOCK)

# An envelope's fields: enc, kid, nonce, ct (None where absent or not a string).
Envelope = tuple[str | None, str | None, str | None, str | None]
_FIELDS = ("enc", "kid", "nonce", "ct")
_NONE: Envelope = (None, None, None, None)
# SQLite keeps a JSON column as the text json.dumps wrote (SQLAlchemy's JSON type, default
# separators), and crypto.seal_json builds every envelope with these keys in this order and a
# 12-byte nonce (16 base64 characters): the fields sit at fixed offsets.
_HEAD = '{"enc": "' + VERSION + '", "kid": "' + datakeys.CASE_KID + '", "nonce": "'
_NONCE_END = len(_HEAD) + 16
_MID = '", "ct": "'
_CT_AT = _NONCE_END + len(_MID)
_TAIL = '"}'
_BASE64 = re.compile(r"[A-Za-z0-9+/=]*")


def parse_envelope(text: str) -> Envelope:
    """The reference: an envelope's fields from its JSON text, by a JSON parser."""
    try:
        value = json.loads(text)
    except ValueError:
        return _NONE
    if not isinstance(value, dict):
        return _NONE
    fields = [value.get(k) for k in _FIELDS]
    return tuple(v if isinstance(v, str) else None for v in fields)  # type: ignore[return-value]


def split_envelope(text: str) -> Envelope:
    """parse_envelope(text), by position for an envelope as seal_json wrote it (a quarter of
    the time of a JSON parse per case); any other text goes to the parser. Only base64 between
    the quotes: no escape or quote can make the slices differ from what a parser reads
    (tests/store/test_stored_reader.py checks this against parse_envelope)."""
    if (
        len(text) >= _CT_AT + len(_TAIL)
        and text.startswith(_HEAD)
        and text.startswith(_MID, _NONCE_END)
        and text.endswith(_TAIL)
    ):
        nonce, ct = text[len(_HEAD) : _NONCE_END], text[_CT_AT : -len(_TAIL)]
        if _BASE64.fullmatch(nonce) and _BASE64.fullmatch(ct):
            return VERSION, datakeys.CASE_KID, nonce, ct
    return parse_envelope(text)


def _queries(actor: Actor, whole_org: bool, sqlite: bool) -> tuple[Select[Any], Select[Any]]:
    """The first page, and the page after the reference bound as `after`: (id, ref, version,
    content..., organisation key id, wrapped data key), in reference order. Content: the
    envelope's text on SQLite (split by position here), its four fields extracted by the
    server (->>) on PostgreSQL, which stores JSONB (keys reordered, so no fixed offsets)."""
    scope = select(CaseRecord).where(CaseRecord.org_id == actor.org_id)
    data = CaseVersion.data
    content = [type_coerce(data, Text)] if sqlite else [data[k].as_string() for k in _FIELDS]
    q = (
        (scope if whole_org else _visible(actor))
        .with_only_columns(
            CaseRecord.id,
            CaseRecord.ref,
            CaseRecord.version,
            *content,
            CaseKey.kid,
            CaseKey.wrapped,
        )
        .join_from(
            CaseRecord,
            CaseVersion,
            and_(CaseVersion.case_id == CaseRecord.id, CaseVersion.version == CaseRecord.version),
        )
        .outerjoin_from(CaseRecord, CaseKey, CaseKey.case_id == CaseRecord.id)
        .order_by(CaseRecord.ref)
        .limit(PAGE)
    )
    return q, q.where(CaseRecord.ref > bindparam("after"))


class _Reader:
    """Decrypted pages (lists of compact JSON plaintexts, reference order) read by a thread
    `AHEAD` pages ahead. Iterate once; closing the iterator stops and joins the thread."""

    def __init__(self, s: Session, actor: Actor, whole_org: bool) -> None:
        # Everything touching the session happens here, in the caller's thread; the reader
        # thread only runs statements on the session's connection (its transaction), while
        # the caller does not use it.
        self.conn = s.connection()
        self.sqlite = self.conn.dialect.name == "sqlite"
        self.slug = datakeys.org_slug(s, actor.org_id)
        self.ring: KeyRing = datakeys.ring(s)
        self.first, self.after = _queries(actor, whole_org, self.sqlite)
        self.sealers: dict[str, AESGCM] = {}
        self.pages: Queue[list[bytes] | BaseException | None] = Queue(AHEAD)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="haven-stored-reader", daemon=True)

    def __iter__(self) -> Iterator[list[bytes]]:
        self.thread.start()
        try:
            while True:
                page = self.pages.get()
                if page is None:
                    return
                if isinstance(page, BaseException):
                    raise page
                yield page
        finally:
            self.close()

    def close(self) -> None:
        self.stop.set()
        if self.thread.is_alive():
            self.thread.join()
        while True:  # drop what was read ahead
            try:
                self.pages.get_nowait()
            except Empty:
                break

    def _put(self, item: list[bytes] | BaseException | None) -> bool:
        while not self.stop.is_set():
            try:
                self.pages.put(item, timeout=0.05)
                return True
            except Full:
                continue
        return False

    def _run(self) -> None:
        pages = self._rows()
        try:
            for rows in pages:
                if not self._put(self._open(rows)):
                    return
            self._put(None)
        except BaseException as e:  # handed to the caller's thread, raised there
            self._put(e)
        finally:
            pages.close()  # a PostgreSQL cursor is closed here, in the thread that used it

    def _rows(self) -> Generator[Sequence[Any]]:
        """Pages of rows. SQLite: keyset pages (its planner walks the (org, ref) index for
        each). PostgreSQL: one statement read through a server-side cursor, PAGE rows at a
        time: without statistics (a table just bulk-loaded, not analysed yet) its planner
        sorted everything after the key for every keyset page (quadratic; 100k cases: 42 s)."""
        if not self.sqlite:
            # On the statement: Connection.execution_options would change the session's
            # connection for the rest of its transaction (the audit INSERT included).
            whole = self.first.limit(None).execution_options(stream_results=True)
            result = self.conn.execute(whole)
            try:
                while not self.stop.is_set() and (part := result.fetchmany(PAGE)):
                    yield part
            finally:
                result.close()
            return
        rows: Sequence[Any] = self.conn.execute(self.first).all()
        while rows and not self.stop.is_set():
            yield rows
            if len(rows) < PAGE:
                return
            rows = self.conn.execute(self.after, {"after": rows[-1][1]}).all()

    def _open(self, rows: Sequence[Any]) -> list[bytes]:
        out = []
        slug, sealers, sqlite = self.slug, self.sealers, self.sqlite
        for row in rows:
            case_id, ref, version = row[0], row[1], row[2]
            if sqlite:
                enc, content_kid, nonce, ct = split_envelope(row[3])
                kid, wrapped = row[4], row[5]
            else:
                enc, content_kid, nonce, ct, kid, wrapped = row[3:9]
            what = f"case {ref!r} version {version}"
            sealed = enc == VERSION and ct is not None
            if kid is None:
                if sealed:
                    raise CryptoError(
                        f"{what}: the case's data key is gone (crypto-shredded): it cannot be read"
                    )
                out.append(self._plain(case_id, version, row[3] if sqlite else None))
                continue  # a case stored before encryption
            if not sealed or content_kid != datakeys.CASE_KID or nonce is None or ct is None:
                raise CryptoError(f"{what}: stored unencrypted in an encrypted case (altered)")
            if kid not in sealers:
                sealers[kid] = AESGCM(self.ring.find(slug, kid).key)
            try:
                key = a2b_base64(wrapped, strict_mode=True)
                dek = sealers[kid].decrypt(
                    key[:NONCE_BYTES], key[NONCE_BYTES:], datakeys.key_ad(slug, case_id)
                )
                out.append(
                    AESGCM(dek).decrypt(
                        a2b_base64(nonce, strict_mode=True),
                        a2b_base64(ct, strict_mode=True),
                        _version_ad(case_id, version).encode(),
                    )
                )
            except (InvalidTag, ValueError, BinasciiError):
                raise CryptoError(
                    f"{what}: stored content failed authentication "
                    "(altered, or copied from another row); nothing was returned"
                ) from None
        return out

    def _plain(self, case_id: int, version: int, text: str | None) -> bytes:
        if text is not None:
            data = json.loads(text)
        else:
            data = self.conn.scalar(
                select(CaseVersion.data).where(
                    CaseVersion.case_id == case_id, CaseVersion.version == version
                )
            )
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def plaintexts(s: Session, actor: Actor, *, whole_org: bool = False) -> Iterator[bytes]:
    """Content as compact JSON of every visible case's current version (with `whole_org`,
    every case of the organisation: the caller checked its right to that), in reference
    order. Raises CryptoError naming the case whose content cannot be opened."""
    for page in _Reader(s, actor, whole_org):
        yield from page


def frames(
    s: Session, actor: Actor, size: int = BATCH_SIZE, *, whole_org: bool = False
) -> Iterator[pl.DataFrame]:
    """The visible current cases as frames of `size` cases, typed as the contract's schema."""
    lines: list[bytes] = []
    pages = iter(_Reader(s, actor, whole_org))
    try:
        for page in pages:
            lines += page
            while len(lines) >= size:
                yield _frame(lines[:size])
                del lines[:size]
        if lines:
            yield _frame(lines)
    finally:
        pages.close()  # type: ignore[attr-defined]


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
