"""The real CLI on a caseload file with a case the pack cannot assess: the problem is named by
the case's line or item and its field path (`line 3: profile.tags[0]`, `[2]: …`), as the case
model's problems are, for every command that reads cases from a file. A region of another
country than the nationality is refused as the store refuses it (haven.assess.admit)."""

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

HAVEN = [sys.executable, "-m", "haven"]
DATES = ["--from", "2015-06-01", "--to", "2015-10-01"]


def haven(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*HAVEN, *args], capture_output=True, text=True, timeout=120, check=False)


def refused(r: subprocess.CompletedProcess[str], where: str) -> None:
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert "internal error" not in r.stderr and "Traceback" not in r.stderr
    named = [line.strip() for line in r.stderr.splitlines() if line.startswith("  ")]
    assert any(line.startswith(f"{where}: ") for line in named), r.stderr


@pytest.fixture
def files(shared: Path, tmp_path: Path) -> dict[str, Path]:
    """Three cases, the third with `change` applied: as JSON Lines, a JSON array and alone."""

    def write(change: dict[str, Any], name: str) -> dict[str, Path]:
        example = json.loads((shared / "contract" / "examples" / "ru-moscow-2015.json").read_text())
        cases = [{**example, "id": f"C-{i}"} for i in range(3)]
        cases[2] = {**cases[2], **change}
        out = {
            "jsonl": tmp_path / f"{name}.jsonl",
            "array": tmp_path / f"{name}.json",
            "single": tmp_path / f"{name}-one.json",
        }
        out["jsonl"].write_text("".join(json.dumps(c) + "\n" for c in cases))
        out["array"].write_text(json.dumps(cases))
        out["single"].write_text(json.dumps(cases[2]))
        return out

    example = json.loads((shared / "contract" / "examples" / "ru-moscow-2015.json").read_text())
    profile = {**example["profile"], "tags": ["nonexistent"]}
    return {
        **{f"tag-{k}": v for k, v in write({"profile": profile}, "tag").items()},
        **{f"region-{k}": v for k, v in write({"region": "IR-01"}, "region").items()},
    }


def test_an_unknown_tag_is_named_by_line_or_item(files: dict[str, Path], tmp_path: Path) -> None:
    jsonl, array, single = files["tag-jsonl"], files["tag-array"], files["tag-single"]
    field = "profile.tags[0]"
    refused(haven("assess", str(jsonl), "--as-of", "2015-10-01"), f"line 3: {field}")
    refused(haven("assess", str(array), "--as-of", "2015-10-01"), f"[2]: {field}")
    refused(haven("assess", str(single), "--as-of", "2015-10-01"), field)
    # impact: the explaining engine (an array) and the columnar one (JSON Lines) alike.
    refused(haven("impact", str(array), *DATES), f"[2]: {field}")
    refused(haven("impact", str(jsonl), *DATES), f"line 3: {field}")
    refused(haven("queue", "preview", str(array), *DATES), f"[2]: {field}")
    memo = tmp_path / "m.html"
    refused(haven("memo", str(single), "--as-of", "2015-10-01", "--out", str(memo)), field)
    assert not memo.exists()
    text = tmp_path / "draft.txt"
    text.write_text("He can relocate to St Petersburg.")
    refused(haven("lint", str(text), "--case", str(single)), f"--case: {field}")


def test_a_region_of_another_country_is_refused(files: dict[str, Path], tmp_path: Path) -> None:
    jsonl, array, single = files["region-jsonl"], files["region-array"], files["region-single"]
    said = "region: 'IR-01' is a region of IR, not of the nationality RU"
    r = haven("assess", str(jsonl), "--as-of", "2015-10-01")
    refused(r, "line 3: region")
    assert f"line 3: {said}" in r.stderr
    refused(haven("assess", str(array), "--as-of", "2015-10-01"), "[2]: region")
    refused(haven("assess", str(single)), "region")
    refused(haven("impact", str(array), *DATES), "[2]: region")
    for engine in ("columnar", "single"):
        refused(haven("impact", str(jsonl), *DATES, "--engine", engine), "line 3: region")
    on = ["--from-pack", "nl", "--to-pack", "euaa", "--on", "2025-01-01"]
    r = haven("impact", str(jsonl), *on)
    refused(r, "line 3: region")
    assert r.stderr.count("line 3: region") == 1
    refused(haven("queue", "preview", str(jsonl), *DATES), "line 3: region")
    text = tmp_path / "draft.txt"
    text.write_text("He can relocate to St Petersburg.")
    refused(haven("lint", str(text), "--case", str(single)), "--case: region")
    # A region of its own country is assessed.
    own = json.loads(single.read_text()) | {"region": "RU-SPE"}
    (tmp_path / "own.json").write_text(json.dumps(own))
    assert haven("assess", str(tmp_path / "own.json")).returncode == 0
