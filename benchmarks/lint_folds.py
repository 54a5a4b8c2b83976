"""Fold check for the decision-text linter's rules (issue 20): reads the DEV half only.

The real corpus' dev half is split by source into two folds, deterministically (the first hex
digit of SHA-256 of the source name: even -> fold A, odd -> fold B), so every passage of a
ruling stays in one fold. A rule writer looks at the errors of one fold only (`--errors A`),
writes rules from them, and then reads the other fold's figures: a change that lifts the fold
it was written on but not the other is fitting passages, not meaning.

Never opens corpus/lint/real/heldout.yaml (`evaluate_real(..., (Split.DEV,))`).

    .venv/bin/python benchmarks/lint_folds.py            # P/R per fold and code
    .venv/bin/python benchmarks/lint_folds.py --errors A # and fold A's misclassified passages
"""

import argparse
import hashlib

from haven.assess import lint
from haven.cli.lint_real import DEFAULT_REAL, evaluate_real, load_real_corpus
from haven.guardrails import text_rules as tr
from haven.guardrails.text_eval import Outcome, Score, Split, overall, score
from haven.policy.loader import load_pack
from haven.policy.pack import Pack


def fold(source: str) -> str:
    return "A" if int(hashlib.sha256(source.encode("utf-8")).hexdigest()[0], 16) % 2 == 0 else "B"


def _fmt(s: Score | None) -> str:
    if s is None or (s.positives == 0 and s.tp + s.fp == 0):
        return "        –        "
    p = "–" if s.precision is None else f"{s.precision:.2f}"
    r = "–" if s.recall is None else f"{s.recall:.2f}"
    return f"P {p} R {r} ({s.tp}/{s.positives}, fp {s.fp})"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--errors", choices=["A", "B"], help="print this fold's misclassified passages")
    ap.add_argument(
        "--only",
        metavar="PREFIX",
        help="score only the concepts whose id starts with PREFIX (no pattern table, no other "
        "concept): how a new layer does on its own, per fold",
    )
    args = ap.parse_args()
    pack = load_pack()
    if args.only:
        _only(pack, args.only)
    report = evaluate_real(DEFAULT_REAL, pack, (Split.DEV,))
    sources = {i.id: i.source for i in load_real_corpus(DEFAULT_REAL, (Split.DEV,))}
    folds: dict[str, list[Outcome]] = {"A": [], "B": []}
    for o in report.outcomes:
        folds[fold(sources[o.item.id])].append(o)
    for name, outs in folds.items():
        scores = score(outs, Split.DEV)
        pos = sum(1 for o in outs if o.item.expect)
        print(f"fold {name}: {len(outs)} passages, {pos} positive; overall {_fmt(overall(scores))}")
        for s in scores:
            if s.positives or s.fp:
                print(f"  {s.code.value if s.code else 'all':28} {_fmt(s)}")
    if args.errors:
        for o in folds[args.errors]:
            if not o.correct:
                want = ",".join(sorted(c.value for c in o.item.expect)) or "-"
                got = ",".join(sorted(c.value for c in o.predicted)) or "-"
                print(f"\n{o.item.id} want {want} got {got}\n  {o.item.text}")


def _only(pack: Pack, prefix: str) -> None:
    """Keep only the concepts of one layer (this process only: the pack on disk is unchanged)."""
    lex = lint.lexicon(pack)
    assert lex is not None
    kept = [c for c in lex.concepts if c.id.startswith(prefix)]
    lex.concepts[:] = kept
    setattr(tr, "RULES", ())  # noqa: B010 (read by haven.guardrails.text at call time)
    print(f"only the {len(kept)} concepts starting {prefix!r}, no pattern table")


if __name__ == "__main__":
    main()
