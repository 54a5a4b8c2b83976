"""The contract's case as a regular expression over one JSON line, and a diagnosis of a line that
does not fit it.

Polars infers one type per field over a whole file and widens where lines differ: `"id": true`
in one line and `"id": "a"` in another make a String column in which the first id reads
"true", and an object among strings cannot be decoded at all. The exact reader
(haven.impact.stream, when pyarrow refuses a file) therefore matches every line against the
contract's shape, which is regular (objects nest two deep at most); the few lines that do not
match are parsed in Python and their problems named, with the line, as the other readers do.
"""

import json
from typing import Any

import polars as pl
from polars._typing import PolarsDataType

from haven.cases.schema import TOP

_WS = r"[ \t\r\n]*"
_STRING = r'"(?:[^"\\\x00-\x1f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"'


def _pattern(dtype: PolarsDataType) -> str:
    """The JSON text of a value of `dtype`, or null."""
    if dtype == pl.String:
        body = _STRING
    elif dtype == pl.Boolean:
        body = "true|false"
    elif isinstance(dtype, pl.List):
        item = _pattern(dtype.inner)
        body = rf"\[{_WS}(?:{item}(?:{_WS},{_WS}{item})*)?{_WS}\]"
    elif isinstance(dtype, pl.Struct):
        body = _object({f.name: f.dtype for f in dtype.fields})
    else:  # pragma: no cover - TOP uses only these
        raise TypeError(dtype)
    return f"(?:null|{body})"


def _object(fields: dict[str, PolarsDataType]) -> str:
    member = "(?:" + "|".join(f'"{k}"{_WS}:{_WS}{_pattern(t)}' for k, t in fields.items()) + ")"
    return rf"\{{{_WS}(?:{member}(?:{_WS},{_WS}{member})*)?{_WS}\}}"


# A line holding one case of the contract's shape (values are checked later, by batch.py).
LINE = f"^{_WS}{_object(TOP)}{_WS}$"


def diagnose(text: str) -> list[tuple[str, str]]:
    """(field path, problem) for a line that does not match LINE; none if it is fine after all
    (LINE is stricter than JSON in a few ways, e.g. a repeated key is read as Polars reads it)."""
    try:
        value = json.loads(text)
    except ValueError as err:
        return [("", f"not valid JSON: {err}")]
    if not isinstance(value, dict):
        return [("", "must be an object")]
    return _check(value, pl.Struct(TOP), "")


_NAMES = {str: "a string", bool: "a boolean", list: "a list", dict: "an object"}


def _kind(value: Any) -> str:
    return _NAMES.get(type(value), "a number")


def _check(value: Any, dtype: PolarsDataType, path: str) -> list[tuple[str, str]]:
    if value is None:
        return []
    if dtype == pl.String:
        ok = isinstance(value, str)
        return [] if ok else [(path, f"must be a string, got {_kind(value)}")]
    if dtype == pl.Boolean:
        ok = isinstance(value, bool)
        return [] if ok else [(path, f"must be true or false, got {_kind(value)}")]
    if isinstance(dtype, pl.List):
        if not isinstance(value, list):
            return [(path, f"must be a list, got {_kind(value)}")]
        return [p for i, v in enumerate(value) for p in _check(v, dtype.inner, f"{path}[{i}]")]
    assert isinstance(dtype, pl.Struct)
    if not isinstance(value, dict):
        return [(path, f"must be an object, got {_kind(value)}")]
    fields = {f.name: f.dtype for f in dtype.fields}
    found: list[tuple[str, str]] = []
    for key, v in value.items():
        where = f"{path}.{key}" if path else key
        if key not in fields:
            found.append((where, "unknown field"))
        else:
            found += _check(v, fields[key], where)
    return found
