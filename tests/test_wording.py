"""Step findings in the reader's language (haven/reports/wording.py): the pack words each
sentence of a finding (framework.yaml: step_findings, i18n/nl.yaml), the engine names the
sentences and their arguments, and the case page and memo say them in Dutch."""

from types import SimpleNamespace

from haven.policy.framework import FindingKey
from haven.policy.loader import load_pack
from haven.policy.texts import mismatched, missing
from haven.reports.wording import engine_words, finding_text

PACK = load_pack("nl")


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
    assert finding_text(step, "en", PACK) == english  # English: the engine's own words
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
