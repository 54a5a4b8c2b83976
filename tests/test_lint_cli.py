"""`haven lint` and `haven lint-eval`, run as subprocesses."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

HAVEN = [sys.executable, "-m", "haven"]
DRAFT = (
    "Besluit\r\n\r\n"
    "Betrokkene heeft verklaard dat hij in november 2014 door buren is bedreigd. "
    "Hij heeft van de bedreigingen geen aangifte gedaan bij de politie.\n"
    "Voorts kan betrokkene zich in Sint-Petersburg vestigen, waar hij niet bekend is.\n\n"
    "The applicant stated: “I could never live discreetly in Moscow.” "
    "The applicant cannot be expected to hide his orientation.\n"
)


def haven(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([*HAVEN, *args], input=stdin, capture_output=True, timeout=120)


@pytest.fixture(scope="module")
def example(shared: Path) -> Path:
    return shared / "contract" / "examples" / "ru-moscow-2015.json"


@pytest.fixture
def draft(tmp_path: Path) -> Path:
    path = tmp_path / "draft.txt"
    path.write_bytes(("\ufeff" + DRAFT).encode("utf-8"))  # a BOM and CRLF: offsets still hold
    return path


def flags(r: subprocess.CompletedProcess[bytes]) -> list[dict[str, object]]:
    assert r.returncode == 0, r.stderr.decode()
    doc = json.loads(r.stdout)
    assert doc["case_id"] == "EX-RU-1" and doc["notice"]
    found: list[dict[str, object]] = doc["flags"]
    return found


def test_json_flags_index_the_file(example: Path, draft: Path) -> None:
    r = haven("lint", str(draft), "--case", str(example), "--as-of", "2015-10-01")
    found = flags(r)
    assert [f["code"] for f in found] == ["protection_seeking_waived", "ipa_excluded_by_policy"]
    text = draft.read_bytes().decode("utf-8")
    for f in found:
        assert isinstance(f["start"], int) and isinstance(f["end"], int)
        assert text[f["start"] : f["end"]] == f["text"]
        assert f["message"] and f["sources"] and f["explanation"]
        assert set(f) >= {"code", "start", "end", "text", "message", "sources"}
    assert str(found[0]["text"]).startswith("Hij heeft van de bedreigingen geen aangifte")
    assert "kst-19637-2029" in found[1]["sources"]  # type: ignore[operator]


def test_the_same_text_before_the_2015_letter(example: Path, draft: Path) -> None:
    r = haven("lint", str(draft), "--case", str(example), "--as-of", "2015-06-01")
    assert [f["code"] for f in flags(r)] == ["protection_seeking_waived"]


def test_stdin_and_table(example: Path) -> None:
    r = haven(
        "lint",
        "-",
        "--case",
        str(example),
        "--as-of",
        "2015-10-01",
        "--format",
        "table",
        stdin=DRAFT.encode("utf-8"),
    )
    assert r.returncode == 0, r.stderr.decode()
    out = r.stdout.decode()
    assert "ipa_excluded_by_policy" in out and "kst-19637-2029" in out


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--as-of", "01-10-2015"], "--as-of"),
        (["--format", "html"], "--format"),
    ],
)
def test_bad_options_exit_2_naming_them(
    example: Path, draft: Path, args: list[str], field: str
) -> None:
    r = haven("lint", str(draft), "--case", str(example), *args)
    assert r.returncode == 2
    assert field in r.stderr.decode()
    assert "Traceback" not in r.stderr.decode()


def test_bad_case_file_exits_2_naming_the_field(example: Path, tmp_path: Path, draft: Path) -> None:
    case = json.loads(example.read_text(encoding="utf-8"))
    case["incidents"][0]["kind"] = "punch"
    bad = tmp_path / "case.json"
    bad.write_text(json.dumps(case))
    r = haven("lint", str(draft), "--case", str(bad), "--as-of", "2015-10-01")
    assert r.returncode == 2
    err = r.stderr.decode()
    assert "--case: incidents[0].kind" in err and "Traceback" not in err
    r = haven("lint", str(draft), "--case", str(tmp_path / "missing.json"))
    assert r.returncode == 2 and "no such file" in r.stderr.decode()


def test_non_utf8_text_exits_2(example: Path, tmp_path: Path) -> None:
    latin = tmp_path / "latin1.txt"
    latin.write_bytes("Betrokkene kan zich elders vestigen, café".encode("latin-1"))
    r = haven("lint", str(latin), "--case", str(example), "--as-of", "2015-10-01")
    assert r.returncode == 2
    err = r.stderr.decode()
    assert "FILE" in err and "not UTF-8" in err
    r = haven("lint", str(tmp_path / "nope.txt"), "--case", str(example))
    assert r.returncode == 2 and "FILE" in r.stderr.decode()


def test_lint_eval_reports_both_splits() -> None:
    r = haven("lint-eval", "--format", "json", "--check")
    assert r.returncode == 0, r.stderr.decode()
    doc = json.loads(r.stdout)
    assert doc["items"] >= 120 and doc["targets"]["met"] is True
    assert set(doc["splits"]) == {"all", "dev", "heldout"}
    codes = {c["code"] for c in doc["splits"]["heldout"]["codes"]}
    assert len(codes) == 9
    r = haven("lint-eval", "--errors")
    assert r.returncode == 0 and "heldout" in r.stdout.decode()


def test_lint_eval_bad_corpus_exits_2(tmp_path: Path) -> None:
    (tmp_path / "contexts.yaml").write_text("contexts: {}\n")
    (tmp_path / "items.yaml").write_text(
        "items:\n- {id: x, lang: fr, case: nope, as_of: 2015-01-01, expect: [], split: dev, "
        "text: hi}\n"
    )
    r = haven("lint-eval", str(tmp_path))
    assert r.returncode == 2
    err = r.stderr.decode()
    assert "items[0].lang" in err
    r = haven("lint-eval", str(tmp_path / "absent"))
    assert r.returncode == 2 and "CORPUS" in r.stderr.decode()
