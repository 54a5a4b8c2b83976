"""The first caseload page and its counts over a stored caseload, per kind of user, with the
scoped-user filter of `repo._visible` in several forms, in the same run (issue 16, item 2:
access rules over the stored caseload). Forms (--forms): `old`, the filter before e1b9055
(`created_by = user OR id IN (the user's case_access ids)`); `or_exists`, the one of e1b9055
(`created_by = user OR EXISTS (the case's access row for the user)`); both kept here only to
compare; `new`, `repo._visible` as it is since schema 0013 (the access rows alone, as EXISTS);
`access_in`, the same written as `id IN (the user's case_access ids)`, measured only.

Run on demand (not in CI), under the benchmark lock:

    flock /tmp/bench.lock .venv/bin/python benchmarks/scoped_caseload.py --sizes 100000 \
        [--backend postgresql sqlite] [--repeat 3] [--shares 5] \
        [--forms old or_exists new access_in] [--explain] [--keep]

For each size N and backend: `haven generate --n N --seed 2015`, a fresh database (PostgreSQL:
`haven_pg16_scoped_<pid>`, dropped afterwards unless --keep) with a reviewer `rik`, an NGO
advocate `nadia` and case officers `ann` and `olga`; `haven cases import FILE --org bench
--user ann` (the bulk import: ann created every case and holds an access row for each); then
ann shares SHARES cases, spread over the reference order, with nadia (`repo.share_case`), and
olga is given an access row to every case (as after a hand-over; one INSERT ... SELECT), then
ANALYZE on PostgreSQL. rik reads everything (no filter); nadia holds a few cases, through
access rows only; ann created every case (the created_by arm decides); olga holds every case
through access rows only. Each user's first caseload page is asked for as
`haven.store.caseload.search` does, each statement in a fresh transaction: the counts by
recommendation over the visible cases, then the first 50 references in reference order. The
forms alternate (old, new, ..., old, new, ...) REPEAT times and must all give the same counts
and page. A statement stopped by the timeout (PostgreSQL, 120 s) is shown as "> 120" and not
run again. Appends a dated table (best count and page seconds, median of their sum, ratio of
the best sums first form/form, load average) to benchmarks/results/scoped-caseload.md.
"""

import argparse
import math
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench_db import database, drop, run
from report import append_section
from sqlalchemy import Select, exists, func, or_, select, text
from sqlalchemy.exc import OperationalError

from haven.store import repo
from haven.store.access import SCOPED
from haven.store.db import Database
from haven.store.models import CaseAccess, CaseRecord

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "scoped-caseload.md"
HAVEN = [sys.executable, "-m", "haven"]
PW = ["--password", "benchmark password only"]
USERS = {"rik": "reviewer", "nadia": "ngo_advocate", "ann": "case_officer", "olga": "case_officer"}
PAGE = 50
# A statement that runs longer is stopped (PostgreSQL) and reported as longer than this.
TIMEOUT_MS = 120_000

Visible = Callable[[repo.Actor], Select[Any]]


def visible_in(actor: repo.Actor) -> Select[Any]:
    """`repo._visible` before e1b9055, kept here only to compare."""
    q = select(CaseRecord).where(CaseRecord.org_id == actor.org_id)
    if actor.role in SCOPED:
        shared = select(CaseAccess.case_id).where(CaseAccess.user_id == actor.user_id)
        q = q.where(or_(CaseRecord.created_by == actor.user_id, CaseRecord.id.in_(shared)))
    return q


def visible_or_exists(actor: repo.Actor) -> Select[Any]:
    """`repo._visible` from e1b9055 to schema 0013, kept here only to compare."""
    q = select(CaseRecord).where(CaseRecord.org_id == actor.org_id)
    if actor.role in SCOPED:
        shared = exists().where(
            CaseAccess.case_id == CaseRecord.id, CaseAccess.user_id == actor.user_id
        )
        q = q.where(or_(CaseRecord.created_by == actor.user_id, shared))
    return q


