"""A second pack as reference (issue 19): "more favourable" is ordered data over the contract's
recommendation values; the memo notes a more favourable reference pack on the as-of date, in
English and Dutch, citing both packs' sources, and says nothing when the reference is equal or
less favourable. Uses the fictional example packs: cartographers from AQ are a risk group under
`example` from March 2016, persecuted as a group under `example-common` in 2015-2016 only."""

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from haven.assess import assess
from haven.assess.favour import FAVOURABILITY, ReferenceNote, more_favourable, reference_note
from haven.cases.readers import parse_case
from haven.policy.loader import load_pack, offered
from haven.reports.memo import reference_paragraph
from haven.vocab import Recommendation as R

PACKS = Path(__file__).resolve().parent / "packs"
EXAMPLE, COMMON = PACKS / "example", PACKS / "example_common"
CASE = parse_case((EXAMPLE / "case.json").read_text(encoding="utf-8"))
OWN, REF = load_pack(str(EXAMPLE)), load_pack(str(COMMON))


def test_every_recommendation_has_one_place_in_the_order() -> None:
    placed = [r for tier in FAVOURABILITY for r in tier]
    assert sorted(placed) == sorted(R) and len(placed) == len(set(placed))
    assert more_favourable(R.PROTECTION_INDICATED, R.FURTHER_ASSESSMENT)
    assert more_favourable(R.FURTHER_ASSESSMENT, R.PROTECTION_NOT_INDICATED)
    assert not more_favourable(R.FURTHER_ASSESSMENT, R.DECISION_DEFERRED)  # one tier
    assert not more_favourable(R.DECISION_DEFERRED, R.FURTHER_ASSESSMENT)
    for r in R:
        assert not more_favourable(r, r)


@pytest.mark.parametrize(
    ("day", "reference_better", "own_better"),
    [
        ("2015-10-01", True, False),  # the reference pack is more favourable
        ("2016-06-01", False, False),  # both indicate protection: equal
        ("2017-06-01", False, True),  # the own pack is more favourable
    ],
)
def test_the_note_is_made_only_when_the_reference_is_more_favourable(
    day: str, reference_better: bool, own_better: bool
) -> None:
    own, ref = (
        assess(CASE, date.fromisoformat(day), OWN),
        assess(CASE, date.fromisoformat(day), REF),
    )
    assert (reference_note(own, ref) is not None) is reference_better
    assert (reference_note(ref, own) is not None) is own_better


def test_the_note_cites_each_side_with_its_own_sources() -> None:
    day = date(2015, 10, 1)
    note = reference_note(assess(CASE, day, OWN), assess(CASE, day, REF))
    assert note is not None
    assert note.reference_sources and set(note.reference_sources) <= set(REF.sources)
    assert "xc-guidance-2015" in note.reference_sources
    assert note.own_sources and set(note.own_sources) <= set(OWN.sources)


def test_the_reference_pack_is_configured_or_the_other_shipped_one() -> None:
    configured = offered(str(EXAMPLE), [], str(COMMON))
    assert configured.reference(OWN) is REF and configured.reference(REF) is None
    # Unconfigured: the other shipped pack, if there is exactly one (none for itself).
    plain = offered(str(EXAMPLE), [str(COMMON)])
    others = [i for i in plain.shipped if i != "example"]
    expected = plain.packs[others[0]] if len(others) == 1 else None
    assert plain.reference(OWN) is expected


def haven(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "haven", *args], capture_output=True, text=True, timeout=300
    )


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", "more favourable to the applicant than “Further assessment needed”"),
        ("nl", "gunstiger voor de aanvrager dan „Nader onderzoek nodig”"),
    ],
)
def test_the_memo_says_so_in_one_paragraph_in_both_languages(
    tmp_path: Path, lang: str, words: str
) -> None:
    out = tmp_path / "memo.html"
    args = ["memo", str(EXAMPLE / "case.json"), "--pack", str(EXAMPLE), "--lang", lang,
            "--reference-pack", str(COMMON), "--format", "html", "--out", str(out)]  # fmt: skip
    r = haven(*args, "--as-of", "2015-10-01")
    assert r.returncode == 0, r.stderr
    html = out.read_text(encoding="utf-8")
    paragraphs = [p for p in html.split("<p") if 'class="reference"' in p]
    assert len(paragraphs) == 1, html
    note = paragraphs[0]
    assert words in note and "example-common" in note
    assert "xc-guidance-2015" in note and "ex-statute" in note  # both packs' sources
    assert ("it does not decide" if lang == "en" else "het beslist niet") in note
    for day in ("2016-06-01", "2017-06-01"):  # equal, then less favourable: no note
        r = haven(*args, "--as-of", day)
        assert r.returncode == 0, r.stderr
        assert 'class="reference"' not in out.read_text(encoding="utf-8")


def test_an_unknown_reference_pack_names_the_option(tmp_path: Path) -> None:
    r = haven("memo", str(EXAMPLE / "case.json"), "--pack", str(EXAMPLE), "--reference-pack",
              "nosuch", "--out", str(tmp_path / "m.html"))  # fmt: skip
    assert r.returncode == 2 and "--reference-pack" in r.stderr, r.stderr


IRANIAN_GAY = parse_case(
    '{"id": "IR-REF-1", "nationality": "IR", "region": "IR-07", "profile": {"sogi": ["gay"],'
    ' "tags": [], "sex": "male", "birth_date": "1990-01-01"}, "credibility": {"identity":'
    ' "credible", "nationality": "credible", "region": "credible", "profile": "credible"},'
    ' "incidents": [], "procedure": {"lodged": "2018-09-01", "status": "pending"}}'
)


@pytest.mark.parametrize(
    ("day", "en", "nl"),
    [
        ("2021-06-01", "is not binding on that date", "is op die datum niet bindend"),
        ("2025-02-01", "the officer must take it into account", "moet het betrekken"),
    ],
)
def test_the_note_states_the_reference_packs_legal_weight_on_the_date(
    day: str, en: str, nl: str
) -> None:
    """Before 19 Jan 2022 the EU guidance was not binding: the note must not say the officer
    "must take it into account" then (the EU pack's framework.yaml: legal_weight)."""
    nl_pack, eu = load_pack("nl"), load_pack("euaa")
    on = date.fromisoformat(day)
    note = ReferenceNote(assess(IRANIAN_GAY, on, nl_pack), assess(IRANIAN_GAY, on, eu), [], [])
    assert en in reference_paragraph(note, nl_pack, eu, "en")["text"]
    assert nl in reference_paragraph(note, nl_pack, eu, "nl")["text"]
    # On 2025-02-01 the EU analysis ("highly likely to qualify") is more favourable than the
    # Dutch risk group with no indications shown: the memo names it.
    if day == "2025-02-01":
        assert reference_note(note.own, note.reference) is not None
