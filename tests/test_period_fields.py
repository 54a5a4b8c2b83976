"""A date the pack cannot assess, or a period backwards, is named by the option the user typed
(`--from`, `--to`, `--on`, `--as-of`), not by the engine's `as_of`; the real CLI, exit 2, for
every command that takes such a date (haven/impact/period.py, one check)."""

import subprocess
import sys
from pathlib import Path

import pytest

HAVEN = [sys.executable, "-m", "haven"]
EARLY = "1990-01-01"  # before the Dutch pack's first day with a legal basis for every step


def haven(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*HAVEN, *args], capture_output=True, text=True, timeout=120, check=False)


def named(r: subprocess.CompletedProcess[str]) -> dict[str, str]:
    """The problems printed, by the option they name."""
    assert r.returncode == 2, (r.returncode, r.stdout[:300], r.stderr)
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr
    lines = [line.strip() for line in r.stderr.splitlines() if line.startswith("  ")]
    return dict(line.split(": ", 1) for line in lines)


@pytest.fixture
def caseload(shared: Path) -> str:
    return str(shared / "contract" / "examples" / "caseload-small.jsonl")


@pytest.fixture
def one_case(shared: Path) -> str:
    return str(shared / "contract" / "examples" / "ru-moscow-2015.json")


@pytest.mark.parametrize("command", [["impact"], ["queue", "preview"]])
def test_a_period_names_the_option_of_the_date_at_fault(command: list[str], caseload: str) -> None:
    found = named(haven(*command, caseload, "--from", EARLY, "--to", "2016-01-01"))
    assert list(found) == ["--from"] and "legal basis for every step" in found["--from"]
    found = named(haven(*command, caseload, "--from", "2016-01-01", "--to", EARLY))
    assert list(found) == ["--to"] and found["--to"].startswith(f"{EARLY} is before 2004-")
    # Backwards: a slip, refused as the web app refuses it, on the second date.
    found = named(haven(*command, caseload, "--from", "2016-01-01", "--to", "2015-01-01"))
    assert found == {
        "--to": "2015-01-01 is before --from 2016-01-01: the second date must be on or after "
        "the first"
    }


def test_the_same_date_twice_is_a_period(caseload: str) -> None:
    r = haven("impact", caseload, "--from", "2016-01-01", "--to", "2016-01-01")
    assert r.returncode == 0, r.stderr
    r = haven("impact", caseload, "--on", "2016-01-01", "--to-pack", "euaa")
    assert r.returncode == 0, r.stderr


def test_one_date_for_both_sides_is_named_once(caseload: str) -> None:
    found = named(haven("impact", caseload, "--on", EARLY, "--to-pack", "euaa"))
    assert "--on" in found and "as_of" not in found


@pytest.mark.parametrize("command", ["assess", "lint"])
def test_as_of_names_its_option(command: str, one_case: str, tmp_path: Path) -> None:
    args = [one_case] if command == "assess" else [str(_draft(tmp_path)), "--case", one_case]
    found = named(haven(command, *args, "--as-of", EARLY))
    assert list(found) == ["--as-of"] and "legal basis" in found["--as-of"]


def test_the_memo_names_as_of(one_case: str, tmp_path: Path) -> None:
    found = named(haven("memo", one_case, "--as-of", EARLY, "--out", str(tmp_path / "m.html")))
    assert list(found) == ["--as-of"]
    assert not (tmp_path / "m.html").exists()


def _draft(tmp_path: Path) -> Path:
    path = tmp_path / "draft.txt"
    path.write_text("The applicant can relocate to St Petersburg.\n")
    return path
