"""No English reasoning in Dutch: every step of every scenario of the pack names its sentences,
and in Dutch each sentence and each text it draws on (entry labels, forbidden-reasoning
messages, country-report paraphrases, the checks' legal bases, quoted rules, notes) comes from
the pack's Dutch (i18n/nl.yaml), never from an English fallback. The Dutch memo (the real CLI)
of cases reaching the guardrail, evidence, 15(c) and later-facts steps carries their Dutch
findings and none of the engine's English ones. The case page: tests/store/test_web_pages.py.
"""

import copy
import html
import json
import re
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from haven.assess import Assessment, assess
from haven.cases import Case
from haven.policy.loader import load_pack
from haven.policy.pack import Pack
from haven.policy.scenarios import SCENARIOS, load_checks
from haven.policy.texts import PackTexts
from haven.reports import memo as memos
from haven.reports.wording import finding_text, flag_message

PACK = load_pack("nl")
SCENARIO_DIR = Path(__file__).resolve().parents[1] / "haven" / "packs" / "nl" / SCENARIOS
# The steps this test is about (the others are covered by tests/test_wording.py too).
HAVEN = (sys.executable, "-m", "haven")
KINDS = ("guardrails", "evidence", "exceptional_situation", "facts_as_of")


def scenario_assessments() -> list[tuple[Case, date, Assessment]]:
    """Every check of every scenario of the pack, assessed."""
    out = []
    for check in load_checks(SCENARIO_DIR):
        case = Case.model_validate(check.case, strict=False)
        out.append((case, check.as_of, assess(case, check.as_of, PACK)))
    return out


def reaching(kind: str) -> tuple[Case, date, Assessment]:
    """The first scenario check whose assessment has a step of `kind` (a rule prefix)."""
    for case, as_of, a in scenario_assessments():
        if any(s.rule.split(".")[0] == kind for s in a.steps):
            return case, as_of, a
    raise AssertionError(f"no scenario reaches a {kind} step")


def strict_dutch(nl: PackTexts | None = None) -> Pack:
    """The pack whose Dutch look-ups fail where the Dutch texts (`nl`, else the pack's own
    i18n/nl.yaml) have none, instead of falling back to English."""
    strict = copy.copy(PACK)
    texts = nl or PACK.texts["nl"]

    def text(kind: str, key: str, default: str, lang: str) -> str:
        found = getattr(texts, kind).get(key)
        assert lang == "nl" and found, f"no Dutch {kind}.{key}: English {default!r} would show"
        return str(found)

    strict.text = text  # type: ignore[method-assign]
    return strict


def flat(text: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())


def test_every_step_of_every_scenario_is_said_from_the_dutch_texts() -> None:
    strict = strict_dutch()
    reached: set[str] = set()
    for _, _, a in scenario_assessments():
        for s in a.steps:
            assert s.finding_keys, f"{s.rule} names no sentences: {s.finding}"
            dutch = finding_text(s, "nl", strict)
            assert dutch != s.finding and "{" not in dutch, (s.rule, dutch)
            reached.add(s.rule.split(".")[0])
        for f in a.flags:
            assert flag_message(f, a.steps, "nl", strict) != f.message
    assert set(KINDS) <= reached


def test_a_text_missing_in_dutch_is_caught() -> None:
    broken = strict_dutch(PACK.texts["nl"].model_copy(update={"findings": {}}))
    _, _, a = reaching("evidence")
    step = next(s for s in a.steps if s.rule == "evidence")
    with pytest.raises(AssertionError, match="no Dutch findings"):
        finding_text(step, "nl", broken)


@pytest.mark.parametrize("kind", KINDS)
def test_the_dutch_memo_has_no_english_reasoning(kind: str, tmp_path: Path) -> None:
    case, as_of, a = reaching(kind)
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case.model_dump(mode="json", exclude_none=True)))
    out = tmp_path / "memo.html"
    r = subprocess.run(
        [*HAVEN, "memo", str(path), "--as-of", str(as_of), "--lang", "nl", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    page = flat(out.read_text())
    for s in a.steps:
        assert flat(finding_text(s, "nl", PACK)) in page, s.rule
        assert flat(s.finding) not in page, s.rule
    for f in a.flags:
        assert flat(f.message) not in page and flat(flag_message(f, a.steps, "nl", PACK)) in page
    assert "quoted as the engine states them" not in page  # the English-fallback notice


def test_the_english_memo_says_the_engines_sentences_in_words() -> None:
    """The engine's English sentences, with dates, incidents and codes in words as in the rest
    of the memo ('on 6 September 2015', not 'on 2015-09-06')."""
    case, as_of, a = reaching("evidence")
    memo = memos.build(case, as_of, PACK, "en", datetime(2026, 1, 2, tzinfo=UTC))
    page = flat(memos.render_html(memo, PACK))
    for s in a.steps:
        assert flat(finding_text(s, "en", PACK)) in page, s.rule
    assert f"on {as_of.isoformat()}" not in page and "incidents[0]" not in page


def cases_reaching() -> list[tuple[str, dict[str, Any], date, Assessment]]:
    """For the case page test: (kind, the case as JSON, the date, its assessment)."""
    out = []
    for kind in KINDS:
        case, as_of, a = reaching(kind)
        out.append((kind, case.model_dump(mode="json", exclude_none=True), as_of, a))
    return out
