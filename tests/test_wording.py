"""Step findings in the reader's language (haven/reports/wording.py): the pack words each
sentence of a finding (framework.yaml: step_findings, i18n/nl.yaml), the engine names the
sentences and their arguments, and the case page and memo say them in Dutch."""

import json
from pathlib import Path
from types import SimpleNamespace

from haven.assess import Assessment, assess
from haven.cases import Case
from haven.policy.framework import FindingKey
from haven.policy.loader import load_pack
from haven.policy.pack import Pack
from haven.policy.scenarios import SCENARIOS, load_checks
from haven.policy.texts import mismatched, missing
from haven.reports.wording import engine_words, finding_text

PACK = load_pack("nl")
EU = load_pack("euaa")


def _step(finding: str, keys: list[str], args: dict[str, str]) -> SimpleNamespace:
    return SimpleNamespace(finding=finding, finding_keys=keys, finding_args=args)


def test_every_sentence_has_dutch_words_with_the_same_arguments() -> None:
    assert set(PACK.step_findings) == {str(k) for k in FindingKey}
    nl = PACK.texts["nl"]
    assert "step_findings" not in missing(nl, PACK.ids())
    english = {k: f.text for k, f in PACK.step_findings.items()}
    assert mismatched(nl, english, "nl") == []
    # A translation that drops an argument is named.
    broken = nl.model_copy(
        update={"step_findings": {**nl.step_findings, "protection_duty.waived": "Niet vereist."}}
    )
    assert [p.where for p in mismatched(broken, english, "nl")] == [
        "nl: step_findings.protection_duty.waived"
    ]


def test_a_finding_in_dutch_with_its_arguments_in_words() -> None:
    keys = ["internal_protection.excluded_by_policy", "internal_protection.anyway"]
    args = {"entry": "ru-lgbti-no-relocation-2015", "date": "2015-09-07"}
    english = engine_words(keys, args, PACK)
    assert english == (
        f"Excluded by policy: {PACK.entries['ru-lgbti-no-relocation-2015'].label} "
        "(from 2015-09-07). This holds whether or not a need for protection is established."
    )
    step = _step(english, keys, args)
    # English: the engine's sentences, the date in words as in the rest of the memo.
    assert finding_text(step, "en", PACK) == english.replace("2015-09-07", "7 September 2015")
    assert finding_text(step, "nl", PACK) == (
        "Uitgesloten door het beleid: Een binnenlands vestigingsalternatief elders in Rusland "
        "(zoals Moskou of Sint-Petersburg) mag LHBTI-asielzoekers niet langer worden "
        "tegengeworpen (vanaf 7 september 2015). Dit geldt ongeacht of een "
        "beschermingsbehoefte wordt vastgesteld."
    )


def test_incidents_claims_and_reasons_are_said_in_dutch() -> None:
    step = _step(
        "x",
        ["standard.head", "standard.indications"],
        {"standard": "minor_indications", "incidents": "0:threat:non_state,2:assault:state"},
    )
    assert finding_text(step, "nl", PACK) == (
        "Bewijsmaatstaf: geringe indicaties volstaan. Voldaan: geloofwaardige persoonlijke "
        "problemen die verband houden met de groep (incident 1 (bedreiging, niet-statelijke "
        "actoren), incident 3 (mishandeling, de staat))."
    )
    assert engine_words(step.finding_keys, step.finding_args, PACK) == (
        "Standard minor_indications. Met: credible personal problems linked to the group "
        "(incidents[0] (threat, non_state), incidents[2] (assault, state))."
    )
    claim = _step(
        "x",
        ["standard.not_met_profile"],
        {"claim": "gay;political_critic"},
    )
    assert "(homo; Politiek activist" in finding_text(claim, "nl", PACK)
    further = _step(
        "x",
        ["recommendation.head", "recommendation.further"],
        {
            "recommendation": "further_assessment",
            "reasons": "reason.met,reason.unverified",
            "unverified": "ru-x-2023",
        },
    )
    assert finding_text(further, "nl", PACK) == (
        "Nader onderzoek nodig. Nog te onderzoeken: aan de bewijsmaatstaf is voldaan; "
        "onbevestigd beleid kan van toepassing zijn (ru-x-2023)."
    )
    assert engine_words(further.finding_keys, further.finding_args, PACK) == (
        "further_assessment: Further assessment: the standard is met; unverified policy may "
        "apply (ru-x-2023)."
    )


