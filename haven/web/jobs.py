"""The in-process job runner of the web app: long work (an impact run over the stored
caseload) runs in a thread of the server process, not in the request. Job rows in the
database (haven/store/jobs.py) hold the state, progress and kept result, so every server
process can show a job's progress and serve its result; the thread that runs a job lives in
the process that started it, and a job whose process died is marked interrupted when a
server starts (no job library on the verified stack fitted; see docs/web.md).

The run reads the caseload in a session of its own: on SQLite, `Database.session` makes the
threads of a process take turns, and a run holding that turn for seconds would block every
request. It writes only its progress (short transactions) and, at the end, the audit entry
and the kept result together."""

import os
import queue
import threading
from collections.abc import Callable
from contextlib import suppress
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from haven.impact import Impact
from haven.policy.pack import Pack
from haven.store import jobs
from haven.store.access import Action
from haven.store.columnar_caseload import StoredImpactStream
from haven.store.db import Database
from haven.store.models import CaseRecord, Job
from haven.store.queue import create_queue, queue_impact
from haven.store.repo import Actor, _visible, audit, require

# Cases per batch in a job: progress moves every few hundred milliseconds.
JOB_BATCH = 5_000
# A caseload this small is assessed in the request (well under a second); larger ones run
# as jobs. HAVEN_JOB_INLINE_MAX=0 runs every impact as a job (tests and demos do).
INLINE_MAX = 2_000


# What a job runs: given a reading session and a progress callback (done, total), it does the
# long work and returns what keeps its result, run in the transaction that marks it done.
Keep = Callable[[Session, Job], None]
Work = Callable[[Session, Callable[[int, int], None]], Keep]


class JobRunner:
    def __init__(self, db: Database, workers: int = 1) -> None:
        self.db = db
        # One job at a time per process: a run uses a core; the other serves requests.
        # Daemon threads: a server that stops does not wait for a run to end; the run's job
        # is then marked interrupted at the next start (a thread pool would hold the exit).
        self.todo: queue.Queue[tuple[int, Work]] = queue.Queue()
        self.threads = [
            threading.Thread(target=self._loop, name=f"haven-job-{i}", daemon=True)
            for i in range(workers)
        ]
        self.starting = threading.Lock()
        self.inline_max = int(os.environ.get("HAVEN_JOB_INLINE_MAX", INLINE_MAX))

    def start(self) -> int:
        """At server start: mark jobs of dead processes interrupted."""
        with self.db.session() as s:
            return jobs.mark_interrupted(s)

    def _loop(self) -> None:
        while True:
            job_id, work = self.todo.get()
            # The database gone while a job ends (its state not written): the job is left
            # running and marked interrupted at the next start; this thread takes the next.
            with suppress(Exception):
                self._run(job_id, work)

    def visible_cases(self, actor: Actor, *, whole_org: bool = False) -> int:
        with self.db.session() as s:
            return _count(s, actor, whole_org=whole_org)

    def impact_job(
        self,
        actor: Actor,
        pack: Pack,
        before: date,
        after: date,
        draft_name: str | None,
        draft: Pack | None,
        draft_content: str | None,
        to_pack: Pack | None = None,
    ) -> tuple[Job, Impact | None]:
        """The job for this impact (a kept one, a running one, or one started now) and its
        result if it is kept. `to_pack`: the pack of the `to` side (impact between packs)."""
        params: dict[str, Any] = {
            "from": before.isoformat(),
            "to": after.isoformat(),
            "draft": draft_name,
            "pack": [pack.meta.id, pack.version],
            # A draft changes while it is drafted: its content, not its name, is the key.
            "draft_content": draft_content,
        }
        if to_pack is not None:
            params["to_pack"] = [to_pack.meta.id, to_pack.version]
        after_pack = draft or to_pack
        with self.db.session() as s:
            key = jobs.job_key(s, actor, "impact", params)
            job = jobs.find(s, actor, key)
            if job is not None and job.state == jobs.DONE:
                kept = jobs.result(s, job)
                if kept is not None:
                    audit(s, actor, "impact.kept_view", job=job.id)
                    return job, Impact.model_validate(kept)
                job = None
            if job is None:
                job = jobs.create(s, actor, "impact", key, params)
                start = True
            else:
                start = False
        if start:
            self.submit(
                job.id, lambda s, beat: _impact(s, actor, before, after, pack, after_pack, beat)
            )
        return job, None

    def queue_job(
        self, actor: Actor, pack: Pack, before: date, after: date, name: str | None
    ) -> tuple[Job, int | None]:
        """The job that creates this work queue over the cases the caller may read, and
        the queue's id once made (the same queue over the same caseload version is not made
        twice: its id is returned at once)."""
        require(actor, Action.QUEUE_CREATE)
        params = {
            "from": before.isoformat(),
            "to": after.isoformat(),
            "pack": [pack.meta.id, pack.version],
            "name": name,
        }
        with self.db.session() as s:
            key = jobs.job_key(s, actor, "queue", params)
            job = jobs.find(s, actor, key)
            if job is not None and job.state == jobs.DONE and "queue" in job.params:
                return job, int(job.params["queue"])
            start = job is None or job.state == jobs.DONE
            if start:
                job = jobs.create(s, actor, "queue", key, params)
        assert job is not None
        if start:
            self.submit(job.id, lambda s, beat: _queue(s, actor, before, after, pack, name, beat))
        return job, None

    def submit(self, job_id: int, work: Work) -> None:
        with self.starting:  # started on first use: an app that runs no job has no thread
            for t in self.threads:
                if not t.is_alive():
                    t.start()
        self.todo.put((job_id, work))

    def _run(self, job_id: int, work: Work) -> None:
        def beat(done: int, total: int) -> None:
            with self.db.session() as s:
                jobs.beat(s, job_id, done, total)

        try:
            with self.db.session() as s:
                job = s.get(Job, job_id)
                if job is None or job.state != jobs.QUEUED or job.cancel:
                    return
            beat(0, 0)
            with Session(self.db.engine) as reader:
                keep = work(reader, beat)
                reader.rollback()
            # The result and what it writes, in one transaction with the job marked done: a
            # job cancelled or stopped before this keeps nothing.
            with self.db.session() as s:
                job = s.get(Job, job_id)
                assert job is not None
                if job.cancel:
                    raise jobs.Cancelled()
                keep(s, job)
        except jobs.Cancelled:
            jobs.end_in(self.db, job_id, jobs.CANCELLED)
        except Exception as e:  # the job fails; the server goes on
            jobs.end_in(self.db, job_id, jobs.FAILED, str(e)[:2000])


