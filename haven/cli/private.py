"""Files the CLI writes with case content (exports, memos, letters, impact results, demo
data): readable and writable by their owner only (0600), like backups and research exports.
An existing file is narrowed to 0600 too before anything is written to it."""

import os
from pathlib import Path
from typing import IO


def open_private(path: Path, mode: str = "w") -> IO[str]:
    """A text file opened for writing, owner-only, truncated (`mode` "w" only)."""
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # an existing file keeps its mode through os.open: narrow it
    return os.fdopen(fd, mode, encoding="utf-8", newline="")


def write_private(path: Path, data: str | bytes) -> None:
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data.encode("utf-8") if isinstance(data, str) else data)
