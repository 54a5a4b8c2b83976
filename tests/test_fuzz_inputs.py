"""Bad input at scale: fuzzed case files, CSV, policy packs and the CLI never crash.

The only allowed outcomes are success or a `HavenError` (InputError and its subclasses) that
names where the problem is; any other exception type is a crash and fails the test. Budgets are
small (max_examples) so the file runs in well under a minute on two cores.
"""

import copy
import csv
import io
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from haven.cases import tabular
from haven.cases.caseload import read_caseload
from haven.cases.readers import parse_case, parse_caseload
from haven.cli.demo_cmd import EXAMPLE
from haven.errors import HavenError, InputError
from haven.policy.loader import load_pack
from haven.policy.pack import Pack

PACK_DIR = Path(__file__).resolve().parent.parent / "haven" / "packs" / "nl"
FUZZ = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)

json_values: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=20,
)


def _named(err: HavenError) -> None:
    """A HavenError must say what is wrong, and (for more than one problem) where."""
    assert err.problems, "an error without problems"
    assert all(p.message for p in err.problems)
    if len(err.problems) > 1:
        assert all(p.where for p in err.problems), err.problems


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            found += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found += _paths(v, (*prefix, i))
    return found


@st.composite
def mutated(draw: st.DrawFn, base: Any) -> Any:
    """A valid document with 1-3 random replacements, deletions or insertions at random paths."""
    doc = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(doc)))
        if not path:
            doc = draw(json_values)
            continue
        parent = doc
        for part in path[:-1]:
            parent = parent[part]
        key, action = path[-1], draw(st.sampled_from(["replace", "delete", "insert"]))
        if action == "replace":
            parent[key] = draw(json_values)
        elif action == "delete":
            del parent[key]
        elif isinstance(parent, list):
            parent.insert(key, draw(json_values))
        else:
            parent[draw(st.text(max_size=8))] = draw(json_values)
        if not isinstance(doc, dict | list):
            break
    return doc


def _survives(text: str) -> None:
    for parse in (parse_case, parse_caseload):
        try:
            parse(text)
        except HavenError as err:
            _named(err)


# -- case parser ----------------------------------------------------------------------------


@FUZZ
@given(st.text())
def test_arbitrary_text_is_a_case_or_a_named_error(text: str) -> None:
    _survives(text)


@FUZZ
@given(json_values)
def test_arbitrary_json_is_a_case_or_a_named_error(value: Any) -> None:
    _survives(json.dumps(value))
    _survives(json.dumps([value, value]))


@FUZZ
@given(mutated(EXAMPLE))
def test_mutated_valid_case_is_a_case_or_a_named_error(doc: Any) -> None:
    text = json.dumps(doc)
    _survives(text)
    _survives(text + "\n" + json.dumps(EXAMPLE))  # JSON Lines with one good line


@pytest.mark.parametrize("opener", ["[", '{"a":', '{"id": "X", "incidents": ['])
def test_deeply_nested_json_is_refused_cleanly(opener: str) -> None:
    text = opener * 100_000
    for closed in (text, text + "]" * 100_000):
        with pytest.raises(InputError):
            parse_caseload(closed)
        with pytest.raises(InputError):
            parse_case(closed)


@FUZZ
@given(st.binary(max_size=200))
def test_arbitrary_bytes_from_a_file(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    path = tmp_path_factory.mktemp("bytes") / "case.json"
    path.write_bytes(data)
    try:
        read_caseload(path)
    except HavenError as err:
        _named(err)


def _haven(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "haven", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "HAVEN_DATABASE_URL": "sqlite://"},
    )


def test_cli_malformed_utf8_exits_2_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    good = json.dumps(EXAMPLE).encode()
    path.write_bytes(good[:40] + b"\xff\xfe\xc3(" + good[40:])
    done = _haven("assess", str(path))
    assert done.returncode == 2, done.stderr
    assert "not UTF-8" in done.stderr and str(path) in done.stderr
    assert "Traceback" not in done.stderr


def test_cli_huge_file_ends_cleanly_in_bounded_time(tmp_path: Path) -> None:
    """50 MB of JSON Lines, the last line broken: a named error, no traceback, < 60 s."""
    path = tmp_path / "huge.jsonl"
    line = json.dumps({**EXAMPLE, "id": "X"})
    n = 50_000_000 // len(line)
    with path.open("w") as f:
        for i in range(n):
            f.write(line.replace('"X"', f'"C-{i}"', 1) + "\n")
        f.write('{"id": "broken"\n')
    start = time.monotonic()
    done = _haven("assess", str(path), timeout=120)
    assert time.monotonic() - start < 90
    assert done.returncode == 2, done.stderr[-2000:]
    assert f"line {n + 1}" in done.stderr
    assert "Traceback" not in done.stderr


# -- CSV import -----------------------------------------------------------------------------

cells = st.text(alphabet=st.characters(codec="utf-8"), max_size=12) | st.sampled_from(
    ["", "=1+1", "'=x", "[", '["a"]', "[[[[", "2015-10-01", "RU", "gay", "\x00", '"', "\r\n"]
)


