"""Turn Pydantic validation errors into plain problems that name the field path.

Leaf module: imports nothing of Haven but the error tree.
"""

from pydantic import ValidationError

from haven.errors import Problem

# Pydantic's error types, said in words a case officer or pack author understands.
_MESSAGES = {
    "missing": "required field is missing",
    "extra_forbidden": "unknown field",
    "date_type": "not a date (expected YYYY-MM-DD)",
    "date_parsing": "not a date (expected YYYY-MM-DD)",
    "date_from_datetime_parsing": "not a date (expected YYYY-MM-DD)",
    "date_from_datetime_inexact": "not a date (expected YYYY-MM-DD, without a time)",
    "string_type": "must be a string",
    "bool_type": "must be true or false",
    "int_type": "must be a whole number",
    "list_type": "must be a list",
    "tuple_type": "must be a list",
    "model_type": "must be an object",
    "dict_type": "must be an object",
    "json_invalid": "not valid JSON",
}


def path(loc: tuple[int | str, ...]) -> str:
    """('incidents', 2, 'date') -> 'incidents[2].date'."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            name = part or "''"  # an empty key (fuzzing found it) must still be named
            out += f".{name}" if out else name
    return out


def problems(err: ValidationError, prefix: str = "") -> list[Problem]:
    found = []
    for e in err.errors(include_url=False):
        # Discriminated unions add the tag to the path; it is noise to a reader.
        loc = tuple(p for p in e["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        kind = e["type"]
        if kind in ("literal_error", "enum"):
            expected = (e.get("ctx") or {}).get("expected", "")
            message = f"{e['input']!r} is not allowed; expected {expected}"
        elif kind == "union_tag_invalid":
            message = str(e["msg"])
        elif kind in _MESSAGES:
            message = _MESSAGES[kind]
        else:
            message = str(e["msg"]).removeprefix("Value error, ")
        where = path(loc)
        if prefix and not where:
            where = prefix.rstrip(": ")
        elif prefix:
            joiner = (
                "" if prefix.endswith((" ", ":")) or where.startswith("[") or not where else "."
            )
            where = f"{prefix}{joiner}{where}"
        found.append(Problem(where, message))
    return found
