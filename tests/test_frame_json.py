"""haven.cli.frame_json writes a frame's rows byte for byte as json.dumps(indent=2) lays them
out: every character class in strings (escapes are Polars' JSON writer's), booleans, nulls,
lists and nested structs, at the depth of a top-level array and of `changed` in an impact."""

import json
from typing import Any

import polars as pl
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from haven.cli.frame_json import rows_text
from haven.cli.impact_cmd import _json_items

# Any text Polars can hold (no surrogates), with control characters, quotes, backslashes,
# non-BMP characters and U+2028 made likely.
TEXT = st.text(
    st.one_of(
        st.characters(exclude_categories=["Cs"]),
        st.sampled_from(["\x00", "\x1f", "\x7f", '"', "\\", "/", "\u2028", "\u2029", "\U0001f600"]),
    ),
    max_size=12,
)
NAMES = st.text(st.characters(exclude_categories=["Cs"]), max_size=6)
SCALARS: list[Any] = [pl.String, pl.Boolean, pl.List(pl.String)]


def dtypes() -> st.SearchStrategy[Any]:
    def structs(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        fields = st.lists(st.tuples(NAMES, inner), max_size=3, unique_by=lambda f: f[0])
        return fields.map(lambda fs: pl.Struct(dict(fs))) | inner.map(pl.List)

    return st.recursive(st.sampled_from(SCALARS), structs, max_leaves=6)


def values(dtype: Any) -> st.SearchStrategy[Any]:
    if dtype == pl.String:
        value: st.SearchStrategy[Any] = TEXT
    elif dtype == pl.Boolean:
        value = st.booleans()
    elif isinstance(dtype, pl.List):
        value = st.lists(values(dtype.inner), max_size=3)
    else:
        value = st.fixed_dictionaries({f.name: values(f.dtype) for f in dtype.fields})
    return st.none() | value


@st.composite
def frames(draw: st.DrawFn) -> pl.DataFrame:
    schema = dict(draw(st.lists(st.tuples(NAMES, dtypes()), max_size=4, unique_by=lambda c: c[0])))
    rows = draw(
        st.lists(st.fixed_dictionaries({k: values(t) for k, t in schema.items()}), max_size=5)
    )
    return pl.DataFrame(rows, schema=schema, orient="row") if schema else pl.DataFrame()


SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def dumps(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


@SETTINGS
@given(frames())
def test_rows_are_the_items_of_a_top_level_array(frame: pl.DataFrame) -> None:
    note(f"schema={frame.schema} rows={frame.to_dicts()}")
    rows = frame.to_dicts()
    if not rows:
        assert rows_text(frame, 1) == ""
        return
    assert "[\n  " + rows_text(frame, 1) + "\n]" == dumps(rows)


@SETTINGS
@given(frames(), st.integers(0, 6))
def test_rows_are_the_changed_items_of_an_impact_in_any_batches(
    frame: pl.DataFrame, cut: int
) -> None:
    """As `haven impact --format json` writes them: batch by batch into `changed`."""
    note(f"schema={frame.schema} rows={frame.to_dicts()} cut={cut}")
    rows = frame.to_dicts()
    if not rows:
        assert rows_text(frame, 2) == ""
        return
    parts = [p for p in (frame.head(cut), frame.slice(cut)) if p.height]
    items = "".join(_json_items(p, i == 0) for i, p in enumerate(parts))
    want = dumps({"cases": 1, "changed": rows})
    assert '{\n  "cases": 1,\n  "changed": [\n    ' + items + "\n  ]\n}" == want
    assert items == rows_text(frame, 2)


def test_the_empty_frame_has_no_rows() -> None:
    empty = pl.DataFrame(schema={"case_id": pl.String, "flags": pl.List(pl.String)})
    assert rows_text(empty, 1) == rows_text(empty, 2) == ""


def test_a_known_row() -> None:
    frame = pl.DataFrame(
        [{"id": 'a"\\\n\u2028😀', "ok": None, "l": [], "s": {"x": ["é"], "b": True}}],
        schema={
            "id": pl.String,
            "ok": pl.Boolean,
            "l": pl.List(pl.String),
            "s": pl.Struct({"x": pl.List(pl.String), "b": pl.Boolean}),
        },
        orient="row",
    )
    want = (
        '{\n  "id": "a\\"\\\\\\n\u2028😀",\n  "ok": null,\n  "l": [],\n'
        '  "s": {\n    "x": [\n      "é"\n    ],\n    "b": true\n  }\n}'
    )
    assert (
        rows_text(frame, 0) == want == json.dumps(frame.to_dicts()[0], indent=2, ensure_ascii=False)
    )
