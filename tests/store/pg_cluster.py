"""A private PostgreSQL 15 cluster for tests that stop, crash and restart the database server.

The shared server on 127.0.0.1:5432 serves other tests in parallel, so it is never restarted;
a test that needs to take PostgreSQL down gets a cluster of its own in a temporary directory,
on a free port. PostgreSQL refuses to run as root: as root (CI) its programs run as the
`postgres` user through `runuser`, and the directory belongs to that user.
"""

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg

from tests.store.served import free_port

PG_LIB = Path("/usr/lib/postgresql")


def pg_bin() -> Path:
    """PostgreSQL 15's programs (the version CI installs), else the newest Debian has."""
    if (PG_LIB / "15" / "bin").is_dir():
        return PG_LIB / "15" / "bin"
    found = sorted(
        PG_LIB.glob("*/bin"), key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0
    )
    return found[-1] if found else PG_LIB / "15" / "bin"


class ClusterUnavailable(Exception):
    """No private cluster can be made here (no binaries, no postgres user, no start)."""


class Cluster:
    """One initdb'd data directory and the postmaster serving it on 127.0.0.1:`port`."""

    def __init__(self) -> None:
        self.bin = pg_bin()
        missing = [t for t in ("initdb", "pg_ctl", "postgres") if not (self.bin / t).is_file()]
        if missing:
            raise ClusterUnavailable(f"PostgreSQL programs missing in {self.bin}: {missing}")
        self.as_postgres = os.geteuid() == 0
        # /tmp, not pytest's tmp_path: the socket path must stay short, and as root the
        # postgres user must be able to reach the directory.
        self.root = Path(tempfile.mkdtemp(prefix="haven-pg-"))
        if self.as_postgres:
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                shutil.rmtree(self.root, ignore_errors=True)
                raise ClusterUnavailable("running as root and there is no postgres user") from None
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = free_port()

    def _run(self, tool: str, *args: str, timeout: float = 60) -> None:
        cmd = [str(self.bin / tool), *args]
        if self.as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        except (OSError, subprocess.TimeoutExpired) as e:
            raise ClusterUnavailable(f"{tool} {' '.join(args)}: {e}") from None
        if done.returncode != 0:
            raise ClusterUnavailable(
                f"{tool} {' '.join(args)} exited {done.returncode}: "
                f"{(done.stderr or done.stdout).strip()[-800:]}\n{self.log_tail()}"
            )

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def _options(self) -> str:
        return f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1"

    def init(self) -> None:
        self._run(
            "initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
            "--no-locale", "--no-sync", "--no-instructions",
        )  # fmt: skip

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-o", self._options(), "-l", str(self.log),
                  "-w", "-t", "30", "start")  # fmt: skip

    def stop(self, mode: str) -> None:
        """`fast` disconnects clients and shuts down cleanly; `immediate` is a crash: the next
        start replays the WAL."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "30", "stop")

    def restart(self, mode: str) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-o", self._options(), "-l", str(self.log),
                  "-m", mode, "-w", "-t", "30", "restart")  # fmt: skip

    def admin(self) -> str:
        return f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres connect_timeout=3"

    def create_database(self, name: str) -> str:
        """A new database; its SQLAlchemy URL."""
        with psycopg.connect(self.admin(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def destroy(self) -> None:
        """Stop the postmaster (if running) and remove every file of the cluster."""
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(ClusterUnavailable):
                self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)
