"""A frame's rows as JSON text laid out as `json.dumps(rows, indent=2, ensure_ascii=False)` lays
them out, written by Polars expressions instead of through Python objects.

`haven impact` on 1M cases writes ~80k changed cases: through `to_dicts()` and pydantic-core
that was 0.9 s of one core at the end of the run; here it is a column expression. Values are
encoded by Polars' own JSON writer (`struct.json_encode`), whose escapes are those of
`json.dumps(..., ensure_ascii=False)` (checked by tests/test_frame_json.py for every character
class); only the layout (newlines, indents, `": "`) is added here.
"""

import json

import polars as pl
from polars._typing import PolarsDataType

_V = "v"  # the one field of the struct each value is encoded in


def rows_text(frame: pl.DataFrame, depth: int) -> str:
    """The rows as the items of a JSON array at `depth` levels of indent (2 spaces a level),
    separated by ",\\n"; the first item starts without indent, as after "[\\n" + indent."""
    if frame.height == 0:
        return ""
    indent = "  " * depth
    # Columns and fields are reached under names of our own: Polars reads a name such as "*"
    # or "^a$" as a pattern (and Polars 2.1 panics on it inside a struct).
    safe = frame.rename({c: f"c{i}" for i, c in enumerate(frame.columns)})
    row = _value(pl.struct(safe.columns), pl.Struct(frame.schema), indent)
    return safe.select(row.str.join(",\n" + indent)).item()  # type: ignore[no-any-return]


def _value(e: pl.Expr, dtype: PolarsDataType, indent: str) -> pl.Expr:
    """The JSON text of a value of `dtype` whose line starts at `indent`."""
    inner = indent + "  "
    if isinstance(dtype, pl.Struct):
        e = e.struct.rename_fields([f"f{i}" for i in range(len(dtype.fields))])
        members = [
            pl.concat_str(
                pl.lit(f"{inner}{json.dumps(f.name, ensure_ascii=False)}: "),
                _value(e.struct.field(f"f{i}"), f.dtype, inner),
            )
            for i, f in enumerate(dtype.fields)
        ]
        if not members:
            return pl.when(e.is_null()).then(pl.lit("null")).otherwise(pl.lit("{}"))
        body = pl.concat_str(members, separator=",\n")
        return (
            pl.when(e.is_null())
            .then(pl.lit("null"))
            .otherwise(pl.concat_str(pl.lit("{\n"), body, pl.lit(f"\n{indent}}}")))
        )
    if isinstance(dtype, pl.List):
        items = e.list.eval(_value(pl.element(), dtype.inner, inner)).list.join(",\n" + inner)
        return (
            pl.when(e.is_null())
            .then(pl.lit("null"))
            .when(e.list.len() == 0)
            .then(pl.lit("[]"))
            .otherwise(pl.concat_str(pl.lit(f"[\n{inner}"), items, pl.lit(f"\n{indent}]")))
        )
    # A scalar: Polars encodes {"v": value}; the value is what follows `{"v":`.
    return pl.struct(e.alias(_V)).struct.json_encode().str.slice(len(_V) + 4).str.head(-1)
