"""The real CLI run as a subprocess on one SQLite database (its key file beside it, a fixed
password for the commands that ask), for the tests of commands on stored data."""

import os
import subprocess
import sys
from pathlib import Path

HAVEN = [sys.executable, "-m", "haven"]


def haven(*args: str, db: Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*HAVEN, *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd or db.parent,
        env={
            **os.environ,
            "HAVEN_DATABASE_URL": f"sqlite:///{db}",
            "HAVEN_KEY_FILE": str(db.parent / "keys.json"),
            "HAVEN_PASSWORD": "x" * 12,
        },
        check=False,
    )
