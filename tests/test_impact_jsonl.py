"""The pyarrow reader of JSON Lines (haven.cases.arrow_jsonl) changes nothing but speed.

`haven impact FILE.jsonl` reads with pyarrow and the contract's schema; where pyarrow refuses,
the stream falls back to Polars inferring the schema over every line (the reader it had before).
For any file, the outcome (the changed cases, the counts, or the problems of the CaseError)
must be the one of the Polars reader alone. The reference run replaces jsonl.batches with a
reader that refuses at once, so the stream takes its Polars path for the whole file.

jsonl.CHUNK (the bytes pyarrow parses at once) is made small in some runs: pyarrow then refuses
a piece after earlier pieces were read and their batches evaluated, and Polars goes on from the
case where pyarrow stopped.
"""

import json
import random
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from haven.cases import arrow_jsonl as jsonl
from haven.cases.synthetic import synthetic_caseload
from haven.errors import CaseError
from haven.impact.stream import ImpactStream
from haven.policy.pack import Pack

DAYS = (date(2015, 6, 1), date(2015, 10, 1))
BASE = synthetic_caseload(40, seed=11)
# Outcome of a run: the problems of its CaseError, or the changed cases and the counts.
Outcome = tuple[str, Any, Any]


def _refuse(path: str | Path, size: int) -> Iterator[pl.DataFrame]:
    """A pyarrow reader that refuses every file before its first case."""
    raise jsonl.Refused(0)
    yield  # pragma: no cover - makes this a generator, as jsonl.batches is


def run(path: Path, pack: Pack, size: int, arrow: bool, chunk: int | None = None) -> Outcome:
    with pytest.MonkeyPatch.context() as mp:
        if not arrow:
            mp.setattr(jsonl, "batches", _refuse)
        if chunk is not None:
            mp.setattr(jsonl, "CHUNK", chunk)
        stream = ImpactStream(path, *DAYS, pack, batch_size=size)
        try:
            frames = list(stream)
        except CaseError as e:
            return stream.reader, "error", [(p.where, p.message) for p in e.problems]
        except pl.exceptions.PolarsError as e:
            # Not a message for the user: a defect of either path, compared all the same.
            return stream.reader, "crash", (type(e).__name__, str(e).splitlines()[0])
    changed = pl.concat(frames) if frames else None
    return stream.reader, changed, stream.impact().model_dump(mode="json", by_alias=True)


def assert_same(got: Outcome, want: Outcome) -> None:
    """The same problems, or the same changed cases (values and types) and counts."""
    (_, g_changed, g_rest), (_, w_changed, w_rest) = got, want
    assert type(g_changed) is type(w_changed), (got, want)
    if isinstance(g_changed, pl.DataFrame) and isinstance(w_changed, pl.DataFrame):
        assert g_changed.schema == w_changed.schema
        assert g_changed.equals(w_changed), (g_changed, w_changed)
    else:
        assert g_changed == w_changed
    assert g_rest == w_rest


def compare(path: Path, pack: Pack, size: int, chunk: int | None = None) -> Outcome:
    """Both readers on the file; the outcome of the pyarrow run, checked equal to Polars'."""
    got = run(path, pack, size, arrow=True, chunk=chunk)
    want = run(path, pack, size, arrow=False)
    assert want[0] == "polars"
    assert_same(got, want)
    return got


