"""`haven lint FILE --case CASE`: flag forbidden reasoning in a draft decision text, and
`haven lint-eval [CORPUS]`: precision and recall of those flags on the labelled corpus."""

import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

import typer
import yaml
from pydantic import ValidationError
from rich.table import Table
from rich.text import Text

from haven.assess.lint import evaluate, explain, lint
from haven.cases import Case, read_caseload
from haven.cli.common import Format, assessable, only, out, pack_option, parse_date, print_json
from haven.cli.lint_real import (
    DEFAULT_REAL,
    HALVES,
    RealReport,
    evaluate_real,
    real_json,
    real_table,
)
from haven.clock import today
from haven.errors import CaseError, InputError, Problem
from haven.guardrails.text_eval import Context, Item, Outcome, Score, Split, as_json, score
from haven.packs import DEFAULT_PACK
from haven.policy.pack import Pack
from haven.policy.snapshot import check_covered
from haven.validation import problems

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "corpus" / "lint"
# The targets of issue 6: on every flag code.
TARGET_PRECISION, TARGET_RECALL = 0.9, 0.8


def read_text(file: str) -> str:
    """The text exactly as in the file (no newline translation), so offsets index it."""
    if file == "-":
        data = sys.stdin.buffer.read()
    else:
        path = Path(file)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise InputError([Problem("FILE", f"no such file: {file}")]) from None
        except IsADirectoryError:
            raise InputError([Problem("FILE", f"{file} is a directory")]) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InputError(
            [Problem("FILE", f"not UTF-8 text (bad byte at offset {err.start})")]
        ) from None


def read_case(file: str, pack: Pack | None = None) -> Case:
    try:
        cases = read_caseload(file, check=assessable(pack))
    except CaseError as err:
        raise InputError(
            [
                Problem(f"--case: {p.where}" if p.where else "--case", p.message)
                for p in err.problems
            ]
        ) from None
    if len(cases) != 1:
        raise InputError(
            [Problem("--case", f"holds {len(cases)} cases; give the one case the text decides")]
        )
    return cases[0]


def lint_file(
    file: str = typer.Argument(..., help="The draft decision text (UTF-8), or - for stdin"),
    case: str = typer.Option(..., "--case", help="The case the text decides (JSON)"),
    as_of: str | None = typer.Option(None, "--as-of", help="YYYY-MM-DD; default: today"),
    pack: str = typer.Option(DEFAULT_PACK, "--pack", help="Pack name or directory"),
    fmt: Format = typer.Option(Format.JSON, "--format", help="json or table"),
    why: bool = typer.Option(
        False, "--explain", help="Say for every sentence why it was or was not flagged"
    ),
    model: bool = typer.Option(
        False,
        "--model",
        help="Also flag what the pack's linear model (lint/model.json) reads where no rule did",
    ),
) -> None:
    """Flag passages of a draft decision that rely on reasoning forbidden for the case on the
    date, with the character span, the flag code, a plain explanation and the sources."""
    only(fmt, (Format.JSON, Format.TABLE))
    day = parse_date(as_of, "--as-of", default=today())
    policy = pack_option(pack)
    check_covered(policy, day, "--as-of")
    the_case = read_case(case, policy)
    text = read_text(file)
    result = lint(text, the_case, day, policy, model=model)
    if why:
        _explain(text, the_case, day, policy, fmt, result.model_dump(mode="json"), model)
        return
    if fmt is Format.JSON:
        print_json(result.model_dump(mode="json"))
        return
    out.print(
        f"[bold]{len(result.flags)} flag(s)[/] in {file} for case {result.case_id} as of {day} "
        f"(pack {policy.meta.id} {policy.version})\n",
        markup=True,
    )
    for f in result.flags:
        out.print(f"[bold]{f.start}–{f.end}[/]  [bold red]{f.code.value}[/]")
        out.print(Text(f"  “{f.text}”", style="italic"))
        out.print(Text(f"  {f.message}"))
        if f.concept == "model":
            out.print(Text(f"  {f.explanation}"))
        out.print(Text("  sources: " + ", ".join(f.sources) + "\n", style="dim"))
    out.print(result.notice)


