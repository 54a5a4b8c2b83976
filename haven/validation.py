"""Turn Pydantic validation errors into plain problems that name the field path.

Leaf module: imports nothing of Haven but the error tree.
"""

from typing import Any

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
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
}
# Pydantic's errors that carry a bound, said with it.
_BOUNDS = {
    "greater_than_equal": ("ge", "must be at least {}"),
    "greater_than": ("gt", "must be more than {}"),
    "less_than_equal": ("le", "must be at most {}"),
    "less_than": ("lt", "must be less than {}"),
    "string_too_short": ("min_length", "must be at least {} characters long"),
    "string_too_long": ("max_length", "must be at most {} characters long"),
    "too_short": ("min_length", "must hold at least {} items"),
    "too_long": ("max_length", "must hold at most {} items"),
}

USERNAME = r"^[a-z0-9][a-z0-9._\-]{1,63}$"
# A text that must say something (a comment, a resolution): not spaces only.
NOT_BLANK = r"\S"
# The patterns of the API's and the packs' fields, said in words (a reader cannot be expected
# to read a regular expression).
_PATTERNS = {
    USERNAME: "may hold only lower-case letters (a-z), digits, '.', '_' and '-', must begin "
    "with a letter or a digit, and must be 2 to 64 characters long",
    NOT_BLANK: "must hold more than spaces",
    r"^[A-Z]{2}$": "must be a country code of two capital letters (ISO 3166-1 alpha-2, e.g. RU)",
    r"^[a-z0-9][a-z0-9\-]*$": "may hold only lower-case letters (a-z), digits and '-', and "
    "must begin with a letter or a digit",
    r"^[a-z0-9][a-z0-9.\-]*$": "may hold only lower-case letters (a-z), digits, '.' and '-', "
    "and must begin with a letter or a digit",
    r"^[a-z0-9][a-z0-9_\-]*$": "may hold only lower-case letters (a-z), digits, '_' and '-', "
    "and must begin with a letter or a digit",
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


def message(e: Any) -> str:
    """One of Pydantic's errors (an item of `ValidationError.errors()`, of a body or a query
    parameter), in words."""
    kind, ctx = e["type"], e.get("ctx") or {}
    if kind in ("literal_error", "enum"):
        return f"{e['input']!r} is not allowed; expected {ctx.get('expected', '')}"
    if kind in _MESSAGES:
        return _MESSAGES[kind]
    if kind in _BOUNDS and _BOUNDS[kind][0] in ctx:
        bound, words = _BOUNDS[kind]
        return words.format(ctx[bound])
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        return _PATTERNS.get(pattern, f"does not have the expected form ({pattern})")
    return str(e["msg"]).removeprefix("Value error, ")


def problems(err: ValidationError, prefix: str = "") -> list[Problem]:
    found = []
    for e in err.errors(include_url=False):
        # Discriminated unions add the tag to the path; it is noise to a reader.
        loc = tuple(p for p in e["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        said = message(e)
        where = path(loc)
        if prefix and not where:
            where = prefix.rstrip(": ")
        elif prefix:
            joiner = (
                "" if prefix.endswith((" ", ":")) or where.startswith("[") or not where else "."
            )
            where = f"{prefix}{joiner}{where}"
        found.append(Problem(where, said))
    return found