def visible_access_in(actor: repo.Actor) -> Select[Any]:
    """`repo._visible` written as `id IN (the user's case_access ids)`, measured only: a
    semi-join on PostgreSQL, and on SQLite a lookup of the cases the list names."""
    q = select(CaseRecord).where(CaseRecord.org_id == actor.org_id)
    if actor.role in SCOPED:
        shared = select(CaseAccess.case_id).where(CaseAccess.user_id == actor.user_id)
        q = q.where(CaseRecord.id.in_(shared))
    return q


FORMS: dict[str, Visible] = {
    "old": visible_in,
    "or_exists": visible_or_exists,
    "new": repo._visible,
    "access_in": visible_access_in,
}


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def first_page(db: Database, actor: repo.Actor, form: Visible) -> tuple[float, float, Any]:
    """Seconds for the counts and for the first page, as caseload.search asks for them (inf:
    stopped by the statement timeout, answer None)."""
    q = statements(actor, form)
    pg = db.engine.dialect.name == "postgresql"
    out: list[float] = []
    answer: list[Any] = []
    for what in ("count", "page"):
        with db.session() as s:
            if pg:
                s.execute(text(f"SET LOCAL statement_timeout = {TIMEOUT_MS}"))
            t = time.perf_counter()
            try:
                rows = s.execute(q[what]).all()
            except OperationalError as e:
                if "statement timeout" not in str(e):
                    raise
                out.append(math.inf)
                answer.append(None)
                continue
            out.append(time.perf_counter() - t)
            answer.append(
                sorted((str(r), n) for r, n in rows) if what == "count" else [r[0] for r in rows]
            )
    return out[0], out[1], answer


def seconds(x: float) -> str:
    return f"> {TIMEOUT_MS / 1000:g}" if math.isinf(x) else f"{x:.3f}"


def statements(actor: repo.Actor, form: Visible) -> dict[str, Select[Any]]:
    """The two statements of a first caseload page, as caseload.search makes them."""
    q = form(actor)
    sub = q.subquery()
    return {
        "count": select(sub.c.recommendation, func.count()).group_by(sub.c.recommendation),
        "page": q.with_only_columns(CaseRecord.ref).order_by(CaseRecord.ref).limit(PAGE),
    }


def explain(db: Database, actor: repo.Actor, form: Visible) -> str:
    pg = db.engine.dialect.name == "postgresql"
    out = []
    with db.session() as s:
        for what, q in statements(actor, form).items():
            sql = str(q.compile(s.get_bind(), compile_kwargs={"literal_binds": True}))
            prefix = "EXPLAIN (COSTS OFF)" if pg else "EXPLAIN QUERY PLAN"
            rows = s.execute(text(f"{prefix} {sql}")).all()
            out += [f"[{what}]", *(" | ".join(str(c) for c in r) for r in rows)]
    return "\n".join(out)


