"""The caseload as the web app lists it: filters, reference search, pagination and counts,
within what the caller may see. One audited search per call."""

from dataclasses import asdict, dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from haven.store.access import Action
from haven.store.models import CaseRecord
from haven.store.repo import Actor, _visible, audit, require


@dataclass(frozen=True)
class CaseFilter:
    nationality: str | None = None
    status: str | None = None
    designation: str | None = None
    recommendation: str | None = None
    flag: str | None = None
    ref: str | None = None  # a reference prefix, case-insensitive

    def apply(self, q: Select[CaseRecord]) -> Select[CaseRecord]:
        for column, value in (
            (CaseRecord.nationality, self.nationality),
            (CaseRecord.status, self.status),
            (CaseRecord.designation, self.designation),
            (CaseRecord.recommendation, self.recommendation),
        ):
            if value:
                q = q.where(column == value)
        if self.flag:
            q = q.where(CaseRecord.flags.like(f"% {_escape(self.flag)} %", escape="\\"))
        if self.ref:
            q = q.where(
                func.lower(CaseRecord.ref).like(f"{_escape(self.ref.lower())}%", escape="\\")
            )
        return q


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass(frozen=True)
class Page:
    total: int
    rows: list[CaseRecord]
    by_recommendation: dict[str, int]


def search(s: Session, actor: Actor, f: CaseFilter, limit: int = 50, offset: int = 0) -> Page:
    require(actor, Action.CASE_LIST)
    q = f.apply(_visible(actor))
    sub = q.subquery()
    counts = {
        (rec or "not_assessed"): n
        for rec, n in s.execute(
            select(sub.c.recommendation, func.count()).group_by(sub.c.recommendation)
        )
    }
    rows = list(s.scalars(q.order_by(CaseRecord.ref).limit(limit).offset(offset)))
    audit(
        s,
        actor,
        "case.search",
        filters={k: v for k, v in asdict(f).items() if v},
        returned=len(rows),
    )
    return Page(sum(counts.values()), rows, counts)
