"""As of a date, the procedure as it stood then: an application lodged after the date is named;
a decision dated after it did not exist, so the refusal reasons it relies on are not judged on
that date (no flag, and a step per reason says so), in both engines; the memo marks those dates
as not known on the as-of date, like a later incident. A draft refusal (undated) is judged.

Found by a QA walk: `haven assess ru-moscow-2015.json --as-of 2012-01-01` named only the
incident as not known, judged the 2015 refusal's reasons "on 2012-01-01", and the memo listed
the application and the decision without the marker the incident got."""

import json
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from haven.assess import Assessment, assess
from haven.cases.readers import parse_case
from haven.impact.agreement import summary
from haven.impact.columnar import evaluate
from tests.strategies import PACK

HAVEN = [sys.executable, "-m", "haven"]
GUARDS = ("guardrails.internal_relocation", "guardrails.no_state_protection_sought")


@pytest.fixture(scope="module")
def example(shared: Path) -> Path:
    return shared / "contract" / "examples" / "ru-moscow-2015.json"


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*HAVEN, *args], capture_output=True, text=True, timeout=120, cwd=cwd, check=False
    )


def _step(doc: dict[str, Any], rule: str) -> dict[str, Any]:
    found: dict[str, Any] = next(s for s in doc["steps"] if s["rule"] == rule)
    return found


def test_assess_before_the_application_names_it_and_does_not_judge_the_refusal(
    example: Path,
) -> None:
    r = run("assess", str(example), "--as-of", "2012-01-01", "--format", "json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    facts = _step(doc, "facts_as_of")["finding"]
    assert "The application was lodged on 2015-03-02, after 2012-01-01" in facts
    assert "The last decision (refused, 2015-07-20) is dated after 2012-01-01" in facts
    assert "reasons it relies on are not judged" in facts
    assert "incidents[0] (threat, 2014-11-03)" in facts  # as before
    assert doc["flags"] == []
    for rule in GUARDS:
        said = _step(doc, rule)
        assert said["finding"].endswith(
            "not judged. The decision relying on it is dated 2015-07-20, after 2012-01-01: on "
            "that date it did not exist yet."
        ), said
        assert "on 2012-01-01" not in said["finding"]  # never judged by the law of 2012
        assert said["sources"]


def test_on_the_day_of_the_refusal_its_reasons_are_judged(example: Path) -> None:
    raw = json.loads(example.read_text())
    for day, flags in ((date(2015, 7, 19), []), (date(2015, 7, 20), ["protection_seeking_waived"])):
        result = assess(parse_case(json.dumps(raw)), day, PACK)
        assert [f.code.value for f in result.flags] == flags, day
        facts = [s.finding for s in result.steps if s.rule == "facts_as_of"]
        assert bool(facts) is (day < date(2015, 7, 20)), day
        assert not facts or "The application was lodged" not in facts[0]  # lodged in March


def test_a_draft_refusal_is_judged_on_any_date(example: Path) -> None:
    raw = json.loads(example.read_text())
    raw["procedure"] |= {"status": "pending", "decided": None}
    result = assess(parse_case(json.dumps(raw)), date(2015, 6, 1), PACK)
    assert [f.code.value for f in result.flags] == ["protection_seeking_waived"]
    assert not any("not judged" in s.finding for s in result.steps)


def test_both_engines_leave_the_reasons_of_a_later_decision_out(example: Path) -> None:
    case = parse_case(example.read_text())
    row = pl.LazyFrame([case.model_dump(mode="json")])
    for day in (date(2012, 1, 1), date(2015, 6, 1), date(2015, 7, 19), date(2015, 7, 20)):
        want = summary(assess(case, day, PACK))
        got = evaluate(row, day, PACK).collect().to_dicts()[0]
        assert got == want, day
        assert want["flags"] == ([] if day < date(2015, 7, 20) else ["protection_seeking_waived"])


def test_the_memo_marks_the_procedure_dates_not_known_on_the_date(
    example: Path, tmp_path: Path
) -> None:
    for lang, marker, lodged, decided in (
        ("nl", "(niet bekend op de peildatum)", "2 maart 2015", "20 juli 2015"),
        ("en", "(not known on the as-of date)", "2 March 2015", "20 July 2015"),
    ):
        out = tmp_path / f"memo-{lang}.html"
        args = ["--as-of", "2012-01-01", "--lang", lang, "--format", "html", "--out", str(out)]
        r = run("memo", str(example), *args)
        assert r.returncode == 0, r.stderr
        html = out.read_text()
        assert f"{lodged} {marker}" in html, lang
        assert f"{decided} {marker}" in html, lang
        # The incident, the application, the status, the decision and its reasons.
        assert html.count(marker) == 5, lang
    # As of the day after the decision nothing of the procedure is marked.
    out = tmp_path / "memo-later.html"
    args = ["--as-of", "2015-10-01", "--lang", "nl", "--format", "html", "--out", str(out)]
    assert run("memo", str(example), *args).returncode == 0
    assert "niet bekend op de peildatum" not in out.read_text()


def test_the_step_is_said_in_dutch(example: Path) -> None:
    from haven.reports.wording import finding_text

    result: Assessment = assess(parse_case(example.read_text()), date(2012, 1, 1), PACK)
    facts = next(s for s in result.steps if s.rule == "facts_as_of")
    dutch = finding_text(facts, "nl", PACK)
    assert "De aanvraag is ingediend op 2 maart 2015, na 1 januari 2012" in dutch
    assert "Het laatste besluit (afgewezen, 20 juli 2015) dateert van na 1 januari 2012" in dutch
    guard = next(s for s in result.steps if s.rule == GUARDS[0])
    assert finding_text(guard, "nl", PACK).endswith(
        "niet beoordeeld. Het besluit dat deze grond tegenwerpt dateert van 20 juli 2015, na "
        "1 januari 2012: het bestond op die datum nog niet."
    )