def one(
    n: int,
    backend: str,
    repeat: int,
    shares: int,
    chosen: list[str],
    show_plans: bool,
    keep: bool,
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        file = tmp / "cases.jsonl"
        run(
            [*HAVEN, "generate", "--n", str(n), "--seed", "2015", "--out", str(file)],
            dict(os.environ),
        )
        url, name = database(backend, tmp, "haven_scoped")
        env = {**os.environ, "HAVEN_DATABASE_URL": url, "HAVEN_KEY_FILE": str(tmp / "keys.json")}
        try:
            for user, role in USERS.items():
                run([*HAVEN, "users", "add", user, "--role", role, "--org", "bench", *PW], env)
            import_s = run(
                [*HAVEN, "cases", "import", str(file), "--org", "bench", "--user", "ann"], env
            )
            print(f"{backend} {n}: imported in {import_s:.1f} s", flush=True)
            db = Database(url)
            with db.session() as s:
                actors = {u: repo.actor_by_name(s, "bench", u) for u in USERS}
                refs = list(s.scalars(select(CaseRecord.ref).order_by(CaseRecord.ref)))
                for ref in sorted(random.Random(16).sample(refs, shares)):
                    repo.share_case(s, actors["ann"], ref, "nadia")
                # olga holds every case through an access row, as after a hand-over, and
                # created none: written in one statement (a share each would audit N times).
                s.execute(
                    text(
                        "INSERT INTO case_access (case_id, user_id, kind, created_at)"
                        " SELECT id, :u, 'shared', created_at FROM cases"
                    ),
                    {"u": actors["olga"].user_id},
                )
            if backend == "postgresql":
                with db.session() as s:
                    s.execute(text("ANALYZE cases, case_access"))
            for user, actor in actors.items():
                forms = {f: FORMS[f] for f in chosen}
                if show_plans:
                    for form_name, form in forms.items():
                        print(f"--- {backend} {n} {user} {form_name}\n{explain(db, actor, form)}")
                times: dict[str, list[tuple[float, float]]] = {f: [] for f in forms}
                answers: list[Any] = []
                for _ in range(repeat):
                    for form_name, form in forms.items():
                        if any(math.isinf(c + p) for c, p in times[form_name]):
                            continue  # stopped once by the timeout: not again
                        t_count, t_page, answer = first_page(db, actor, form)
                        times[form_name].append((t_count, t_page))
                        answers.append(answer)
                counts = [a[0] for a in answers if a[0] is not None]
                pages = [a[1] for a in answers if a[1] is not None]
                best = {f: min(c + p for c, p in ts) for f, ts in times.items()}
                row: dict[str, Any] = {
                    "database": "SQLite" if backend == "sqlite" else "PostgreSQL",
                    "cases": n,
                    "user": f"{user} ({USERS[user]})",
                    "visible": sum(c for _, c in counts[0]),
                }
                for f, ts in times.items():
                    row[f"{f} count s"] = seconds(min(c for c, _ in ts))
                    row[f"{f} page s"] = seconds(min(p for _, p in ts))
                    row[f"{f} median s"] = seconds(statistics.median(c + p for c, p in ts))
                base = next(iter(forms))  # the others compared with the first form given
                for f in list(forms)[1:]:
                    row[f"{base}/{f}"] = (
                        f"> {TIMEOUT_MS / 1000 / best[f]:.0f}"
                        if math.isinf(best[base])
                        else f"{best[base] / best[f]:.2f}"
                    )
                row["same answer"] = all(c == counts[0] for c in counts) and all(
                    p == pages[0] for p in pages
                )
                row["load"] = load()
                rows.append(row)
                print(rows[-1], flush=True)
            db.engine.dispose()
        finally:
            if keep and name:
                print(f"kept database {name}: drop it when done", flush=True)
            else:
                drop(name)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    ap.add_argument("--backend", nargs="+", default=["postgresql", "sqlite"])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--shares", type=int, default=5)
    ap.add_argument("--explain", action="store_true", help="print each query plan")
    ap.add_argument("--forms", nargs="+", choices=list(FORMS), default=["or_exists", "new"])
    ap.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    ap.add_argument("--note", default="", help="a line written under the table")
    args = ap.parse_args()
    before = load()
    rows = [
        r
        for b in args.backend
        for n in args.sizes
        for r in one(n, b, args.repeat, args.shares, args.forms, args.explain, args.keep)
    ]
    text = append_section(
        RESULTS,
        "# The scoped caseload (benchmarks/scoped_caseload.py)\n\n"
        "The first caseload page over a stored caseload imported with `haven cases import`: the "
        "counts by recommendation over the visible cases and the first 50 by reference, as "
        "`haven.store.caseload.search` asks for them, with `repo._visible`'s filter for scoped "
        "users before (`created_by = user OR id IN (user's case_access ids)`) and after "
        "(`created_by = user OR EXISTS (case_access row)`), alternating in one run. Seconds: "
        "best of the repeats (count, page) and median of count + page.\n",
        rows,
        args.note,
        load=f"load average before {before}",
    )
    print(text)


if __name__ == "__main__":
    main()
