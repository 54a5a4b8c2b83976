"""Organisation keys: kept in a key file or the HAVEN_KEYS variable, never in the database.

Format (JSON), each organisation's keys newest first; the first one wraps new data keys, the
others stay readable until a rotation has re-wrapped everything under the new one:

    {"format": 1, "orgs": {"acme": [{"id": "k20261125-3f9a1c2b", "key": "<base64, 32 bytes>",
                                     "created": "2026-11-25T00:12:00Z"}]}}

Where the keys are: HAVEN_KEYS (the document itself; read-only), else HAVEN_KEY_FILE, else for
a SQLite database the file beside it (`haven.db` -> `haven.db.keys.json`). Other databases need
one of the two variables. Writers (new keys, rotation, shredding) take an exclusive lock on
`<file>.lock` and replace the file atomically, so several processes can share it; readers notice
a replaced file by its stat and reload it.
"""

import fcntl
import json
import os
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from haven.errors import HavenError
from haven.store.crypto import KEY_BYTES, CryptoError, b64, new_key, unb64

ENV_KEYS = "HAVEN_KEYS"
ENV_FILE = "HAVEN_KEY_FILE"
FORMAT = 1


class KeyConfigError(HavenError):
    """No usable key source: names the variable or file and what is wrong with it."""


class KeyMissing(CryptoError):
    """Content sealed under a key that is not configured (retired, shredded or elsewhere)."""


@dataclass(frozen=True)
class OrgKey:
    kid: str
    key: bytes
    created: str


def default_key_file(db_url: str) -> Path | None:
    """HAVEN_KEY_FILE, else the file beside a SQLite database, else None."""
    if os.environ.get(ENV_FILE):
        return Path(os.environ[ENV_FILE])
    if db_url.startswith("sqlite") and ":///" in db_url:
        path = db_url.split(":///", 1)[1].split("?", 1)[0]
        if path and path != ":memory:":
            return Path(path).with_name(Path(path).name + ".keys.json")
    return None


def _parse(text: str, where: str) -> dict[str, list[OrgKey]]:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise KeyConfigError(f"{where}: not valid JSON (line {e.lineno}: {e.msg})") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise KeyConfigError(f'{where}: format: expected {{"format": {FORMAT}, "orgs": {{...}}}}')
    orgs = doc.get("orgs")
    if not isinstance(orgs, dict):
        raise KeyConfigError(f"{where}: orgs: expected an object of organisation slugs")
    found: dict[str, list[OrgKey]] = {}
    for slug, entries in orgs.items():
        if not isinstance(entries, list):
            raise KeyConfigError(f"{where}: orgs.{slug}: expected a list of keys")
        keys = []
        for i, item in enumerate(entries):
            at = f"{where}: orgs.{slug}[{i}]"
            if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not item["id"]:
                raise KeyConfigError(f"{at}.id: missing")
            try:
                raw = unb64(str(item.get("key", "")), f"{at}.key")
            except CryptoError as bad:
                raise KeyConfigError(str(bad)) from None
            if len(raw) != KEY_BYTES:
                raise KeyConfigError(f"{at}.key: expected {KEY_BYTES} bytes, got {len(raw)}")
            keys.append(OrgKey(item["id"], raw, str(item.get("created", ""))))
        found[slug] = keys
    return found


def dump(orgs: dict[str, list[OrgKey]]) -> str:
    doc = {
        "format": FORMAT,
        "orgs": {
            slug: [{"id": k.kid, "key": b64(k.key), "created": k.created} for k in keys]
            for slug, keys in sorted(orgs.items())
        },
    }
    return json.dumps(doc, indent=2) + "\n"


def new_org_key() -> OrgKey:
    t = datetime.now(UTC)
    return OrgKey(
        f"k{t:%Y%m%d}-{secrets.token_hex(4)}", new_key(), t.strftime("%Y-%m-%dT%H:%M:%SZ")
    )


