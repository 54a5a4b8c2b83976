"""The opt-in linear model of the decision-text linter (`haven lint --model`), as data.

One logistic model per refusal reason scores each sentence on the features of
text_features; a sentence whose probability reaches the reason's threshold is read as relying
on that reason, and the engine then says (as for the rules) whether that is forbidden for the
case on the date. The weights are data (the pack's lint/model.json, written by
benchmarks/lint_model.py with the SHA-256 of every file it was trained on); scoring is a sum of
weights in a fixed order, in pure Python, so the same text gives the same scores everywhere.
"""

import math
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from haven.guardrails.text_features import FEATURE_VERSION, Sentence
from haven.vocab import Reason

TOP_FEATURES = 5  # contributions named in an explanation


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TrainingFile(_Model):
    path: str = Field(description="Relative to the repository root")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class ReasonModel(_Model):
    bias: float
    threshold: float = Field(gt=0, lt=1, description="Probability from which a sentence is read")
    weights: dict[str, float]


class LintModel(_Model):
    feature_version: int
    command: str = Field(min_length=1, description="The command that trained it")
    hyperparameters: dict[str, Any]
    trained_on: list[TrainingFile] = Field(min_length=1)
    reasons: dict[Reason, ReasonModel]


@dataclass(frozen=True)
class ModelScore:
    reason: Reason
    sentence: Sentence
    probability: float
    threshold: float
    top: tuple[tuple[str, float], ...]  # the features that pushed the score up most

    @property
    def read(self) -> bool:
        return self.probability >= self.threshold

    def why(self) -> str:
        return ", ".join(f"{name} {w:+.2f}" for name, w in self.top)


def parse(raw: dict[str, Any]) -> LintModel:
    """The model checked (pydantic.ValidationError names what is wrong); refused if it was
    trained on features that no longer mean what they did."""
    model = LintModel.model_validate(raw)
    if model.feature_version != FEATURE_VERSION:
        raise ValueError(
            f"lint/model.json has feature_version {model.feature_version}, the linter reads "
            f"{FEATURE_VERSION}: retrain it (benchmarks/lint_model.py train)"
        )
    return model


def logit(m: ReasonModel, features: frozenset[str]) -> float:
    """Bias plus the weights of the features present, summed in sorted order (deterministic)."""
    return m.bias + sum(m.weights.get(f, 0.0) for f in sorted(features))


def probability(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


def score(model: LintModel, sentences: list[Sentence]) -> list[ModelScore]:
    """Every (sentence, reason) score, in sentence then reason order."""
    out = []
    for s in sentences:
        for reason, m in model.reasons.items():
            contributions = sorted(
                ((f, m.weights[f]) for f in s.features if m.weights.get(f, 0.0) > 0),
                key=lambda fw: (-fw[1], fw[0]),
            )
            out.append(
                ModelScore(
                    reason,
                    s,
                    probability(logit(m, s.features)),
                    m.threshold,
                    tuple(contributions[:TOP_FEATURES]),
                )
            )
    return out
