"""Input preparation for the OpenFisca peer: contract cases -> OpenFisca input arrays.

This is shared input preparation, not rule evaluation: Haven's own `flatten()` flattens the
cases (credibility findings, the earliest date of each kind of incident, profile lists) with
Polars, exactly as it does inside `haven.impact.columnar.evaluate`; whether an incident is known
on a date is a formula of the peer (system.INCIDENT_FACTS), as age is. The columns are then
encoded the way OpenFisca stores them (Enum indices as int16, booleans, numpy dates) and handed
over as numpy arrays.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import polars as pl
from system import (
    INCIDENT_ALWAYS,
    INCIDENT_NEVER,
    NULL,
    CredibilityFinding,
    HavenPeerSystem,
    SexOrUnknown,
)

from haven.impact.batch import normalise
from haven.impact.columnar import REASON_BITS, SOGI_BITS, flatten, has_bit
from haven.vocab import Reason, Sogi

_NO_DATE = dt.date(1970, 1, 1)
# flatten()'s earliest incident dates (YYYYMMDD; 0: undated) -> the peer's date inputs.
_FIRST = {
    "has_credible": "has_credible_incident",
    "has_open": "has_open_incident",
    "state_actor": "state_actor_incident",
    "unreported": "unreported_non_state_incident",
}


def _codes(col: str, names: Any, fallback: str, null: str | None = None) -> pl.Expr:
    """Enum indices for a string column: unlisted values -> fallback, nulls -> null member."""
    mapping = {str(n): i for i, n in enumerate(names)}
    text = pl.col(col).cast(pl.String)  # flatten() gives some codes as enums
    expr = text.replace_strict(mapping, default=mapping[fallback], return_dtype=pl.Int16)
    if null is not None:
        expr = pl.when(pl.col(col).is_null()).then(pl.lit(mapping[null], pl.Int16)).otherwise(expr)
    return expr


def _first_date(col: str) -> pl.Expr:
    """An earliest-incident day number as a date (0: always known; null: no such incident)."""
    day = pl.col(col)
    return (
        pl.when(day.is_null())
        .then(pl.lit(INCIDENT_NEVER))
        .when(day == 0)
        .then(pl.lit(INCIDENT_ALWAYS))
        .otherwise(pl.date(day // 10000, day // 100 % 100, day % 100))
    )


def prepare(df: pl.DataFrame, system: HavenPeerSystem) -> dict[str, np.ndarray]:
    """One array per input variable of `system`, for the cases in `df` (contract rows)."""
    x = flatten(df.lazy())
    birth = (
        normalise(df.lazy())
        .select(pl.col("profile").struct.field("birth_date").str.to_date(strict=False).alias("b"))
        .collect()
        .to_series()
    )
    cf = CredibilityFinding.names
    cols: list[pl.Expr] = [
        _codes("nat", system.Country.names, "other").alias("nationality"),
        _codes("reg", system.Region.names, "other", null=NULL).alias("region"),
        *(_codes(f"c_{f}", cf, "open").alias(f"{f}_finding") for f in _FINDINGS),
        _codes("sex", SexOrUnknown.names, "unknown", null="unknown").alias("sex"),
        pl.col("lodged"),
        pl.col("claims_profile"),
        *(_first_date(f"_first:{col}").alias(f"{var}__first") for col, var in _FIRST.items()),
        *(has_bit("sogi_bits", SOGI_BITS[s.value]).alias(f"claims_sogi__{s.value}") for s in Sogi),
        *(
            pl.col("tags").list.contains(tag).alias(f"claims_tag__{name}")
            for name, tag in system.tags.items()
        ),
        *(
            has_bit("reason_bits", REASON_BITS[r.value]).alias(f"refusal_reason__{r.value}")
            for r in Reason
        ),
    ]
    frame = x.select(cols).collect()
    arrays = {name: frame[name].to_numpy() for name in frame.columns}
    arrays["birth_date_known"] = birth.is_not_null().to_numpy()
    arrays["birth_date"] = birth.fill_null(_NO_DATE).to_numpy()
    for name, values in arrays.items():
        if values.dtype == object:
            raise TypeError(f"{name}: nulls left in a column OpenFisca cannot hold")
    return arrays


_FINDINGS = ("identity", "nationality", "region", "profile")
