"""The case model (haven.cases.model) as Polars types and column checks, derived from it.

Every field of the model becomes a leaf: its Polars type (dates and codes as text), whether it
is required, and what makes a value invalid (an enum's values from haven.vocab, a date that is
not YYYY-MM-DD, a country or region code, a value listed twice, a length limit, NUL). The
columnar reader uses the leaves to find invalid cases with column expressions; the words for
what is wrong come from the case model itself (haven.cases.frame_checks), so every reader
refuses the same input with the same message. Pure: no I/O.
"""

import datetime as dt
import types
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Union, get_args, get_origin

import polars as pl
import pycountry
from annotated_types import MaxLen, MinLen
from polars._typing import PolarsDataType
from pydantic import AfterValidator, BaseModel
from pydantic.fields import FieldInfo

from haven.cases import model
from haven.codes import EXTRA_COUNTRIES, check_country, check_region

# The contract's date format, given explicitly: parsing is faster, and a value in any other
# format is an error here as it is for the case model.
ISO = "%Y-%m-%d"
COUNTRIES = sorted({c.alpha_2 for c in pycountry.countries} | EXTRA_COUNTRIES)
REGIONS = sorted(s.code for s in pycountry.subdivisions)


@dataclass(frozen=True)
class Leaf:
    """One scalar field of the model, or the items of a list field (`many`)."""

    name: str
    dtype: PolarsDataType  # of one value
    required: bool = False
    many: bool = False  # a list of such values
    unique: bool = False  # a list whose values may not repeat
    allowed: tuple[str, ...] = ()  # an enum's values, or codes
    date: bool = False
    min_len: int | None = None
    max_len: int | None = None
    no_nul: bool = False


@dataclass(frozen=True)
class Group:
    """A nested object of the model (`many`: a list of them, e.g. incidents)."""

    name: str
    cls: type[BaseModel]
    leaves: tuple[Leaf, ...]
    required: bool = False
    many: bool = False


def _strip_none(annotation: Any) -> tuple[Any, bool]:
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        return args[0], len(args) < len(get_args(annotation))
    return annotation, False


def _validators(info: FieldInfo | None, extra: list[Any]) -> set[Any]:
    found = [*(info.metadata if info else []), *extra]
    return {m.func for m in found if isinstance(m, AfterValidator)}


def _unannotated(annotation: Any) -> tuple[Any, list[Any]]:
    """Annotated[str, V] -> (str, [V])."""
    if hasattr(annotation, "__metadata__"):
        meta = [
            m
            for item in annotation.__metadata__
            for m in (item.metadata if isinstance(item, FieldInfo) else [item])
        ]
        return get_args(annotation)[0], meta
    return annotation, []


def _leaf(name: str, info: FieldInfo) -> Leaf:
    annotation, _ = _strip_none(info.annotation)
    annotation, own_meta = _unannotated(annotation)  # e.g. RegionCode | None
    many = get_origin(annotation) is list
    item_meta: list[Any] = []
    if many:
        (annotation,) = get_args(annotation)
        annotation, item_meta = _unannotated(annotation)
    funcs = _validators(info, own_meta)
    lengths = [*info.metadata, *own_meta, *item_meta]
    min_len = next((m.min_length for m in lengths if isinstance(m, MinLen)), None)
    max_len = next((m.max_length for m in lengths if isinstance(m, MaxLen)), None)
    allowed: tuple[str, ...] = ()
    if isinstance(annotation, type) and issubclass(annotation, StrEnum):
        allowed = tuple(v.value for v in annotation)
    elif check_country in funcs:
        allowed = tuple(COUNTRIES)
    elif check_region in funcs:
        allowed = tuple(REGIONS)
    dtype: PolarsDataType = pl.Boolean() if annotation is bool else pl.String()
    return Leaf(
        name=name,
        dtype=dtype,
        required=info.is_required(),
        many=many,
        unique=model._unique in funcs,
        allowed=allowed,
        date=annotation is dt.date,
        min_len=min_len,
        max_len=max_len,
        no_nul=model._no_nul in funcs,
    )


