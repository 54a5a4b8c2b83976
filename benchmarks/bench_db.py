"""A fresh database for one benchmark run, and its removal: a file in the run's temporary folder
on SQLite, a database of its own on the PostgreSQL server on 127.0.0.1:5432 (trust auth); and
a `haven` command run against it."""

import os
import subprocess
import tempfile
import time
from pathlib import Path

PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"


def database(backend: str, tmp: Path, prefix: str, suffix: str = "") -> tuple[str, str | None]:
    """(SQLAlchemy URL, PostgreSQL database name or None); the name carries `prefix`, the pid
    and `suffix`, so runs side by side do not share one."""
    if backend == "sqlite":
        return f"sqlite:///{tmp / f'bench{suffix}.db'}", None
    import psycopg

    name = f"{prefix}_{os.getpid()}{suffix}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}", name


def drop(name: str | None) -> None:
    """Drop a PostgreSQL database `database` made (None: SQLite, nothing to do)."""
    if name:
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(cmd: list[str], env: dict[str, str]) -> float:
    """Run a command (e.g. `python -m haven ...`) from the temporary folder, its output
    discarded; seconds it took. A failure ends the benchmark with the command's stderr."""
    t = time.perf_counter()
    r = subprocess.run(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env,
        cwd=tempfile.gettempdir(),
    )  # fmt: skip
    if r.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{r.stderr}")
    return time.perf_counter() - t
