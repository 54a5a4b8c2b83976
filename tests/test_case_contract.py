"""One case contract: every path that reads a case file accepts and refuses the same inputs
with the same messages (issue 18). The paths: the case model on JSON text (haven.cases.readers:
the explaining engine, `haven cases import`), the columnar reader (haven.impact.batch) and the
streamed one (haven.impact.stream, pyarrow or Polars) on JSON Lines, both on Parquet, and CSV
(haven.cases.tabular, named by line and column)."""

import copy
import json
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from haven.assess.admit import assessable_problems
from haven.cases import Case, arrow_jsonl
from haven.cases.caseload import read_caseload
from haven.cases.readers import parse_caseload
from haven.cases.schema import TOP
from haven.cases.tabular import FIELDS, JSON_COLUMNS, LIST_COLUMNS
from haven.errors import CaseError, Problem
from haven.impact import batch
from haven.impact.stream import ImpactStream
from haven.packs import DEFAULT_PACK
from haven.policy.loader import load_pack

PACK = load_pack(DEFAULT_PACK)
EXAMPLE = Path(__file__).resolve().parent.parent.parent / "shared" / "contract" / "examples"
BASE: dict[str, Any] = {
    "id": "C-1",
    "nationality": "RU",
    "region": "RU-MOW",
    "profile": {"sogi": ["gay"], "tags": [], "sex": "male", "birth_date": "1990-02-03"},
    "credibility": {"identity": "credible", "nationality": "credible"},
    "incidents": [{"date": "2015-01-02", "kind": "threat", "actor": "state"}],
    "procedure": {"lodged": "2015-03-01", "status": "refused", "decided": "2015-06-01",
                  "reasons": ["internal_relocation"]},
}  # fmt: skip


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(case: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        doc = case
        for p in parents:
            doc = doc[p]
        doc[last] = value

    return change


CHANGES: dict[str, Callable[[dict[str, Any]], None]] = {
    "valid": lambda case: None,
    "sogi listed twice": _set("profile.sogi", ["gay", "gay"]),
    "tag listed twice": _set("profile.tags", ["political_critic", "political_critic"]),
    "reason listed twice": _set("procedure.reasons", ["late_disclosure", "late_disclosure"]),
    "decided before lodged": _set("procedure.decided", "2015-02-01"),
    "201-character id": _set("id", "x" * 201),
    "200-character id": _set("id", "x" * 200),
    "NUL in the id": _set("id", "a\x00b"),
    "no such sex": _set("profile.sex", "unknown"),
    "no such country": _set("nationality", "QQ"),
    "lower-case country": _set("nationality", "ru"),
    "lower-case region": _set("region", "ru-mow"),
    "no such region": _set("region", "RU-XXX"),
    "bad birth date": _set("profile.birth_date", "1990-02-30"),
    "bad lodged date": _set("procedure.lodged", "2015-3-1"),
    "no such status": _set("procedure.status", "lost"),
    # null is an absent field, in every reader (Parquet cannot tell them apart)
    "sogi null": _set("profile.sogi", None),
    "tags null": _set("profile.tags", None),
    "profile null": _set("profile", None),
    "credibility finding null": _set("credibility.identity", None),
    "incidents null": _set("incidents", None),
    "status null": _set("procedure.status", None),
    "reasons null": _set("procedure.reasons", None),
    "id null": _set("id", None),
    "nationality null": _set("nationality", None),
    "procedure null": _set("procedure", None),
    "lodged null": _set("procedure.lodged", None),
    "incident kind null": _set("incidents", [{"actor": "state", "kind": None}]),
    "no incident kind": _set("incidents", [{"actor": "state"}]),
    "no procedure": lambda case: case.pop("procedure"),
    "empty procedure": _set("procedure", {}),
    "no id": lambda case: case.pop("id"),
    # values of lists and of incidents, named by their index
    "no such sogi": _set("profile.sogi", ["gay", "straight"]),
    "no such reason": _set("procedure.reasons", ["late_disclosure", "bad_faith"]),
    "empty tag": _set("profile.tags", [""]),
    "second incident bad": _set(
        "incidents",
        [{"kind": "threat", "actor": "state"}, {"kind": "hug", "actor": "alien", "date": "x"}],
    ),
    "incident finding": _set("incidents", [{"kind": "threat", "actor": "state",
                                            "credibility": "maybe"}]),
    "empty id": _set("id", ""),
    "a time, not a date": _set("procedure.lodged", "2015-03-01T00:00:00"),
}  # fmt: skip
# What CSV cannot say as JSON does: an empty cell is an absent value, and a row always has a
# procedure (its lodged column).
NOT_IN_CSV = {"empty id", "empty tag", "empty procedure", "no procedure", "procedure null"}


def _assessable(case: Case) -> list[Problem]:
    """What the CLI checks in a file's case besides the model (`haven.cli.common.assessable`):
    the columnar readers check the same (tags the pack knows, a region of the nationality)."""
    return assessable_problems(case, PACK)


def single(text: str) -> list[str]:
    try:
        parse_caseload(text, _assessable)
    except CaseError as e:
        return sorted(str(p) for p in e.problems)
    return []


def _problems(read: Callable[[], object]) -> list[str]:
    try:
        read()
    except CaseError as e:
        return sorted(str(p) for p in e.problems)
    return []


def columnar(path: Path) -> list[str]:
    return _problems(lambda: batch.read(path, PACK))


def streamed(path: Path, size: int = 1) -> list[str]:
    day = date(2015, 6, 1)
    return _problems(lambda: list(ImpactStream(path, day, day, PACK, batch_size=size)))


def write_jsonl(rows: list[dict[str, Any]], path: Path) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def write_parquet(rows: list[dict[str, Any]], path: Path) -> Path:
    pl.DataFrame(rows, schema=TOP).write_parquet(path)
    return path


def write_csv(rows: list[dict[str, Any]], path: Path) -> Path:
    """Rows in the CSV format of docs/csv-format.md, valid or not (tabular.to_csv takes
    valid cases only)."""
    import csv

    def cell(column: str, row: dict[str, Any]) -> str:
        value: Any = row
        for part in FIELDS[column].split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if value is None or value == []:
            return ""
        if column in JSON_COLUMNS:
            return json.dumps(value)
        return ";".join(value) if column in LIST_COLUMNS else str(value)

    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(FIELDS)
        writer.writerows([cell(c, row) for c in FIELDS] for row in rows)
    return path


def fields_and_messages(found: list[str]) -> list[str]:
    """`line 2, column sogi (profile.sogi): m` and `line 1: profile.sogi: m` alike as
    `profile.sogi: m` (CSV names the line of the file and the column, JSON the case)."""
    out = []
    for problem in found:
        m = re.match(r"line \d+, columns? ([^:(]+?)(?: \(([^)]*)\))?: (.*)$", problem)
        if m:
            column, path, message = m.groups()
            out.append(f"{path or FIELDS.get(column, column)}: {message}")
        else:
            out.append(re.sub(r"^line \d+: ", "", problem))
    return sorted(out)


def _case(name: str) -> dict[str, Any]:
    case = copy.deepcopy(BASE)
    CHANGES[name](case)
    return case


@pytest.mark.parametrize("name", sorted(CHANGES))
def test_both_readers_accept_and_refuse_alike(name: str, tmp_path: Path) -> None:
    rows = [_case(name), {**BASE, "id": "C-2"}]
    text = "".join(json.dumps(r) + "\n" for r in rows)
    jsonl = write_jsonl(rows, tmp_path / "cases.jsonl")
    want = single(text)
    assert want == columnar(jsonl), "columnar reader"
    assert (want == []) is name.startswith(("valid", "200")) or "null" in name
    assert want == streamed(jsonl), "streamed reader"
    parquet = write_parquet(rows, tmp_path / "cases.parquet")
    assert want == columnar(parquet), "columnar reader, Parquet"
    assert want == _problems(lambda: read_caseload(parquet, check=_assessable)), "single, Parquet"
    if name not in NOT_IN_CSV:
        csv = write_csv(rows, tmp_path / "cases.csv")
        got = _problems(lambda: read_caseload(csv, check=_assessable))
        assert fields_and_messages(want) == fields_and_messages(got), "CSV"


def test_every_null_reads_as_absent() -> None:
    """`"sogi": null` and the rest: accepted (or refused as missing) alike everywhere."""
    for name in CHANGES:
        if name.endswith(" null"):
            expect = ["id", "nationality", "procedure", "lodged", "incident kind"]
            refused = single(json.dumps(_case(name)))
            assert bool(refused) is any(name.startswith(e) for e in expect), (name, refused)
            assert all("required field is missing" in p for p in refused), refused


# Values a field may hold in the draws below: valid, invalid, and null.
VALUES: dict[str, list[Any]] = {
    "id": ["C-9", "", "x" * 201, None],
    "nationality": ["RU", "IR", "QQ", "ru", None],
    "region": ["RU-CE", "RU-XXX", None],
    "profile.sogi": [[], ["gay"], ["gay", "gay"], ["gay", "lesbian"], ["straight"], None],
    "profile.tags": [[], ["political_critic"], [""], None],
    "profile.sex": ["female", "unknown", None],
    "profile.birth_date": ["1990-01-01", "1990-13-01", "1990-1-1", None],
    "credibility.profile": ["credible", "open", "sure", None],
    "procedure.lodged": ["2015-03-01", "2015-02-30", None],
    "procedure.decided": ["2015-03-01", "2015-01-01", "soon", None],
    "procedure.status": ["granted", "lost", None],
    "procedure.reasons": [[], ["late_disclosure"], ["late_disclosure"] * 2, ["x"], None],
    "incidents": [
        [],
        [{"kind": "torture", "actor": "state", "date": "2014-01-01"}],
        [{"kind": "threat", "actor": "non_state", "credibility": "open"},
         {"kind": "hug", "actor": "state"}],
        [{"actor": "state", "sought_protection": True}],
        None,
    ],
}  # fmt: skip


@st.composite
def cases(draw: st.DrawFn) -> dict[str, Any]:
    case = copy.deepcopy(BASE)
    for field in draw(st.sets(st.sampled_from(sorted(VALUES)), max_size=5)):
        _set(field, copy.deepcopy(draw(st.sampled_from(VALUES[field]))))(case)
    return case


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])  # fmt: skip
@given(drawn=st.lists(cases(), min_size=2, max_size=3))  # one object alone: no line number
def test_drawn_caseloads_are_read_alike(drawn: list[dict[str, Any]], tmp_path: Path) -> None:
    rows = drawn  # ids may repeat: BASE's, "C-9", "" or none
    text = "".join(json.dumps(r) + "\n" for r in rows)
    want = single(text)
    jsonl = write_jsonl(rows, tmp_path / "cases.jsonl")
    assert want == columnar(jsonl), "columnar reader"
    assert want == streamed(jsonl, size=2), "streamed reader"
    parquet = write_parquet(rows, tmp_path / "cases.parquet")
    assert want == columnar(parquet), "columnar reader, Parquet"
    assert want == _problems(lambda: read_caseload(parquet, check=_assessable)), "single, Parquet"


