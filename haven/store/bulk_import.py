"""Bulk import of validated cases: the same rows `repo.create_case` writes, in batches.

`repo.create_case` costs one SELECT, four INSERTs, two AES-GCM seals and one audit entry per
case (about 840 cases/s). Here, per batch of BATCH cases:
- the case rows with ids given here: on PostgreSQL reserved from the table's sequence for the
  whole import at once, on SQLite the ones after the largest stored id, under the write lock
  the importer takes first (so the rows can be sealed before the batch before is stored);
- a data key per case made in bulk (`os.urandom` once for the batch), each sealed by the
  organisation's key with the same associated data as `datakeys.wrap`;
- each case's content sealed as `datakeys.seal_version` seals it (the plaintext is Pydantic's
  compact JSON, byte for byte what `seal_json` would encode from `model_dump(mode="json")`);
- one executemany each for case_keys, case_versions and (scoped roles) case_access;
- one audit entry `case.import` naming the batch's cases (instead of one `case.create` each).

With `background` (PostgreSQL), each batch is sealed in the caller's thread and stored (the
COPYs, the audit entry) in a thread of its own, while the caller checks the next rows: the
server's work runs beside the checking.

Everything runs in the caller's transaction: one rejected row and the caller writes nothing
(validation and the conflict check happen before, in the caller). The content is
indistinguishable from cases created one at a time: `datakeys.open_version` opens it.
"""

import os
import sqlite3
from binascii import b2a_base64
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, cast

import psycopg
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Table, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from haven.cases import Case
from haven.store import datakeys, deferred_keys
from haven.store.access import SCOPED, Action
from haven.store.auth import now
from haven.store.crypto import KEY_BYTES, NONCE_BYTES, VERSION
from haven.store.datakeys import _version_ad
from haven.store.deferred_keys import DeferredKeys
from haven.store.models import CaseAccess, CaseKey, CaseRecord, CaseVersion
from haven.store.repo import Actor, audit, require

# Cases per batch: one audit entry each (its detail names the cases: ~100 KB at 5,000), and
# the unit of the progress bar.
BATCH = 5000
# SQLite's page cache during an import (KiB; taken only as pages are used).
IMPORT_CACHE_KB = 256 * 1024
# Core tables, not the ORM classes: the ORM's bulk path costs ~3x more per row here.
_CASES, _KEYS, _VERSIONS, _ACCESS = (
    cast(Table, m.__table__) for m in (CaseRecord, CaseKey, CaseVersion, CaseAccess)
)


@dataclass(frozen=True, slots=True)
class Prepared:
    """What the store needs of a validated case: its indexed fields and its content as the
    compact JSON `model_dump_json` makes (picklable and small: made in worker processes)."""

    id: str
    nationality: str
    status: str
    content: bytes

    @classmethod
    def of(cls, case: Case) -> "Prepared":
        return cls(
            case.id,
            case.nationality,
            case.procedure.status.value,
            case.model_dump_json().encode("utf-8"),
        )