def _explain(
    text: str,
    case: Case,
    day: date,
    policy: Pack,
    fmt: Format,
    head: dict[str, Any],
    model: bool = False,
) -> None:
    verdicts = explain(text, case, day, policy, model)
    if fmt is Format.JSON:
        head.pop("flags")
        print_json({**head, "sentences": [v.model_dump(mode="json") for v in verdicts]})
        return
    for v in verdicts:
        if v.flags:
            status = "[bold red]flagged[/]"
        elif v.set_aside:
            status = "[yellow]matched, set aside[/]"
        elif v.allowed:
            status = "[green]matched, not forbidden for this case on this date[/]"
        else:
            status = "[dim]no concept or wording of a refusal reason[/]"
        out.print(f"[bold]{v.start}–{v.end}[/] {status}", markup=True)
        out.print(Text(f"  “{v.text}”", style="italic"))
        for f in v.flags:
            out.print(Text(f"  {f.code.value} (matched by {f.rule}): {f.explanation}"))
            out.print(Text(f"  rule: {f.message}"))
            out.print(Text("  sources: " + ", ".join(f.sources), style="dim"))
        for line in [*v.set_aside, *v.allowed, *v.model]:
            out.print(Text(f"  {line}"))
        out.print()
    out.print(head["notice"])


# --- evaluation ----------------------------------------------------------------------------


def _yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as err:
        raise InputError([Problem(str(path), f"not valid YAML: {err}")]) from None


def load_corpus(directory: Path) -> tuple[list[Item], dict[str, Case]]:
    """contexts.yaml (the cases items refer to) and every other *.yaml file (the items)."""
    if not directory.is_dir():
        raise InputError([Problem("CORPUS", f"{directory} is not a directory")])
    ctx_file = directory / "contexts.yaml"
    if not ctx_file.is_file():
        raise InputError([Problem("CORPUS", f"{ctx_file} is missing")])
    found: list[Problem] = []
    contexts: dict[str, Case] = {}
    for key, raw in ((_yaml(ctx_file) or {}).get("contexts") or {}).items():
        where = f"{ctx_file}: contexts.{key}"
        try:
            ctx = Context.model_validate(raw)
            contexts[key] = Case.model_validate_json(json.dumps(ctx.case))
        except ValidationError as err:
            found += problems(err, prefix=f"{where}: ")
    items: list[Item] = []
    for path in sorted(directory.glob("*.yaml")):
        if path == ctx_file:
            continue
        for i, raw in enumerate((_yaml(path) or {}).get("items") or []):
            where = f"{path}: items[{i}]"
            try:
                item = Item.model_validate(raw)
            except ValidationError as err:
                found += problems(err, prefix=where)
                continue
            if item.case not in contexts:
                found.append(Problem(f"{where}.case", f"unknown context {item.case!r}"))
            items.append(item)
    ids = [i.id for i in items]
    found += [
        Problem("id", f"item id {d!r} appears more than once")
        for d in sorted({i for i in ids if ids.count(i) > 1})
    ]
    if found:
        raise InputError(found)
    if not items:
        raise InputError([Problem("CORPUS", f"no items in {directory}")])
    return items, contexts


