"""Plain, translated words for what an assessment says: outcomes, steps, flags, standards.

English is the source language; Dutch comes from `locale/nl/LC_MESSAGES/reports.po` (via
`haven.i18n`). Pure: no I/O beyond reading that catalogue once. The web app and the memo both
use these functions, so a code never reaches a reader without words.

Every function takes a code (an enum member or its string value) and a language; an unknown
code is returned unchanged rather than raising, so a newer pack never breaks a page. The law
(judgments, articles) is not cited here: it is in the pack (`flag_text`, `step_title` with a
pack); without one, these are Haven's own neutral words.
"""

from datetime import date
from enum import StrEnum

from babel.dates import format_date

from haven.assess import Assessment
from haven.i18n import normalise, translations
from haven.policy.framework import RuleId
from haven.policy.pack import Pack
from haven.vocab import (
    Actor,
    Category,
    Finding,
    FlagCode,
    Ground,
    IncidentKind,
    InternalProtection,
    Reason,
    Recommendation,
    Sex,
    Sogi,
    Standard,
    Status,
)

PACKAGE = "haven.reports"
DOMAIN = "reports"
# Babel locales for dates: British English writes "1 October 2015", as Dutch does.
DATE_LOCALES = {"en": "en_GB", "nl": "nl_NL"}


def N_(message: str) -> str:
    """Marks a message for extraction (`pybabel extract -k N_`); translated when used."""
    return message


def tr(message: str, lang: str) -> str:
    """`message` (an English message id) in `lang`; English if there is no translation."""
    return translations(normalise(lang), PACKAGE, DOMAIN).gettext(message)


def day(value: date | None, lang: str) -> str:
    """A date in words, e.g. '7 September 2015' / '7 september 2015'; '—' for none."""
    if value is None:
        return "—"
    return format_date(value, format="long", locale=DATE_LOCALES[normalise(lang)])