class KeyRing:
    """The organisation keys of one source, reloaded when the file changes."""

    def __init__(self, path: Path | None, env_text: str | None = None) -> None:
        self.path = path
        self._env = env_text
        self._orgs: dict[str, list[OrgKey]] = {}
        self._seen: tuple[int, int, int] | None = None
        self._lock = threading.Lock()
        if env_text is not None:
            self._orgs = _parse(env_text, ENV_KEYS)

    @property
    def where(self) -> str:
        if self._env is not None:
            return ENV_KEYS
        return f"key file {self.path}" if self.path else "no key source"

    @property
    def writable(self) -> bool:
        return self._env is None and self.path is not None

    def _refresh(self) -> None:
        if self._env is not None:
            return
        if self.path is None:
            raise KeyConfigError(
                f"no encryption keys configured: set {ENV_FILE} (a key file, see "
                f"`haven keys generate`) or {ENV_KEYS}"
            )
        try:
            st = self.path.stat()
        except FileNotFoundError:
            self._orgs, self._seen = {}, None
            return
        seen = (st.st_ino, st.st_mtime_ns, st.st_size)
        if seen == self._seen:
            return
        if st.st_mode & 0o077:
            raise KeyConfigError(
                f"key file {self.path} is accessible to other users "
                f"(mode {st.st_mode & 0o777:o}): chmod 600 it"
            )
        self._orgs = _parse(self.path.read_text(encoding="utf-8"), f"key file {self.path}")
        self._seen = seen

    def keys(self, org: str) -> list[OrgKey]:
        with self._lock:
            self._refresh()
            return list(self._orgs.get(org, []))

    def orgs(self) -> list[str]:
        with self._lock:
            self._refresh()
            return sorted(self._orgs)

    def find(self, org: str, kid: str) -> OrgKey:
        for k in self.keys(org):
            if k.kid == kid:
                return k
        # No file path here: the message may reach API clients.
        raise KeyMissing(
            f"key {kid!r} of organisation {org!r} is not configured (retired by a rotation, "
            f"crypto-shredded, or another {ENV_FILE}/{ENV_KEYS}): the content it protects "
            "cannot be read"
        )

    def primary(self, org: str, *, create: bool = False) -> OrgKey:
        """The newest key of `org`; with `create`, a first key is generated if it has none."""
        keys = self.keys(org)
        if keys:
            return keys[0]
        if create and self.writable:
            return self.add(org, only_if_none=True)
        how = f"haven keys generate --org {org}"
        if not self.writable:
            how += f" --stdout, then put it in {ENV_KEYS}"
        raise KeyMissing(f"organisation {org!r} has no encryption key: add one ({how})")

    def add(self, org: str, *, only_if_none: bool = False) -> OrgKey:
        """A new newest key for `org` (under the file lock, so two processes cannot race)."""
        with self._edit() as orgs:
            current = orgs.setdefault(org, [])
            if only_if_none and current:
                return current[0]
            key = new_org_key()
            current.insert(0, key)
            return key

    def remove(self, org: str, kids: set[str] | None = None) -> list[str]:
        """Destroy `kids` of `org` (all of them if None); returns the ids removed."""
        with self._edit() as orgs:
            current = orgs.get(org, [])
            gone = [k.kid for k in current if kids is None or k.kid in kids]
            orgs[org] = [k for k in current if k.kid not in gone]
            if not orgs[org]:
                del orgs[org]
            return gone

    @contextmanager
    def _edit(self) -> Iterator[dict[str, list[OrgKey]]]:
        if self._env is not None:
            raise KeyConfigError(f"keys from {ENV_KEYS} are read-only here: use {ENV_FILE}")
        if self.path is None:
            raise KeyConfigError(f"no key file configured: set {ENV_FILE}")
        path = self.path
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = os.open(f"{path}.lock", os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)
            with self._lock:
                self._seen = None  # re-read under the lock: another process may have written
                self._refresh()
                orgs = {slug: list(keys) for slug, keys in self._orgs.items()}
                yield orgs
                _write_private(path, dump(orgs))
                self._seen = None
        finally:
            os.close(lock)  # releases the lock


def _write_private(path: Path, text: str) -> None:
    """Owner-only, atomic: a reader sees the old file or the new one, never half of one."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
    try:
        os.write(fd, text.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    tmp.replace(path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


_rings: dict[tuple[str | None, str | None], KeyRing] = {}
_rings_lock = threading.Lock()


def ring_for(db_url: str) -> KeyRing:
    """The key ring serving a database: one per key source and process."""
    env_text = os.environ.get(ENV_KEYS) or None
    path = None if env_text else default_key_file(db_url)
    source = (env_text, str(path.resolve()) if path else None)
    with _rings_lock:
        if source not in _rings:
            _rings[source] = KeyRing(path.resolve() if path else None, env_text)
        return _rings[source]
