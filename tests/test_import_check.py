"""`haven cases import` checks a JSON Lines file in bulk (haven.cli.import_check.check_lines):
every row must come out as the per-row check (the case model, then admission) makes it, the
same problems in the same words and, for a valid case, the same stored JSON byte for byte;
and valid rows must not go through the model at all."""

import copy
import json
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from haven.cases import arrow_jsonl, caseload
from haven.cases.synthetic import synthetic_caseload
from haven.cli import import_check
from haven.cli.import_check import Checked, Entry
from haven.store.bulk_import import Prepared
from tests.strategies import PACK, cases
from tests.test_case_contract import BASE, CHANGES

TODAY = date(2026, 12, 5)


def _set(case: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    case = copy.deepcopy(case)
    *parents, last = path.split(".")
    doc = case
    for p in parents:
        doc = doc[p]
    doc[last] = value
    return case


# What only admission refuses (or what the bulk check leaves to the model), beside the
# contract's cases.
ADMISSION: dict[str, dict[str, Any]] = {
    "unknown tag": _set(BASE, "profile.tags", ["no_such_tag_anywhere"]),
    "region of another country": _set(BASE, "region", "SD-KH"),
    "lodged in the future": _set(BASE, "procedure.lodged", "2030-01-01"),
    "decided in the future": _set(BASE, "procedure.decided", "2027-01-01"),
    "born in the future": _set(BASE, "profile.birth_date", "2026-12-06"),
    "incident in the future": _set(BASE, "incidents", [{"kind": "threat", "actor": "state",
                                                        "date": "2031-02-03"}]),
    "decided today": _set(BASE, "procedure.decided", TODAY.isoformat()),
    "slash in the id": _set(BASE, "id", "a/b"),
    "backslash in the id": _set(BASE, "id", "a\\b"),
    "dot id": _set(BASE, "id", "."),
    "tab in the id": _set(BASE, "id", "a\tb"),
    "quote in the id": _set(BASE, "id", 'a"b'),
    "non-ASCII id": _set(BASE, "id", "Zürich-Ω-1"),
    "bidi override in the id": _set(BASE, "id", "x\u202ey"),
    "everything absent": {"id": "min", "nationality": "SY", "procedure": {"lodged": "2015-01-01"}},
    "objects null": {"id": "n", "nationality": "SY", "profile": None, "credibility": None,
                     "incidents": None, "procedure": {"lodged": "2015-01-01", "status": None,
                                                      "reasons": None}},
    "incident defaults": _set(BASE, "incidents", [{"kind": "threat", "actor": "state",
                                                   "credibility": None,
                                                   "sought_protection": True}]),
}  # fmt: skip


def _rows() -> list[dict[str, Any]]:
    rows = []
    for n, (name, change) in enumerate(CHANGES.items()):
        case = copy.deepcopy(BASE)
        change(case)
        if isinstance(case.get("id"), str) and name not in ("201-character id", "empty id"):
            case["id"] = f"{case['id']}-{n}"  # distinct ids: nothing here is a repeat
        rows.append(case)
    return rows + [{**case, "id": case["id"]} for case in ADMISSION.values()]


def _entries(path: Path) -> list[Entry]:
    return [(e.label, e.id_where, e.parse) for e in caseload.entries(path)]


def _per_row(path: Path) -> list[Checked]:
    return list(import_check.check_rows(_entries(path), PACK, TODAY, lambda n: None))


def _bulk(path: Path, entries: Sequence[Entry] | None = None) -> list[Checked]:
    listed = _entries(path) if entries is None else entries
    return list(import_check.check_lines(path, listed, PACK, TODAY, lambda n: None))


def _same(path: Path) -> list[Checked]:
    bulk, one_by_one = _bulk(path), _per_row(path)
    assert [n for n, _ in bulk] == list(range(len(one_by_one)))
    for (n, got), (_, want) in zip(bulk, one_by_one, strict=True):
        if isinstance(want, Prepared):
            assert got == want, n  # id, nationality, status and the stored JSON, byte for byte
        else:
            assert isinstance(got, list), n
            assert [str(p) for p in got] == [str(p) for p in want], n
    return bulk


def _write(path: Path, rows: list[dict[str, Any]], ensure_ascii: bool = True) -> Path:
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=ensure_ascii) + "\n" for r in rows), encoding="utf-8"
    )
    return path


