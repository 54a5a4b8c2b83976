import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from haven.packs import DEFAULT_PACK
from haven.policy.loader import load_pack
from haven.policy.pack import Pack

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


@pytest.fixture(autouse=True, scope="session")
def _key_file(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Case content is encrypted at rest: the tests use a key file of their own (inherited by
    the servers and commands they start). SQLite alone would default to one beside the
    database; PostgreSQL needs HAVEN_KEY_FILE (haven/store/keys.py)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("HAVEN_KEYS", raising=False)
        mp.setenv("HAVEN_KEY_FILE", str(tmp_path_factory.mktemp("keys") / "haven-keys.json"))
        yield


@pytest.fixture(scope="session")
def pack() -> Pack:
    return load_pack(DEFAULT_PACK)


@pytest.fixture(scope="session")
def shared() -> Path:
    if not (SHARED / "contract").is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"../shared is missing at {SHARED}: CI must have it")
        pytest.skip("../shared (the contract examples) is not next to this checkout")
    return SHARED