# Perturbations of one case. Values of another JSON type than the contract's, by field.
STRING_FIELDS = [
    ("id",),
    ("nationality",),
    ("region",),
    ("profile", "sex"),
    ("profile", "birth_date"),
    ("credibility", "identity"),
    ("credibility", "profile"),
    ("procedure", "lodged"),
    ("procedure", "status"),
    ("procedure", "decided"),
    ("incidents", 0, "date"),
    ("incidents", 0, "kind"),
    ("incidents", 0, "actor"),
    ("incidents", 0, "credibility"),
]
LIST_FIELDS = [("profile", "sogi"), ("profile", "tags"), ("procedure", "reasons")]
OBJECT_FIELDS = [("profile",), ("credibility",), ("procedure",)]
NOT_STRING = [5, -1, 1.5, 0, True, False, {}, {"a": "b"}, [], ["x"]]
NOT_BOOL = ["yes", "true", 1, 0, 1.0, [], {}]
NOT_LIST = ["gay", 5, True, {}, {"a": ["b"]}, [1], [True], [["x"]], [{}]]
NOT_OBJECT = ["x", 5, True, [], [{}], ["x"]]
# Known keys at a level where the contract does not have them.
MISPLACED = [
    (("procedure",), "region"),
    (("profile",), "lodged"),
    (("credibility",), "sex"),
    ((), "sogi"),
    ((), "lodged"),
    (("incidents", 0), "status"),
    (("procedure",), "kind"),
]
UNKNOWN_AT = [(), ("profile",), ("credibility",), ("procedure",), ("incidents", 0)]
ANY_VALUE = [None, "x", 1, True, {}, [], {"a": None}, [None]]
NULLABLE = [
    ("region",),
    ("profile",),
    ("credibility",),
    ("incidents",),
    ("procedure",),
    ("profile", "sogi"),
    ("profile", "sex"),
    ("procedure", "decided"),
    ("procedure", "reasons"),
    ("incidents", 0, "sought_protection"),
]
# Whole lines that are not a case of the contract, or not a case at all.
ODD_LINES = ["", " ", " \t ", "\t", "{}", " {} ", "[1]", "5", "null", '"s"', "true", "[]"]
INVALID_LINES = ['{"id": "x",', "{", "}", '{"id": x}', "{'id': 'x'}", '{"id": "x"} ,']
ID_ESCAPES = [
    "\\ud800",  # a lone surrogate: pyarrow refuses it, Polars reads it
    "x\\udfffy",
    "x\\u0000",  # an escaped NUL: a value problem
    '\\u00e9\\n\\t\\/\\\\\\"',
    "\\ud83d\\ude00",
    "\u2028\u00e9\U0001f600",
]


def _at(case: dict[str, Any], path: tuple[str | int, ...]) -> Any:
    """The object at `path` in the case, made to exist (an incident is added if need be)."""
    node: Any = case
    for step in path:
        if step == "incidents" and not isinstance(node.get("incidents"), list | type(None)):
            return None
        if step == "incidents" and not node.get("incidents"):
            node["incidents"] = [{"kind": "threat", "actor": "state"}]
        if isinstance(node, dict) and isinstance(step, str) and node.get(step) is None:
            node[step] = {}
        node = node[step]
    return node


def _put(case: dict[str, Any], path: tuple[str | int, ...], value: Any) -> None:
    parent = _at(case, path[:-1])
    if isinstance(parent, dict):
        parent[path[-1]] = value
    elif isinstance(parent, list) and parent:
        parent[0] = value


def _text(case: dict[str, Any], rng: random.Random) -> str:
    """JSON text of a case, with or without spaces (both are valid JSON Lines)."""
    if rng.random() < 0.5:
        return json.dumps(case, ensure_ascii=rng.random() < 0.5)
    return json.dumps(case, separators=(",", ":"), ensure_ascii=False)


