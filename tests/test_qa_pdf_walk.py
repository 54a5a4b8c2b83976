"""What a QA walk of the documents found, through the real CLI on a fresh SQLite database and
read back with `pdftotext -layout` (poppler-utils, as a reader copies the text): the memo and
the draft letter, in English and Dutch, for the contract example and cases made to show one
finding each."""

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.cli_db import haven

EXAMPLE = (
    Path(__file__).resolve().parents[1].parent / "shared/contract/examples/ru-moscow-2015.json"
)


# A case reference as long as the contract allows (haven.cases.model.ID_MAX), with no place to
# break it.
LONG_ID = "NL-" + "X" * 197


def pdftotext(pdf: Path) -> str:
    if shutil.which("pdftotext") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("pdftotext (poppler-utils) is missing")
        pytest.skip("pdftotext (poppler-utils) is not installed")
    r = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    )
    return r.stdout


def words(text: str) -> str:
    """The text with its layout's line breaks and indents as single spaces."""
    return " ".join(text.split())


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, shared: Path) -> Iterator[Path]:
    """A database with the contract example held by a case officer and the 2015 queue."""
    db = tmp_path_factory.mktemp("qa-pdf") / "x.db"
    # With the example, a refusal of 22 August 2015 relying on late disclosure, which A, B and C
    # ruled out from 2 December 2014: judged on 1 October 2015, not on 1 June (not yet decided).
    late = example()
    late["id"] = "QA-RU-LATE"
    late["procedure"] = {
        **late["procedure"],
        "decided": "2015-08-22",
        "reasons": ["late_disclosure", "internal_relocation"],
    }
    caseload = db.parent / "cases.json"
    long = {**example(), "id": LONG_ID}
    caseload.write_text(json.dumps([example(), late, long]), encoding="utf-8")
    as_olga = ["--org", "acme", "--user", "olga"]
    steps = [
        ["users", "add", "olga", "--role", "case_officer", "--org", "acme"],
        ["cases", "import", str(caseload), *as_olga],
        ["queue", "create", "--from", "2015-06-01", "--to", "2015-10-01", *as_olga],
    ]
    for args in steps:
        r = haven(*args, db=db)
        assert r.returncode == 0, (args, r.stderr)
    yield db


