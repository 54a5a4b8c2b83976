"""Browser tests: a real `haven serve` process on the demo database, driven by Playwright in
Debian's Chromium (installed by .ci/run; Playwright's own browser download is never used).

Without Chromium, Playwright or axe-core these tests skip with a notice, except under CI=true,
where they fail: CI must run them. Screenshots go to test-artifacts/browser/.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
AXE = Path(__file__).resolve().parent / "node" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("HAVEN_CHROMIUM", "/usr/bin/chromium")
# Flags that work headless in a container and keep Chromium off the network.
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _missing(what: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what}: CI must run the browser tests (.ci/run installs it)")
    pytest.skip(f"{what} — browser tests skipped")


@dataclass
class Demo:
    url: str
    passwords: dict[str, str]
    db: Path  # the demo's SQLite file (another server may serve it too)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    out = tmp_path_factory.mktemp("demo")
    haven = [sys.executable, "-m", "haven"]
    subprocess.run(
        [*haven, "demo", "--no-serve", "--out", str(out)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    passwords = {}
    for line in (out / "demo-users.txt").read_text().splitlines():
        if not line.startswith("#"):
            name, _role, password = line.split("\t")
            passwords[name] = password
    with haven_serve(out / "demo.db") as url:
        yield Demo(url, passwords, out / "demo.db")


@contextmanager
def haven_serve(db: Path, **env: str) -> Iterator[str]:
    """`haven serve` on the SQLite database `db` (with extra environment), until the block
    ends: its base URL once it answers."""
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "haven", "serve", "--port", str(port)],
        env={**os.environ, "HAVEN_DATABASE_URL": f"sqlite:///{db}", **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{url}/login", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            raise RuntimeError("haven serve did not start")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("Playwright is not installed")
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        _missing(f"Chromium not found at {CHROMIUM}")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.is_file():
        _missing(f"axe-core not installed at {AXE} (npm ci --prefix tests/web/node)")
    return AXE.read_text(encoding="utf-8")