def import_batches(
    s: Session,
    actor: Actor,
    cases: Sequence[Case | Prepared],
    *,
    batch: int = BATCH,
    progress: Callable[[int], None] | None = None,
    **detail: Any,
) -> int:
    """Write `cases` (validated, ids new to the organisation) in batches; `progress(n)` after
    each batch of n. `detail` goes into every batch's audit entry (e.g. the input format)."""
    rows = [c if isinstance(c, Prepared) else Prepared.of(c) for c in cases]
    importer = Importer(s, actor, -(-len(rows) // batch), detail, cases=len(rows))
    try:
        for i in range(0, len(rows), batch):
            importer.write(rows[i : i + batch])
            if progress:
                progress(len(rows[i : i + batch]))
        importer.analyse()
    finally:
        importer.close()
    return len(rows)


class Importer:
    """The batches of one import, written into the caller's transaction as they come (so the
    CLI can write while later rows are still being checked), each with its audit entry."""

    def __init__(
        self,
        s: Session,
        actor: Actor,
        batches: int,
        detail: dict[str, Any],
        *,
        background: bool = False,
        cases: int = 0,
        ids: Session | None = None,
        exclusive: bool = False,
    ) -> None:
        """`cases`: how many cases are expected (ids are reserved for them at once). With
        `background`, each batch is sealed in the caller's thread and stored in a thread of
        its own while the caller goes on (checking the next rows): the caller must leave the
        session alone until `wait()` returns, and must `close()` before the session ends,
        error or not. `ids`: on PostgreSQL, another connection to take the ids from, a batch
        at a time while the batch before is stored (nextval is outside any transaction, so
        the ids are as safe as from the import's own; reserving 100,000 at once took ~0.44 s
        before the first batch could be sealed). `exclusive`: on PostgreSQL, lock the case
        tables and check their foreign keys once, in `analyse()` (haven/store/deferred_keys.py);
        other sessions cannot read `cases` then, so the ids taken are looked up in `s` (pass
        `conflicts` to `write`); `ids` may still be another connection (sequences are not
        locked)."""
        require(actor, Action.CASE_CREATE)
        self.s, self.actor, self.batches, self.detail = s, actor, batches, detail
        self.slug = datakeys.org_slug(s, actor.org_id)
        org_key = datakeys.ring(s).primary(self.slug, create=True)
        self.kid, self.sealer = org_key.kid, AESGCM(org_key.key)
        self.written = self.imported = 0  # batches stored, cases given to write()
        self.target = _Target(s, actor.user_id)
        # Only on PostgreSQL, whose COPY hands the server a whole batch and waits without the
        # GIL. sqlite3's executemany takes the GIL back for every row, so beside a busy caller
        # it waited for the GIL row after row (100,000 cases: its insert time 3.1 -> 4.5 s).
        background = background and self.target.postgres
        self.pool = ThreadPoolExecutor(1, thread_name_prefix="haven-import") if background else None
        self.pending: Future[None] | None = None
        self.ids: list[int] = []
        self.id_session = s  # where ids are reserved (PostgreSQL)
        self.next_id = 0  # SQLite: the next id to give
        self.cache: int | None = None
        if not self.target.postgres:
            # The write lock first (a write that changes nothing takes it): then no other
            # writer can insert a case before the transaction ends, and the ids after the
            # largest stored one are this import's to give.
            self.target.execute("UPDATE cases SET version = version WHERE 0")
            ((self.next_id,),) = self.target.select("SELECT coalesce(max(id), 0) + 1 FROM cases")
            # The cases table has six indexes; with SQLite's default 2 MB page cache their
            # pages spill to the WAL and are read back batch after batch (~25% of the insert
            # CPU at 100,000 cases). The connection's own setting is put back by close().
            ((self.cache,),) = self.target.select("PRAGMA cache_size")
            self.target.execute(f"PRAGMA cache_size = {-IMPORT_CACHE_KB}")
        elif ids is not None:
            self.id_session = ids
        elif cases:
            self.ids = self._reserve(cases)
        self.deferred: DeferredKeys | None = None
        if exclusive and self.target.postgres:
            self.deferred = deferred_keys.defer(s)

    def _reserve(self, n: int) -> list[int]:
        """n ids from the cases table's own sequence, as other writers get theirs (nextval
        never gives one twice), as one array (a row each cost psycopg ~2.5 µs a case)."""
        ids: list[int] = self.id_session.scalars(
            text(
                "SELECT array_agg(nextval(pg_get_serial_sequence('cases', 'id')) ORDER BY n)"
                " FROM generate_series(1, :n) AS n"
            ),
            {"n": n},
        ).one()
        return ids[::-1]  # taken from the end

    def _take_ids(self, n: int) -> list[int]:
        if not self.target.postgres:
            first, self.next_id = self.next_id, self.next_id + n
            return list(range(first, first + n))
        if len(self.ids) < n:
            if self.id_session is self.s:
                self.wait()  # the session is needed
            self.ids = self._reserve(n - len(self.ids)) + self.ids
        taken = self.ids[-n:][::-1]
        del self.ids[-n:]
        return taken

    def wait(self) -> None:
        """Until the batch being stored in the background is stored (its error raised)."""
        if self.pending is not None:
            pending, self.pending = self.pending, None
            pending.result()

    def close(self) -> None:
        """Wait for the last batch; give the connection back as it was (its page cache size,
        on SQLite)."""
        try:
            self.wait()
        finally:
            if self.pool is not None:
                self.pool.shutdown(wait=True)
            if self.cache is not None:
                self.target.execute(f"PRAGMA cache_size = {int(self.cache)}")
                self.cache = None

    def analyse(self) -> None:
        """After the last batch: an exclusive import's foreign keys checked. On PostgreSQL,
        after an import of at least BATCH cases, the statistics of `cases` and `case_access`,
        which listing filters and joins, in the import's transaction (ANALYZE counts the
        transaction's own rows). Until autovacuum's next look (up to a minute, and only past
        10 % of the table's rows) the planner judged a fresh table by the statistics of the
        empty one: the first page of an officer's cases of one nationality took 141 ms instead
        of 0.3 ms at 100,000 cases (a sort of every match instead of the (org_id, ref) index).
        `case_versions` and `case_keys` are only read by key; analysing them too cost ~0.37 s
        more at 100,000 cases. A user who may not analyse a table gets a warning from the
        server, not an error."""
        self.wait()
        if self.deferred is not None:
            self.deferred.check(self.s)
        if self.target.postgres and self.imported >= BATCH:
            self.target.execute("ANALYZE cases, case_access")

    def write(self, part: Sequence[Prepared], conflicts: Callable[[], bool] | None = None) -> None:
        """Seal a batch and store it (in the background: once the one before is stored).
        `conflicts`: asked in the storing thread, just before the batch is stored, whether
        any of its ids is taken (then nothing of it is stored)."""
        rows = _seal(self.target, self.actor, part, self._take_ids(len(part)), self)
        self.wait()
        refs = [c.id for c in part]
        self.imported += len(part)
        if self.pool is None:
            self._store(rows, refs, conflicts)
        else:
            self.pending = self.pool.submit(self._store, rows, refs, conflicts)

    def _store(self, rows: "_Batch", refs: list[str], conflicts: Callable[[], bool] | None) -> None:
        if conflicts is not None and conflicts():
            return
        rows.store(self.target)
        self.written += 1
        audit(
            self.s,
            self.actor,
            "case.import",
            batch=self.written,
            batches=self.batches,
            count=len(refs),
            cases=refs,
            **self.detail,
        )


@dataclass(slots=True)
class _Batch:
    """A batch's rows for each table: tuples on SQLite, lines of COPY text on PostgreSQL."""

    cases: list[Any]
    keys: list[Any]
    versions: list[Any]
    access: list[Any]

    def store(self, target: "_Target") -> None:
        target.insert(_CASES, _CASE_COLUMNS, self.cases)
        target.insert(_KEYS, ("case_id", "kid", "wrapped", "created_at"), self.keys)
        target.insert(_VERSIONS, _VERSION_COLUMNS, self.versions)
        target.insert(_ACCESS, ("case_id", "user_id", "kind", "created_at"), self.access)


_CASE_COLUMNS = (
    "id", "org_id", "ref", "version", "nationality", "status", "created_at", "updated_at",
    "created_by",
)  # fmt: skip
_VERSION_COLUMNS = ("case_id", "version", "data", "created_at", "created_by")


def _seal(
    target: "_Target", actor: Actor, part: Sequence[Prepared], ids: list[int], key: Importer
) -> _Batch:
    """The batch's rows, made as plain values for the driver itself (COPY text on PostgreSQL,
    sqlite3's executemany): SQLAlchemy's per-row parameter processing was most of the write
    (100,000 cases: ~4 of ~8 s profiled). Needs no session: made while the batch before is
    being stored."""
    slug, kid, sealer = key.slug, key.kid, key.sealer
    t, by, pg, org = target.stamp(), target.by, target.postgres, actor.org_id
    step = KEY_BYTES + 2 * NONCE_BYTES
    random = os.urandom(step * len(part))
    keys: list[Any] = []
    versions: list[Any] = []
    # On PostgreSQL each row is one line of COPY text, made here (a formatter per field cost
    # more than the sealing); only the kid and the timestamp could need escaping, and neither
    # does (escaped once per batch all the same).
    kid_text, by_text = _copy_text(kid), _copy_text(by)
    for n, (case_id, case) in enumerate(zip(ids, part, strict=True)):
        at = n * step
        dek = random[at : at + KEY_BYTES]
        key_nonce = random[at + KEY_BYTES : at + KEY_BYTES + NONCE_BYTES]
        data_nonce = random[at + KEY_BYTES + NONCE_BYTES : at + step]
        # base64 as crypto.b64 makes it, without its two Python calls a value (300,000 here)
        sealed = sealer.encrypt(key_nonce, dek, datakeys.key_ad(slug, case_id))
        wrapped = b2a_base64(key_nonce + sealed, newline=False).decode("ascii")
        ct = AESGCM(dek).encrypt(data_nonce, case.content, _version_ad(case_id, 1).encode())
        envelope = envelope_json(
            b2a_base64(data_nonce, newline=False).decode("ascii"),
            b2a_base64(ct, newline=False).decode("ascii"),
        )
        if pg:
            keys.append(f"{case_id}\t{kid_text}\t{wrapped}\t{t}\n")
            versions.append(f"{case_id}\t1\t{envelope}\t{t}\t{by_text}\n")
        else:
            keys.append((case_id, kid, wrapped, t))
            versions.append((case_id, 1, envelope, t, by))
    cases: list[Any]
    access: list[Any] = []
    scoped = actor.role in SCOPED
    if pg:
        org_text = _copy_text(org)
        cases = [
            f"{i}\t{org_text}\t{_copy_text(c.id)}\t1\t{_copy_text(c.nationality)}\t"
            f"{_copy_text(c.status)}\t{t}\t{t}\t{by_text}\n"
            for i, c in zip(ids, part, strict=True)
        ]
        if scoped:
            access = [f"{i}\t{by_text}\tassigned\t{t}\n" for i in ids]
    else:
        cases = [
            (i, org, c.id, 1, c.nationality, c.status, t, t, by)
            for i, c in zip(ids, part, strict=True)
        ]
        if scoped:
            access = [(i, by, "assigned", t) for i in ids]
    return _Batch(cases, keys, versions, access)


def envelope_json(nonce: str, ct: str) -> str:
    """`json.dumps` of the envelope `datakeys.seal_version` stores (base64 needs no escaping),
    made without the encoder: one call per case."""
    return f'{{"enc": "{VERSION}", "kid": "{datakeys.CASE_KID}", "nonce": "{nonce}", "ct": "{ct}"}}'


class _Target:
    """Plain rows into the caller's transaction through the driver's own connection; the
    timestamp as each backend stores it (what SQLAlchemy would send for `now()`). Made once,
    in the caller's thread; its methods use no session."""

    def __init__(self, s: Session, user_id: int | None) -> None:
        self.by = user_id
        conn = s.connection()
        self.raw: Any = conn.connection.driver_connection
        self.postgres = conn.dialect.name == "postgresql"
        self.process = (
            None
            if self.postgres
            else _CASES.c.created_at.type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
        )

    def stamp(self) -> Any:
        stamp = now()
        if self.postgres:
            return stamp.isoformat(sep=" ")
        return self.process(stamp) if self.process else stamp

    def insert(self, table: Table, columns: Sequence[str], rows: list[Any]) -> None:
        """Tuples on SQLite; lines of COPY text (each ending in a newline) on PostgreSQL."""
        if not rows:
            return
        names = ", ".join(f'"{c}"' for c in columns)
        if not self.postgres:
            marks = ", ".join("?" * len(columns))
            statement = f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})'
            self._driver(statement, lambda cur: cur.executemany(statement, rows))
            return
        statement = f'COPY "{table.name}" ({names}) FROM STDIN'
        text_rows = "".join(rows).encode("utf-8")

        def copy(cur: Any) -> None:
            with cur.copy(statement) as c:
                c.write(text_rows)

        self._driver(statement, copy)

    def execute(self, statement: str) -> None:
        self._driver(statement, lambda cur: cur.execute(statement))

    def select(self, statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        found: list[tuple[Any, ...]] = []
        self._driver(statement, lambda cur: found.extend(cur.execute(statement, params)))
        return found

    def _driver(self, statement: str, run: Callable[[Any], Any]) -> None:
        cur = self.raw.cursor()
        try:
            run(cur)
        except (psycopg.Error, sqlite3.Error) as e:  # as SQLAlchemy raises it for any other
            base = psycopg.Error if isinstance(e, psycopg.Error) else sqlite3.Error
            raise DBAPIError.instance(statement, None, e, base) from e
        finally:
            cur.close()


def _copy_text(value: object) -> str:
    """A field in COPY's text format: backslash, tab, newline and carriage return escaped;
    None is \\N."""
    if value is None:
        return "\\N"
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
        text = text.replace("\r", "\\r")
    return text