OUTCOMES: dict[str, str] = {
    Recommendation.PROTECTION_INDICATED: N_("Protection indicated"),
    Recommendation.FURTHER_ASSESSMENT: N_("Further assessment needed"),
    Recommendation.PROTECTION_NOT_INDICATED: N_("Protection not indicated"),
    Recommendation.DECISION_DEFERRED: N_("Decision deferred (decision moratorium)"),
    Recommendation.NOT_ASSESSABLE: N_("Not assessable (identity or nationality not credible)"),
}
OUTCOME_EXPLANATIONS: dict[str, str] = {
    Recommendation.PROTECTION_INDICATED: N_(
        "The standard of proof that applies on this date is met on the credible facts, and no "
        "question about relocation or seeking protection remains open."
    ),
    Recommendation.FURTHER_ASSESSMENT: N_(
        "Facts are still open or an individual judgment is needed; the steps say which."
    ),
    Recommendation.PROTECTION_NOT_INDICATED: N_(
        "The standard of proof is not met on the credible facts, and nothing open or unverified "
        "could change that."
    ),
    Recommendation.DECISION_DEFERRED: N_(
        "A decision moratorium covers this case on this date: no decision on the merits is taken "
        "while it runs."
    ),
    Recommendation.NOT_ASSESSABLE: N_(
        "Identity or nationality was found not credible, so country policy cannot be applied."
    ),
}
# Haven's own headings, for a step shown without its pack; the pack's are in framework.yaml:
# steps (and i18n/<lang>.yaml).
STEP_TITLES: dict[str, str] = {
    RuleId.CREDIBILITY_GATE: N_("Credibility of identity and nationality"),
    RuleId.FACTS_AS_OF: N_("Facts not known on the date"),
    RuleId.SAFE_COUNTRY: N_("Safe country of origin"),
    RuleId.DECISION_MORATORIUM: N_("Decision moratorium"),
    RuleId.DEPARTURE_MORATORIUM: N_("Departure moratorium"),
    RuleId.DESIGNATION: N_("Group designation in country policy"),
    RuleId.EXCEPTIONAL_SITUATION: N_("Exceptional situation of indiscriminate violence"),
    RuleId.STANDARD_MEMBERSHIP: N_("Standard of proof: membership suffices"),
    RuleId.STANDARD_LIMITED: N_("Standard of proof: limited indications"),
    RuleId.STANDARD_MINOR: N_("Standard of proof: minor indications"),
    RuleId.STANDARD_INDIVIDUAL: N_("Standard of proof: individual substantiation"),
    RuleId.PAST_HARM: N_("Past persecution or serious harm"),
    RuleId.FORWARD_LOOKING: N_("Risk on return (forward-looking)"),
    RuleId.PROTECTION_DUTY: N_("Duty to seek protection from the authorities"),
    RuleId.STATE_IS_PERSECUTOR: N_("The state as persecutor"),
    RuleId.INTERNAL_PROTECTION: N_("Internal protection alternative (relocation)"),
    RuleId.GUARDRAILS: N_("Reasoning the law forbids"),
    RuleId.EVIDENCE: N_("Country information contradicting the policy applied"),
    RuleId.UNVERIFIED: N_("Unverified policy (not applied)"),
    RuleId.RECOMMENDATION: N_("Recommendation"),
}
REASONS: dict[str, str] = {
    Reason.DISCRETION_POSSIBLE: N_("could avoid harm by concealment or restraint"),
    Reason.NO_STATE_PROTECTION_SOUGHT: N_("did not seek protection from the authorities"),
    Reason.INTERNAL_RELOCATION: N_("could relocate elsewhere in the country"),
    Reason.LATE_DISCLOSURE: N_("disclosed the orientation or identity late"),
    Reason.STEREOTYPED_KNOWLEDGE: N_("lacked stereotyped knowledge (venues, symbols, the scene)"),
    Reason.EXPLICIT_EVIDENCE_REQUESTED: N_("explicit evidence (images, films, sexual detail)"),
    Reason.PROJECTIVE_TEST: N_("a projective (psychological) test"),
    Reason.CRIMINALISATION_NOT_ENFORCED: N_("criminal law exists but is not enforced"),
    Reason.INSUFFICIENT_INDICATIONS: N_("insufficient indications"),
    Reason.PROFILE_NOT_CREDIBLE: N_("the claimed profile is not credible"),
}
FLAGS: dict[str, str] = {
    FlagCode.DISCRETION_REASONING: N_(
        "The refusal expects the applicant to hide their orientation or identity, or to be "
        "discreet. The law forbids this."
    ),
    FlagCode.PROTECTION_SEEKING_WAIVED: N_(
        "The refusal holds it against the applicant that they did not ask the authorities for "
        "protection, but policy no longer requires that on this date."
    ),
    FlagCode.STATE_IS_PERSECUTOR: N_(
        "The refusal asks the applicant to seek protection from, or relocate within, a state "
        "that is itself the persecutor."
    ),
    FlagCode.IPA_EXCLUDED_BY_POLICY: N_(
        "The refusal relies on relocation elsewhere in the country, which policy rules out on "
        "this date."
    ),
    FlagCode.LATE_DISCLOSURE_ALONE: N_(
        "The refusal treats late disclosure as a reason on its own to disbelieve the applicant. "
        "The law forbids this."
    ),
    FlagCode.STEREOTYPED_ASSESSMENT: N_(
        "The refusal relies on stereotyped questions or expectations."
    ),
    FlagCode.EXPLICIT_EVIDENCE: N_(
        "The refusal asks for or relies on explicit evidence such as images, films or sexual "
        "detail. The law forbids this."
    ),
    FlagCode.PROJECTIVE_TEST: N_(
        "The refusal relies on a psychological projective test. The law forbids this."
    ),
    FlagCode.STANDARD_MISAPPLIED: N_(
        "The refusal says there are insufficient indications, but the standard of proof that "
        "applies on this date is met."
    ),
}
STANDARDS: dict[str, str] = {
    Standard.MEMBERSHIP: N_("credible membership of the group suffices"),
    Standard.LIMITED_INDICATIONS: N_("limited indications suffice"),
    Standard.MINOR_INDICATIONS: N_("minor indications suffice"),
    Standard.INDIVIDUAL: N_("full individual substantiation needed"),
}
CATEGORIES: dict[str, str] = {
    Category.GROUP_PERSECUTION: N_("group persecution"),
    Category.VULNERABLE_MINORITY: N_("vulnerable minority group"),
    Category.RISK_GROUP: N_("risk group"),
}
INTERNAL_PROTECTION: dict[str, str] = {
    InternalProtection.EXCLUDED: N_("excluded: relocation may not be held against the applicant"),
    InternalProtection.POSSIBLE: N_(
        "possible: the officer must name an area and test whether it is safe and reasonable"
    ),
    InternalProtection.NOT_APPLICABLE: N_("not applicable"),
}
GROUNDS: dict[str, str] = {
    Ground.REFUGEE: N_("refugee status (Refugee Convention)"),
    Ground.SUBSIDIARY: N_("subsidiary protection (serious harm)"),
}
STATUSES: dict[str, str] = {
    Status.PENDING: N_("pending"),
    Status.REFUSED: N_("refused"),
    Status.REFUSED_FINAL: N_("finally refused"),
    Status.REMOVAL_SCHEDULED: N_("removal scheduled"),
    Status.GRANTED: N_("granted"),
    Status.WITHDRAWN: N_("withdrawn"),
}
CREDIBILITY: dict[str, str] = {
    Finding.CREDIBLE: N_("credible"),
    Finding.NOT_CREDIBLE: N_("not credible"),
    Finding.OPEN: N_("not yet assessed"),
}
INCIDENT_KINDS: dict[str, str] = {
    IncidentKind.THREAT: N_("threat"),
    IncidentKind.HARASSMENT: N_("harassment"),
    IncidentKind.DISCRIMINATION: N_("discrimination"),
    IncidentKind.EXTORTION: N_("extortion"),
    IncidentKind.ASSAULT: N_("assault"),
    IncidentKind.SEXUAL_VIOLENCE: N_("sexual violence"),
    IncidentKind.ARREST: N_("arrest"),
    IncidentKind.DETENTION: N_("detention"),
    IncidentKind.TORTURE: N_("torture"),
    IncidentKind.PROSECUTION: N_("prosecution"),
    IncidentKind.OTHER: N_("other"),
}
ACTORS: dict[str, str] = {
    Actor.STATE: N_("the state"),
    Actor.NON_STATE: N_("non-state actors"),
}
SOGI: dict[str, str] = {
    Sogi.LESBIAN: N_("lesbian"),
    Sogi.GAY: N_("gay"),
    Sogi.BISEXUAL: N_("bisexual"),
    Sogi.TRANS: N_("trans"),
    Sogi.INTERSEX: N_("intersex"),
    Sogi.QUEER: N_("queer"),
}
SEXES: dict[str, str] = {Sex.FEMALE: N_("female"), Sex.MALE: N_("male"), Sex.OTHER: N_("other")}


