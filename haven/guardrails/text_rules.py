"""The pattern table of the decision-text linter: which wording signals which refusal reason.

Each rule names the reason (contract reason code) it detects, in plain words, in English or
Dutch. Whether relying on that reason is forbidden for a case on a date is not decided here:
the engine decides it from the pack (see haven.assess.lint). Patterns are matched
case-insensitively within one sentence. `context` is a pattern that must also occur in the
sentence or the one before it (e.g. the subject of sexual orientation), for wording that is
only suspect in that context. Rules never look at who the applicant is or infer anything about
anyone's orientation: they read what the decision says.
"""

import re
from dataclasses import dataclass

from haven.vocab import Reason


@dataclass(frozen=True)
class Rule:
    id: str
    reason: Reason
    lang: str
    pattern: re.Pattern[str]
    says: str  # what a matching passage does, in plain words
    context: re.Pattern[str] | None = None
    # Relying on the absence of something is still relying on it ("submitted no intimate
    # images"), so a bare "no" or "not" before the wording does not clear it.
    absence_counts: bool = False


def _re(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def gap(n: int) -> str:
    """Up to n intervening words (lazy), so a pattern can bridge short phrases."""
    return rf"(?:\w+\W+){{0,{n}}}?"


def gap_affirmative(n: int) -> str:
    """Up to n intervening words, none of them a negation: "would not conceal" is the
    opposite of expecting concealment."""
    return rf"(?:(?!(?:not|never|no|n't)\b)\w+\W+){{0,{n}}}?"


W = r"\W+"

# --- shared vocabulary ---------------------------------------------------------------------

TOPIC = _re(
    r"\b(?:sexual orientation|orientation|sexuality|homosexual\w*|bisexual\w*|gay|lesbian\w*|"
    r"LGBT\w*|LHBT\w*|queer|trans(?:gender)?|gender identity|same-sex|partners?|"
    r"relationships?|boyfriends?|girlfriends?|coming out|intimate|geaardheid|"
    r"seksuele oriëntatie|homo\w*|lesbi\w*|biseksu\w*|genderidentiteit|relatie|vriend(?:in)?|"
    r"seksu\w*|coming-out)\b"
)
# A modal or an evaluative word: relocation is reasoning only when put as a possibility.
MODAL = _re(
    r"\b(?:can|could|may|might|would|should|ought|expected|reasonabl[ey]|possible|able|option|"
    r"alternative|open to|kan|kon|kunnen|konden|mag|mocht|zou|zouden|verwacht|verwachten|"
    r"redelijk\w*|mogelijk\w*|alternatief|in staat)\b"
)

# Concealment wording, as context for "do so again" or "and so avoid problems".
CONCEALMENT = _re(
    r"\b(?:discreet\w*|hid(?:e|den|ing)|secret\w*|conceal\w*|restraint|low profile|closet\w*|"
    r"privately|verborgen|verberg\w*|geheim\w*|terughoudend\w*|buiten het zicht|voor zich)\b"
)

_DISCREET = (
    r"(?:discreet(?:ly)?|with (?:some |a degree of |due |the necessary )?restraint|"
    r"in a discreet (?:way|manner)|in secret|secretly|closeted|in the closet|"
    r"(?:a )?low[- ]profile|unobtrusive(?:ly)?|inconspicuous(?:ly)?)"
)
_LIVE = (
    r"(?:live|lives|living|lived|behave|behaves|behaving|behaved|act|acting|remain|remains|"
    r"remaining|remained|stay|staying|stayed|be|being|been|continue|continuing|carry on|"
    r"conduct (?:him|her|them)sel(?:f|ves)|keep|keeping|kept)"
)
_CONCEAL = (
    r"(?:conceal\w*|hide|hiding|keep\W+" + gap(4) + r"(?:secret|private|hidden|quiet|to "
    r"(?:him|her|them)sel(?:f|ves))|suppress\w*|not (?:to )?(?:express|show|display|reveal|"
    r"disclose|act on|manifest)\w*|refrain\w* from|exercis\w+ " + gap(2) + r"restraint|"
    r"show\w* " + gap(1) + r"restraint)"
)
_OPENLY = r"(?:publicly|in public|openly|to others|to the outside world|come out|be open)"

_AUTH_EN = (
    r"(?:police|authorities|law enforcement|prosecutor\w*|public prosecution|state protection|"
    r"protection of the state|(?:the )?state)"
)
_AUTH_NL = (
    r"(?:politie|autoriteit(?:en)?|overheid|justitie|staat|openbaar ministerie|"
    r"politiebureau|ordediensten)"
)
_SEEK_EN = (
    r"(?:seek|sought|ask(?:ed)?|request(?:ed)?|turn(?:ed)?|appeal(?:ed)?|appl(?:y|ied)|"
    r"approach(?:ed)?|report(?:ed)?|file(?:d)?|lodge(?:d)?|contact(?:ed)?|complain(?:ed)?|"
    r"inform(?:ed)?|avail(?:ed)?|go(?:ne)?|went|obtain(?:ed)?|secure[d]?|call(?:ed)?|alert(?:ed)?|"
    r"notif(?:y|ied))"
)

_LATER_EN = (
    r"(?:second|subsequent|later|further|additional|follow-up|appeal|last|final|renewed|"
    r"repeat(?:ed)?|supplementary|corrections|third|detailed|main|refusal|rejection|negative)"
)
_DISCLOSE_EN = r"(?:mention|disclose|raise|state|declare|report|refer|reveal|say|tell|speak)\w*"

_STEREO_TOPIC_EN = (
    r"(?:(?:gay|LGBT\w*|homosexual|queer|lesbian)\s+(?:bars?|clubs?|venues?|scene|nightlife|"
    r"community|culture|life|organi[sz]ations?|magazines?|websites?|meeting places|hangouts?|"
    r"saunas?|symbols?|icons?|movement|rights|pride|parades?|apps?|literature|films?)|"
    r"the scene|rainbow flag|pride (?:parade|events?|march)|process of (?:awareness|becoming "
    r"aware|self-acceptance|acceptance|discovery)|awareness process|self-acceptance|"
    r"inner (?:struggle|conflict|turmoil)|internal (?:struggle|conflict)|soul-searching|"
    r"emotional (?:process|journey)|how (?:he|she|they) (?:came to terms|became aware))\b"
)
_DEFICIT_EN = (
    r"(?:no(?!\s+longer)|little|limited|insufficient|scant|minimal|poor|hardly any|barely any|"
    r"lack(?:s|ed|ing)?(?: of| any)?|without any|could not|couldn't|was unable to|were unable "
    r"to|is unable to|unable to|failed to|fails to|did not|didn't|does not|doesn't|not able to|"
    r"knows? (?:little|nothing)|knew (?:little|nothing)|not familiar|unfamiliar|vague(?:ly)?|"
    r"superficial(?:ly)?|only (?:a )?(?:general|summary|vague|brief)|not (?:convincingly|"
    r"credibly|plausibly))"
)
_FALL_SHORT_EN = (
    r"(?:vague|limited|superficial|insufficient|unconvincing|not convincing|general|lacking|"
    r"missing|absent|poor|summary|not credible|implausible|meagre|scant)"
)
_STEREO_TOPIC_NL = (
    r"(?:(?:homo|gay|LHBT\w*|LGBT\w*)[- ]?(?:bars?|clubs?|cafés?|scene|uitgaansgelegenheden|"
    r"uitgaansleven|gemeenschap|cultuur|organisaties?|tijdschriften|websites?|"
    r"ontmoetingsplaatsen|symbolen|beweging|apps?)|homoscene|de scene|regenboogvlag|"
    r"(?:gay )?pride|bewustwordingsproces\w*|bewustwording|zelfacceptatie|acceptatieproces|"
    r"innerlijke (?:strijd|worsteling|conflict)|interne worsteling|worsteling)\b"
)
_DEFICIT_NL = (
    r"(?:geen|weinig|nauwelijks|onvoldoende|beperkte?|summier\w*|vage?|oppervlakkig\w*|"
    r"kon (?:\w+ )?niet|kan (?:\w+ )?niet|niets|gebrek aan|ontbreekt|ontbrak|"
    r"niet (?:in staat|bekend)|onbekend)"
)
_FALL_SHORT_NL = (
    r"(?:vaag|summier|oppervlakkig|onvoldoende|niet aannemelijk|ontbreekt|ontbrak|beperkt|"
    r"te algemeen|weinig|niet overtuigend|ongeloofwaardig|niet geloofwaardig)"
)
_MEDIA_EN = (
    r"(?:photos?|photographs?|pictures?|images?|videos?|films?|footage|recordings?|material|"
    r"selfies?)"
)
_MEDIA_NL = (
    r"(?:foto'?s|fotomateriaal|beeldmateriaal|video'?s|filmpjes?|films?|opnames?|afbeeldingen|"
    r"beelden)"
)
_FEAR_EN = (
    r"(?:well-founded fear|real risk|fear of persecution|persecution|at risk|serious harm|"
    r"personally targeted|individually targeted|in danger|singled out|problems)"
)
_FEAR_NL = (
    r"(?:gegronde vrees|vrees voor vervolging|vervolging|reëel risico|ernstige schade|te vrezen|"
    r"in gevaar|problemen|negatieve belangstelling|negatieve zin)"
)

_D, _P, _R = (
    Reason.DISCRETION_POSSIBLE,
    Reason.NO_STATE_PROTECTION_SOUGHT,
    Reason.INTERNAL_RELOCATION,
)
_L, _S, _E = (
    Reason.LATE_DISCLOSURE,
    Reason.STEREOTYPED_KNOWLEDGE,
    Reason.EXPLICIT_EVIDENCE_REQUESTED,
)
_T, _I = Reason.PROJECTIVE_TEST, Reason.INSUFFICIENT_INDICATIONS


def _rule(
    id_: str, reason: Reason, pattern: str, says: str, context: re.Pattern[str] | None = None
) -> Rule:
    absence = reason is Reason.EXPLICIT_EVIDENCE_REQUESTED
    return Rule(id_, reason, id_.split(".")[1], _re(pattern), says, context, absence)


RULES: tuple[Rule, ...] = (
    # --- discretion: concealment or restraint to avoid harm (G1) ---------------------------
    _rule(
        "discretion.en.live-discreetly",
        _D,
        rf"\b{_LIVE}{W}{gap(3)}{_DISCREET}",
        "expects or credits the applicant living discreetly or with restraint",
    ),
    _rule(
        "discretion.en.discretion-noun",
        _D,
        r"\b(?:exercis\w+|show\w*|observ\w+|practis\w+|with|a)\s+(?:some |a degree of |a certain "
        r"|the necessary |due )?(?:discretion|discreet (?:life|lifestyle|existence|manner))\b",
        "relies on the applicant's discretion",
    ),
    _rule(
        "discretion.en.conceal",
        _D,
        rf"\b(?:expected|required|reasonable|asked|obliged|able|can|could|may|should|would|"
        rf"need(?:s|ed)?|chose|chosen|choose){W}{gap_affirmative(5)}{_CONCEAL}",
        "expects the applicant to conceal the orientation or hold back its expression",
        TOPIC,
    ),
    _rule(
        "discretion.en.avoid-by",
        _D,
        rf"\bavoid\w*{W}{gap(5)}by{W}{gap(3)}(?:being discreet|discreet|discretion|"
        rf"conceal\w*|hiding|not (?:showing|expressing|revealing|disclosing|displaying)|"
        rf"keeping{W}{gap(4)}(?:secret|private|hidden|quiet)|exercising restraint)",
        "says harm can be avoided by concealment or restraint",
    ),
    _rule(
        "discretion.en.no-need-openly",
        _D,
        rf"\b(?:no need|not necessary|not (?:need|have) to|does not have to|did not have to|"
        rf"need not|not required|no necessity){W}{gap(6)}(?:express\w*|show\w*|display\w*|"
        rf"manifest\w*|live|reveal\w*|disclos\w*|be open|come out|act on){W}{gap(5)}{_OPENLY}",
        "says the applicant need not express the orientation openly",
        TOPIC,
    ),
    _rule(
        "discretion.en.private",
        _D,
        rf"\b(?:can|could|may|is able to|was able to|would be able to){W}{gap(4)}"
        rf"(?:express|live|experience|practi[sc]e|enjoy)\w*{W}{gap(5)}(?:in private|privately|"
        rf"in (?:the|his|her|their) private (?:sphere|life|domain)|behind closed doors|at home)|"
        rf"\bprivate life (?:is|was|would be|will be) (?:not|un)\s?(?:affected|restricted)",
        "confines the orientation to private life",
        TOPIC,
    ),
    _rule(
        "discretion.nl.discreet-leven",
        _D,
        rf"\b(?:discreet|terughoudend|onopvallend|in het geheim|in de kast|bedekt){W}{gap(3)}"
        rf"(?:leven|leeft|leefde|leefden|geleefd|te leven|op ?te stellen|opstellen|opstelt|"
        rf"opstelde|opgesteld|gedragen|gedraagt|gedroeg|te gedragen|blijven|blijft|bleef|"
        rf"gebleven|te blijven|beleven|beleeft|beleefde|beleefd|te beleven|houden|uiten|"
        rf"invullen|omgaan|om ?te gaan)|\bterughoudendheid{W}{gap(3)}(?:betrachten|betracht|"
        rf"in acht)",
        "expects or credits the applicant living discreetly or with restraint",
    ),
    _rule(
        "discretion.nl.verbergen",
        _D,
        rf"\b(?:geaardheid|homoseksualiteit|biseksualiteit|seksuele oriëntatie|genderidentiteit|"
        rf"relatie){W}{gap(4)}(?:verborgen|geheim|verbergen|verbergt|verborg|te verbergen|"
        rf"voor zich (?:te )?houden|niet (?:te )?(?:uiten|tonen|laten zien)|niet openlijk)",
        "expects the applicant to conceal the orientation",
    ),
    _rule(
        "discretion.nl.voorkomen-door",
        _D,
        rf"\b(?:voorkomen|vermijden|ontlopen|ontgaan|ontkomen){W}{gap(4)}door{W}{gap(4)}"
        rf"(?:discreet|terughoudend|verbergen|verborgen|geheim|niet openlijk|zich aan te passen)|"
        rf"\bdoor{W}{gap(3)}(?:discreet|terughoudend\w*|geheim)\w*{W}{gap(5)}(?:voorkomen|"
        rf"vermijden|ontlopen|ontgaan)",
        "says harm can be avoided by concealment or restraint",
    ),
    _rule(
        "discretion.nl.hoeft-niet-openlijk",
        _D,
        rf"\b(?:hoeft|hoefde|niet noodzakelijk|niet nodig|geen noodzaak){W}{gap(6)}"
        rf"(?:openlijk|in het openbaar|publiekelijk){W}{gap(3)}(?:te uiten|uit te komen|"
        rf"te tonen|te leven|te laten zien|kenbaar te maken|te beleven)",
        "says the applicant need not express the orientation openly",
        TOPIC,
    ),
    _rule(
        "discretion.nl.prive",
        _D,
        rf"\b(?:in (?:de |zijn |haar )?privésfeer|in privé|privé|achter gesloten deuren|"
        rf"binnenshuis){W}{gap(4)}(?:beleven|beleeft|beleefde|uiten|uit|vormgeven|vorm ?geven|"
        rf"invullen|leven|te beleven|te uiten)",
        "confines the orientation to private life",
        TOPIC,
    ),
    _rule(
        "discretion.en.again",
        _D,
        rf"\b(?:expected|able|can|could|may|reasonable|expect)\W+{gap(3)}(?:do so|do the same|"
        rf"continue (?:to do so|doing so|this|that)|make the same choice)|\b(?:can|could|would|"
        rf"will|may|might|able to|expected to)\W+{gap(4)}avoid\w*{W}{gap(2)}"
        rf"(?:problems|persecution|harm|trouble|difficulties|threats|violence)",
        "expects the applicant to go on concealing to avoid harm",
        CONCEALMENT,
    ),
    _rule(
        "discretion.nl.opnieuw",
        _D,
        rf"\b(?:kan|kon|mag|verwacht\w*|redelijk)\W+{gap(4)}(?:dat ook|hetzelfde|zo blijven doen|"
        rf"daarmee doorgaan|dat blijven doen)|\b(?:problemen|vervolging|moeilijkheden|geweld|"
        rf"bedreigingen){W}{gap(2)}(?:vermijden|voorkomen|ontlopen)",
        "expects the applicant to go on concealing to avoid harm",
        CONCEALMENT,
    ),
    # --- protection-seeking from the authorities (G7) --------------------------------------
    _rule(
        "protection.en.did-not-seek",
        _P,
        rf"\b(?:did not|didn't|has not|have not|had not|never|failed to|neglected to|omitted to|"
        rf"made no (?:attempt|effort) to|did not even|nor (?:has|had|did|does){W}{gap(2)})"
        rf"\W*{gap(2)}{_SEEK_EN}{W}{gap(6)}{_AUTH_EN}\b",
        "holds it against the applicant that no protection was sought from the authorities",
    ),
    _rule(
        "protection.en.should-have",
        _P,
        rf"\b(?:should|could|might|would|ought to)(?:\s+\w+)?\s+have{W}{gap(3)}"
        rf"(?:sought|asked|requested|turned|appealed|approached|reported|filed|lodged|contacted|"
        rf"complained|informed|availed|gone){W}{gap(6)}{_AUTH_EN}\b",
        "says the applicant should have sought the authorities' protection",
    ),
    _rule(
        "protection.en.expected-to-seek",
        _P,
        rf"\b(?:expected|required|obliged|reasonable|able|open to \w+|possible)\W+{gap(3)}"
        rf"(?:to|that (?:he|she|they|the applicant)){W}{gap(2)}(?:seek|ask|request|turn|appeal|"
        rf"apply|approach|report|file|lodge|contact|avail|go|obtain)\w*{W}{gap(6)}{_AUTH_EN}\b",
        "expects the applicant to seek the authorities' protection",
    ),
    _rule(
        "protection.en.authorities-able",
        _P,
        rf"\bnot (?:made (?:it )?plausible|demonstrated|shown|established|substantiated){W}"
        rf"{gap(3)}{_AUTH_EN}{W}{gap(5)}(?:unable|unwilling|not (?:be )?(?:able|willing)|"
        rf"would not|will not|cannot|could not|refuse)|\b{_AUTH_EN}{W}{gap(3)}(?:are|is|were|"
        rf"was|would be|will be|remain)\s+(?:\w+\s+){{0,2}}?(?:able|willing|in a position)\b"
        rf"{W}{gap(4)}(?:protect\w*|protection|assistance|help)",
        "relies on the authorities being able and willing to protect",
    ),
    _rule(
        "protection.nl.geen-aangifte",
        _P,
        rf"\b(?:geen|nooit|niet){W}{gap(3)}(?:aangifte|melding bij de politie|klacht bij de "
        rf"politie)\b",
        "holds it against the applicant that no report was made to the police",
    ),
    _rule(
        "protection.nl.niet-gewend",
        _P,
        rf"\b(?:niet|nooit|geen poging){W}{gap(6)}(?:tot|bij|aan|van)\s+(?:de |het )?"
        rf"(?:\w+\s+)?{_AUTH_NL}{W}{gap(4)}(?:gewend|gegaan|gemeld|gevraagd|verzocht|gezocht|"
        rf"ingeroepen|aangeklopt|benaderd)",
        "holds it against the applicant that no protection was sought from the authorities",
    ),
    _rule(
        "protection.nl.had-moeten",
        _P,
        rf"\b(?:had|hadden|kan|kon|mag|mocht|dient|diende)\s+{gap(6)}(?:tot|bij|aan)\s+"
        rf"(?:de |het |een )?(?:\w+\s+)?{_AUTH_NL}{W}{gap(5)}(?:kunnen|moeten|dienen|wenden|te "
        rf"wenden)\b|\bhad{W}{gap(3)}aangifte{W}{gap(2)}(?:kunnen|moeten) doen|\bbescherming"
        rf"{W}{gap(3)}(?:van|bij)\s+(?:de |het )?(?:\w+\s+)?{_AUTH_NL}{W}{gap(3)}(?:in ?te "
        rf"roepen|inroepen|ingeroepen|zoeken|gezocht|vragen|gevraagd)|\bop (?:de|zijn|haar) weg"
        rf"{W}{gap(3)}(?:gelegen|ligt|lag){W}{gap(8)}{_AUTH_NL}|\b(?:had|hadden|kan|kon|mag|"
        rf"dient|diende|moest)\W+{gap(3)}bescherming{W}{gap(3)}(?:zoeken|vragen|inroepen|in te "
        rf"roepen){W}{gap(1)}(?:bij|van|aan)\s+(?:de |het )?(?:\w+\s+)?{_AUTH_NL}",
        "says the applicant should have sought the authorities' protection",
    ),
    _rule(
        "protection.nl.bereid-in-staat",
        _P,
        rf"\bniet aannemelijk{W}{gap(2)}(?:gemaakt|geworden){W}{gap(2)}dat\s+(?:de |het )?"
        rf"(?:\w+\s+)?{_AUTH_NL}{W}{gap(5)}(?:niet (?:bereid|in staat)|onwillig|geen "
        rf"bescherming)|\b{_AUTH_NL}{W}{gap(3)}(?:bereid|in staat){W}{gap(5)}(?:bescherming|"
        rf"beschermen)",
        "relies on the authorities being able and willing to protect",
    ),
    # --- internal relocation (G8) -----------------------------------------------------------
    _rule(
        "relocation.en.alternative",
        _R,
        r"\b(?:internal|domestic) (?:protection|relocation|flight|settlement)(?: alternative| "
        r"option)?\b|\b(?:relocation|flight|settlement) alternative\b|\bIPA\b",
        "relies on an internal protection (relocation) alternative",
    ),
    _rule(
        "relocation.en.relocate",
        _R,
        rf"\b(?:relocat\w+|resettl\w+|settl(?:e|ing)|mov(?:e|ing)|establish\w* (?:him|her|them)"
        rf"sel(?:f|ves)|take up residence|find (?:a )?(?:safe )?(?:refuge|safety|place|"
        rf"residence|shelter)|liv(?:e|ing) (?:safely |openly |in safety |without problems )?"
        rf"(?:in|elsewhere)|go(?:ing)? (?:to live|and live)){W}{gap(3)}(?:to|in|within|elsewhere|"
        rf"another|other)\b",
        "puts relocation elsewhere in the country of origin as an option",
        MODAL,
    ),
    _rule(
        "relocation.en.safe-place",
        _R,
        r"\b(?:is|are|would be|offers?|constitutes?|provides?|forms?)\s+(?:\w+\s+){0,2}?(?:a |an )?"
        r"(?:safe|reasonable|viable|relevant|realistic)\s+(?:alternative|place|area|haven|option|"
        r"refuge|city|region|destination|part)\b|\b(?:large|larger|big|major) cit(?:y|ies)\W+"
        r"(?:\w+\W+){0,8}?(?:safe|safer|safely|anonymous|anonymity|tolerant)",
        "treats another part of the country as a safe place to live",
    ),
    _rule(
        "relocation.nl.alternatief",
        _R,
        r"\b(?:binnenlands\w* )?(?:vestigings|beschermings|vlucht)alternatief\b|"
        r"\bvestigingsmogelijkheid\b|\binterne (?:bescherming|vestiging)\b",
        "relies on an internal protection (relocation) alternative",
    ),
    _rule(
        "relocation.nl.vestigen",
        _R,
        rf"\b(?:elders|in (?:een )?(?:ander|andere|grote|grotere) (?:stad|steden|regio|deel|"
        rf"delen|plaats|gebied)|in \w+|naar \w+|naar (?:een )?(?:andere|grote) (?:stad|regio))"
        rf"{W}{gap(4)}(?:vestigen|vestigt|vestigde|verhuizen|verhuist|gaan wonen|te wonen|"
        rf"wonen|verblijven|onttrekken|begeven|veilig)\b",
        "puts relocation elsewhere in the country of origin as an option",
        MODAL,
    ),
    _rule(
        "relocation.nl.veilige-plaats",
        _R,
        r"\b(?:is|zijn|vormt|vormen|biedt|bieden)\s+(?:\w+\s+){0,2}?(?:een )?"
        r"(?:veilige?|redelijke?|reëel|reële) (?:alternatief|plaats|plek|haven|optie|"
        r"vestigingsplaats|toevlucht)|"
        r"\bgrote(?:re)? steden\W+(?:\w+\W+){0,8}?(?:veilig\w*|anoniem\w*|tolerant\w*)",
        "treats another part of the country as a safe place to live",
    ),
    # --- late disclosure (G6) ---------------------------------------------------------------
    _rule(
        "late.en.only-later",
        _L,
        rf"\b(?:only|first|not until|did not \w+ (?:this|it|that)\w* until){W}{gap(6)}"
        rf"(?:in|at|during|after|until)\s+(?:the |his |her |their |a )?{_LATER_EN}\b",
        "holds it against the applicant that the orientation was raised only later",
        TOPIC,
    ),
    _rule(
        "late.en.not-earlier",
        _L,
        rf"\b(?:did not|didn't|failed to|neglected to|omitted to|never|made no|has not|had not)"
        rf"{W}{gap(1)}{_DISCLOSE_EN}{W}{gap(6)}(?:earlier|before|previously|sooner|at (?:the|"
        rf"his|her|their) (?:first|initial|earliest)|in (?:the|his|her|their) (?:first|initial|"
        rf"earlier|previous|original))",
        "holds it against the applicant that the orientation was not mentioned earlier",
        TOPIC,
    ),
    _rule(
        "late.en.late",
        _L,
        r"\b(?:late|belated|tardy)(?:ly)?\s+(?:disclosure|stage|statement|revelation|mention)\b|"
        r"\bbelatedly\b|\bat a (?:late|later) (?:stage|point)\b",
        "relies on late disclosure",
        TOPIC,
    ),
    _rule(
        "late.en.should-have",
        _L,
        rf"\b(?:should|could|would|might)(?:\s+\w+)?\s+have{W}{gap(3)}(?:mention|disclos|rais|"
        rf"stat|declar|told|tell|sa[iy]|report)\w*{W}{gap(6)}(?:earlier|sooner|before|at "
        rf"(?:the|his|her|their) first|in (?:the|his|her|their) first)",
        "says the applicant should have disclosed the orientation earlier",
        TOPIC,
    ),
    _rule(
        "late.nl.pas-later",
        _L,
        rf"\b(?:pas|eerst)\s+{gap(4)}(?:in|bij|tijdens|na)\s+(?:het |de |zijn |haar |een )?"
        rf"(?:tweede|opvolgende|volgende|latere?|nader|nadere|aanvullend\w*|correcties|beroep|"
        rf"zienswijze|laatste|derde|herhaalde|afwijzing|weigering|negatieve beslissing|voornemen)",
        "holds it against the applicant that the orientation was raised only later",
        TOPIC,
    ),
    _rule(
        "late.nl.niet-eerder",
        _L,
        rf"\b(?:niet|niets|nooit)\s+{gap(5)}(?:eerder|in het eerste gehoor|bij het eerste gehoor|"
        rf"tijdens het eerste gehoor|bij het aanmeldgehoor|in het aanmeldgehoor|in de eerste "
        rf"(?:aanvraag|procedure)|bij de eerste gelegenheid|direct|meteen)\s+{gap(3)}(?:gemeld|"
        rf"genoemd|verklaard|vermeld|aangevoerd|naar voren gebracht|verteld|gezegd|aangegeven|"
        rf"gesproken)",
        "holds it against the applicant that the orientation was not mentioned earlier",
        TOPIC,
    ),
    _rule(
        "late.nl.laat",
        _L,
        rf"\b(?:in een )?(?:laat|later) stadium\b|\blaat (?:melden|gemeld|naar voren gebracht)|"
        rf"\blate (?:melding|onthulling|verklaring)\b|\bhad{W}{gap(5)}(?:eerder|direct|meteen|"
        rf"bij de eerste gelegenheid)\s+{gap(3)}(?:kunnen|moeten) (?:melden|vertellen|verklaren|"
        rf"noemen|aanvoeren|vermelden)|\b(?:verwacht|verlangd|moeten|kunnen)\W+{gap(10)}(?:eerder|"
        rf"bij de eerste gelegenheid|direct|meteen|bij het aanmeldgehoor|in het eerste gehoor)"
        rf"\W+{gap(3)}(?:gemeld|genoemd|verklaard|vermeld|verteld|melden|noemen|vertellen)",
        "relies on late disclosure",
        TOPIC,
    ),
    # --- stereotyped notions (G3) -----------------------------------------------------------
    _rule(
        "stereotype.en.knowledge",
        _S,
        rf"\b{_DEFICIT_EN}{W}{gap(8)}{_STEREO_TOPIC_EN}|\b{_STEREO_TOPIC_EN}{W}{gap(5)}(?:is|was|"
        rf"are|were|remains?|remained|seems?|seemed)\s+{gap(2)}{_FALL_SHORT_EN}|"
        rf"\b{_STEREO_TOPIC_EN}{W}{gap(3)}(?:lacks?|lacked|lacking|falls? short|fell short)\b",
        "rests credibility on knowledge of venues or culture, or on an expected inner process",
    ),
    _rule(
        "stereotype.en.appearance",
        _S,
        r"\b(?:does not|did not|doesn't|didn't|not)\s+(?:look|appear|behave|act|dress|come "
        r"across|seem)\w*\W+(?:\w+\W+){0,2}?(?:like )?(?:an? )?(?:gay|homosexual|lesbian|"
        r"effeminate|feminine|masculine|queer|camp)\b|\b(?:appearance|demeanou?r|mannerisms|"
        r"clothing|manner of dress\w*)\W+(?:\w+\W+){0,5}?(?:not|no|nothing)\W+(?:\w+\W+){0,4}?"
        r"(?:indicat\w+|suggest\w*|show\w*|point\w* to|typical\w*|gay|homosexual|effeminate)|"
        r"\b(?:typical(?:ly)?|stereotypical(?:ly)?) (?:gay|homosexual|lesbian)\b",
        "rests credibility on appearance or behaviour",
    ),
    _rule(
        "stereotype.en.married",
        _S,
        r"\b(?:married|marriage|wife|husband|children)\W+(?:\w+\W+){0,12}?(?:not credible|"
        r"undermines?|inconsistent with|incompatible with|casts? doubt|doubts? (?:on|about)|"
        r"difficult to reconcile|cannot be reconciled|implausible|at odds with)\b",
        "treats marriage or children as contradicting the orientation",
        TOPIC,
    ),
    _rule(
        "stereotype.en.expected-to-know",
        _S,
        r"\b(?:expected|supposed|likely) to (?:know|be (?:familiar|aware|acquainted)|have "
        r"(?:\w+ )?knowledge)\W+(?:\w+\W+){0,6}?(?:where|venues?|bars?|clubs?|places?|meet\w*|"
        r"scene|organi[sz]ations?|symbols?|flag|community|culture)\b",
        "expects knowledge of venues or culture as proof of orientation",
        TOPIC,
    ),
    _rule(
        "stereotype.nl.verwacht-kennis",
        _S,
        r"\bverwacht\w*\W+(?:\w+\W+){0,4}?(?:weet|kent|bekend is|op de hoogte is|kennis heeft)\W+"
        r"(?:\w+\W+){0,6}?(?:waar|uitgaans\w*|bars?|clubs?|ontmoet\w*|scene|organisaties?|"
        r"regenboog\w*|gemeenschap)\b",
        "expects knowledge of venues or culture as proof of orientation",
        TOPIC,
    ),
    _rule(
        "stereotype.nl.kennis",
        _S,
        rf"\b{_DEFICIT_NL}{W}{gap(8)}{_STEREO_TOPIC_NL}|\b{_STEREO_TOPIC_NL}{W}{gap(5)}"
        rf"{_FALL_SHORT_NL}",
        "rests credibility on knowledge of venues or culture, or on an expected inner process",
    ),
    _rule(
        "stereotype.nl.uiterlijk",
        _S,
        r"\b(?:gedraagt|gedroeg|kleedt|kleedde|ziet|zag|komt|kwam)\s+(?:zich\s+)?(?:\w+\s+){0,3}?"
        r"niet\s+(?:\w+\s+){0,2}?(?:verwijfd|vrouwelijk|mannelijk|als een homo|homoseksueel|"
        r"uit als)|\b(?:uiterlijk|gedrag|voorkomen|kleding|maniertjes)\W+(?:\w+\W+){0,5}?"
        r"(?:niet|geen|niets)\W+(?:\w+\W+){0,4}?(?:homoseksu\w*|verwijfd|vrouwelijk|typisch)",
        "rests credibility on appearance or behaviour",
    ),
    _rule(
        "stereotype.nl.getrouwd",
        _S,
        r"\b(?:getrouwd|gehuwd|huwelijk|echtgenote|echtgenoot|kinderen)\W+(?:\w+\W+){0,12}?"
        r"(?:niet geloofwaardig|ongeloofwaardig|niet aannemelijk|moeilijk te rijmen|niet te "
        r"rijmen|niet te verenigen|op gespannen voet|afbreuk)",
        "treats marriage or children as contradicting the orientation",
        TOPIC,
    ),
    # --- explicit evidence (G4, G5) ---------------------------------------------------------
    _rule(
        "explicit.en.media",
        _E,
        rf"\b(?:sexual|intimate|explicit|sexually explicit|pornographic|nude|naked)\W+"
        rf"(?:\w+\W+){{0,2}}?{_MEDIA_EN}\b|\b{_MEDIA_EN}\W+(?:\w+\W+){{0,6}}?(?:sexual "
        rf"(?:acts?|activity|intercourse|contact)|having sex|intimate (?:moments|acts?|contact)|"
        rf"in bed|naked|nude|being intimate)",
        "asks for or weighs sexual images or films",
    ),
    _rule(
        "explicit.en.practices",
        _E,
        r"\b(?:sexual (?:acts?|practices|experiences|activity|activities|contacts?|intercourse|"
        r"positions?|details|encounters)|details? of (?:his|her|their) sex(?: life)?|"
        r"what (?:he|she|they) (?:did|do|does) in bed|sex life)\b",
        "dwells on sexual practices",
    ),
    _rule(
        "explicit.en.medical",
        _E,
        r"\bmedical (?:examination|test|tests|testing|evidence|report|check)\W+(?:\w+\W+){0,6}?"
        r"(?:orientation|homosexuality|sexuality|prove|establish|confirm)|\b(?:phallometr\w*|"
        r"penile plethysmograph\w*|anal examination)",
        "relies on a medical test of orientation",
    ),
    _rule(
        "explicit.nl.beeld",
        _E,
        rf"\b(?:seksuele?|intiem\w*|expliciet\w*|naakt\w*|pornografisch\w*)\W+(?:\w+\W+){{0,2}}?"
        rf"{_MEDIA_NL}|\b{_MEDIA_NL}\W+(?:\w+\W+){{0,5}}?(?:seksuele (?:handelingen|aard|"
        rf"contacten|omgang)|intieme (?:momenten|handelingen|aard)|naakt|seks)",
        "asks for or weighs sexual images or films",
    ),
    _rule(
        "explicit.nl.handelingen",
        _E,
        r"\bseksuele (?:handelingen|praktijken|ervaringen|contacten|details|"
        r"standjes|beleving|omgang)\b|\bseksleven\b|\bwat (?:hij|zij) in bed\b",
        "dwells on sexual practices",
    ),
    _rule(
        "explicit.nl.medisch",
        _E,
        r"\bmedisch(?:e)? (?:onderzoek|test|keuring|verklaring)\W+(?:\w+\W+){0,6}?"
        r"(?:geaardheid|homoseksualiteit|aan te tonen|bewijzen|vast te stellen)",
        "relies on a medical test of orientation",
    ),
    # --- projective tests (CJEU F) ----------------------------------------------------------
    _rule(
        "projective.en.test",
        _T,
        r"\b(?:Rorschach|Szondi|draw[- ]a[- ]person|projective (?:personality )?(?:tests?|"
        r"techniques?|methods?)|inkblot)\w*|\b(?:psycholog\w*|personality|sexolog\w*)\s+"
        r"(?:\w+\s+){0,2}?(?:tests?|testing|test results)\b",
        "relies on a projective or psychological test of orientation",
    ),
    _rule(
        "projective.en.expert-finds",
        _T,
        r"\b(?:psychologist|sexologist|psychiatrist|expert)\w*\W+(?:\w+\W+){0,4}?(?:concluded|"
        r"concludes|found|finds|determined|established)\W+(?:\w+\W+){0,10}?(?:not|no)\s+"
        r"(?:\w+\s+){0,2}?(?:homosexual|gay|lesbian|bisexual)",
        "relies on an expert's finding about the applicant's orientation",
    ),
    _rule(
        "projective.nl.test",
        _T,
        r"\b(?:Rorschach|Szondi|projectie\w* (?:persoonlijkheids)?test\w*|"
        r"persoonlijkheidstest\w*|tekentest\w*|teken (?:een )?persoon in de regen)|"
        r"\bpsychologisch\w* (?:test|tests|testen|onderzoek)\W+(?:\w+\W+){0,6}?(?:geaardheid|"
        r"homoseksu\w*|seksuele oriëntatie)|\b(?:psycholoog|seksuoloog|deskundige)\W+"
        r"(?:\w+\W+){0,4}?(?:concludeert|concludeerde|stelt vast|stelde vast)\W+(?:\w+\W+){0,10}?"
        r"niet (?:homoseksueel|lesbisch|biseksueel)",
        "relies on a projective or psychological test of orientation",
    ),
    # --- the evidentiary standard (standard_misapplied) -------------------------------------
    _rule(
        "standard.en.insufficient",
        _I,
        r"\b(?:insufficient|not sufficient|not enough|no sufficient|inadequate|lacks? "
        r"(?:sufficient|concrete))\W+(?:\w+\W+){0,2}?(?:indications|evidence|grounds|"
        r"substantiation|individual (?:facts|elements|indications)|concrete (?:indications|"
        r"facts)|personal (?:facts|circumstances))\b",
        "finds the indications insufficient",
    ),
    _rule(
        "standard.en.not-plausible",
        _I,
        rf"\b(?:has|have|had) not (?:sufficiently |adequately )?(?:made (?:it )?plausible|"
        rf"substantiated|demonstrated|established|shown){W}{gap(8)}{_FEAR_EN}\b|\b(?:no|not any|"
        rf"insufficient) (?:concrete|individual|personal|specific) (?:indications|facts|"
        rf"circumstances|elements|evidence)\b|\bnot (?:individually|personally) (?:targeted|"
        rf"singled out)\b|\b(?:statements|account|claims?) (?:are|is|were|was|remains?) too "
        rf"(?:vague|general)\b",
        "requires individual substantiation beyond the applicable standard",
    ),
    _rule(
        "standard.nl.onvoldoende",
        _I,
        r"\bonvoldoende (?:\w+\s+){0,2}?(?:aanknopingspunten|indicaties|aanwijzingen|concrete|"
        r"individuele|onderbouw\w*|aannemelijk|bewijs)|\bgeen (?:concrete|individuele|persoonlijke|"
        r"specifieke) (?:aanknopingspunten|aanwijzingen|indicaties|feiten|omstandigheden)",
        "finds the indications insufficient",
    ),
    _rule(
        "standard.nl.niet-aannemelijk",
        _I,
        rf"\bniet (?:\w+\s+){{0,2}}?aannemelijk (?:\w+\s+){{0,2}}?gemaakt{W}{gap(10)}{_FEAR_NL}|"
        rf"\bniet (?:individueel|persoonlijk) (?:geviseerd|in de negatieve belangstelling)|"
        rf"\bte (?:vaag|algemeen) (?:om|gebleven)",
        "requires individual substantiation beyond the applicable standard",
    ),
)

# --- cues that turn a match into a correct statement of the rule ---------------------------

# Before the match, in the same clause: the rule stated or applied correctly.
NEGATION_BEFORE = _re(
    r"\b(?:cannot|can ?not|can't|may not|must not|need not|needn't|should not|shall not|"
    # the rule stated of everyone: "no one may be obliged to conceal", "niemand hoeft ..."
    r"(?:no one|no-one|nobody|no person|no applicant) (?:may|can|could|should|must|shall|is to|"
    r"is required to|is obliged to)|niemand (?:mag|kan|hoeft|moet|hoort)|"
    r"no longer|not relevant|irrelevant|regardless of|irrespective of|"
    r"(?:is|are|was|were|be) not (?:required|expected|permitted|allowed|lawful|relevant|"
    r"asked|held|used|taken|demanded|a valid|an acceptable|necessary)|"
    r"it is not (?:permissible|permitted|lawful|acceptable|appropriate|proper|right)|"
    # the same rule stated as a wrong: "it is inappropriate / wrong / unlawful to decide ..."
    r"(?:it is|it was|it would be) (?:\w+ )?(?:inappropriate|impermissible|improper|unlawful|"
    r"an error of law) to|"
    r"(?:het is|is het|was het) (?:\w+ )?(?:onjuist|ontoelaatbaar|niet toelaatbaar|onrechtmatig|"
    r"niet gepast|ongepast) om|"
    r"(?:will|does|did|do) not (?:be )?(?:require|expect|assume|rely|hold|ask|demand)\w*|"
    r"without (?:requiring|expecting|asking)|nor (?:can|may|is|was)|no (?:questions|requirement)|"
    r"not (?:be )?(?:held|counted) against|prohibit\w*|preclude\w*|forbid\w*|contrary to|"
    r"kan niet worden|kon niet worden|niet (?:kan|mag|kon|mocht) worden|mag niet|mocht niet|"
    r"hoeft niet|hoefde niet|niet (?:langer|meer)|"
    r"niet (?:van (?:hem|haar|betrokkene|eiser|eiseres|de vreemdeling) )?(?:worden )?"
    r"(?:verwacht|verlangd|geëist|tegengeworpen)|kan (?:hem|haar|betrokkene) niet|"
    r"ongeacht|niet relevant|geen (?:doorslaggevende )?rol|niet vereist|geen eisen|"
    r"niet (?:mag|kan|mocht|kon) (?:verlangen|verwachten|eisen)|is niet aan|"
    r"(?:hoeft|hoefde|hoeven) (?:\w+ ){0,2}?niet|anders dan (?:verweerder|de minister)|"
    r"geen vragen|niet gevraagd|is niet (?:vereist|toegestaan|relevant|nodig)|verboden|"
    r"niet toegestaan|evenmin|in strijd met|"
    # harm, not a choice: "gay men are forced to live in secret"
    r"(?:forced|compelled) to|gedwongen)\b"
)
# A negation a few words before the match ("he was not required to ...").
NEGATION_JUST_BEFORE = _re(
    r"\b(?:not|never|no|no longer|niet|nooit|geen)\s+(?:(?:be|been|being|reasonably|further|also|"
    r"langer|meer|worden|wordt|is|simply)\s+)*(?:(?:required|expected|asked|obliged|necessary|"
    r"needed|relevant|permitted|allowed|verwacht|verlangd|vereist|gevraagd|nodig|relevant)\s+"
    r"(?:to\s+|of \w+ to\s+)?)?$"
)
# After the match, to the end of the sentence (or a semicolon).
NEGATION_AFTER = _re(
    r"\b(?:cannot|can ?not|may not|must not|should not) (?:reasonably )?(?:\w+ )?"
    r"(?:be )?(?:held against|required|expected|relied on|used|demanded|asked|decisive)|"
    r"\b(?:is|are|was|were) not (?:held against|relied on|used|taken into account|an option|"
    r"available|applicable|required|decisive|a (?:valid|relevant|reasonable|lawful)\b)|"
    r"\b(?:is|are|was|were|has been|have been) (?:therefore |thus |now |also )?(?:excluded|"
    r"ruled out|precluded|not applicable|inapplicable|no longer (?:applicable|available|an "
    r"option|possible|required|held|relied))|"
    r"\bno longer (?:stands|holds|applies|possible|available)|"
    r"\b(?:cannot|does not|is not|can ?not) (?:on its own|by itself|in itself|alone)|"
    r"\b(?:on its own|by itself|in itself|alone),? (?:cannot|does not|is not|can ?not)|"
    # "not out of fear" is the opposite: a concealment chosen for other reasons (HJ (Iran))
    r"(?<!not )\bout of fear|(?<!not )\bbecause (?:he|she|they) (?:feared|was afraid|were "
    r"afraid|fear)|"
    r"\bnot (?:held|counted) against|\b(?:is|are|was|were) (?:not |ir)relevant|\bplays? no role|"
    # "must be considered irrelevant", "is to be regarded as irrelevant"
    r"\b(?:be|been|is|are|was|were) (?:to be )?(?:considered|regarded|deemed|treated|held) "
    r"(?:as )?(?:not |ir)relevant|\b(?:doet|deed) niet ter zake|"
    r"\bis of no (?:significance|relevance)|\bniet relevant|\bgeen (?:\w+ )?rol|"
    r"\b(?:kan|mag|wordt|werd|kon|zal) (?:\w+ ){0,3}?niet (?:langer |meer )?(?:worden )?"
    r"(?:tegengeworpen|verlangd|verwacht|gebruikt|betrokken|meegewogen|gevraagd|geëist)|"
    r"\bniet (?:langer |meer )?(?:worden |wordt )?(?:tegengeworpen|verlangd|vereist|gevraagd|"
    r"geëist|van toepassing|aan de orde|mogelijk|redelijk)|"
    r"\b(?:is|wordt|werd|zijn|worden) (?:\w+ ){0,2}?uitgesloten|"
    r"\bop (?:zich ?zelf|zichzelf)(?: genomen)?\W+(?:\w+\W+){0,4}?niet|"
    r"\buit angst|\bomdat (?:hij|zij|ze) bang|\bniet (?:zonder meer|op zichzelf)"
)
# Reported speech: the applicant's (or a witness's) account, not the writer's reasoning.
ATTRIBUTION = _re(
    r"\b(?:the applicant|applicant|he|she|they|the claimant|the appellant|the person concerned|"
    r"(?:his|her|their) (?:lawyer|counsel|representative|partner|friend|mother|father|sister|"
    r"brother)|counsel|the witness|a witness)\s+(?:has |had |also |further |himself |herself |"
    r"themselves )*(?:stated|states|state|claims|claimed|says|said|declares|declared|explains|"
    r"explained|argues|argued|contends|contended|submits|submitted|asserts|asserted|maintains|"
    r"maintained|alleges|alleged|testified|fears|feared|"
    r"told (?:us|the (?:service|interviewer|IND|officer))|"
    r"reports|reported|recounts|recounted|indicates|indicated|describes|described|offered|"
    r"offers|insists|insisted|writes|wrote)\b(?:\s*(?:that|:|,|[\"'“‘„])|"
    r"\s+(?:to|how|why|he|she|they)\b)|"
    r"\baccording to (?:the applicant|him|her|them|his|her|their|the claimant|counsel)\b|"
    # a second verb of the same subject: "he was asked about X and said that he ..."
    r"\band (?:has |had |also )?(?:stated|said|explained|declared|indicated|replied|answered)"
    r"\s+(?:that\b|he\b|she\b|they\b)|"
    r"\bin (?:his|her|their) (?:own )?(?:words|account|statement)\b|"
    r"\b(?:the applicant's|the appellant's|his|her|their) (?:statement|account|claim|"
    r"submission|explanation|case|evidence) (?:is |was )?that\b|"
    r"\b(?:betrokkene|hij|zij|ze|eiser|eiseres|de vreemdeling|de aanvrager|appellant|"
    r"(?:zijn|haar) (?:gemachtigde|advocaat|partner|vriend|vriendin|moeder|vader)|"
    r"de gemachtigde|de getuige)\s+(?:heeft |had |ook |voorts |tevens |verder |zelf )*"
    r"(?:verklaard|verklaart|verklaarde|gesteld|stelt|stelde|aangevoerd|voert aan|voerde aan|"
    r"betoogd|betoogt|betoogde|gezegd|zegt|zei|verteld|vertelt|vertelde|aangegeven|geeft aan|"
    r"gaf aan|beschreven|beschrijft|beschreef|aangeboden|biedt aan|bood aan)\b|"
    r"\bvolgens (?:betrokkene|hem|haar|eiser|eiseres|de vreemdeling|eigen zeggen|zijn "
    r"verklaring|haar verklaring)\b|\bnaar eigen zeggen\b|"
    r"\b(?:verklaart|stelt|verklaarde|stelde) (?:betrokkene|hij|zij|eiser|eiseres)\b|"
    r"\bheeft (?:betrokkene|hij|zij|eiser|eiseres) (?:verklaard|gesteld|aangevoerd|aangegeven|"
    r"verteld)\b"
)
# The writer weighing what is reported: the clause is then the writer's reasoning.
WRITER_WEIGHS = _re(
    r"\b(?:(?:do|does|did|could|can|cannot|can't)\s+not\s+(?:find|accept|believe|consider)|"
    r"not (?:found|accepted|believed|considered)|reject\w*|dismiss\w*|disbeliev\w*|"
    r"(?:acht|achtte|heeft)\s+(?:\w+\s+){0,3}?niet (?:geloofwaardig|aannemelijk)|"
    r"ongeloofwaardig|verwerpt|verwierp|gaat niet mee)\b"
)
# "has not made plausible that he could not ...": a negation after this is a double negative.
BURDEN = _re(
    r"\bnot (?:made (?:it )?plausible|shown|demonstrated|established|substantiated)|"
    r"\bniet aannemelijk|\bnot (?:apparent|clear|evident|understood|explained) why|\bno reason why|"
    r"\bniet (?:valt )?in te zien|\bniet (?:gebleken|duidelijk) waarom"
)
