"""`haven impact` streamed in batches gives the same result as the whole caseload at once.

The real CLI as a subprocess, on a generated caseload (in reversed order, so that input order
and id order differ), split into several batches; the reference is the in-memory columnar
path (haven.impact.frame.compare_frame) and, for JSONL, the single-case engine.
"""

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from haven.cases.synthetic import synthetic_caseload
from haven.impact import batch
from haven.impact.frame import compare_frame
from haven.policy.pack import Pack

HAVEN = [sys.executable, "-m", "haven"]
N = 1200
DATES = ("--from", "2015-06-01", "--to", "2015-10-01")
DAYS = (date(2015, 6, 1), date(2015, 10, 1))


OK = '{"id": "ok", "nationality": "RU", "procedure": {"lodged": "2015-01-02"}}\n'


def haven(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*HAVEN, *args], capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def caseload(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("stream")
    cases = list(reversed(synthetic_caseload(N, seed=7)))
    jsonl = d / "cases.jsonl"
    jsonl.write_text("".join(json.dumps(c) + "\n" for c in cases))
    parquet = d / "cases.parquet"
    pl.read_ndjson(jsonl, infer_schema_length=None).write_parquet(parquet)
    return {"jsonl": jsonl, "parquet": parquet}


def reference(path: Path, pack: Pack) -> str:
    """The impact of the whole file at once, as `haven impact --format json` printed it."""
    result = compare_frame(batch.read(path, pack), *DAYS, pack)
    return json.dumps(result.model_dump(mode="json", by_alias=True), indent=2) + "\n"


@pytest.mark.parametrize("kind", ["jsonl", "parquet"])
@pytest.mark.parametrize("size", [250, 1000])
def test_streamed_json_equals_the_whole_caseload_at_once(
    caseload: dict[str, Path], pack: Pack, kind: str, size: int
) -> None:
    path = caseload[kind]
    want = reference(path, pack)
    doc = json.loads(want)
    # The changed cases fall in more than one batch, so batch boundaries are crossed.
    lines = {c["id"]: i for i, c in enumerate(pl.read_ndjson(caseload["jsonl"]).to_dicts())}
    batches = {lines[c["case_id"]] // size for c in doc["changed"]}
    assert doc["cases"] == N and len(batches) >= 2, batches
    r = haven("impact", str(path), *DATES, "--batch-size", str(size))
    assert r.returncode == 0, r.stderr
    assert r.stdout == want


def test_streamed_jsonl_has_the_head_then_one_changed_case_a_line(
    caseload: dict[str, Path], pack: Pack, tmp_path: Path
) -> None:
    doc = json.loads(reference(caseload["parquet"], pack))
    out = tmp_path / "impact.jsonl"
    r = haven(
        "impact", str(caseload["parquet"]), *DATES, "--batch-size", "300", "--format", "jsonl",
        "--out", str(out),
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    head, *changes = [json.loads(line) for line in out.read_text().splitlines()]
    assert head == {k: v for k, v in doc.items() if k != "changed"}
    assert changes == doc["changed"] and len(changes) > 10


def test_streamed_output_equals_the_single_case_engine(caseload: dict[str, Path]) -> None:
    path = str(caseload["jsonl"])
    streamed = haven("impact", path, *DATES, "--batch-size", "500")
    single = haven("impact", path, *DATES, "--engine", "single")
    assert streamed.returncode == single.returncode == 0, streamed.stderr + single.stderr
    assert streamed.stdout == single.stdout
    streamed = haven("impact", path, *DATES, "--batch-size", "500", "--format", "jsonl")
    single = haven("impact", path, *DATES, "--engine", "single", "--format", "jsonl")
    assert streamed.stdout == single.stdout and streamed.stdout.count("\n") > 10


def test_an_invalid_case_in_a_later_batch_writes_nothing(
    caseload: dict[str, Path], tmp_path: Path
) -> None:
    rows = caseload["jsonl"].read_text().splitlines()
    bad = json.loads(rows[700])
    bad["procedure"]["lodged"] = "yesterday"
    rows[700] = json.dumps(bad)
    rows[900] = json.dumps({**json.loads(rows[900]), "id": json.loads(rows[5])["id"]})
    src = tmp_path / "bad.jsonl"
    src.write_text("\n".join(rows) + "\n")
    out = tmp_path / "impact.json"
    r = haven("impact", str(src), *DATES, "--batch-size", "250", "--out", str(out))
    assert r.returncode == 2
    assert "line 701: procedure.lodged" in r.stderr
    assert f"line 6: id: case id {json.loads(rows[5])['id']!r} appears more than once" in r.stderr
    assert not out.exists() and "Traceback" not in r.stderr


def test_batch_size_must_be_positive(caseload: dict[str, Path]) -> None:
    r = haven("impact", str(caseload["jsonl"]), *DATES, "--batch-size", "0")
    assert r.returncode == 2 and "--batch-size" in r.stderr


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("no fields at all", "{}\n{}\n{}\n"),
        ("empty procedure", OK + '{"id": "a", "nationality": "RU", "procedure": {}}\n'),
        (
            "bad lodged date",
            OK + '{"id": "b", "nationality": "RU", "procedure": {"lodged": "2015-13-01"}}\n',
        ),
        ("empty file", ""),
        ("blank lines only", "\n  \n\n"),
        (
            "blank lines between cases",
            '\n{"id": "c", "nationality": "RU", "procedure": {"lodged": "2015-01-02"}}\n\n'
            '{"id": "d", "nationality": "IR", "procedure": {"lodged": "2015-01-02"}}\n',
        ),
    ],
)
def test_odd_files_get_the_single_case_engines_answer(tmp_path: Path, name: str, text: str) -> None:
    """Found while speeding up the reader: a file of `{}` lines was read as one case, an empty
    file gave Polars' own message, a missing id counted as a repeated one."""
    path = tmp_path / "odd.jsonl"
    path.write_text(text)
    columnar = haven("impact", str(path), *DATES, "--format", "json")
    single = haven("impact", str(path), *DATES, "--format", "json", "--engine", "single")
    assert (columnar.returncode, columnar.stdout, columnar.stderr) == (
        single.returncode,
        single.stdout,
        single.stderr,
    ), name
    assert "Traceback" not in columnar.stderr


def test_case_ids_are_checked_as_the_case_model_checks_them(tmp_path: Path) -> None:
    """A 201-character id passed the columnar reader but not the case model; an id with NUL
    (which PostgreSQL cannot store) is refused by both; other control characters pass both."""
    cases = [
        {"id": "x" * 200, "nationality": "RU", "procedure": {"lodged": "2015-01-02"}},
        {"id": "y" * 201, "nationality": "RU", "procedure": {"lodged": "2015-01-02"}},
        {"id": "a\tb\x1b", "nationality": "RU", "procedure": {"lodged": "2015-01-02"}},
        {"id": "c\x00d", "nationality": "RU", "procedure": {"lodged": "2015-01-02"}},
    ]
    path = tmp_path / "ids.jsonl"
    path.write_text("".join(json.dumps(c) + "\n" for c in cases))
    columnar = haven("impact", str(path), *DATES)
    single = haven("impact", str(path), *DATES, "--engine", "single")
    assert columnar.returncode == single.returncode == 2
    assert columnar.stderr == single.stderr
    assert "line 2: id: must be at most 200 characters long" in columnar.stderr
    assert "line 4: id: must not contain the NUL character" in columnar.stderr
    assert "line 1:" not in columnar.stderr and "line 3:" not in columnar.stderr
