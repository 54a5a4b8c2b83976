"""The decision-text linter: spans, quotes, negation, the engine's dates, and its evaluation."""

import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from haven.assess.lint import TEXT_REASONS, evaluate, forbidden_reasons, lint
from haven.cases import Case
from haven.cli.lint_cmd import (
    DEFAULT_CORPUS,
    TARGET_PRECISION,
    TARGET_RECALL,
    load_corpus,
)
from haven.guardrails.text import read
from haven.guardrails.text_eval import Split, score
from haven.guardrails.text_rules import RULES
from haven.guardrails.text_spans import quotations, sentences
from haven.policy.pack import Pack
from haven.vocab import Actor, FlagCode, Reason

RELOCATION = "The applicant could relocate to St Petersburg, where he is not known."


@pytest.fixture(scope="module")
def ru(shared: Path) -> Case:
    text = (shared / "contract" / "examples" / "ru-moscow-2015.json").read_text(encoding="utf-8")
    return Case.model_validate_json(text)


def codes(text: str, case: Case, day: str, pack: Pack) -> list[str]:
    return [f.code.value for f in lint(text, case, date.fromisoformat(day), pack).flags]


# -- the engine decides what is forbidden on a date -----------------------------------------


def test_relocation_is_flagged_only_once_policy_excludes_it(ru: Case, pack: Pack) -> None:
    after = lint(RELOCATION, ru, date(2015, 10, 1), pack)
    assert [f.code for f in after.flags] == [FlagCode.IPA_EXCLUDED_BY_POLICY]
    flag = after.flags[0]
    assert "kst-19637-2029" in flag.sources  # the letter of 7 September 2015, from the pack
    assert flag.entry == "ru-lgbti-no-relocation-2015"
    assert RELOCATION[flag.start : flag.end] == flag.text == RELOCATION
    assert RELOCATION[flag.match_start : flag.match_end].startswith("relocate")
    assert codes(RELOCATION, ru, "2015-06-01", pack) == []  # relocation was still allowed


def test_cjeu_codes_apply_from_their_dates(ru: Case, pack: Pack) -> None:
    discretion = "The applicant can be expected to live discreetly in Moscow."
    assert codes(discretion, ru, "2013-11-06", pack) == []
    assert codes(discretion, ru, "2013-11-07", pack) == ["discretion_reasoning"]  # X, Y and Z
    projective = "A Rorschach test did not indicate that the applicant is homosexual."
    assert codes(projective, ru, "2018-01-24", pack) == []
    assert codes(projective, ru, "2018-01-25", pack) == ["projective_test"]  # F


def test_protection_seeking_code_follows_who_persecutes(ru: Case, pack: Pack) -> None:
    text = "He did not report the threats to the police."
    assert codes(text, ru, "2015-10-01", pack) == ["protection_seeking_waived"]
    assert codes(text, ru, "2013-06-01", pack) == []  # before the 2014 waiver, non-state actor
    state = ru.model_copy(
        update={
            "nationality": "IR",
            "region": None,
            "incidents": [ru.incidents[0].model_copy(update={"actor": Actor.STATE})],
        }
    )
    assert codes(text, state, "2016-10-01", pack) == ["state_is_persecutor"]


def test_forbidden_reasons_come_from_the_engine(ru: Case, pack: Pack) -> None:
    found = forbidden_reasons(ru, date(2015, 10, 1), pack)
    assert set(found) <= set(TEXT_REASONS)
    for flag in found.values():
        assert flag.sources and all(s in pack.sources for s in flag.sources)
    # The case's own reasons do not matter: the text is what is checked.
    assert ru.procedure.reasons and found == forbidden_reasons(
        ru.model_copy(update={"procedure": ru.procedure.model_copy(update={"reasons": []})}),
        date(2015, 10, 1),
        pack,
    )


# -- what counts as relying on a reason ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("He can be expected to live discreetly.", True),
        ("The applicant cannot be expected to hide his orientation.", False),
        ("It is not relevant whether he could avoid problems by being discreet.", False),
        ('He said: "I lived discreetly because I was afraid of my neighbours."', False),
        ("The applicant stated that he lived discreetly because he was afraid.", False),
        ("Van betrokkene kan worden verwacht dat hij discreet leeft.", True),
        ("Van betrokkene kan niet worden verwacht dat hij zijn geaardheid verbergt.", False),
        ("Betrokkene heeft verklaard dat hij discreet leefde uit angst.", False),
    ],
)
def test_negation_quotes_and_reported_speech(text: str, flagged: bool) -> None:
    found = {m.reason for m in read(text).matches}
    assert (Reason.DISCRETION_POSSIBLE in found) is flagged
    if not flagged:
        assert read(text).skipped, "the wording matched and was set aside, not missed"