def letter(store: Path, lang: str, case: str = "EX-RU-1") -> str:
    r = haven("queue", "show", "1", "--org", "acme", "--user", "olga", db=store)
    assert r.returncode == 0, r.stderr
    (item,) = [i["id"] for i in json.loads(r.stdout)["work_items"] if i["case"] == case]
    out = store.parent / f"letter-{case}-{lang}.pdf"
    r = haven(
        "queue", "letter", "1", str(item), "--org", "acme", "--user", "olga", "--lang", lang,
        "--out", str(out), db=store,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    return pdftotext(out)


@pytest.mark.parametrize(
    ("lang", "draft", "memo"),
    [
        ("en", "This draft was prepared with Haven. It supports a human decision", "memo"),
        ("nl", "Dit concept is opgesteld met Haven. Het ondersteunt een menselijke", "notitie"),
    ],
)
def test_the_letter_says_it_is_a_draft_that_supports_a_decision_not_a_memo(
    store: Path, lang: str, draft: str, memo: str
) -> None:
    """The letter's notice was the memo's ("This memo supports the case officer's decision"):
    a letter an advocate completes and signs called itself a memo."""
    text = words(letter(store, lang))
    assert draft in text
    assert memo not in text.lower()


def memo(case: dict[str, Any], as_of: str, lang: str, where: Path, *extra: str) -> str:
    src = where / f"{case['id']}.json"
    src.write_text(json.dumps(case), encoding="utf-8")
    out = where / f"memo-{case['id']}-{as_of}-{lang}.pdf"
    r = haven(
        "memo", str(src), "--as-of", as_of, "--lang", lang, "--out", str(out), *extra,
        db=where / "none.db",
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    return pdftotext(out)


def example() -> dict[str, Any]:
    case: dict[str, Any] = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    return case


@pytest.mark.parametrize(
    ("lang", "words_for_it"),
    [("en", "Convert to Christianity"), ("nl", "Bekeerling tot het christendom")],
)
def test_claimed_characteristics_are_in_words(
    tmp_path: Path, shared: Path, lang: str, words_for_it: str
) -> None:
    """The facts showed a claimed characteristic as its code ('christian_convert'), in a Dutch
    memo as in an English one; now the pack's label in the memo's language, with the code."""
    case = {**example(), "id": "QA-IR-1", "nationality": "IR", "region": None}
    case["profile"] = {**case["profile"], "tags": ["christian_convert"]}
    text = words(memo(case, "2019-06-01", lang, tmp_path))
    assert f"{words_for_it} (christian_convert)" in text


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_no_eu_reference_note_before_there_was_eu_guidance(
    tmp_path: Path, shared: Path, lang: str
) -> None:
    """As of 1 October 2015 the memo said the EU common analysis would recommend further
    assessment and that the officer should weigh it, citing the EASO country guidance page
    (2018-2019 copies): the first EU country guidance is of 21 June 2018 (the EU pack's
    legal_weight; ../shared/domain/euaa-country-guidance.md). Before it, no note; from it,
    the note with its weight."""
    case = {**example(), "incidents": []}  # a credible claim, no incident: refused under nl
    before = words(memo(case, "2015-10-01", lang, tmp_path))
    assert "euaa" not in before and "EASO" not in before
    after = words(memo(case, "2019-06-01", lang, tmp_path))
    assert "(euaa)" in after and "EASO" in after
    assert ("is not binding on that date" if lang == "en" else "niet bindend") in after


def test_the_letters_table_keeps_its_words_whole(store: Path) -> None:
    """The Dutch letter's table of changed findings broke its label column mid-word
    ("beschermingsalternati" / "ef"): the column shrank below its longest word."""
    lines = letter(store, "nl").splitlines()
    assert any("beschermingsalternatief" in line for line in lines)
    assert not any(line.split()[:1] == ["ef"] for line in lines)


def test_the_english_memo_says_its_findings_in_words(tmp_path: Path, shared: Path) -> None:
    """The English memo quoted the engine: '(from 2014-09-29)', 'incidents[0] (threat,
    non_state)', 'Reason internal_relocation', 'further_assessment: ...', while the rest of it
    (and the Dutch memo) says '29 September 2014' and 'threat, non-state actors'."""
    text = words(memo(example(), "2015-06-01", "en", tmp_path))
    assert "(from 29 September 2014)" in text
    assert "incident 1 (threat, non-state actors)" in text
    assert "dated 20 July 2015, after 1 June 2015" in text
    for engine in ("2014-09-29", "incidents[0]", "non_state", "internal_relocation:"):
        assert engine not in text, engine
    assert "further_assessment" not in text


@pytest.mark.parametrize(
    ("lang", "ruled_out", "asked"),
    [
        (
            "en",
            "Reasons of the refusal that the policy in force on 1 October 2015 rules out",
            "under the policy in force on 1 October 2015, as set out above",
        ),
        (
            "nl",
            "Gronden van de afwijzing die het op 1 oktober 2015 geldende beleid uitsluit",
            "onder het beleid dat op 1 oktober 2015 gold, zoals hierboven uiteengezet",
        ),
    ],
)
def test_the_letter_names_the_date_of_the_policy_it_relies_on(
    store: Path, lang: str, ruled_out: str, asked: str
) -> None:
    """The letter said "the policy now in force" of the policy as of the queue's later date
    (1 October 2015), printed in 2026: a later change would make it untrue. It names the date."""
    text = words(letter(store, lang))
    assert ruled_out in text and asked in text
    for now in ("now in force", "in force now", "nu geldende", "dat nu geldt"):
        assert now not in text, now


@pytest.mark.parametrize(("lang", "age"), [("en", "27 years"), ("nl", "27 jaar")])
def test_the_memo_shows_the_age_not_the_date_of_birth(
    tmp_path: Path, shared: Path, lang: str, age: str
) -> None:
    """The memo printed the date of birth ('2 April 1988'), an identifier the assessment does
    not use: the rules read the age on the as-of date. A memo is a file that travels; it shows
    the age on that date instead."""
    text = words(memo(example(), "2015-10-01", lang, tmp_path))
    assert age in text
    assert "1988" not in text


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        (
            "en",
            "Facts dated after 1 October 2015 are left out of this assessment: reported incidents "
            "dated 1 March 2016; the last decision and its reasons (1 June 2016).",
        ),
        (
            "nl",
            "Feiten van na 1 oktober 2015 blijven in deze beoordeling buiten beschouwing: gemelde "
            "incidenten van 1 maart 2016; het laatste besluit en de gronden ervan (1 juni 2016).",
        ),
    ],
)
def test_the_summary_says_which_later_facts_were_left_out(
    tmp_path: Path, shared: Path, lang: str, said: str
) -> None:
    """Page one said "Protection indicated" and nothing of the assault of 1 March 2016 and the
    decision of 1 June 2016 it did not count: only a step on a later page and the facts table
    did. The summary now names them; a case with no later fact gets no such sentence."""
    case = example()
    case["id"] = "QA-RU-LATER"
    case["incidents"] = [
        *case["incidents"],
        {"date": "2016-03-01", "kind": "assault", "actor": "state", "credibility": "credible"},
    ]
    case["procedure"] = {**case["procedure"], "decided": "2016-06-01"}
    text = words(memo(case, "2015-10-01", lang, tmp_path))
    summary = text[: text.index("Flags" if lang == "en" else "Signaleringen")]
    assert said in summary
    plain = words(memo(example(), "2015-10-01", lang, tmp_path))
    assert "left out of this assessment" not in plain and "buiten beschouwing:" not in plain


