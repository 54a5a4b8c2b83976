"""The real-text corpus of `haven lint-eval` (corpus/lint/real): read it, score it, report it.

The corpus has two files, `dev.yaml` (the rule writer may read it) and `heldout.yaml` (never read
to tune the rules). Both halves are scored and reported separately; the passages of the
held-out half are never printed, only its figures, so running `lint-eval --errors` while
writing rules does not leak it.
"""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from rich.table import Table

from haven.assess.lint import evaluate
from haven.cases import Case
from haven.errors import InputError, Problem
from haven.guardrails.text_eval import Outcome, RealItem, Score, Split, as_json, overall, score
from haven.policy.pack import Pack
from haven.policy.snapshot import covered_from
from haven.validation import problems

DEFAULT_REAL = Path(__file__).resolve().parents[2] / "corpus" / "lint" / "real"
HALVES = (Split.DEV, Split.HELDOUT)


def load_real_corpus(directory: Path, halves: tuple[Split, ...] = HALVES) -> list[RealItem]:
    """`dev.yaml` and `heldout.yaml` (or only the halves asked for: `--half dev` never opens the
    held-out file); every item's split must match its file, ids are unique and all passages of
    one source sit in the same half."""
    if not directory.is_dir():
        raise InputError([Problem("--real", f"{directory} is not a directory")])
    found: list[Problem] = []
    items: list[RealItem] = []
    for half in halves:
        path = directory / f"{half.value}.yaml"
        if not path.is_file():
            raise InputError([Problem("--real", f"{path} is missing")])
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (yaml.YAMLError, UnicodeDecodeError) as err:
            raise InputError([Problem(str(path), f"not valid YAML: {err}")]) from None
        for i, entry in enumerate(raw.get("items") or []):
            where = f"{path}: items[{i}]"
            try:
                item = RealItem.model_validate(entry)
            except ValidationError as err:
                found += problems(err, prefix=where)
                continue
            if item.split is not half:
                found.append(Problem(f"{where}.split", f"is {item.split.value} in {path.name}"))
            items.append(item)
    ids = [i.id for i in items]
    found += [
        Problem("id", f"item id {d!r} appears more than once")
        for d in sorted({i for i in ids if ids.count(i) > 1})
    ]
    placed: dict[str, set[Split]] = {}
    for item in items:
        placed.setdefault(item.source, set()).add(item.split)
    found += [
        Problem("source", f"{src!r} has passages in both halves")
        for src, hs in sorted(placed.items())
        if len(hs) > 1
    ]
    if found:
        raise InputError(found)
    if not items:
        raise InputError([Problem("--real", f"no items in {directory}")])
    return items


def real_contexts(items: list[RealItem]) -> dict[str, Case]:
    """Each passage is linted against the case built from its own facts."""
    return {i.id: Case.model_validate_json(json.dumps(i.facts.case(i.id, i.as_of))) for i in items}


@dataclass(frozen=True)
class RealReport:
    corpus: Path
    outcomes: list[Outcome]
    # Passages dated before the pack has a legal basis for every step: nothing to lint against.
    uncovered: int = 0
    halves: tuple[Split, ...] = HALVES  # the halves read (both unless `--half` chose one)

    def half(self, split: Split) -> list[Outcome]:
        return [o for o in self.outcomes if o.item.split is split]

    def scores(self, split: Split) -> list[Score]:
        return score(self.outcomes, split)

    def overall(self, split: Split) -> Score | None:
        return overall(self.scores(split))

    def dev_errors(self) -> list[Outcome]:
        """Misclassified dev passages only: held-out passages are never shown."""
        return [o for o in self.half(Split.DEV) if not o.correct]


def evaluate_real(
    directory: Path, pack: Pack, halves: tuple[Split, ...] = HALVES, model: bool = False
) -> RealReport:
    items = load_real_corpus(directory, halves)
    start = covered_from(pack)
    covered = [i for i in items if start is None or i.as_of >= start]
    outcomes = evaluate([i.item() for i in covered], real_contexts(covered), pack, model)
    return RealReport(directory, outcomes, len(items) - len(covered), halves)


def real_json(report: RealReport) -> dict[str, Any]:
    def total(s: Score | None) -> dict[str, Any] | None:
        return None if s is None else as_json(s)

    return {
        "corpus": str(report.corpus),
        "items": len(report.outcomes),
        "left_out_before_pack_coverage": report.uncovered,
        "splits": {
            half.value: {
                "items": len(report.half(half)),
                "overall": total(report.overall(half)),
                "codes": [as_json(s) for s in report.scores(half)],
            }
            for half in report.halves
        },
    }


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def real_table(report: RealReport) -> Table:
    n = report.uncovered
    left_out = f"; {n} dated before the pack's coverage left out" if n else ""
    table = Table(
        title=f"haven lint on the real corpus {report.corpus} ({len(report.outcomes)}{left_out})"
    )
    table.add_column("code", no_wrap=True)
    for half in report.halves:
        table.add_column(f"{half.value} ({len(report.half(half))}) P", justify="right")
        table.add_column("R", justify="right")
        table.add_column("pos", justify="right")
    rows = list(zip(*(report.scores(h) for h in report.halves), strict=True))
    for per_half in rows:
        cells: list[str] = []
        for s in per_half:
            cells += [_fmt(s.precision), _fmt(s.recall), str(s.positives)]
        code = per_half[0].code
        table.add_row("–" if code is None else code.value, *cells)
    cells = []
    for half in report.halves:
        s = report.overall(half)
        cells += (
            ["–", "–", "0"] if s is None else [_fmt(s.precision), _fmt(s.recall), str(s.positives)]
        )
    table.add_row("overall (micro)", *cells, style="bold")
    return table