def _count(s: Session, actor: Actor, *, whole_org: bool = False) -> int:
    scope = select(CaseRecord).where(CaseRecord.org_id == actor.org_id)
    sub = (scope if whole_org else _visible(actor)).subquery()
    return int(s.scalar(select(func.count()).select_from(sub)) or 0)


def _impact(
    s: Session,
    actor: Actor,
    before: date,
    after: date,
    pack: Pack,
    draft: Pack | None,
    beat: Callable[[int, int], None],
) -> Keep:
    total = _count(s, actor)
    beat(0, total)
    stream = StoredImpactStream(
        s,
        actor,
        before,
        after,
        pack,
        draft,
        JOB_BATCH,
        on_batch=lambda n: beat(n, total),
        audited=False,
    )
    impact = stream.collect()

    def keep(w: Session, job: Job) -> None:
        audit(w, actor, "case.bulk_read", purpose="impact", returned=impact.cases, job=job.id)
        job.total = impact.cases
        jobs.finish(w, job, impact.model_dump(mode="json"))

    return keep


def _queue(
    s: Session,
    actor: Actor,
    before: date,
    after: date,
    pack: Pack,
    name: str | None,
    beat: Callable[[int, int], None],
) -> Keep:
    total = _count(s, actor)
    beat(0, total)
    impact = queue_impact(
        s, actor, before, after, pack, on_batch=lambda n: beat(n, total), batch_size=JOB_BATCH
    )

    def keep(w: Session, job: Job) -> None:
        # Kept under the job's key: a queue made meanwhile under it (another request, the
        # API or the CLI) is the one this job found, said so on the queue's page.
        q, _, existed = create_queue(
            w, actor, before, after, pack, name=name, impact=impact, key=job.key
        )
        job.params = {**job.params, "queue": q.id} | ({"existed": True} if existed else {})
        job.total = impact.cases
        jobs.finish(w, job, {"queue": q.id})

    return keep