def test_without_keys_or_words_the_engine_finding_is_shown() -> None:
    assert finding_text(_step("As the engine says.", [], {}), "nl", PACK) == "As the engine says."
    unknown = _step("As the engine says.", ["no.such.sentence"], {})
    assert finding_text(unknown, "nl", PACK) == "As the engine says."


def _assessed() -> list[Assessment]:
    """Assessments of 600 synthetic cases on dates across the pack's history."""
    from datetime import date

    from haven.assess import assess
    from haven.assess.admit import admit
    from haven.cases import Case
    from haven.cases.synthetic import synthetic_caseload
    from haven.errors import CaseError

    out = []
    for n, raw in enumerate(synthetic_caseload(600, seed=15)):
        case = Case.model_validate_json(json.dumps(raw))
        try:
            admit(case, PACK, date(2026, 1, 1))
        except CaseError:
            continue
        for as_of in (date(2015, 10, 1), date(2021, 9, 1), date(2024, 6, 1))[n % 3 :][:2]:
            out.append(assess(case, as_of, PACK))
    return out


def test_the_packs_english_sentences_are_the_engines_words() -> None:
    """Every step names its sentences, and the pack's English sentences with the engine's
    arguments give back the engine's `finding` word for word."""
    from tests.test_dutch_steps import scenario_assessments

    keys_seen: set[str] = set()
    # The EU pack's scenarios reach the sentences only a graded, versioned pack uses (profiles
    # that do not lower the standard, versions under review, the legal weight).
    eu = [(EU, a) for a in _scenario_assessments(EU)]
    for pack, a in (
        [(PACK, a) for a in _assessed()] + [(PACK, a) for _, _, a in scenario_assessments()] + eu
    ):
        for s in a.steps:
            assert s.finding_keys, f"{s.rule} names no sentences: {s.finding}"
            assert engine_words(s.finding_keys, s.finding_args, pack) == s.finding, s
            keys_seen |= set(s.finding_keys) | set(s.finding_args.get("reasons", "").split(","))
    # The synthetic caseload and the pack's scenarios reach all sentences but these.
    unreached = {str(k) for k in FindingKey} - keys_seen
    assert unreached <= {
        "designation.individual_profile",  # every shipped profile entry has a grade
        "designation.profile_if_open",  # no EU scenario leaves a profile open
        "internal_protection.allowed_only",
        "safe_country.exception_region",
        "safe_country.suspended",
        "standard.surroundings",
        "unverified.not_applied",
    }, sorted(unreached)


def _scenario_assessments(pack: Pack) -> list[Assessment]:
    """Every check of every scenario of `pack`, assessed."""
    out = []
    packs = Path(__file__).resolve().parents[1] / "haven" / "packs"
    for check in load_checks(packs / pack.meta.id / SCENARIOS):
        case = Case.model_validate(check.case, strict=False)
        out.append(assess(case, check.as_of, pack))
    return out


def test_the_eu_packs_findings_in_dutch_leave_no_english_sentence() -> None:
    english = {f.text.split("{")[0][:30] for f in EU.step_findings.values()}
    english = {e for e in english if len(e) >= 12}
    for a in _scenario_assessments(EU):
        for s in a.steps:
            dutch = finding_text(s, "nl", EU)
            assert "{" not in dutch and not any(e in dutch for e in english), dutch


def test_dutch_findings_leave_no_english_sentence() -> None:
    # The English opening words of each sentence (those that open with words, not an argument).
    english = {f.text.split("{")[0][:30] for f in PACK.step_findings.values()}
    english = {e for e in english if len(e) >= 12}
    for a in _assessed()[:300]:
        for s in a.steps:
            if s.finding_keys:
                dutch = finding_text(s, "nl", PACK)
                assert "{" not in dutch and not any(e in dutch for e in english), dutch
