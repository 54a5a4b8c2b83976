"""A step's finding in the reader's language.

The engine states each finding in English (`steps[].finding`, the contract) and names the
sentences it is made of (`finding_keys`) with their arguments (`finding_args`, strings). The
pack words each sentence (framework.yaml: step_findings; i18n/<lang>.yaml) with `{argument}`
placeholders; here the arguments are said in the reader's language and the sentences joined.

Arguments, by name (the engine writes them so, haven.assess):
  entry        an entry id                -> its label
  date         an ISO date                -> the date in words
  lodged, decided  an ISO date of the procedure -> the date in words
  status       a Status value             -> the procedure's status in words
  standard     a Standard value           -> the standard in words
  credibility  a Finding value            -> the finding in words
  recommendation  a Recommendation value  -> the outcome in words
  incidents, serious   "i:kind:actor,..." -> "incident 1 (threat, the state), ..."
  state, unreported    "i,..."            -> "incident 1, ..."
  claim        "sogi,...;tag,..."         -> the claimed profile in words
  reasons      sentence keys, comma-joined -> each sentence, joined by "; "
  as_of        an ISO date                -> the date in words
  country      a country code             -> its name, with the code
  category     a Category value           -> the designation's category in words
  group        a group id                 -> its label
  entries      entry ids, comma-joined    -> their labels, joined by "; "
  which        credibility fields, comma-joined ("identity,nationality") -> in words
  *_credibility  a Finding value          -> the finding in words
  reason       a Reason value             -> the refusal reason in words
  later        "i:kind:date,..."          -> "incident 1 (threat, 3 October 2015), ..."
  message      a forbidden-reasoning entry id -> its message (i18n: messages)
  finding      a country-report finding id -> "finding X (report R, dated M, counted from D)"
  paraphrase   a country-report finding id -> what it says (i18n: findings)
  who          "group" or "group:region,..." -> the group's label, id and regions
  basis        a consistency check id     -> its legal basis (i18n: checks)
  rule, rule_title  a framework rule id   -> its text, its title (i18n: rules, rule_titles)
  note         a designation's id         -> why it is in doubt (i18n: notes)
  region_note  a safe country's id        -> its regional exception note (i18n: region_notes)
  since        an ISO date                -> the date in words
  review_since an entry id under review   -> since when (the month, if only that is known)
  review_note  an entry id under review   -> why it is under review (i18n: review_notes)
  weight       a legal weight's kind      -> in words
  weight_text  a legal weight id          -> its text (i18n: legal_weights)
  eu_grade     a guidance grade           -> in words
  anything else (regions, months, unverified and others: ids and codes) is shown as it is.

`engine_words` says the same sentences the engine's way (codes, ISO dates, `incidents[0]`), so
a test can check that the pack's English sentences are the engine's own. Pure."""

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from types import SimpleNamespace
from typing import Any

from babel import Locale
from babel.dates import format_date

from haven.i18n import normalise
from haven.policy.checks import describe, who
from haven.policy.pack import Pack
from haven.reports import plain
from haven.reports.plain import N_, tr

# The credibility findings the gate names (argument `which`), as the memo heads them.
FIELDS = {"identity": N_("Identity"), "nationality": N_("Nationality")}


def country_name(code: str, lang: str) -> str:
    """'Rusland (RU)': the country's name in `lang` (Babel's CLDR data), with its code."""
    name = Locale.parse(plain.DATE_LOCALES.get(lang, "en_GB")).territories.get(code.upper())
    return f"{name} ({code})" if name else code


