"""`repo._visible`, the filter every listing of cases goes through (the caseload, its counts, the
stored-caseload impact, queues, jobs), gives exactly the cases the access rule allows: for
random organisations, users of every listing role, case creators and shares, on SQLite and on
PostgreSQL, the cases it returns are those `allowed(role, CASE_READ, same_org, related)`
admits, computed here in plain Python. A case's creator holds an `assigned` access row, as
`create_case` and the import write it (and migration 0013 for any case without one)."""

import itertools
from datetime import UTC, datetime
from typing import NamedTuple

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text

from haven.store import caseload, repo
from haven.store.access import Action, Role, allowed
from haven.store.db import Database
from haven.store.models import CaseAccess, CaseRecord, Organisation, User

LISTING = [r for r in Role if allowed(r, Action.CASE_LIST)]
ROLES = list(Role)
_run = itertools.count()


class World(NamedTuple):
    users: list[tuple[int, int]]
    cases: list[tuple[int, int]]
    shares: list[tuple[int, int]]


@st.composite
def worlds(draw: st.DrawFn) -> World:
    """Two organisations (0 and 1); users as (org, role index); cases as (org, creator index
    or -1: none); shares as (case index, user index), across organisations too."""
    users = draw(
        st.lists(
            st.tuples(st.integers(0, 1), st.integers(0, len(ROLES) - 1)), min_size=1, max_size=6
        )
    )
    cases = draw(
        st.lists(st.tuples(st.integers(0, 1), st.integers(-1, len(users) - 1)), max_size=12)
    )
    shares = (
        draw(
            st.lists(
                st.tuples(st.integers(0, len(cases) - 1), st.integers(0, len(users) - 1)),
                unique=True,
                max_size=15,
            )
        )
        if cases
        else []
    )
    return World(users, cases, shares)


def _build(db: Database, world: World) -> tuple[list[User], list[int]]:
    """The world's rows, in organisations of their own (each example adds to the database)."""
    run, t = next(_run), datetime.now(UTC)
    with db.session() as s:
        orgs = [Organisation(slug=f"o{run}-{i}", name=f"O{i}", created_at=t) for i in (0, 1)]
        s.add_all(orgs)
        s.flush()
        users = [
            User(
                org_id=orgs[org].id,
                username=f"u{run}-{i}",
                password_hash="-",
                role=ROLES[role].value,
                created_at=t,
            )
            for i, (org, role) in enumerate(world.users)
        ]
        s.add_all(users)
        s.flush()
        cases = [
            CaseRecord(
                org_id=orgs[org].id,
                ref=f"C{i:02}",
                version=1,
                nationality="RU",
                status="refused",
                created_at=t,
                updated_at=t,
                created_by=users[by].id if by >= 0 else None,
            )
            for i, (org, by) in enumerate(world.cases)
        ]
        s.add_all(cases)
        s.flush()
        rows = {(i, by): "assigned" for i, (_, by) in enumerate(world.cases) if by >= 0}
        rows |= {(c, u): "shared" for c, u in world.shares if (c, u) not in rows}
        s.add_all(
            CaseAccess(case_id=cases[c].id, user_id=users[u].id, kind=kind, created_at=t)
            for (c, u), kind in rows.items()
        )
        s.flush()
        s.expunge_all()  # plain objects for the checks, their ids loaded
    return users, [c.id for c in cases]


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(world=worlds())
def test_visible_is_the_access_rule(db: Database, world: World) -> None:
    users, case_ids = _build(db, world)
    shares = {(case_ids[c], users[u].id) for c, u in world.shares}
    case_org = {case_ids[i]: org for i, (org, _) in enumerate(world.cases)}
    creator = {
        case_ids[i]: (users[by].id if by >= 0 else None) for i, (_, by) in enumerate(world.cases)
    }
    for (org, _), user in zip(world.users, users, strict=True):
        role = Role(user.role)
        if role not in LISTING:  # callers `require` CASE_LIST before they use _visible
            continue
        want = {
            c
            for c in case_ids
            if allowed(
                role,
                Action.CASE_READ,
                same_org=case_org[c] == org,
                related=creator[c] == user.id or (c, user.id) in shares,
            )
        }
        actor = repo.Actor.of(user)
        with db.session() as s:
            got = set(s.scalars(repo._visible(actor).with_only_columns(CaseRecord.id)))
            assert got == want, (
                f"{role.value} {user.username}: {sorted(got)} != {sorted(want)} in {world}"
            )
            # As the caseload page asks: the count and the first page (reference order).
            page = caseload.search(s, actor, caseload.CaseFilter(), limit=5)
            assert page.total == len(want)
            refs = s.scalars(
                select(CaseRecord.ref).where(CaseRecord.id.in_(want)).order_by(CaseRecord.ref)
            )
            assert [r.ref for r in page.rows] == list(refs)[:5]


def test_postgresql_sessions_run_without_jit(db: Database) -> None:
    """The app's PostgreSQL connections turn JIT off: with it on, the planner compiled the
    scoped filter's correlated EXISTS on every count (90-175 ms of a 15 ms statement at 100k
    cases, benchmarks/results/scoped-caseload.md)."""
    with db.session() as s:
        if s.get_bind().dialect.name != "postgresql":
            return  # SQLite has no JIT
        assert s.scalar(text("SHOW jit")) == "off"
