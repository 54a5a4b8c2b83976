"""Files the CLI writes with case content (exports, memos, letters, impact results, demo
data): readable and writable by their owner only (0600), like backups and research exports.
An existing file is narrowed to 0600 too before anything is written to it."""

import os
import stat
from pathlib import Path
from typing import IO


def open_private(path: Path, mode: str = "w") -> IO[str]:
    """A text file opened for writing, owner-only, truncated (`mode` "w" only)."""
    fd = _open(path)
    return os.fdopen(fd, mode, encoding="utf-8", newline="")


def write_private(path: Path, data: str | bytes) -> None:
    fd = _open(path)
    with os.fdopen(fd, "wb") as f:
        f.write(data.encode("utf-8") if isinstance(data, str) else data)


def _open(path: Path) -> int:
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    # An existing file keeps its mode through os.open: narrow it. Only a regular file: `--out
    # /dev/null` (or a pipe) run as root must not make the device owner-only for everyone.
    if stat.S_ISREG(os.fstat(fd).st_mode):
        os.fchmod(fd, 0o600)
    return fd
