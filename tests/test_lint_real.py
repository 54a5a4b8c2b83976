"""The real-text corpus of the linter (corpus/lint/real, issue 20): well-formed, split as
recorded, and the linter's figures on each half, run in CI.

The figures asserted are floors: what the linter scored on the corpus when it was labelled
(before any rule was tuned on it). The integrator raises them to issue 20's targets
(held-out precision ≥ 0.85, recall ≥ 0.75) when the improved rules merge.
"""

import json
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from haven.cli.lint_real import DEFAULT_REAL, RealReport, evaluate_real, load_real_corpus
from haven.errors import InputError
from haven.guardrails.text_eval import RealItem, Speaker, Split, split_real
from haven.policy.loader import load_pack
from haven.policy.pack import Pack
from haven.policy.snapshot import covered_from
from haven.vocab import FlagCode

# What the corpus holds now (floors, so a passage cannot be lost unnoticed). Issue 20 asks
# for ≥ 150 passages (met) and ≥ 40 % positives (met since the third labelling round:
# 120 of 299 after the rule writer's 11 passages; see corpus/lint/real/README.md, "Limits").
MIN_PASSAGES = 531
MIN_POSITIVE_SHARE = 0.40
# The linter's measured figures (docs/lint.md, 2026-12-05), micro over codes, as floors
# (precision, recall). With 220 passages: dev P 1.00 R 0.94, held-out P 0.67 R 0.24. A third
# independent labeller (288 passages, 117 positives; the labeller writes no rules and no rule
# changed) moved dev to P 0.94 R 0.56 (28 new dev positives the rules were not written on, two
# new hard negatives flagged); held-out is P 0.78 R 0.25. The dev floor follows that measure
# less a small margin; the held-out targets (P >= 0.85, R >= 0.75) are not met yet.
# The rule writer then tuned on the dev half only (`lint-eval --half dev`, 2026-12-05): dev
# P 1.00 R 0.92 (56 of 61), held-out, measured once afterwards, P 0.82 R 0.32 (18 of 57).
# Fourth round (2026-12-06, docs/lint.md): concepts on meaning (sentence-wide concepts, short
# quoted terms read, negated concealment, the applicant's own reason for telling late) and 11
# passages by the rule writer (8 dev, 3 held-out negatives): dev P 1.00 R 0.98 (63 of 64),
# held-out P 0.81 R 0.37 (21 of 57). Floors: the measures less a small margin.
# Fifth round (2026-12-06, docs/lint.md): a compositional layer (a stereotype topic x the
# writer's judgement, Dutch "lgbt"/"holebi" spellings) and the fourth labeller's passages
# merged (352 passages): dev P 0.99 R 0.97 (73 of 75), held-out P 0.80 R 0.44 (33 of 75;
# the same rules before the round: P 0.80 R 0.37). Floors: just below the measures.
# Eighth round (2026-12-06, docs/lint.md): a fifth labeller's 82 passages (434; 41 new in each
# half) and the rule writer's mechanisms on the new dev errors: dev P 0.99 R 0.99 (92 of 93),
# held-out, measured once afterwards, P 0.75 R 0.42 (39 of 92; the rules before the round on
# the same passages: P 0.74 R 0.40). The new held-out passages are harder than the old: the
# held-out floor falls with them. Floors: just below the measures.
FLOORS = {Split.DEV: (0.98, 0.97), Split.HELDOUT: (0.74, 0.40)}


@pytest.fixture(scope="module")
def items() -> list[RealItem]:
    return load_real_corpus(DEFAULT_REAL)


@pytest.fixture(scope="module")
def report(pack: Pack) -> RealReport:
    return evaluate_real(DEFAULT_REAL, pack)


def test_every_passage_has_source_label_facts_and_justification(items: list[RealItem]) -> None:
    assert len(items) >= MIN_PASSAGES
    for i in items:
        assert i.source.strip() and i.url.startswith(("http://", "https://")), i.id
        assert i.justification.strip() and i.date_basis.strip() and i.text.strip(), i.id
        assert i.facts.sogi, i.id
        assert i.text == " ".join(i.text.split()), f"{i.id}: whitespace is normalised"
    assert {i.lang for i in items} == {"en", "nl"}
    positives = [i for i in items if i.expect]
    assert len(positives) >= MIN_POSITIVE_SHARE * len(items)
    # Who is speaking matters: the applicant's own account is never a positive.
    assert not [i.id for i in items if i.speaker is Speaker.APPLICANT_ACCOUNT and i.expect]
    texts = [i.text for i in items]
    assert len(set(texts)) == len(texts), "a passage appears twice"