class _Keep(dict[str, str]):
    """Arguments for str.format_map: a placeholder without an argument stays as written."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _incidents(value: str, with_what: bool, say: Callable[[int, str, str], str]) -> str:
    out = []
    for item in filter(None, value.split(",")):
        i, _, rest = item.partition(":")
        kind, _, actor = rest.partition(":")
        out.append(say(int(i), kind, actor) if with_what else say(int(i), "", ""))
    return ", ".join(out)


def _later(value: str, say: Callable[[int, str, str], str]) -> str:
    """'i:kind:date,...': incidents dated after the as-of date."""
    out = []
    for item in filter(None, value.split(",")):
        i, kind, when = item.split(":", 2)
        out.append(say(int(i), kind, when))
    return ", ".join(out)


def _who(value: str) -> tuple[str, tuple[str, ...]]:
    group, _, regions = value.partition(":")
    return group, tuple(filter(None, regions.split(",")))


def _claim(value: str, word: Callable[[str, str], str]) -> str:
    sogi, _, tags = value.partition(";")
    parts = [
        ", ".join(word("sogi", s) for s in filter(None, sogi.split(","))),
        ", ".join(word("tag", t) for t in filter(None, tags.split(","))),
    ]
    return "; ".join(p for p in parts if p)


def _sentences(
    keys: Sequence[str], args: Mapping[str, str], pack: Pack, lang: str, say: Callable[..., str]
) -> str | None:
    """The sentences joined, or None if the pack lacks one of them."""
    texts = [pack.finding_sentence(k, lang) for k in keys]
    if not keys or any(t is None for t in texts):
        return None
    said = _Keep({name: say(name, value) for name, value in args.items()})
    out = [str(t).format_map(said) for t in texts]
    if lang != "en":  # a sentence that opens with an argument ("identity not ...") starts upper
        out = [t[:1].upper() + t[1:] for t in out]
    return " ".join(out)


def _reasons(
    value: str, args: Mapping[str, str], pack: Pack, lang: str, say: Callable[..., str]
) -> str:
    """The phrases a further assessment names (`reasons`: their keys), joined by "; "."""
    said = _Keep({n: say(n, v) for n, v in args.items() if n != "reasons"})
    return "; ".join(
        (pack.finding_sentence(k, lang) or k).format_map(said) for k in value.split(",") if k
    )


def finding_text(step: Any, lang: str, pack: Pack) -> str:
    """The step's finding in `lang`: the pack's sentences with the arguments in words (in
    English too: dates as '7 September 2015', 'incident 1 (threat, non-state actors)' rather
    than the engine's '2015-09-07' and 'incidents[0] (threat, non_state)'); the engine's
    `finding` when the step names no sentences or the pack lacks one."""
    keys: list[str] = list(getattr(step, "finding_keys", None) or [])
    args: dict[str, str] = dict(getattr(step, "finding_args", None) or {})
    if not keys:
        return str(step.finding)

    def incident(i: int, kind: str, actor: str) -> str:
        name = tr(N_("incident {n}"), lang).format(n=i + 1)
        if not kind:
            return name
        what = f"{plain.incident_kind_text(kind, lang)}, {plain.actor_text(actor, lang)}"
        return f"{name} ({what})"

    def word(kind: str, code: str) -> str:
        if kind == "sogi":
            return plain.sogi_text(code, lang)
        tag = pack.tags.get(code)
        return pack.text("tags", code, tag.label, lang) if tag else code

    def say(name: str, value: str) -> str:
        if name == "entry":
            return pack.entry_label(value, lang)
        if name in ("date", "as_of", "since", "lodged", "decided"):
            return plain.day(date.fromisoformat(value), lang)
        if name == "status":
            return plain.status_text(value, lang)
        if name == "standard":
            return plain.standard_text(value, lang)
        if name == "credibility" or name.endswith("_credibility"):
            return plain.credibility_text(value, lang)
        if name == "country":
            return country_name(value, lang)
        if name == "category":
            return plain.designation_text(value, lang)
        if name == "group":
            group = pack.groups.get(value)
            return pack.text("groups", value, group.label, lang) if group else value
        if name == "entries":
            return "; ".join(pack.entry_label(e, lang) for e in value.split(",") if e)
        if name == "which":
            fields = [tr(FIELDS.get(f, f), lang).lower() for f in value.split(",") if f]
            return tr(N_(" and "), lang).join(fields)
        if name == "recommendation":
            return plain.outcome_text(value, lang)
        if name in ("incidents", "serious", "state", "unreported"):
            return _incidents(value, name in ("incidents", "serious"), incident)
        if name == "claim":
            return _claim(value, word)
        if name == "reasons":
            return _reasons(value, args, pack, lang, say)
        if name == "reason":
            # The English sentences were written for the code ("Reason {reason}: flag ..."):
            # in words, the reason is quoted ("Reason “could avoid harm ...”: flag ...").
            reason = plain.reason_text(value, lang)
            return f"“{reason}”" if normalise(lang) == "en" else reason
        if name == "later":
            return _later(
                value,
                lambda i, kind, when: (
                    tr(N_("incident {n}"), lang).format(n=i + 1)
                    + f" ({plain.incident_kind_text(kind, lang)}, {say('date', when)})"
                ),
            )
        if name == "message":
            return pack.reasoning_message(value, lang)
        if name == "paraphrase":
            return pack.paraphrase(value, lang)
        if name == "basis":
            return pack.check_text(value, lang)
        if name in ("rule", "rule_title"):
            return pack.rule_text(value, lang, title=name == "rule_title")
        if name == "note":
            return pack.note(value, lang)
        if name == "region_note":
            return pack.region_note(value, lang)
        if name == "review_since":
            return _review_since(pack, value, lang)
        if name == "review_note":
            return pack.review_note(value, lang)
        if name == "weight":
            return tr(WEIGHTS.get(value, value), lang)
        if name == "weight_text":
            return pack.weight_text(value, lang)
        if name == "eu_grade":
            return tr(GRADES.get(value, value), lang)
        if name == "finding":
            return _finding(value, lang, pack)
        if name == "who":
            group_id, regions = _who(value)
            label = say("group", group_id)
            if not regions:
                return f"{label} ({group_id})"
            return tr(N_("{label} ({group}, from {regions})"), lang).format(
                label=label, group=group_id, regions=", ".join(regions)
            )
        return value

    return _sentences(keys, args, pack, lang, say) or str(step.finding)


def flag_message(flag: Any, steps: Sequence[Any], lang: str, pack: Pack) -> str:
    """A flag's message (`flags[].message`, the engine's English) in `lang`: the sentences of
    the guardrail step that raised it, less its heading."""
    rule = f"guardrails.{getattr(flag.reason, 'value', flag.reason)}"
    found = next((s for s in steps if s.rule == rule and s.finding_keys), None)
    if found is None:
        return str(flag.message)
    said = SimpleNamespace(
        finding=flag.message,
        finding_keys=list(found.finding_keys)[1:],
        finding_args=found.finding_args,
    )
    return finding_text(said, lang, pack)


# Legal weights (framework.yaml: legal_weight) and guidance grades (entries' `eu_grade`) in words.
WEIGHTS = {
    "not_binding": N_("not binding"),
    "must_take_into_account": N_("must be taken into account"),
    "binding": N_("binding"),
}
GRADES = {
    "highly_likely": N_("highly likely to qualify"),
    "general_wff": N_("a well-founded fear in general"),
    "risk_impacting": N_("risk-impacting circumstances"),
    "exceptional_only": N_("only in exceptional cases"),
    "not_at_risk": N_("in general not at risk"),
}


def _review_since(pack: Pack, entry_id: str, lang: str) -> str:
    """'augustus 2021 (de dag van de banner is niet geverifieerd)': since when an entry is under
    review, the month in words when only the month is known."""
    entry = pack.entries.get(entry_id)
    rf = entry.review_flag if entry else None
    if rf is None:
        return entry_id
    if rf.date_precision.value == "month":
        locale = plain.DATE_LOCALES.get(lang, "en_GB")
        since = format_date(rf.date, "LLLL yyyy", locale=locale)
    else:
        since = plain.day(rf.date, lang)
    if not rf.date_verified:
        since += tr(N_(" (the day of the banner is unverified)"), lang)
    return since


def _finding(finding_id: str, lang: str, pack: Pack) -> str:
    """'bevinding X (R, gedateerd 2015-08, geteld vanaf 31 augustus 2015)'."""
    f = pack.findings.get(finding_id)
    if f is None:
        return finding_id
    report = pack.reports.get(f.report)
    month = report.month if report else None
    when = plain.day(f.date, lang)
    if month:
        return tr(N_("finding {id} ({report}, dated {month}, counted from {date})"), lang).format(
            id=f.id, report=f.report, month=month, date=when
        )
    return tr(N_("finding {id} ({report}, from {date})"), lang).format(
        id=f.id, report=f.report, date=when
    )


def engine_words(keys: Sequence[str], args: Mapping[str, str], pack: Pack) -> str | None:
    """The sentences in the pack's own language with the arguments as the engine writes them
    (codes, ISO dates, `incidents[0] (threat, non_state)`): equal to the engine's `finding`
    when the pack's sentences are the engine's words."""

    def say(name: str, value: str) -> str:
        if name == "entry":
            entry = pack.entries.get(value)
            return entry.label if entry else value
        if name == "entries":
            return "; ".join(say("entry", e) for e in value.split(",") if e)
        if name == "group":
            group = pack.groups.get(value)
            return group.label if group else value
        if name == "which":
            return " and ".join(value.split(","))
        if name in ("incidents", "serious", "state", "unreported"):
            return _incidents(
                value,
                name in ("incidents", "serious"),
                lambda i, kind, actor: f"incidents[{i}]" + (f" ({kind}, {actor})" if kind else ""),
            )
        if name == "claim":
            return _claim(value, lambda _kind, code: code)
        if name == "reasons":
            return _reasons(value, args, pack, "en", say)
        if name == "later":
            return _later(value, lambda i, kind, when: f"incidents[{i}] ({kind}, {when})")
        if name == "message":
            return pack.reasoning_message(value, "en")
        if name == "paraphrase":
            return pack.paraphrase(value, "en")
        if name == "basis":
            return pack.check_text(value, "en")
        if name in ("rule", "rule_title"):
            return pack.rule_text(value, "en", title=name == "rule_title")
        if name == "note":
            return pack.note(value, "en")
        if name == "region_note":
            return pack.region_note(value, "en")
        if name == "review_since":
            entry = pack.entries.get(value)
            return entry.review_flag.since_text() if entry and entry.review_flag else value
        if name == "review_note":
            return pack.review_note(value, "en")
        if name == "weight_text":
            return pack.weight_text(value, "en")
        if name == "finding" and value in pack.findings:
            return describe(pack, pack.findings[value])
        if name == "who":
            group_id, regions = _who(value)
            return who(pack, group_id, regions)
        return value

    return _sentences(keys, args, pack, "en", say)
