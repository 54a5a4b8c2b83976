"""What "nothing half-written" means for a store, checked on a database after a backup,
restore or crash (tests/store/test_backup.py, tests/store/test_faults.py)."""

from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from haven.store import audit_chain
from haven.store.models import AuditEntry, CaseRecord, CaseVersion, StoredAssessment


def check_consistent(url: str) -> dict[str, int]:
    """Whole transactions only: each case has versions 1..version, each assessment its
    version, each case.create/case.edit audit line (or case.import batch) its case, and the
    chain verifies."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            cases = conn.execute(select(CaseRecord.id, CaseRecord.ref, CaseRecord.version)).all()
            for case_id, ref, version in cases:
                have = sorted(
                    conn.scalars(select(CaseVersion.version).where(CaseVersion.case_id == case_id))
                )
                assert have == list(range(1, version + 1)), (ref, have, version)
            for case_id, v in conn.execute(
                select(StoredAssessment.case_id, StoredAssessment.case_version)
            ):
                assert (
                    conn.scalar(
                        select(func.count()).where(
                            CaseVersion.case_id == case_id, CaseVersion.version == v
                        )
                    )
                    == 1
                )
            creates = (
                conn.scalar(select(func.count()).where(AuditEntry.action == "case.create")) or 0
            )
            # A bulk import names its cases in one entry per batch (haven/store/bulk_import.py).
            creates += sum(
                len(detail.get("cases", []))
                for detail in conn.scalars(
                    select(AuditEntry.detail).where(AuditEntry.action == "case.import")
                )
            )
            edits = conn.scalar(select(func.count()).where(AuditEntry.action == "case.edit"))
            assert creates == len(cases)
            assert edits == sum(v - 1 for _, _, v in cases)
        with Session(engine) as s:
            report = audit_chain.verify(s)
        assert report.ok, report.findings
        return {"cases": len(cases), "audit": report.entries}
    finally:
        engine.dispose()