@st.composite
def lines(draw: st.DrawFn) -> str:
    """One line of a caseload (without its line end): mostly a valid case, often not."""
    case = json.loads(json.dumps(BASE[draw(st.integers(0, len(BASE) - 1))]))
    rng = random.Random(draw(st.integers(0, 2**16)))
    kind = draw(
        st.sampled_from(
            [
                "valid",
                "valid",
                "valid",
                "valid",
                "unknown",
                "misplaced",
                "not_string",
                "not_bool",
                "not_list",
                "not_object",
                "null",
                "repeated_key",
                "id_escape",
                "odd_line",
                "invalid",
                "new_id",
            ]
        )
    )
    if kind == "unknown":
        name = draw(st.sampled_from(["extra", "Id", "id ", "incident", "zz"]))
        _put(case, (*draw(st.sampled_from(UNKNOWN_AT)), name), draw(st.sampled_from(ANY_VALUE)))
    elif kind == "misplaced":
        where, name = draw(st.sampled_from(MISPLACED))
        _put(case, (*where, name), draw(st.sampled_from([None, "RU-CE", "2014-01-01", []])))
    elif kind == "not_string":
        _put(case, draw(st.sampled_from(STRING_FIELDS)), draw(st.sampled_from(NOT_STRING)))
    elif kind == "not_bool":
        _put(case, ("incidents", 0, "sought_protection"), draw(st.sampled_from(NOT_BOOL)))
    elif kind == "not_list":
        _put(case, draw(st.sampled_from(LIST_FIELDS)), draw(st.sampled_from(NOT_LIST)))
    elif kind == "not_object":
        path = draw(st.sampled_from([*OBJECT_FIELDS, ("incidents",), ("incidents", 0)]))
        _put(case, path, draw(st.sampled_from(NOT_OBJECT)))
    elif kind == "null":
        _put(case, draw(st.sampled_from(NULLABLE)), None)
    elif kind == "repeated_key":
        # A key given twice: JSON text by hand. Either copy may differ from the other.
        key = draw(st.sampled_from(["id", "nationality", "procedure", "region"]))
        first = draw(st.sampled_from([case.get(key), "other", "SYN-0000001", None]))
        return "{" + json.dumps(key) + ": " + json.dumps(first) + ", " + _text(case, rng)[1:]
    elif kind == "id_escape":
        text = _text(case, rng)
        return text.replace(json.dumps(case["id"]), '"' + draw(st.sampled_from(ID_ESCAPES)) + '"')
    elif kind == "odd_line":
        return draw(st.sampled_from(ODD_LINES))
    elif kind == "invalid":
        return draw(st.sampled_from(INVALID_LINES))
    elif kind == "new_id":
        case["id"] = draw(st.sampled_from(["a", "SYN-0000001", "x" * 200, " "]))
    return _text(case, rng)


@st.composite
def files(draw: st.DrawFn) -> bytes:
    """A caseload as bytes: lines with LF or CRLF ends, the last one with or without."""
    body = draw(st.lists(lines(), max_size=14))
    end = draw(st.sampled_from(["\n", "\r\n"]))
    last_end = draw(st.booleans())
    text = end.join(body) + (end if last_end and body else "")
    return text.encode("utf-8", "surrogatepass")


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("impact_jsonl")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=files(),
    size=st.integers(1, 4),
    chunk=st.one_of(st.none(), st.integers(1, 1500)),
)
def test_pyarrow_reader_gives_the_outcome_of_the_polars_reader(
    workdir: Path, pack: Pack, data: bytes, size: int, chunk: int | None
) -> None:
    note(f"data={data!r} size={size} chunk={chunk}")
    path = workdir / "cases.jsonl"
    path.write_bytes(data)
    compare(path, pack, size, chunk)


def _lines(cases: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(c) + "\n" for c in cases)


@pytest.mark.parametrize("chunk", [None, 2000])
def test_a_caseload_of_the_contract_is_read_by_pyarrow(
    tmp_path: Path, pack: Pack, chunk: int | None
) -> None:
    """Also when a batch is made of several pieces parsed apart (a frame of several chunks)."""
    path = tmp_path / "cases.jsonl"
    path.write_text(_lines(synthetic_caseload(300, seed=5)))
    reader, changed, counts = compare(path, pack, 64, chunk)
    assert reader == "arrow"
    assert isinstance(changed, pl.DataFrame) and changed.height > 0  # something to compare
    assert counts["cases"] == 300


@pytest.mark.parametrize("chunk", [None, 2000])
def test_empty_lines_and_crlf_are_read_by_pyarrow(
    tmp_path: Path, pack: Pack, chunk: int | None
) -> None:
    """Empty lines (also a last one, as editors leave) and Windows line ends keep the fast reader;
    the cases are counted as the exact reader counts them."""
    lines = _lines(synthetic_caseload(120, seed=5)).splitlines()
    text = "\n\n" + "\r\n".join(
        line + ("\r\n" if i % 7 == 0 else "") for i, line in enumerate(lines)
    )
    path = tmp_path / "cases.jsonl"
    path.write_text(text + "\r\n\n")
    reader, changed, counts = compare(path, pack, 16, chunk)
    assert reader == "arrow"
    assert isinstance(changed, pl.DataFrame) and counts["cases"] == 120