@pytest.mark.parametrize("ensure_ascii", [True, False])
def test_every_contract_and_admission_case_as_the_model_checks_it(
    tmp_path: Path, ensure_ascii: bool
) -> None:
    rows = _rows()
    # with blank lines between (skipped alike; labels keep the file's line numbers)
    path = _write(tmp_path / "cases.jsonl", rows, ensure_ascii)
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n\n".join(lines) + "\n", encoding="utf-8")
    checked = _same(path)
    refused = {n for n, result in checked if not isinstance(result, Prepared)}
    assert 0 < len(refused) < len(rows)  # both kinds are here
    by_name = dict(zip([*CHANGES, *ADMISSION], checked, strict=True))
    assert isinstance(by_name["valid"][1], Prepared)
    assert isinstance(by_name["non-ASCII id"][1], Prepared)
    assert not isinstance(by_name["unknown tag"][1], Prepared)


def test_valid_rows_never_reach_the_model(tmp_path: Path) -> None:
    rows = synthetic_caseload(300, seed=5)
    path = _write(tmp_path / "cases.jsonl", rows)

    class Untouched(Sequence[Entry]):
        def __getitem__(self, i: Any) -> Any:
            raise AssertionError(f"row {i} was parsed by the model")

        def __len__(self) -> int:
            raise AssertionError("the entries were listed")

    checked = _bulk(path, Untouched())
    assert len(checked) == 300 and all(isinstance(r, Prepared) for _, r in checked)
    assert checked == _per_row(path)


@pytest.mark.parametrize(
    ("odd", "valid"),
    [
        # a repeated key: pyarrow refuses it, the model takes the last value
        ('{"id": "x", "id": "y", "nationality": "RU", "procedure": {"lodged": "2015-01-01"}}',
         True),
        ('{"id": "x", "nationality": "RU", "nickname": "z", "procedure": {"lodged": "2015-01-01"}}',
         False),
        ('{"id": 7, "nationality": "RU", "procedure": {"lodged": "2015-01-01"}}', False),
        ("not json", False),
    ],
)  # fmt: skip
def test_what_the_schema_reader_refuses_is_checked_by_the_model(
    tmp_path: Path, odd: str, valid: bool
) -> None:
    rows = [json.dumps(r) for r in synthetic_caseload(40, seed=3)]
    rows[30] = odd
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    checked = _same(path)
    assert isinstance(checked[30][1], Prepared) is valid


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(cases(), min_size=1, max_size=12), st.data())
def test_generated_cases_as_the_model_checks_them(
    tmp_path_factory: pytest.TempPathFactory, found: list[dict[str, Any]], data: st.DataObject
) -> None:
    # Some optional values given as null instead (an absent field to the model).
    nulls = ["region", "profile.sex", "profile.birth_date", "credibility.identity",
             "procedure.status", "procedure.reasons", "procedure.decided"]  # fmt: skip
    rows = [
        _set(case, data.draw(st.sampled_from(nulls)), None) if data.draw(st.booleans()) else case
        for case in found
    ]
    _same(_write(tmp_path_factory.mktemp("g") / "cases.jsonl", rows, data.draw(st.booleans())))


def test_a_refusal_after_some_frames_goes_on_with_the_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small pieces and frames: pyarrow refuses a piece in the middle of the file, after whole
    # frames have been checked in bulk; the rows from that piece on go to the model.
    monkeypatch.setattr(arrow_jsonl, "CHUNK", 4000)
    monkeypatch.setattr(import_check, "FRAME", 7)
    rows = [json.dumps(r) for r in synthetic_caseload(60, seed=11)]
    rows[41] = rows[41].replace('"nationality"', '"nickname": 1, "nationality"')
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    listed = _entries(path)
    asked: list[int] = []

    class Watched(Sequence[Entry]):
        def __getitem__(self, i: Any) -> Any:
            asked.append(i)
            return listed[i]

        def __len__(self) -> int:
            return len(listed)

    steps: list[int] = []
    bulk = list(import_check.check_lines(path, Watched(), PACK, TODAY, steps.append))
    assert sum(steps) == 60 and len(steps) > 2  # every row counted once, in several steps
    assert bulk == _per_row(path)
    assert [n for n, r in bulk if not isinstance(r, Prepared)] == [41]
    assert 41 in asked and min(asked) > 0  # the first pieces in bulk, the model from a later one
