"""The labelled corpus of the decision-text linter and its scores (precision, recall per code).

Pure: the corpus arrives as parsed data (the CLI reads the YAML files); the predictions arrive
as sets of flag codes per item (haven.assess.lint computes them).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from haven.vocab import FlagCode


class Split(StrEnum):
    DEV = "dev"  # used while writing the rules
    HELDOUT = "heldout"  # never looked at to tune them


class Item(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    lang: str = Field(pattern=r"^(en|nl)$")
    case: str = Field(min_length=1, description="A key of the corpus contexts")
    as_of: date
    expect: list[FlagCode]
    split: Split
    text: str = Field(min_length=1)
    note: str | None = None


class Context(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    note: str
    case: dict[str, Any]


@dataclass(frozen=True)
class Score:
    code: FlagCode
    tp: int
    fp: int
    fn: int

    @property
    def positives(self) -> int:
        return self.tp + self.fn

    @property
    def precision(self) -> float | None:
        flagged = self.tp + self.fp
        return self.tp / flagged if flagged else None

    @property
    def recall(self) -> float | None:
        return self.tp / self.positives if self.positives else None


@dataclass(frozen=True)
class Outcome:
    item: Item
    predicted: frozenset[FlagCode]

    @property
    def correct(self) -> bool:
        return self.predicted == frozenset(self.item.expect)


def score(outcomes: Iterable[Outcome], split: Split | None = None) -> list[Score]:
    """Per flag code, over the items of a split (or all): item-level true/false positives."""
    rows = [o for o in outcomes if split is None or o.item.split is split]
    scores = []
    for code in FlagCode:
        tp = fp = fn = 0
        for o in rows:
            want, got = code in o.item.expect, code in o.predicted
            tp += want and got
            fp += got and not want
            fn += want and not got
        scores.append(Score(code, tp, fp, fn))
    return scores


def as_json(s: Score) -> dict[str, Any]:
    return {
        "code": s.code.value,
        "positives": s.positives,
        "tp": s.tp,
        "fp": s.fp,
        "fn": s.fn,
        "precision": None if s.precision is None else round(s.precision, 3),
        "recall": None if s.recall is None else round(s.recall, 3),
    }