def test_the_fast_and_the_exact_json_lines_readers_agree(tmp_path: Path) -> None:
    """pyarrow (arrow_jsonl) reads the file while it fits the schema; Polars reads it where a
    type is wrong: both word a value problem alike."""
    rows = [_case("second incident bad"), {**BASE, "id": "C-2", "region": 7}]
    path = write_jsonl(rows, tmp_path / "cases.jsonl")
    with pytest.raises(arrow_jsonl.Refused):
        list(arrow_jsonl.batches(path, 10))
    assert streamed(path) == ["line 2: region: must be a string, got a number"]


def test_parquet_with_native_dates_is_read_like_its_json(tmp_path: Path) -> None:
    """Polars and pyarrow write dates as date32 or timestamps: read them, do not refuse."""
    rows = [BASE, {**BASE, "id": "C-2"}]
    jsonl = tmp_path / "cases.jsonl"
    jsonl.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    date = pl.field("birth_date").str.to_date()
    frame = pl.DataFrame(rows).with_columns(
        pl.col("profile").struct.with_fields(date),
        pl.col("procedure").struct.with_fields(
            pl.field("lodged").str.to_date().cast(pl.Datetime("ms")),
            pl.field("decided").str.to_date(),
        ),
        pl.col("incidents").list.eval(pl.element().struct.with_fields(pl.field("date").str.to_date())),
    )  # fmt: skip
    parquet = tmp_path / "cases.parquet"
    frame.write_parquet(parquet)
    from_parquet = batch.read(parquet, PACK).collect()
    from_json = batch.read(jsonl, PACK).collect()
    assert from_parquet.to_dicts() == from_json.to_dicts()


