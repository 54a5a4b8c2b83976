"""The labelled corpora of the decision-text linter and its scores (precision, recall per code).

Two corpora: the team corpus (corpus/lint, passages written for it, cases as shared contexts)
and the real corpus (corpus/lint/real, passages taken from published rulings, each with the
facts needed to lint it). Pure: the corpora arrive as parsed data (the CLI reads the YAML
files); the predictions arrive as sets of flag codes per item (haven.assess.lint computes them).
"""

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from haven.vocab import Actor, FlagCode, Sogi


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


class Speaker(StrEnum):
    """Whose words a real passage are: the labels depend on it (see corpus/lint/real/README.md)."""

    DECISION = "decision"  # the decision-maker's reasoning, as written or as a court states it
    COURT = "court"  # the court's (or a summariser's) own reasoning or statement of the rule
    APPLICANT_ACCOUNT = "applicant_account"  # the applicant's account, with or without a verb
    APPLICANT_ARGUMENT = "applicant_argument"  # the applicant's grounds or counsel's argument


# A nationality the pack has no country policy for, used where the source does not name one:
# only the guardrails that bind whatever the country (the EU case law) can then apply.
NO_COUNTRY = "AQ"


class Facts(BaseModel):
    """What the linter needs to know about the case a real passage decides, from the source."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    nationality: str | None = Field(
        pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2; null where the source does not say"
    )
    sogi: list[Sogi] = Field(min_length=1, description="The claimed orientation or identity")
    actor: Actor | None = Field(
        None, description="Who the applicant claims harmed or threatens them; null if unstated"
    )

    def case(self, case_id: str, as_of: date) -> dict[str, Any]:
        """A contract case for these facts. The claim is taken as stated (the incident credible,
        the orientation open), so the passage is linted against the case the decision decides."""
        incidents = (
            [{"kind": "threat", "actor": self.actor.value, "credibility": "credible"}]
            if self.actor is not None
            else []
        )
        return {
            "id": case_id,
            "nationality": self.nationality or NO_COUNTRY,
            "profile": {"sogi": [s.value for s in self.sogi]},
            "credibility": {"identity": "credible", "nationality": "credible", "profile": "open"},
            "incidents": incidents,
            "procedure": {"lodged": as_of.isoformat()},
        }


class RealItem(BaseModel):
    """A passage from a published ruling or decision, labelled by someone who does not write the
    rules. `expect` holds the codes the linter should raise for `facts` on `as_of`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    source: str = Field(min_length=1, description="ECLI, case number or decision it comes from")
    url: str = Field(pattern=r"^https?://\S+$", description="Where the passage was read")
    lang: str = Field(pattern=r"^(en|nl)$")
    as_of: date = Field(description="Date of the text (the ruling or decision it is part of)")
    date_basis: str = Field(min_length=1, description="Which date as_of is, in plain words")
    facts: Facts
    speaker: Speaker
    expect: list[FlagCode]
    split: Split
    justification: str = Field(min_length=1)
    text: str = Field(min_length=1)

    def item(self) -> Item:
        """The item the evaluator scores; its case is the one built from its own facts."""
        return Item(
            id=self.id,
            lang=self.lang,
            case=self.id,
            as_of=self.as_of,
            expect=self.expect,
            split=self.split,
            text=self.text,
        )


def split_real(
    groups: Mapping[str, Sequence[Sequence[FlagCode]]], fixed: Mapping[str, Split] | None = None
) -> dict[str, Split]:
    """Assign each source (all passages of one ruling stay together) to dev or heldout.

    `groups` maps a source to the expected codes of each of its passages; `fixed` holds the
    sources already assigned (a published half never changes: a passage the rule writer has
    read stays in dev). Stratified: a source's stratum is the rarest code among its positives
    (by positives in the whole corpus; "none" without positives). New sources are taken in
    order of stratum and SHA-256 of their name, and each goes to the half holding fewer
    passages of its stratum so far (dev on a tie), so both halves get positives of every code
    that has two or more sources. Deterministic: the same corpus and history give the same split.
    """
    fixed = fixed or {}
    codes = {src: [c for expect in passages for c in expect] for src, passages in groups.items()}
    totals = Counter(c for cs in codes.values() for c in cs)

    def stratum(src: str) -> str:
        present = sorted(set(codes[src]), key=lambda c: (totals[c], c.value))
        return present[0].value if present else "none"

    def digest(src: str) -> str:
        return hashlib.sha256(src.encode("utf-8")).hexdigest()

    out: dict[str, Split] = {src: fixed[src] for src in groups if src in fixed}
    filled: Counter[tuple[str, Split]] = Counter()
    for src, half in out.items():
        filled[(stratum(src), half)] += len(groups[src])
    for src in sorted((s for s in groups if s not in out), key=lambda s: (stratum(s), digest(s))):
        key = stratum(src)
        dev, held = filled[(key, Split.DEV)], filled[(key, Split.HELDOUT)]
        half = Split.DEV if dev <= held else Split.HELDOUT
        out[src] = half
        filled[(key, half)] += len(groups[src])
    return out


@dataclass(frozen=True)
class Score:
    code: FlagCode | None  # None: all codes together (see overall)
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


def overall(scores: Iterable[Score]) -> Score | None:
    """Micro-averaged over the codes: every (item, code) pair counts once."""
    rows = list(scores)
    if not rows:
        return None
    return Score(
        None,
        sum(s.tp for s in rows),
        sum(s.fp for s in rows),
        sum(s.fn for s in rows),
    )


def as_json(s: Score) -> dict[str, Any]:
    return {
        "code": "all" if s.code is None else s.code.value,
        "positives": s.positives,
        "tp": s.tp,
        "fp": s.fp,
        "fn": s.fn,
        "precision": None if s.precision is None else round(s.precision, 3),
        "recall": None if s.recall is None else round(s.recall, 3),
    }