def _fields(cls: type[BaseModel]) -> tuple[list[Leaf], list[Group]]:
    leaves, groups = [], []
    for name, info in cls.model_fields.items():
        annotation, _ = _strip_none(info.annotation)
        many = get_origin(annotation) is list
        inner = get_args(annotation)[0] if many else annotation
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            sub, nested = _fields(inner)
            assert not nested, "the contract nests objects one level deep"
            groups.append(Group(name, inner, tuple(sub), info.is_required(), many))
        else:
            leaves.append(_leaf(name, info))
    return leaves, groups


def _dtype(leaf: Leaf) -> PolarsDataType:
    return pl.List(leaf.dtype) if leaf.many else leaf.dtype


LEAVES, GROUPS = _fields(model.Case)
# The contract's case, as Polars types, in the model's field order.
STRUCTS: dict[str, dict[str, Any]] = {
    g.name: {f.name: _dtype(f) for f in g.leaves} for g in GROUPS if not g.many
}
INCIDENT: dict[str, Any] = next(
    {f.name: _dtype(f) for f in g.leaves} for g in GROUPS if g.name == "incidents"
)
TOP: dict[str, Any] = {}
for _name in model.Case.model_fields:
    _g = next((g for g in GROUPS if g.name == _name), None)
    if _g is None:
        TOP[_name] = _dtype(next(f for f in LEAVES if f.name == _name))
    elif _g.many:
        TOP[_name] = pl.List(pl.Struct({f.name: _dtype(f) for f in _g.leaves}))
    else:
        TOP[_name] = pl.Struct(STRUCTS[_name])


# -- what makes a value invalid, as column expressions -------------------------------------


def not_iso(day: pl.Expr) -> pl.Expr:
    """Not a YYYY-MM-DD date. The length check refuses what the parser would let through
    (2015-3-1), as the case model does."""
    return (day.str.len_bytes() != 10) | day.str.to_date(ISO, strict=False).is_null()


def _bad_value(leaf: Leaf, v: pl.Expr) -> pl.Expr:
    """Whether a present (non-null) value breaks the leaf's rules."""
    bad = pl.lit(False)
    if leaf.allowed:
        bad = bad | ~v.is_in(list(leaf.allowed))
    if leaf.date:
        bad = bad | not_iso(v)
    if leaf.min_len is not None:
        bad = bad | (v.str.len_chars() < leaf.min_len)
    if leaf.max_len is not None:
        bad = bad | (v.str.len_chars() > leaf.max_len)
    if leaf.no_nul:
        bad = bad | v.str.contains("\x00", literal=True)
    return bad


def _bad_leaf(leaf: Leaf, v: pl.Expr) -> pl.Expr:
    """Whether the leaf's value (null: absent) is invalid, as the model would find it."""
    if leaf.many:
        items = v.fill_null([])
        bad = items.list.eval(pl.element().is_null() | _bad_value(leaf, pl.element())).list.any()
        if leaf.unique:
            bad = bad | (items.list.n_unique() != items.list.len())
        return bad.fill_null(False)
    missing = v.is_null() if leaf.required else pl.lit(False)
    return missing | (v.is_not_null() & _bad_value(leaf, v)).fill_null(False)


def _bad_order(cls: type[BaseModel], field: Any) -> list[pl.Expr]:
    """The model's DATE_ORDER rules (a later date before an earlier one)."""
    return [
        (
            field(later).str.to_date(ISO, strict=False)
            < field(earlier).str.to_date(ISO, strict=False)
        ).fill_null(False)
        for later, earlier in getattr(cls, "DATE_ORDER", ())
    ]