def test_a_source_sits_in_one_half_and_both_halves_have_each_code(items: list[RealItem]) -> None:
    halves: dict[str, set[Split]] = defaultdict(set)
    sources_with: dict[FlagCode, set[str]] = defaultdict(set)
    for i in items:
        halves[i.source].add(i.split)
        for code in i.expect:
            sources_with[code].add(i.source)
    assert all(len(h) == 1 for h in halves.values())
    for code, sources in sources_with.items():
        if len(sources) >= 2:  # stratified: a code found in two rulings is in both halves
            in_halves = {next(iter(halves[s])) for s in sources}
            assert in_halves == {Split.DEV, Split.HELDOUT}, code
    assert {i.split for i in items} == {Split.DEV, Split.HELDOUT}


def test_the_recorded_split_is_kept_and_the_rule_is_deterministic(items: list[RealItem]) -> None:
    groups: dict[str, list[list[FlagCode]]] = defaultdict(list)
    recorded: dict[str, Split] = {}
    for i in items:
        groups[i.source].append(list(i.expect))
        recorded[i.source] = i.split
    assert split_real(groups, fixed=recorded) == recorded
    fresh = split_real(groups)
    assert fresh == split_real(dict(reversed(list(groups.items()))))  # order-independent
    # A new source never moves a published one.
    grown: dict[str, list[list[FlagCode]]] = {
        **groups,
        "a new ruling": [[FlagCode.STEREOTYPED_ASSESSMENT]],
    }
    again = split_real(grown, fixed=recorded)
    assert {s: again[s] for s in recorded} == recorded


def test_split_rule_on_a_small_example() -> None:
    st, ld = FlagCode.STEREOTYPED_ASSESSMENT, FlagCode.LATE_DISCLOSURE_ALONE
    groups: dict[str, list[list[FlagCode]]] = {
        "a": [[st], []],
        "b": [[st]],
        "c": [[ld]],
        "d": [[ld]],
        "e": [[]],
        "f": [[]],
    }
    out = split_real(groups)
    for pair in (("a", "b"), ("c", "d"), ("e", "f")):  # each stratum is shared out
        assert {out[pair[0]], out[pair[1]]} == {Split.DEV, Split.HELDOUT}


def test_linter_figures_on_each_half_hold_their_floors(report: RealReport) -> None:
    for half, (precision, recall) in FLOORS.items():
        total = report.overall(half)
        assert total is not None and total.positives > 0, half
        assert total.precision is not None and total.precision >= precision, (half, total)
        assert total.recall is not None and total.recall >= recall, (half, total)


def test_half_dev_reads_only_the_dev_file(tmp_path: Path, pack: Pack) -> None:
    """`lint-eval --half dev` is what the rule writer runs: the held-out file is not opened (a
    directory without it works) and no held-out figure is reported."""
    shutil.copy(DEFAULT_REAL / "dev.yaml", tmp_path / "dev.yaml")
    report = evaluate_real(tmp_path, pack, (Split.DEV,))
    assert report.halves == (Split.DEV,) and report.outcomes
    assert all(o.item.split is Split.DEV for o in report.outcomes)
    with pytest.raises(InputError):  # both halves still need both files
        evaluate_real(tmp_path, pack)
    cmd = [sys.executable, "-m", "haven", "lint-eval", "--real", str(tmp_path), "--half", "dev"]
    r = subprocess.run([*cmd, "--format", "json"], capture_output=True, timeout=300)
    assert r.returncode == 0, r.stderr.decode()
    assert set(json.loads(r.stdout)["real"]["splits"]) == {"dev"}


def test_lint_eval_reports_the_halves_and_never_prints_held_out_text(
    items: list[RealItem],
) -> None:
    cmd = [sys.executable, "-m", "haven", "lint-eval"]
    r = subprocess.run([*cmd, "--format", "json", "--errors"], capture_output=True, timeout=300)
    assert r.returncode == 0, r.stderr.decode()
    doc = json.loads(r.stdout)
    real = doc["real"]
    assert set(real["splits"]) == {"dev", "heldout"}
    # Every passage is scored, but those dated before the pack has a legal basis for every step
    # (nl: 29 April 2004), which are counted apart.
    start = covered_from(load_pack())
    early = sum(1 for i in items if start is not None and i.as_of < start)
    assert real["left_out_before_pack_coverage"] == early
    assert real["items"] == len(items) - early
    for half in ("dev", "heldout"):
        assert len(real["splits"][half]["codes"]) == len(FlagCode)
        assert real["splits"][half]["overall"]["code"] == "all"
    assert all(e["corpus"] in {"team", "real"} for e in doc["errors"])
    table = subprocess.run([*cmd, "--errors"], capture_output=True, timeout=300)
    assert table.returncode == 0, table.stderr.decode()
    held = [i.text for i in items if i.split is Split.HELDOUT]
    for out in (r.stdout.decode(), table.stdout.decode()):
        assert "real corpus" in out.lower() or '"real"' in out
        flat = " ".join(out.split())  # the table wraps long lines
        leaked = [t for t in held if t[:40] in flat]
        assert not leaked, leaked[:1]
    r = subprocess.run([*cmd, "--no-real", "--format", "json"], capture_output=True, timeout=300)
    assert r.returncode == 0 and "real" not in json.loads(r.stdout)