def test_the_english_memo_quotes_a_refusal_reason_in_its_sentences(
    tmp_path: Path, shared: Path
) -> None:
    """In words, the engine's 'Reason {reason}: flag ...' read 'Reason could relocate elsewhere
    in the country: flag ipa_excluded_by_policy': the reason in words is quoted."""
    text = words(memo(example(), "2015-10-01", "en", tmp_path))
    assert "Reason “could relocate elsewhere in the country”: flag ipa_excluded_by_policy." in text


@pytest.mark.parametrize(
    ("lang", "apart"),
    [
        ("en", "Already in force on 1 June 2015, and applied to this case on 1 October 2015:"),
        ("nl", "Al van kracht op 1 juni 2015, en op 1 oktober 2015 op deze zaak toegepast:"),
    ],
)
def test_the_letter_lists_apart_what_was_in_force_on_both_dates(
    store: Path, lang: str, apart: str
) -> None:
    """Under "The policy that changed" between 1 June and 1 October 2015, the letter listed the
    late-disclosure rule of 2 December 2014: in force on both dates, it applied on the later one
    only because the refusal (22 August 2015) was not yet decided on the earlier. It is listed
    apart, after the entries that did change."""
    # An id may break after a hyphen at the end of a line: joined again.
    text = words(letter(store, lang, "QA-RU-LATE")).replace("- ", "-")
    changed = text[: text.index(apart)]
    assert "ru-lgbti-risk-group-2015" in changed
    assert "eu-late-disclosure-2014" not in changed
    assert "eu-late-disclosure-2014" in text[text.index(apart) :]
    # The example's letter has nothing of the kind.
    assert apart not in words(letter(store, lang))


def test_a_long_case_reference_is_not_cut_off(store: Path, tmp_path: Path) -> None:
    """A case reference of 200 characters ran off the right edge of page one of the memo and
    the letter (about 80 shown, the rest clipped): it wraps now, whole."""
    text = memo({**example(), "id": LONG_ID}, "2015-10-01", "nl", tmp_path)
    head = "".join(text[: text.index("Beleidspakket")].split())
    assert LONG_ID in head
    text = letter(store, "en", LONG_ID)
    head = "".join(text[: text.index("This draft")].split())
    assert LONG_ID in head


@pytest.mark.parametrize(
    ("lang", "undated"),
    [
        ("en", "Good news for Russian LGBT asylum seekers, undated in the sources registry"),
        (
            "nl",
            "Goed nieuws voor Russische LHBT-asielzoekers, niet gedateerd in het bronnenregister",
        ),
    ],
)
def test_an_undated_citation_says_so(tmp_path: Path, shared: Path, lang: str, undated: str) -> None:
    """The memo cited winq-224151 with no date at all, beside sources with theirs: a reader who
    must check that every document existed on the as-of date could not tell that Haven had not
    checked this one. An undated citation now says it is undated."""
    text = words(memo(example(), "2015-10-01", lang, tmp_path))
    assert undated in text


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("en", "is after the day this memo was made"),
        ("nl", "ligt na de dag waarop deze notitie is gemaakt"),
    ],
)
def test_a_memo_as_of_a_later_day_says_the_policy_is_as_known_when_made(
    tmp_path: Path, lang: str, said: str
) -> None:
    """A memo as of 1 January 2100 read like any other: 'the policy in force' on a day the pack
    cannot know. Page one now says the policy is the pack's as known the day the memo was made;
    a memo as of a past day says nothing of it."""
    text = words(memo(example(), "2100-01-01", lang, tmp_path))
    summary = text[: text.index("Flags" if lang == "en" else "Signaleringen")]
    assert said in summary
    assert "2100" in summary[summary.index(said) - 40 :]
    past = words(memo(example(), "2015-10-01", lang, tmp_path))
    assert said not in past