def _lookup(table: dict[str, str], code: StrEnum | str | None, lang: str) -> str:
    if code is None:
        return "—"
    key = str(code)
    return tr(table[key], lang) if key in table else key


def outcome_text(rec: Recommendation | str, lang: str) -> str:
    """The recommendation in a few words."""
    return _lookup(OUTCOMES, rec, lang)


def outcome_explanation(rec: Recommendation | str, lang: str) -> str:
    """What the recommendation means, in one sentence."""
    return _lookup(OUTCOME_EXPLANATIONS, rec, lang)


def step_title(rule: str, lang: str, pack: Pack | None = None) -> str:
    """The heading of a reasoning step: the pack's (framework.yaml: steps) when the pack is
    known, else Haven's own words. A guardrail step (`guardrails.<reason>`) names the reason."""
    head, _, reason = rule.partition(".")
    found = pack.step_title(head, normalise(lang)) if pack is not None else None
    if head == RuleId.GUARDRAILS and reason:
        if found:
            return f"{found}: {reason_text(reason, lang)}"
        return tr(N_("Refusal reason: {reason}"), lang).format(reason=reason_text(reason, lang))
    return found or _lookup(STEP_TITLES, rule, lang)


def flag_text(code: FlagCode | str, lang: str, pack: Pack | None = None) -> str:
    """What a flag means for the decision, in plain words: the pack's text, with the law that
    says so (framework.yaml: flags), when the pack is known; else Haven's own words."""
    found = pack.flag_text(str(code), normalise(lang)) if pack is not None else None
    return found or _lookup(FLAGS, code, lang)


