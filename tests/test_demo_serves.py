"""`make demo` is the README's first command: `haven demo` must end by serving the web app, and
the case officer it names must be able to sign in. (From issue 17 to be42c94 it stopped with
`--log-format: <OptionInfo>` before serving, and every other test ran `--no-serve`.)"""

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_demo_serves_the_web_app_and_olga_signs_in(tmp_path: Path) -> None:
    port = _free_port()
    out = tmp_path / "out"
    env = {k: v for k, v in os.environ.items() if k != "HAVEN_DATABASE_URL"}
    env["HAVEN_INSECURE_COOKIES"] = "1"  # plain HTTP on loopback: httpx keeps the cookie
    log = tmp_path / "demo.log"
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "haven", "demo", "--out", str(out), "--port", str(port)],
            cwd=tmp_path,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as c:
                deadline = time.monotonic() + 240
                while True:
                    if proc.poll() is not None:
                        pytest.fail(f"haven demo exited ({proc.returncode}):\n{log.read_text()}")
                    try:
                        login = c.get("/login")
                        break
                    except httpx.HTTPError:
                        if time.monotonic() > deadline:
                            pytest.fail(f"haven demo never served:\n{log.read_text()}")
                        time.sleep(0.25)
                assert login.status_code == 200
                users = (out / "demo-users.txt").read_text().splitlines()
                olga = next(u.split("\t")[2] for u in users if u.startswith("olga\t"))
                csrf = re.search(r'name="csrf" value="([^"]+)"', login.text)
                assert csrf, login.text[:500]
                home = c.post(
                    "/login",
                    data={"csrf": csrf.group(1), "username": "olga", "password": olga},
                    follow_redirects=True,
                )
                # Olga starts on the caseload, which holds the tour's core case.
                assert home.status_code == 200 and "/cases" in str(home.url)
                assert "RU-" in home.text, home.text[:1000]
        finally:
            proc.terminate()
            proc.wait(timeout=20)
    assert f"Open http://127.0.0.1:{port} and sign in as olga" in log.read_text()