def test_a_timestamp_with_a_time_of_day_is_not_a_date(tmp_path: Path) -> None:
    frame = pl.DataFrame([BASE]).with_columns(
        pl.col("procedure").struct.with_fields(
            pl.field("lodged").str.to_datetime("%Y-%m-%d") + pl.duration(hours=10)
        )
    )
    parquet = tmp_path / "cases.parquet"
    frame.write_parquet(parquet)
    with pytest.raises(CaseError) as err:
        batch.read(parquet, PACK)
    assert "line 1: procedure.lodged: not a date (expected YYYY-MM-DD)" in str(err.value)


def test_the_repeated_value_case_is_refused_by_both_engines_of_the_cli(tmp_path: Path) -> None:
    """Issue 18: `"sogi": ["gay", "gay"]` was refused (exit 2) by one path, accepted by the
    other."""
    import subprocess
    import sys

    path = tmp_path / "cases.jsonl"
    case = copy.deepcopy(BASE)
    case["profile"]["sogi"] = ["gay", "gay"]
    path.write_text(json.dumps(case) + "\n", encoding="utf-8")
    for engine in ("single", "columnar"):
        r = subprocess.run(
            [sys.executable, "-m", "haven", "impact", str(path), "--from", "2015-06-01",
             "--to", "2015-10-01", "--engine", engine],
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert r.returncode == 2, (engine, r.stdout, r.stderr)
        # (a file of one case is read as one case file by the single-case path: no line number)
        assert "profile.sogi: 'gay' is listed twice" in r.stderr, (engine, r.stderr)


def native_dates_parquet(path: Path) -> Path:
    """BASE and a second case as Polars writes them: date32 and a millisecond timestamp."""
    frame = pl.DataFrame([BASE, {**BASE, "id": "C-2"}]).with_columns(
        pl.col("profile").struct.with_fields(pl.field("birth_date").str.to_date()),
        pl.col("procedure").struct.with_fields(
            pl.field("lodged").str.to_date().cast(pl.Datetime("ms")),
            pl.field("decided").str.to_date(),
        ),
    )
    frame.write_parquet(path)
    return path


@pytest.mark.parametrize("engine", ["single", "columnar"])
def test_impact_reads_parquet_with_native_dates(engine: str, tmp_path: Path) -> None:
    import subprocess
    import sys

    path = native_dates_parquet(tmp_path / "cases.parquet")
    r = subprocess.run(
        [sys.executable, "-m", "haven", "impact", str(path), "--from", "2015-06-01",
         "--to", "2015-10-01", "--engine", engine, "--format", "json"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["cases"] == 2
    assert "Traceback" not in r.stderr


def test_the_single_case_reader_reads_parquet_with_native_dates(tmp_path: Path) -> None:
    cases = read_caseload(native_dates_parquet(tmp_path / "cases.parquet"))
    assert [c.model_dump(mode="json") for c in cases] == [
        c.model_dump(mode="json") for c in parse_caseload(json.dumps([BASE, {**BASE, "id": "C-2"}]))
    ]


def test_a_csv_caseload_gives_the_columnar_engine_what_its_json_gives(tmp_path: Path) -> None:
    """CSV goes through the case model into the columnar engine (haven impact --engine
    columnar cases.csv), with the same result as the same cases in JSON Lines."""
    from haven.cases.synthetic import synthetic_caseload
    from haven.cases.tabular import to_csv

    rows = synthetic_caseload(300, seed=11)
    jsonl = write_jsonl(rows, tmp_path / "cases.jsonl")
    csv_file = tmp_path / "cases.csv"
    csv_file.write_text(to_csv(read_caseload(jsonl)), encoding="utf-8", newline="")
    days = (date(2015, 6, 1), date(2015, 10, 1))

    def impact(path: Path) -> dict[str, Any]:
        return ImpactStream(path, *days, PACK, batch_size=100).collect().model_dump(mode="json")

    assert impact(csv_file) == impact(jsonl)