def _csv_survives(text: str) -> None:
    try:
        table = tabular.read_table(text)
    except HavenError as err:
        _named(err)
        return
    for row in table.rows:
        try:
            tabular.row_to_case(table.header, row)
        except HavenError as err:
            _named(err)


@FUZZ
@given(
    st.lists(st.sampled_from([*tabular.COLUMNS, "x", "", "id "]), max_size=8),
    st.lists(st.lists(cells, max_size=9), max_size=4),
    st.sampled_from([",", ";", "\t", "|"]),
    st.sampled_from(["", "\ufeff", "\ufeff\ufeff"]),
)
def test_arbitrary_csv_is_cases_or_named_errors(
    header: list[str], rows: list[list[str]], delimiter: str, bom: str
) -> None:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter).writerows([header, *rows])
    _csv_survives(bom + buf.getvalue())


@FUZZ
@given(st.text())
def test_arbitrary_text_as_csv(text: str) -> None:
    _csv_survives(text)


@FUZZ
@given(st.integers(0, 400), st.sampled_from(["\x00", '"', "\r", "\n", ",", "\ufeff", "\udc80"]))
def test_valid_csv_with_a_stray_character(at: int, char: str) -> None:
    text = tabular.to_csv([parse_case(json.dumps(EXAMPLE))])
    at = min(at, len(text))
    _csv_survives(text[:at] + char + text[at:])


# -- formula injection in CSV exports ----------------------------------------------------------

DANGEROUS = ["=", "+", "-", "@", "\t", "\r"]


def _formula(cell: str) -> bool:
    return cell[:1] in DANGEROUS


@FUZZ
@given(
    st.sampled_from(DANGEROUS),
    st.text(max_size=10),
    st.sampled_from(["id", "region", "tags", "tags"]),  # tags take free text: most reach CSV
)
def test_case_export_neutralises_formulas(lead: str, rest: str, field: str) -> None:
    value = lead + rest
    doc: Any = json.loads(json.dumps(EXAMPLE))
    if field in ("id", "region"):
        doc[field] = value
    else:
        doc["profile"]["tags"] = [value, "ok", value.strip()]
    try:
        case = parse_case(json.dumps(doc))
    except HavenError:
        return  # the contract refuses the value: it never reaches an export
    exported = tabular.to_csv([case])
    for record in list(csv.reader(io.StringIO(exported, newline="")))[1:]:
        assert not any(_formula(cell) for cell in record), record
    # ...and the export re-imports to the same case.
    table = tabular.read_table(exported)
    assert tabular.row_to_case(table.header, table.rows[0]) == case


def test_impact_export_cell_guard() -> None:
    from haven.web.routes_impact import _cell

    for lead in DANGEROUS:
        assert not _formula(_cell(lead + "cmd|' /C calc'!A0"))
    assert _cell("EX-RU-1") == "EX-RU-1"


# -- policy pack loader ---------------------------------------------------------------------


def _entry_file() -> tuple[str, dict[str, Any]]:
    name = "RU.yaml"
    return name, yaml.safe_load((PACK_DIR / "entries" / name).read_text())


def _load_fuzzed(tmp: Path, text: str) -> Pack | None:
    pack = tmp / "pack"
    if pack.exists():
        shutil.rmtree(pack)
    shutil.copytree(PACK_DIR, pack)
    (pack / "entries" / "RU.yaml").write_text(text, encoding="utf-8")
    try:
        return load_pack.__wrapped__(str(pack))  # uncached: every example is a new pack
    except HavenError as err:
        _named(err)
        return None


PACK_FUZZ = settings(FUZZ, max_examples=40)
NAME, ENTRIES = _entry_file()


@PACK_FUZZ
@given(json_values)
def test_random_yaml_entry_file(tmp_path_factory: pytest.TempPathFactory, value: Any) -> None:
    tmp = tmp_path_factory.mktemp("pack")
    _load_fuzzed(tmp, yaml.safe_dump(value))
    _load_fuzzed(tmp, yaml.safe_dump({"entries": [value]}))


@PACK_FUZZ
@given(mutated(ENTRIES))
def test_mutated_entry_file(tmp_path_factory: pytest.TempPathFactory, doc: Any) -> None:
    _load_fuzzed(tmp_path_factory.mktemp("pack"), yaml.safe_dump(doc, allow_unicode=True))


@PACK_FUZZ
@given(st.text(max_size=300))
def test_random_text_entry_file(tmp_path_factory: pytest.TempPathFactory, text: str) -> None:
    _load_fuzzed(tmp_path_factory.mktemp("pack"), text)


def test_an_empty_key_is_named() -> None:
    """Found by fuzzing: `{"": 1}` gave "unknown field" naming no field."""
    with pytest.raises(InputError) as caught:
        parse_case(json.dumps({**EXAMPLE, "": 1}))
    assert [(p.where, p.message) for p in caught.value.problems] == [("''", "unknown field")]
