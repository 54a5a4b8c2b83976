"""The linter's opt-in linear model (`haven lint --model`): its weights match the files it was
trained on and the command that trains it, its scores are deterministic, its flags come with
an explanation through the real CLI, and the team corpus still meets the linter's targets."""

import hashlib
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from haven.assess.lint import lexicon, lint_model
from haven.cli.lint_cmd import TARGET_PRECISION, TARGET_RECALL
from haven.guardrails.text_features import FEATURE_VERSION, featurize
from haven.guardrails.text_model import score
from haven.policy.pack import Pack

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "haven" / "packs" / "nl" / "lint" / "model.json"
HAVEN = [sys.executable, "-m", "haven"]
# Discretion reasoning no rule or concept reads (our own wording, in no corpus): concealment
# in the past carried over to the return in one participial clause.
MODEL_ONLY = (
    "Having kept his sexuality hidden in Lagos for many years, the appellant will keep it "
    "hidden on his return."
)
DRAFT = f"Besluit\n\nThe appellant's account of his arrest is consistent. {MODEL_ONLY}\n"


def haven(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([*HAVEN, *args], capture_output=True, timeout=300, env=env)


@pytest.fixture(scope="module")
def trainer() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "lint_model", ROOT / "benchmarks" / "lint_model.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_model_matches_the_files_it_was_trained_on(trainer: ModuleType) -> None:
    doc = json.loads(MODEL.read_text(encoding="utf-8"))
    assert doc["feature_version"] == FEATURE_VERSION
    assert doc["command"] == ".venv/bin/python benchmarks/lint_model.py train"
    trained = {f["path"]: f["sha256"] for f in doc["trained_on"]}
    assert "corpus/lint/real/heldout.yaml" not in trained  # never read by the trainer
    assert set(trained) == {p.relative_to(ROOT).as_posix() for p in trainer.training_files()}
    for path, digest in trained.items():
        actual = hashlib.sha256((ROOT / path).read_bytes()).hexdigest()
        assert actual == digest, f"{path} changed since the model was trained: retrain it"


def test_training_again_gives_the_shipped_weights(trainer: ModuleType, pack: Pack) -> None:
    shipped = json.loads(MODEL.read_text(encoding="utf-8"))
    again = trainer.train(trainer.examples(pack), trainer.CHOSEN)
    assert again["hyperparameters"] == shipped["hyperparameters"]
    assert set(again["reasons"]) == set(shipped["reasons"])
    for reason, m in shipped["reasons"].items():
        new = again["reasons"][reason]
        assert new["threshold"] == m["threshold"]
        assert new["bias"] == pytest.approx(m["bias"], abs=1e-4)
        names = set(m["weights"]) | set(new["weights"])
        for f in names:
            assert new["weights"].get(f, 0.0) == pytest.approx(m["weights"].get(f, 0.0), abs=1e-4)


def test_the_trainer_and_leave_fold_out_read_the_dev_half_only(
    trainer: ModuleType, pack: Pack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`cv`, `report` and `lofo` work from a directory holding dev.yaml alone: the held-out
    file is never needed, so never read. Leave-fold-out reads each fold with a lexicon that
    has lost only wording attested in that fold alone."""
    (tmp_path / "dev.yaml").write_bytes((ROOT / "corpus/lint/real/dev.yaml").read_bytes())
    monkeypatch.setattr(trainer, "DEFAULT_REAL", tmp_path)
    rows = trainer.examples(pack)
    assert rows and all(ex.item.split.value == "dev" for ex in rows if ex.real)
    found = trainer._term_sources(pack, rows)
    full = lexicon(pack)
    assert full is not None
    for k in range(trainer.FOLDS):
        fold_k = {ex.source for ex in rows if ex.real and trainer.fold(ex.source) == k}
        less = trainer.without_fold(pack, rows, k, found)
        for g, by_lang in full.groups.items():
            for lang, phrases in by_lang.items():
                gone = set(phrases) - set(less.groups[g][lang])
                assert all(found[(g, lang, p)] and found[(g, lang, p)] <= fold_k for p in gone)
    held = trainer.lofo(pack, rows, trainer.CHOSEN)
    assert len(held) == sum(1 for ex in rows if ex.real)


def test_scores_are_the_same_whatever_the_order_of_the_features(pack: Pack) -> None:
    model = lint_model(pack)
    sentences = featurize(DRAFT, lexicon(pack))
    first = score(model, sentences)
    again = score(model, featurize(DRAFT, lexicon(pack)))
    assert [(s.reason, s.probability, s.top) for s in first] == [
        (s.reason, s.probability, s.top) for s in again
    ]
    assert any(s.read for s in first)


@pytest.fixture
def draft(tmp_path: Path) -> Path:
    path = tmp_path / "draft.txt"
    path.write_text(DRAFT, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def case(shared: Path) -> Path:
    return shared / "contract" / "examples" / "ru-moscow-2015.json"


def _flags(r: subprocess.CompletedProcess[bytes]) -> list[dict[str, Any]]:
    assert r.returncode == 0, r.stderr.decode()
    found: list[dict[str, Any]] = json.loads(r.stdout)["flags"]
    return found


def test_model_flags_come_with_their_explanation(draft: Path, case: Path) -> None:
    args = ("lint", str(draft), "--case", str(case), "--as-of", "2019-01-01")
    assert _flags(haven(*args)) == []  # the rules alone read nothing here
    (flag,) = _flags(haven(*args, "--model"))
    text = draft.read_text(encoding="utf-8")
    assert flag["code"] == "discretion_reasoning" and flag["reason"] == "discretion_possible"
    assert flag["text"] == MODEL_ONLY == text[flag["start"] : flag["end"]]
    assert flag["rule"] == "model.discretion_possible" and flag["concept"] == "model"
    assert flag["sources"] and "cjeu-xyz" in flag["sources"]
    assert "X, Y and Z" in str(flag["message"])  # the rule, in plain words
    matched = [str(m) for m in flag["matched"]]
    assert 0 < len(matched) <= 5 and all(m.startswith(("group:", "near-concept:")) for m in matched)
    assert "linter's model" in flag["explanation"]
    assert matched[0].replace(": +", " +") in flag["explanation"]  # the top feature named


def test_explain_shows_the_model_flag(draft: Path, case: Path) -> None:
    r = haven(
        "lint", str(draft), "--case", str(case), "--as-of", "2019-01-01", "--model",
        "--explain", "--format", "table",
    )  # fmt: skip
    assert r.returncode == 0, r.stderr.decode()
    out = " ".join(r.stdout.decode().split())
    assert "discretion_reasoning (matched by model.discretion_possible)" in out
    assert "features that weighed most: group:" in out
    assert "sources: cjeu-xyz" in out


def test_the_model_output_does_not_depend_on_hash_seeds(draft: Path, case: Path) -> None:
    args = ("lint", str(draft), "--case", str(case), "--as-of", "2019-01-01", "--model")
    runs = [haven(*args, env={**os.environ, "PYTHONHASHSEED": seed}) for seed in ("1", "2")]
    assert runs[0].returncode == 0 and runs[0].stdout == runs[1].stdout


def test_a_pack_without_a_model_says_so(draft: Path, case: Path) -> None:
    r = haven("lint", str(draft), "--case", str(case), "--pack", "euaa", "--model")
    assert r.returncode != 0
    assert "has no lint model" in r.stderr.decode()


def test_the_team_corpus_meets_the_targets_with_the_model() -> None:
    r = haven("lint-eval", "--model", "--no-real", "--format", "json", "--check")
    assert r.returncode == 0, r.stdout.decode()[-2000:] + r.stderr.decode()
    doc = json.loads(r.stdout)
    assert doc["model"] is True and doc["targets"]["met"] is True
    for s in doc["splits"]["all"]["codes"]:
        assert s["precision"] is None or s["precision"] >= TARGET_PRECISION, s
        assert s["recall"] >= TARGET_RECALL, s