def targets_met(scores: list[Score]) -> bool:
    return all(
        (s.precision is None or s.precision >= TARGET_PRECISION)
        and s.recall is not None
        and s.recall >= TARGET_RECALL
        for s in scores
    )


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def lint_eval(
    corpus: Path = typer.Argument(DEFAULT_CORPUS, help="Corpus directory (default: corpus/lint)"),
    pack: str = typer.Option(DEFAULT_PACK, "--pack", help="Pack name or directory"),
    fmt: Format = typer.Option(Format.TABLE, "--format", help="table or json"),
    errors: bool = typer.Option(False, "--errors", help="Also list every misclassified item"),
    check: bool = typer.Option(
        False, "--check", help="Exit 1 unless every code meets the targets on the whole corpus"
    ),
    real: Path = typer.Option(
        DEFAULT_REAL, "--real", help="Real-text corpus (dev.yaml, heldout.yaml) to report too"
    ),
    no_real: bool = typer.Option(False, "--no-real", help="Report the team corpus only"),
    half: Split | None = typer.Option(
        None,
        "--half",
        help="Read and report only this half of the real corpus (dev: while writing rules, "
        "the held-out file is not opened)",
    ),
    model: bool = typer.Option(
        False, "--model", help="Score `haven lint --model`: the rules and the pack's model"
    ),
) -> None:
    """Precision and recall of `haven lint` per flag code on a labelled corpus, on the whole
    corpus and on its held-out split, and on the two halves of the real-text corpus (whose
    held-out passages are never printed)."""
    only(fmt, (Format.JSON, Format.TABLE))
    items, contexts = load_corpus(corpus)
    policy = pack_option(pack)
    outcomes = evaluate(items, contexts, policy, model)
    report: RealReport | None = None
    if not no_real and (real != DEFAULT_REAL or real.is_dir()):
        report = evaluate_real(real, policy, HALVES if half is None else (half,), model)
    splits: dict[str, tuple[int, list[Score]]] = {
        name: (
            sum(1 for o in outcomes if split is None or o.item.split is split),
            score(outcomes, split),
        )
        for name, split in (("all", None), ("dev", Split.DEV), ("heldout", Split.HELDOUT))
    }
    wrong = [o for o in outcomes if not o.correct]
    met = targets_met(splits["all"][1])
    if fmt is Format.JSON:
        doc: dict[str, Any] = {
            "corpus": str(corpus),
            "model": model,
            "items": len(outcomes),
            "targets": {"precision": TARGET_PRECISION, "recall": TARGET_RECALL, "met": met},
            "splits": {
                name: {"items": n, "codes": [as_json(s) for s in scores]}
                for name, (n, scores) in splits.items()
            },
        }
        if report is not None:
            doc["real"] = real_json(report)
        if errors:
            doc["errors"] = [_error_json(o) for o in wrong]
            if report is not None:
                doc["errors"] += [_error_json(o, "real") for o in report.dev_errors()]
        print_json(doc)
    else:
        with_model = " with --model" if model else ""
        table = Table(title=f"haven lint{with_model} on {corpus} ({len(outcomes)} items)")
        table.add_column("code", no_wrap=True)
        for name, (n, _) in splits.items():
            table.add_column(f"{name} ({n}) P", justify="right")
            table.add_column("R", justify="right")
            table.add_column("pos", justify="right")
        for k, s in enumerate(splits["all"][1]):
            cells = []
            for _, scores in splits.values():
                c = scores[k]
                cells += [_fmt(c.precision), _fmt(c.recall), str(c.positives)]
            table.add_row("–" if s.code is None else s.code.value, *cells)
        out.print(table)
        out.print(
            f"Targets (whole corpus): precision ≥ {TARGET_PRECISION}, recall ≥ {TARGET_RECALL} "
            f"on every code: {'met' if met else 'NOT met'}. Misclassified items: {len(wrong)}."
        )
        if errors:
            for o in wrong:
                e = _error_json(o)
                out.print(
                    f"{e['id']} ({e['split']}, {e['case']} {e['as_of']}): expected "
                    f"{e['expect']}, got {e['got']}: {e['text']}",
                    markup=False,
                )
        if report is not None:
            _print_real(report, errors)
    if check and not met:
        raise typer.Exit(1)


def _print_real(report: RealReport, errors: bool) -> None:
    out.print(real_table(report))
    held = sum(1 for o in report.half(Split.HELDOUT) if not o.correct)
    tail = (
        f" and {held} held-out passages misclassified (held-out passages are never printed)."
        if Split.HELDOUT in report.halves
        else " passages misclassified (held-out half not read)."
    )
    out.print(f"Real corpus: {len(report.dev_errors())} dev{tail}")
    if errors:
        for o in report.dev_errors():
            e = _error_json(o, "real")
            out.print(
                f"{e['id']} (real dev, {e['as_of']}): expected {e['expect']}, got {e['got']}: "
                f"{e['text']}",
                markup=False,
            )


def _error_json(o: Outcome, corpus: str = "team") -> dict[str, Any]:
    return {
        "corpus": corpus,
        "id": o.item.id,
        "split": o.item.split.value,
        "case": o.item.case,
        "as_of": o.item.as_of.isoformat(),
        "expect": sorted(c.value for c in o.item.expect),
        "got": sorted(c.value for c in o.predicted),
        "text": o.item.text,
    }