def reason_text(reason: Reason | str, lang: str) -> str:
    return _lookup(REASONS, reason, lang)


def standard_text(standard: Standard | str, lang: str) -> str:
    return _lookup(STANDARDS, standard, lang)


def designation_text(category: Category | str | None, lang: str) -> str:
    """A designation category ('risk group'); 'no group designation' for none."""
    if category is None:
        return tr(N_("no group designation"), lang)
    return _lookup(CATEGORIES, category, lang)


def internal_protection_text(value: InternalProtection | str, lang: str) -> str:
    return _lookup(INTERNAL_PROTECTION, value, lang)


def ground_text(ground: Ground | str | None, lang: str) -> str:
    return _lookup(GROUNDS, ground, lang)


def status_text(status: Status | str, lang: str) -> str:
    return _lookup(STATUSES, status, lang)


def credibility_text(finding: Finding | str, lang: str) -> str:
    return _lookup(CREDIBILITY, finding, lang)


def incident_kind_text(kind: IncidentKind | str, lang: str) -> str:
    return _lookup(INCIDENT_KINDS, kind, lang)


def actor_text(actor: Actor | str, lang: str) -> str:
    return _lookup(ACTORS, actor, lang)


def sogi_text(sogi: Sogi | str, lang: str) -> str:
    return _lookup(SOGI, sogi, lang)


def sex_text(sex: Sex | str | None, lang: str) -> str:
    return _lookup(SEXES, sex, lang)


def yes_no(value: bool | None, lang: str) -> str:
    if value is None:
        return tr(N_("open (facts not yet assessed)"), lang)
    return tr(N_("yes"), lang) if value else tr(N_("no"), lang)


def findings(a: Assessment, lang: str) -> list[tuple[str, str]]:
    """The assessment's main findings as (label, plain words) pairs, in pipeline order."""

    def t(message: str) -> str:
        return tr(message, lang)

    if a.designation is None:
        designation = designation_text(None, lang)
    else:
        designation = t(N_("{category} ({group}), since {since}")).format(
            category=designation_text(a.designation.category, lang),
            group=a.designation.group,
            since=day(a.designation.since, lang),
        )
    safe = a.safe_country_of_origin
    if not safe.designated:
        safe_text = t(N_("not a designated safe country of origin"))
    elif safe.exception_applies:
        safe_text = t(N_("designated safe country, but an exception applies"))
    else:
        safe_text = t(N_("designated safe country of origin"))
    moratoria = [
        t(N_("decision moratorium")) if a.moratorium.decision else "",
        t(N_("departure moratorium")) if a.moratorium.departure else "",
    ]
    rows = [
        (t(N_("Recommendation")), outcome_text(a.recommendation, lang)),
        (t(N_("Ground")), ground_text(a.ground, lang)),
        (t(N_("Safe country of origin")), safe_text),
        (t(N_("Moratorium")), ", ".join(m for m in moratoria if m) or t(N_("none"))),
        (t(N_("Group designation")), designation),
        (t(N_("Standard of proof")), standard_text(a.evidentiary_standard, lang)),
        (t(N_("Standard met")), yes_no(a.standard_met, lang)),
        (
            t(N_("Must have sought protection from the authorities")),
            yes_no(a.protection_seeking_required, lang),
        ),
        (
            t(N_("Internal protection alternative (relocation)")),
            internal_protection_text(a.internal_protection, lang),
        ),
    ]
    if a.unverified:
        rows.append((t(N_("Unverified policy, not applied")), ", ".join(a.unverified)))
    return rows
