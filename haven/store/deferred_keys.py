"""The foreign keys of the case tables, checked once at the end of an exclusive import.

PostgreSQL checks a foreign key row by row: a query and a lock on the parent row for each of
the seven keys of a case's four rows (about half of a million-case import's server time,
benchmarks/results/bulk-import.md). An exclusive import (`haven cases import --exclusive`)
drops them inside its own transaction and adds them back before it commits; adding a foreign
key checks every row of the table in one query, so nothing unchecked is ever committed, and an
import that fails rolls the drop back with everything else (PostgreSQL's DDL is
transactional). The price: from the drop to the commit the four case tables are locked for
every other session (ACCESS EXCLUSIVE), reads included. For moving a caseload in, not for a
working day.

The keys are read from the catalogue (`pg_get_constraintdef`), not restated here, so what is
added back is what the migrations made.
"""

from dataclasses import dataclass

from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from haven.errors import Unavailable

# The tables an import writes (haven/store/bulk_import.py).
TABLES = ("cases", "case_keys", "case_versions", "case_access")
# How long to wait for sessions using the case tables to finish before giving up.
LOCK_WAIT = "5s"
LOCK_WAIT_SECONDS = 5

_KEYS = text(
    "SELECT format('ALTER TABLE %s DROP CONSTRAINT %I', c.conrelid::regclass, c.conname),"
    " format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::regclass, c.conname,"
    " pg_get_constraintdef(c.oid))"
    " FROM pg_constraint c"
    " WHERE c.contype = 'f' AND c.conrelid = ANY(CAST(:tables AS regclass[]))"
    " ORDER BY c.conrelid::regclass::text, c.conname"
)


@dataclass
class DeferredKeys:
    """The statements that add the dropped keys back; empty once they have been, or once the
    transaction that dropped them is rolled back (which puts them back itself)."""

    restore: list[str]

    def check(self, s: Session) -> None:
        """Add the keys back: each checks every row of its table (an IntegrityError if a row
        points at nothing, and the transaction is lost)."""
        restore, self.restore = self.restore, []
        for statement in restore:
            s.execute(text(statement))

    def forget(self, *_: object) -> None:
        self.restore = []


def defer(s: Session) -> DeferredKeys:
    """Lock the case tables and drop their foreign keys in `s`'s transaction. Gives up after
    LOCK_WAIT if other sessions hold the tables (nothing is changed then)."""
    rows = s.execute(_KEYS, {"tables": list(TABLES)}).all()
    s.execute(text(f"SET LOCAL lock_timeout = '{LOCK_WAIT}'"))
    try:
        s.execute(text(f"LOCK TABLE {', '.join(TABLES)} IN ACCESS EXCLUSIVE MODE"))
    except OperationalError as e:
        if getattr(e.orig, "sqlstate", None) != "55P03":  # lock_not_available
            raise
        raise Unavailable(
            "the case tables are in use by other sessions; an exclusive import needs them to "
            f"itself and gave up after {LOCK_WAIT_SECONDS} s: run it when no one is working, "
            "or import without --exclusive",
            retry_after=60,
        ) from e
    s.execute(text("SET LOCAL lock_timeout TO DEFAULT"))
    for drop, _ in rows:
        s.execute(text(drop))
    deferred = DeferredKeys([add for _, add in rows])
    # Whatever path leads to the commit, the keys are checked and back before it.
    event.listen(s, "before_commit", deferred.check, once=True)
    event.listen(s, "after_rollback", deferred.forget, once=True)
    return deferred
