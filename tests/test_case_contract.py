"""One case contract: the single-case reader (haven.cases.readers, used by the explaining
engine and the store) and the columnar reader (haven.impact.batch, used by the columnar
engine) accept and refuse the same inputs with the same messages (issue 18)."""

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from haven.cases.readers import parse_caseload
from haven.errors import CaseError
from haven.impact import batch
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
    "no such region": _set("region", "RU-XXX"),
    "bad birth date": _set("profile.birth_date", "1990-02-30"),
    "bad lodged date": _set("procedure.lodged", "2015-3-1"),
    "no such status": _set("procedure.status", "lost"),
}


def single(text: str) -> list[str]:
    try:
        parse_caseload(text)
    except CaseError as e:
        return sorted(str(p) for p in e.problems)
    return []


def columnar(path: Path) -> list[str]:
    try:
        batch.read(path, PACK)
    except CaseError as e:
        return sorted(str(p) for p in e.problems)
    return []


@pytest.mark.parametrize("name", sorted(CHANGES))
def test_both_readers_accept_and_refuse_alike(name: str, tmp_path: Path) -> None:
    case = copy.deepcopy(BASE)
    CHANGES[name](case)
    text = json.dumps(case) + "\n" + json.dumps({**BASE, "id": "C-2"}) + "\n"
    path = tmp_path / "cases.jsonl"
    path.write_text(text, encoding="utf-8")
    want, got = single(text), columnar(path)
    assert want == got, f"single-case reader: {want}\ncolumnar reader: {got}"
    assert (want == []) is name.startswith(("valid", "200"))


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
