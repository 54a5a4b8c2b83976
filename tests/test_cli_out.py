"""Every CLI command that writes a file, as the real CLI: a path it cannot write is an input
error naming the option (`--out: cannot write …`, exit 2), not an internal error; checked
before any work where it can be. The store's commands: tests/store/test_cli_out_store.py."""

import subprocess
import sys
from pathlib import Path

import pytest

HAVEN = [sys.executable, "-m", "haven"]
IMPACT = ["impact", "--from", "2015-06-01", "--to", "2015-10-01"]


def haven(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*HAVEN, *args], capture_output=True, text=True, timeout=120, cwd=cwd, check=False
    )


def refused(r: subprocess.CompletedProcess[str], where: Path, option: str = "--out") -> None:
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert f"{option}: cannot write {where}" in r.stderr, r.stderr
    assert "internal error" not in r.stderr and "Traceback" not in r.stderr


@pytest.fixture(scope="module")
def caseload(tmp_path_factory: pytest.TempPathFactory) -> Path:
    file = tmp_path_factory.mktemp("caseload") / "caseload.jsonl"
    assert haven("generate", "--n", "20", "--seed", "3", "--out", str(file)).returncode == 0
    return file


@pytest.mark.parametrize("fmt", ["json", "jsonl", "html", "table"])
def test_impact_to_a_missing_folder_or_a_directory(
    caseload: Path, tmp_path: Path, fmt: str
) -> None:
    for where in (tmp_path / "nowhere" / "x.out", tmp_path):
        r = haven(*IMPACT, str(caseload), "--format", fmt, "--out", str(where))
        refused(r, where)
    # The single engine (a JSON array) too.
    array = tmp_path / "cases.json"
    array.write_text("[" + ",".join(caseload.read_text().splitlines()) + "]")
    r = haven(*IMPACT, str(array), "--format", fmt, "--out", str(tmp_path))
    refused(r, tmp_path)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
@pytest.mark.parametrize("fmt", ["json", "jsonl", "html", "table"])
def test_impact_to_a_full_disk(caseload: Path, fmt: str) -> None:
    r = haven(*IMPACT, str(caseload), "--format", fmt, "--out", "/dev/full")
    refused(r, Path("/dev/full"))
    assert "No space left on device" in r.stderr


def test_the_impact_table_goes_to_the_file(caseload: Path, tmp_path: Path) -> None:
    """--format table --out F wrote nothing to F (the table went to the screen)."""
    out = tmp_path / "impact.txt"
    r = haven(*IMPACT, str(caseload), "--format", "table", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert "Transitions 2015-06-01 → 2015-10-01 (20 cases)" in out.read_text(encoding="utf-8")
    assert "Transitions" not in r.stdout and f"wrote {out}" in r.stdout


def test_generate_memo_and_demo(tmp_path: Path, shared: Path) -> None:
    where = tmp_path / "nowhere" / "g.jsonl"
    refused(haven("generate", "--n", "2", "--out", str(where)), where)
    refused(haven("generate", "--n", "2", "--out", str(tmp_path)), tmp_path)
    example = shared / "contract" / "examples" / "ru-moscow-2015.json"
    memo = ["memo", str(example), "--as-of", "2015-10-01", "--lang", "nl"]
    where = tmp_path / "nowhere" / "m.pdf"
    refused(haven(*memo, "--out", str(where)), where)
    refused(haven(*memo, "--out", str(tmp_path)), tmp_path)
    # The demo makes its folder; one inside a file cannot be made.
    blocker = tmp_path / "file"
    blocker.write_text("")
    where = blocker / "demo"
    refused(haven("demo", "--no-serve", "--out", str(where), cwd=tmp_path), where)
