"""SIGKILL mid-write (issue 7, item 5), on SQLite and PostgreSQL: the server and the importer
are killed while writing; afterwards nothing is half-written (every case has all its versions,
every write its audit line, the audit chain verifies) and nothing acknowledged is lost (every
write that got a 2xx is there). Each step has a deadline; a test takes 10-30 s."""

import json
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import psycopg
from sqlalchemy import create_engine, text

from haven.store import auth
from haven.store.access import Role
from haven.store.db import Database
from tests.store.consistency import check_consistent
from tests.store.served import ROOT, haven_server, server_env
from tests.store.store_helpers import make_case

PASSWORD = "correct horse battery"


def _user(db: Database) -> None:
    with db.session() as s:
        auth.add_user(s, auth.ensure_org(s, "acme"), "olga", PASSWORD, Role.CASE_OFFICER)


def test_sigkill_of_the_server_mid_write_loses_nothing_acknowledged(db: Database) -> None:
    _user(db)
    acked: dict[str, int] = {}  # ref -> highest version acknowledged with a 2xx
    lock = threading.Lock()
    stop = threading.Event()

    with haven_server(db.url) as (base, proc):
        token = httpx.post(
            base + "/api/v1/login", json={"username": "olga", "password": PASSWORD}, timeout=10
        ).json()["token"]
        h = {"Authorization": f"Bearer {token}"}

        def client(n: int) -> None:
            with httpx.Client(base_url=base, headers=h, timeout=10) as c:
                i = 0
                while not stop.is_set():
                    ref = f"K{n}-{i}"
                    i += 1
                    try:
                        if c.post("/api/v1/cases", json=make_case(ref)).status_code != 201:
                            continue
                        with lock:
                            acked[ref] = 1
                        for v in (1, 2):
                            r = c.put(
                                f"/api/v1/cases/{ref}",
                                json=make_case(ref, region="RU-SPE" if v == 1 else "RU-MOW"),
                                headers={"If-Match": f'"{v}"'},
                            )
                            if r.status_code != 200:
                                break
                            with lock:
                                acked[ref] = v + 1
                    except httpx.HTTPError:  # the server is gone
                        return

        threads = [threading.Thread(target=client, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        writing = time.monotonic()
        while len(acked) < 8 and time.monotonic() - writing < 8:
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)  # mid-write: four clients are writing
        proc.wait(timeout=10)
        stop.set()
        for t in threads:
            t.join(timeout=15)
    assert proc.returncode == -signal.SIGKILL
    assert len(acked) >= 2, "too few writes before the kill to prove anything"

    with haven_server(db.url) as (base, _):  # restart on the same database
        token = httpx.post(
            base + "/api/v1/login", json={"username": "olga", "password": PASSWORD}, timeout=10
        ).json()["token"]
        h = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=base, headers=h, timeout=10) as c:
            for ref, version in acked.items():
                r = c.get(f"/api/v1/cases/{ref}")
                assert r.status_code == 200, (ref, r.text)
                assert r.json()["version"] >= version, (ref, version)
    check_consistent(db.url)


def _writing(url: str) -> bool:
    """Has a transaction started writing rows (and not yet committed)? SQLite: someone holds the
    writer lock (our BEGIN IMMEDIATE fails at once); PostgreSQL: a session has a transaction id."""
    if url.startswith("sqlite"):
        con = sqlite3.connect(url.split(":///", 1)[1], timeout=0, isolation_level=None)
        try:
            con.execute("BEGIN IMMEDIATE")
            con.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError:
            return True
        finally:
            con.close()
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(f"host=127.0.0.1 user=postgres dbname={name}", autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND backend_xid IS NOT NULL"
            " AND pid <> pg_backend_pid()",
            (name,),
        ).fetchone()
    return bool(row and row[0])


def test_sigkill_of_the_importer_mid_write_leaves_nothing_half_written(
    db: Database, tmp_path: Path
) -> None:
    started = time.monotonic()
    _user(db)
    # Enough cases that the bulk writer (thousands of cases a second) is caught writing.
    n = 4000
    file = tmp_path / "load.jsonl"
    file.write_text("".join(json.dumps(make_case(f"IMP-{i}")) + "\n" for i in range(n)))
    args = [sys.executable, "-m", "haven", "cases", "import", str(file)]
    args += ["--org", "acme", "--user", "olga"]
    proc = subprocess.Popen(args, env=server_env(db.url), cwd=ROOT, stderr=subprocess.PIPE)
    while proc.poll() is None and not _writing(db.url):
        assert time.monotonic() - started < 40, "the importer never started writing"
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL, "the import finished before it could be killed"

    engine = create_engine(db.url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM cases")).scalar() == 0
            assert conn.execute(text("SELECT count(*) FROM case_versions")).scalar() == 0
    finally:
        engine.dispose()
    check_consistent(db.url)

    done = subprocess.run(args, env=server_env(db.url), cwd=ROOT, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert check_consistent(db.url)["cases"] == n
