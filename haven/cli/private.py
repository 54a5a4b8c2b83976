"""Files the CLI writes with case content (exports, memos, letters, impact results, demo
data): readable and writable by their owner only (0600), like backups and research exports.
An existing file is narrowed to 0600 too before anything is written to it.

Every command that writes a file names its option when it cannot (`--out: cannot write …`,
exit 2): `check_out` before any work (nothing read, audited or stored for a file that cannot
be written), `write_out` / `writing` for the writing itself."""

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from haven.errors import InputError, Problem


def open_private(path: Path, mode: str = "w") -> IO[str]:
    """A text file opened for writing, owner-only, truncated (`mode` "w" only)."""
    fd = _open(path)
    return os.fdopen(fd, mode, encoding="utf-8", newline="")


def write_private(path: Path, data: str | bytes) -> None:
    fd = _open(path)
    with os.fdopen(fd, "wb") as f:
        f.write(data.encode("utf-8") if isinstance(data, str) else data)


def cannot_write(path: Path, why: str, option: str = "--out") -> InputError:
    return InputError([Problem(option, f"cannot write {path}: {why}")])


def check_out(
    path: Path | None, option: str = "--out", *, make_folder: bool = False, beside: bool = False
) -> None:
    """Refuse a path that cannot be a file to write: a directory, one in a folder that does not
    exist (unless the command makes its folder), or one the system would not let this process
    write: an existing file it may not write, or a new one in a folder it may not write in
    (`beside`: the file is written next to it and renamed over it, so the folder must be
    writable even when the file exists). Checked with access(2) for the effective user, before
    any work: nothing is made, read or audited."""
    if path is None:
        return
    if path.is_dir():
        raise cannot_write(path, "it is a directory", option)
    folder = path.parent
    if not folder.is_dir():
        if not make_folder:
            raise cannot_write(path, f"there is no folder {folder}", option)
        # The folder is made: its nearest existing ancestor is where it must be made.
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent
        if not folder.is_dir():
            raise cannot_write(path, f"{folder} is not a folder", option)
    elif path.exists() and not beside:
        if not _may(path, os.W_OK):
            raise cannot_write(path, "this user may not write to it (permission denied)", option)
        return
    if not _may(folder, os.W_OK | os.X_OK):
        raise cannot_write(
            path, f"this user may not write in the folder {folder} (permission denied)", option
        )


def _may(path: Path, mode: int) -> bool:
    effective = os.access in os.supports_effective_ids
    return os.access(path, mode, effective_ids=effective)


def write_out(path: Path, data: str | bytes, option: str = "--out") -> None:
    """`write_private`, an error naming `option` if the system refuses."""
    try:
        write_private(path, data)
    except OSError as e:
        raise cannot_write(path, e.strerror or str(e), option) from None


@contextmanager
def writing(path: Path, option: str = "--out") -> Iterator[IO[str]]:
    """`open_private` for the block's writes, an error naming `option` if the system refuses
    to open, write or close (a full disk says so only then)."""
    try:
        with open_private(path) as f:
            yield f
    except OSError as e:
        raise cannot_write(path, e.strerror or str(e), option) from None


def make_folder(path: Path, option: str = "--out") -> None:
    """The folder a command writes its files in, made if missing."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise cannot_write(path, e.strerror or str(e), option) from None


def _open(path: Path) -> int:
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    # An existing file keeps its mode through os.open: narrow it. Only a regular file: `--out
    # /dev/null` (or a pipe) run as root must not make the device owner-only for everyone.
    if stat.S_ISREG(os.fstat(fd).st_mode):
        os.fchmod(fd, 0o600)
    return fd