def test_a_double_negative_is_still_reliance() -> None:
    text = "The applicant has not made plausible that he could not relocate to Kazan."
    assert [m.reason for m in read(text).matches] == [Reason.INTERNAL_RELOCATION]


def test_the_absence_of_explicit_evidence_is_still_reliance() -> None:
    text = "The applicant has not submitted any intimate videos of himself and his partner."
    assert [m.reason for m in read(text).matches] == [Reason.EXPLICIT_EVIDENCE_REQUESTED]


def test_every_flag_has_its_own_sentence_span(ru: Case, pack: Pack) -> None:
    text = (
        "Decision.\r\n\r\nThe applicant did not report the threats to the police. "
        "Moreover, he could relocate to St. Petersburg (see nr. 2029).\n"
        "“I lived discreetly,” he said, “because I was afraid of them.”"
    )
    result = lint(text, ru, date(2015, 10, 1), pack)
    assert [f.code.value for f in result.flags] == [
        "protection_seeking_waived",
        "ipa_excluded_by_policy",
    ]
    for f in result.flags:
        assert text[f.start : f.end] == f.text
        assert f.start <= f.match_start < f.match_end <= f.end
    assert result.flags[1].text.startswith("Moreover") and result.flags[1].text.endswith("2029).")


def test_sentences_keep_offsets_and_abbreviations() -> None:
    text = "  First one, e.g. with nr. 3 in it.  Second?\n\nThird line\n- a list item "
    spans = sentences(text)
    assert [text[s.start : s.end] for s in spans] == [
        "First one, e.g. with nr. 3 in it.",
        "Second?",
        "Third line",
        "- a list item",
    ]


def test_quotations_ignore_apostrophes_and_scare_quotes() -> None:
    text = "The applicant's foto's were 'discreet' but he said 'we never hid from anyone at all'."
    assert [text[q.start : q.end] for q in quotations(text)] == [
        "'we never hid from anyone at all'"
    ]


def test_the_rule_table_covers_both_languages() -> None:
    for reason in TEXT_REASONS:
        langs = {r.lang for r in RULES if r.reason is reason}
        assert langs == {"en", "nl"}, reason
    assert len({r.id for r in RULES}) == len(RULES)


# -- never a crash, every span within the text -----------------------------------------------

_WORDS = st.sampled_from(
    [
        "discreet",
        "discreetly",
        "police",
        "politie",
        "relocate",
        "vestigen",
        "not",
        "niet",
        "“",
        "”",
        '"',
        "'",
        ".",
        "?",
        "\n\n",
        " ",
        "could",
        "kan",
        "geen",
        "aangifte",
        "gay",
        "no",
        "Rorschach",
        "only",
        "second",
        "interview",
        "e.g.",
        "’s",
        "—",
    ]
)
_TEXT = st.one_of(st.text(), st.lists(st.one_of(_WORDS, st.text(max_size=5))).map(" ".join))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_TEXT)
def test_lint_never_crashes_and_spans_index_the_text(text: str, pack: Pack) -> None:
    case = Case.model_validate_json(EXAMPLE)
    for flag in lint(text, case, date(2018, 3, 1), pack).flags:
        assert 0 <= flag.start <= flag.match_start < flag.match_end <= flag.end <= len(text)
        assert text[flag.start : flag.end] == flag.text
    for s in sentences(text):
        assert 0 <= s.start < s.end <= len(text)
        assert not text[s.start].isspace() and not text[s.end - 1].isspace()


EXAMPLE = json.dumps(
    {
        "id": "PROP-1",
        "nationality": "RU",
        "region": "RU-MOW",
        "profile": {"sogi": ["gay"]},
        "credibility": {"identity": "credible", "nationality": "credible", "profile": "credible"},
        "incidents": [{"kind": "threat", "actor": "non_state", "credibility": "credible"}],
        "procedure": {"lodged": "2015-03-02"},
    }
)


# -- the evaluation targets (issue 6): run in CI ---------------------------------------------


def test_corpus_meets_the_targets_on_every_code(pack: Pack) -> None:
    items, contexts = load_corpus(DEFAULT_CORPUS)
    assert len(items) >= 120
    assert {i.lang for i in items} == {"en", "nl"}
    heldout = [i for i in items if i.split is Split.HELDOUT]
    assert len(heldout) >= 0.3 * len(items)
    for code in FlagCode:
        assert any(code in i.expect for i in items), f"no positive for {code}"
    outcomes = evaluate(items, contexts, pack)
    for s in score(outcomes):
        assert s.precision is not None and s.precision >= TARGET_PRECISION, s
        assert s.recall is not None and s.recall >= TARGET_RECALL, s
    # The held-out split is reported, not tuned on; it must at least be measured on every code.
    assert all(s.positives > 0 for s in score(outcomes, Split.HELDOUT))