def invalid() -> pl.Expr:
    """True for a case (a normalised row) that the case model would refuse."""
    checks = [_bad_leaf(f, pl.col(f.name)) for f in LEAVES]
    for g in GROUPS:
        col = pl.col(g.name)
        if g.many:
            el = pl.element().struct
            inner = [_bad_leaf(f, el.field(f.name)) for f in g.leaves]
            inner += _bad_order(g.cls, el.field)
            per_item = pl.element().is_null() | pl.any_horizontal(inner)
            checks.append(col.fill_null([]).list.eval(per_item).list.any().fill_null(False))
            continue
        fields = [_bad_leaf(f, col.struct.field(f.name)) for f in g.leaves]
        fields += _bad_order(g.cls, col.struct.field)
        present = col.is_not_null() & pl.any_horizontal(fields)
        checks.append((col.is_null() & g.required) | present.fill_null(False))
    return pl.any_horizontal(checks)


# -- the case as the model writes it ---------------------------------------------------------


def _default(info: FieldInfo) -> Any:
    """The model's default for a field, as a frame value (None: no default, or None)."""
    if info.is_required():
        return None
    if info.default_factory is list:
        return []
    default = info.get_default(call_default_factory=False)
    return default.value if isinstance(default, StrEnum) else default


def _filled(leaf: Leaf, info: FieldInfo, v: pl.Expr) -> pl.Expr:
    default = _default(info)
    if default is None:
        return v.alias(leaf.name)
    return v.fill_null(pl.lit(default, _dtype(leaf))).alias(leaf.name)


def _group(g: Group, field: Any) -> pl.Expr:
    """A nested object with every field present, defaults filled, in the model's order (an
    absent object with a default, e.g. profile, is the default object)."""
    infos = g.cls.model_fields
    return pl.struct([_filled(f, infos[f.name], field(f.name)) for f in g.leaves])


def filled() -> pl.Expr:
    """A valid case (a normalised row) as the model holds it: every field in the model's
    order, absent ones as their defaults."""
    infos = model.Case.model_fields
    parts: list[pl.Expr] = []
    for name in model.Case.model_fields:
        g = next((g for g in GROUPS if g.name == name), None)
        if g is None:
            leaf = next(f for f in LEAVES if f.name == name)
            parts.append(_filled(leaf, infos[name], pl.col(name)))
        elif g.many:
            item = _group(g, pl.element().struct.field)
            items = pl.col(name).fill_null(pl.lit([], TOP[name]))
            parts.append(items.list.eval(item).cast(TOP[name]).alias(name))
        else:
            parts.append(_group(g, pl.col(name).struct.field).alias(name))
    return pl.struct(parts)


def dumped(case: pl.Expr) -> pl.Expr:
    """A `filled` case as the compact JSON `Case.model_dump_json` writes. Byte for byte the
    model's text when every string is printable ASCII without `"` or `\\` (JSON escaping is
    where encoders may differ: callers look for a backslash or any other character in the
    text, and have the model write those few cases)."""
    return case.struct.json_encode()


def plain_dates() -> pl.Expr:
    """True for a row whose every date is written YYYY-MM-DD with digits (as the model writes
    dates back), so that a stored text holds the dates as given."""
    digits = r"^\d{4}-\d{2}-\d{2}$"
    checks: list[pl.Expr] = []
    for g in GROUPS:
        for f in g.leaves:
            if not f.date:
                continue
            if g.many:
                value = pl.element().struct.field(f.name)
                ok = (value.is_null() | value.str.contains(digits)).all()
                checks.append(pl.col(g.name).fill_null([]).list.eval(ok).list.first())
            else:
                value = pl.col(g.name).struct.field(f.name)
                checks.append(value.is_null() | value.str.contains(digits))
    checks += [
        pl.col(f.name).is_null() | pl.col(f.name).str.contains(digits) for f in LEAVES if f.date
    ]
    return pl.all_horizontal([c.fill_null(True) for c in checks])