@pytest.mark.parametrize("chunk", [None, 2000])
def test_an_unknown_field_ends_with_polars_naming_it(
    tmp_path: Path, pack: Pack, chunk: int | None
) -> None:
    cases = synthetic_caseload(30, seed=5)
    cases[25]["procedure"]["appeal"] = None  # unknown even with a null value
    path = tmp_path / "cases.jsonl"
    path.write_text(_lines(cases))
    reader, kind, problems = compare(path, pack, 3, chunk)
    assert (reader, kind) == ("polars", "error")
    assert problems == [("procedure.appeal", "unknown field")]


@pytest.mark.parametrize("chunk", [None, 2000])
def test_a_repeated_key_is_read_as_polars_reads_it(
    tmp_path: Path, pack: Pack, chunk: int | None
) -> None:
    """pyarrow refuses a key given twice, Polars reads it: the outcome is Polars'. Polars keeps
    the first copy (Python's json the last), so a repeat after the case's own value changes
    nothing, and one before it is the case's id: here an earlier case's, a repeated id."""
    cases = synthetic_caseload(30, seed=5)
    plain = tmp_path / "plain.jsonl"
    plain.write_text(_lines(cases))
    text = _lines(cases).splitlines(keepends=True)
    after, before = text.copy(), text.copy()
    after[20] = text[20].rstrip("\n")[:-1] + ', "id": "SYN-0000001"}\n'
    before[20] = '{"id": "SYN-0000001", ' + text[20][1:]
    for lines, size in ((after, 4), (before, 4), (after, 64)):
        path = tmp_path / "repeated.jsonl"
        path.write_text("".join(lines))
        got = compare(path, pack, size, chunk)
        assert got[0] == "polars"
        if lines is after:
            assert_same(got, run(plain, pack, size, arrow=True))
        else:
            assert got[1:] == (
                "error",
                [("line 1: id", "case id 'SYN-0000001' appears more than once")],
            )


@pytest.mark.parametrize("chunk", [None, 2000])
def test_the_schema_is_checked_before_values(tmp_path: Path, pack: Pack, chunk: int | None) -> None:
    """60 cases with a bad value, then an unknown field on the last line: the unknown field is
    the one problem reported, as when the whole file's schema was checked before any value,
    even though pyarrow had read (and Polars validated) batches of the bad cases."""
    cases = synthetic_caseload(61, seed=5)
    for c in cases[:60]:
        c["nationality"] = "XX"
    cases[60]["extra"] = 1
    path = tmp_path / "cases.jsonl"
    path.write_text(_lines(cases))
    reader, kind, problems = compare(path, pack, 4, chunk)
    assert (reader, kind) == ("polars", "error")
    assert problems == [("extra", "unknown field")]


OK = '{"id": "%s", "nationality": "RU", "procedure": {"lodged": "2015-01-02"}}'


@pytest.mark.parametrize(
    "data",
    [
        pytest.param((OK % "a" + " " + OK % "b" + "\n").encode(), id="two-objects-on-a-line"),
        pytest.param((OK % "a" + "\r" + OK % "b" + "\n").encode(), id="cr-between-objects"),
        pytest.param(
            (b'{"id": "a",\n"nationality": "RU", "procedure": {"lodged": "2015-01-02"}}\n'),
            id="object-across-lines",
        ),
        pytest.param(("\ufeff" + OK % "a" + "\n").encode(), id="byte-order-mark"),
        pytest.param((OK % "a").encode().replace(b'"a"', b'"a\xff"') + b"\n", id="not-utf-8"),
    ],
)
def test_text_that_is_not_json_lines_is_refused_as_polars_refuses_it(
    tmp_path: Path, pack: Pack, data: bytes
) -> None:
    """Each is refused by Polars ("not a valid caseload"); pyarrow must not read it either."""
    path = tmp_path / "cases.jsonl"
    path.write_bytes(data)
    compare(path, pack, 2)
