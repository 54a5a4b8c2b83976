import os
import sys
from pathlib import Path

import pytest

from haven.policy.loader import load_pack
from haven.policy.pack import Pack

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(scope="session")
def pack() -> Pack:
    return load_pack("nl")


@pytest.fixture(scope="session")
def shared() -> Path:
    if not (SHARED / "contract").is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"../shared is missing at {SHARED}: CI must have it")
        pytest.skip("../shared (the contract examples) is not next to this checkout")
    return SHARED
