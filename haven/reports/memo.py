"""The decision-support memo for one case as of a date: HTML, and PDF via WeasyPrint.

It shows the facts as recorded, the main findings in plain words, every reasoning step with
its citations (title, date, URL from the pack's sources registry), the flags, and which pack
(id, version hash) and as-of date produced it, with the statement that it supports and does not
replace the officer's decision. Case text is user input: the template autoescapes everything.
PDFs are rendered offline (`haven.reports.pdf`).
"""

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from functools import cache
from importlib.resources import files
from typing import Any

from babel import Locale
from jinja2 import Environment, Template, select_autoescape

from haven.assess import Assessment, assess
from haven.assess.favour import ReferenceNote, reference_note
from haven.cases import Case
from haven.cases.known import DECIDED, LODGED, known_on
from haven.errors import CaseError
from haven.i18n import normalise
from haven.policy.framework import RuleId, Weight
from haven.policy.pack import Pack
from haven.reports import plain, wording
from haven.reports.plain import N_, day, tr

STATEMENT = N_(
    "This memo supports the case officer's decision; it does not replace it. The officer "
    "decides, and checks every step against the cited sources and the facts of the case."
)


class MemoFormat(StrEnum):
    HTML = "html"
    PDF = "pdf"


MEDIA_TYPES = {MemoFormat.HTML: "text/html; charset=utf-8", MemoFormat.PDF: "application/pdf"}


@dataclass(frozen=True)
class Memo:
    case: Case
    assessment: Assessment
    lang: str
    generated: datetime
    case_version: int | None = None  # the stored version the memo was made from, if stored
    generated_by: str | None = None  # the user who asked for it, if known
    # A reference pack's more favourable assessment on the same date, if there is one.
    reference: ReferenceNote | None = None
    reference_pack: Pack | None = None


_env = Environment(autoescape=select_autoescape(default=True), keep_trailing_newline=True)


@cache
def template(name: str) -> Template:
    text = (files("haven.reports") / "templates" / name).read_text(encoding="utf-8")
    return _env.from_string(text)


def build(
    case: Case,
    as_of: date,
    pack: Pack,
    lang: str,
    generated: datetime,
    case_version: int | None = None,
    generated_by: str | None = None,
    reference: Pack | None = None,
) -> Memo:
    """The memo; with a `reference` pack, it notes when that pack's recommendation on the same
    date is more favourable to the applicant (haven.assess.favour)."""
    own = assess(case, as_of, pack)
    note = compare_with(case, own, reference)
    return Memo(
        case,
        own,
        normalise(lang),
        generated,
        case_version,
        generated_by,
        note,
        reference if note else None,
    )


def compare_with(case: Case, own: Assessment, reference: Pack | None) -> ReferenceNote | None:
    """The note if `reference` (another pack) is more favourable for this case on the same date.
    A case the reference pack cannot assess (a tag outside its vocabulary) gets no note, nor a
    date before the reference pack's guidance had any declared legal weight."""
    if reference is None or reference.meta.id == own.policy.pack:
        return None
    if reference.legal_weight and reference.weight_on(own.as_of) is None:
        # The reference pack declares when its guidance had legal weight, and the date is
        # outside every period: there was no such guidance to weigh then (the EU country
        # guidance began on 21 June 2018), and its citations are documents of a later day.
        return None
    try:
        theirs = assess(case, own.as_of, reference)
    except CaseError:
        return None
    return reference_note(own, theirs)


REFERENCE_NOTE = N_(
    "Under {reference_name} ({reference_id}), the recommendation on {date} would be "
    "“{reference_outcome}”: more favourable to the applicant than “{outcome}” under {name} "
    "({id})."
)
# How far the officer is bound, from the reference pack's declared legal weight on the date
# (framework.yaml: legal_weight): before 19 Jan 2022 the EU guidance was not binding, so
# "must take it into account" would overstate it. A pack that declares none: "should weigh".
WEIGHT_SENTENCE = {
    Weight.NOT_BINDING: N_(
        "This is decision support: {reference_id} is not binding on that date and the officer "
        "may take it into account; it does not decide."
    ),
    Weight.TAKE_INTO_ACCOUNT: N_(
        "This is decision support: the officer must take it into account; it does not decide."
    ),
    Weight.BINDING: N_(
        "This is decision support: {reference_id} binds the decision on that date; the officer "
        "decides how it applies."
    ),
    None: N_("This is decision support: the officer should weigh it; it does not decide."),
}
SOURCES_UNDER = N_("Sources under {name}:")
NOT_KNOWN = N_("not known on the as-of date")


def reference_paragraph(
    note: ReferenceNote, pack: Pack, reference: Pack, lang: str
) -> dict[str, Any]:
    """The note in words, with both packs' sources for the steps in which they differ (the
    memo and the case page show the same paragraph)."""
    text = tr(REFERENCE_NOTE, lang).format(
        reference_name=reference.display_name(lang),
        reference_id=reference.meta.id,
        date=day(note.own.as_of, lang),
        reference_outcome=plain.outcome_text(note.reference.recommendation, lang),
        outcome=plain.outcome_text(note.own.recommendation, lang),
        name=pack.display_name(lang),
        id=pack.meta.id,
    )
    weight = reference.weight_on(note.own.as_of)
    text += " " + tr(WEIGHT_SENTENCE[weight.weight if weight else None], lang).format(
        reference_id=reference.meta.id
    )
    return {
        "text": text,
        "sides": [
            {
                "label": tr(SOURCES_UNDER, lang).format(name=p.meta.id),
                "sources": [source_citation(p, sid, lang) for sid in ids],
            }
            for p, ids in ((pack, note.own_sources), (reference, note.reference_sources))
        ],
    }


UNDATED = N_("undated in the sources registry")


def source_citation(pack: Pack, sid: str, lang: str) -> dict[str, str | None]:
    s = pack.sources.get(sid)
    if s is None:  # the pack loader rejects unknown citations; this only guards a bad pack
        return {"id": sid, "title": sid, "identifier": None, "dates": "", "url": None}
    dates = []
    if s.signed:
        dates.append(tr(N_("signed {date}"), lang).format(date=day(s.signed, lang)))
    if s.published:
        dates.append(tr(N_("published {date}"), lang).format(date=day(s.published, lang)))
    if not (s.signed or s.published or s.known_from):
        # Cited as existing on the as-of date, but no date says so: the reader is told, to check.
        dates.append(tr(UNDATED, lang))
    return {
        "id": s.id,
        "title": pack.source_title(sid, lang),
        "identifier": s.identifier,
        "dates": "; ".join(dates),
        "url": s.url,
    }


def tag_text(pack: Pack, code: str, lang: str) -> str:
    """A claimed characteristic in words (the pack's label in `lang`), with its code: the memo
    showed the bare code ('christian_convert') in either language."""
    tag = pack.tags.get(code)
    return f"{pack.text('tags', code, tag.label, lang)} ({code})" if tag else code


def _age(case: Case, as_of: date, lang: str) -> str:
    age = case.age_on(as_of)
    if age is None:
        return "—"
    if age < 0:  # born after the as-of date
        return tr(NOT_KNOWN, lang)
    return tr(N_("{years} years"), lang).format(years=age)


def _facts(case: Case, lang: str, as_of: date, pack: Pack) -> list[tuple[str, str]]:
    def t(message: str) -> str:
        return tr(message, lang)

    # Facts as recorded; the procedure's dates after the as-of date were not known then, like
    # later incidents (haven.cases.known): the status and reasons are the later decision's.
    unknown = " (" + t(NOT_KNOWN) + ")"
    lodged = unknown if LODGED.later(case.procedure, as_of) else ""
    decided = unknown if DECIDED.later(case.procedure, as_of) else ""

    country = Locale.parse(plain.DATE_LOCALES[lang]).territories.get(case.nationality)
    c = case.credibility
    p = case.profile
    return [
        (t(N_("Case reference")), case.id),
        (t(N_("Nationality")), f"{country} ({case.nationality})" if country else case.nationality),
        (t(N_("Region of origin")), case.region or "—"),
        (
            t(N_("Claimed sexual orientation or gender identity")),
            ", ".join(plain.sogi_text(s, lang) for s in p.sogi) or "—",
        ),
        (
            t(N_("Other claimed characteristics")),
            "; ".join(tag_text(pack, code, lang) for code in p.tags) or "—",
        ),
        (t(N_("Sex")), plain.sex_text(p.sex, lang)),
        # The rules use the age on the date (haven.assess.match), never the birth date: the
        # memo, a file that travels, does not carry an identifier it does not need.
        (t(N_("Age on the as-of date")), _age(case, as_of, lang)),
        (t(N_("Identity")), plain.credibility_text(c.identity, lang)),
        (t(N_("Nationality (credibility)")), plain.credibility_text(c.nationality, lang)),
        (t(N_("Region of origin (credibility)")), plain.credibility_text(c.region, lang)),
        (t(N_("Claimed profile (credibility)")), plain.credibility_text(c.profile, lang)),
        (t(N_("Application lodged")), day(case.procedure.lodged, lang) + lodged),
        (t(N_("Status")), plain.status_text(case.procedure.status, lang) + decided),
        (t(N_("Last decision")), day(case.procedure.decided, lang) + decided),
    ]


LEFT_OUT = N_(
    "Facts dated after {date} are left out of this assessment: {facts}. The facts below mark "
    "them as not known on the as-of date."
)


AHEAD = N_(
    "The as-of date {date} is after the day this memo was made ({made}): the policy applied is "
    "the pack's as it was known that day; a change made or announced later is not in it."
)


def ahead(as_of: date, made: date, lang: str) -> str | None:
    """Page one's warning that the as-of date lies after the memo's own day: the pack cannot
    know later policy, so a memo 'as of' a future day is a projection of today's."""
    if as_of <= made:
        return None
    return tr(AHEAD, lang).format(date=day(as_of, lang), made=day(made, lang))


def left_out(case: Case, as_of: date, lang: str) -> str | None:
    """The summary's sentence naming the facts dated after the as-of date (haven.cases.known),
    so that page one says what the recommendation did not count; None when there are none."""
    known = known_on(case, as_of)
    facts = []
    if known.lodged_later:
        facts.append(
            tr(N_("the application (lodged {date})"), lang).format(
                date=day(case.procedure.lodged, lang)
            )
        )
    if known.later:
        dates = ", ".join(day(case.incidents[i].date, lang) for i in known.later)
        facts.append(tr(N_("reported incidents dated {dates}"), lang).format(dates=dates))
    if known.decided_later:
        facts.append(
            tr(N_("the last decision and its reasons ({date})"), lang).format(
                date=day(case.procedure.decided, lang)
            )
        )
    if not facts:
        return None
    return tr(LEFT_OUT, lang).format(date=day(as_of, lang), facts="; ".join(facts))


def context(memo: Memo, pack: Pack) -> dict[str, Any]:
    """Everything the template shows, already in words (the template only lays it out)."""
    a, lang = memo.assessment, memo.lang

    def t(message: str) -> str:
        return tr(message, lang)

    def sources(ids: list[str]) -> list[dict[str, str | None]]:
        return [source_citation(pack, sid, lang) for sid in ids]

    return {
        "_": t,
        "lang": lang,
        "statement": t(STATEMENT),
        "case": memo.case,
        "facts": _facts(memo.case, lang, a.as_of, pack),
        "incidents": [
            {
                # Facts as recorded; one dated after the as-of date did not count (issue 14).
                "date": day(i.date, lang)
                + (" (" + t(NOT_KNOWN) + ")" if i.date is not None and i.date > a.as_of else ""),
                "kind": plain.incident_kind_text(i.kind, lang),
                "actor": plain.actor_text(i.actor, lang),
                "credibility": plain.credibility_text(i.credibility, lang),
                "sought_protection": plain.yes_no(i.sought_protection, lang)
                if i.sought_protection is not None
                else t(N_("not recorded")),
            }
            for i in memo.case.incidents
        ],
        "reasons": [plain.reason_text(r, lang) for r in memo.case.procedure.reasons],
        # The reasons of a decision dated after the as-of date are not judged on it.
        "reasons_later": DECIDED.later(memo.case.procedure, a.as_of),
        "outcome": plain.outcome_text(a.recommendation, lang),
        "outcome_explanation": plain.outcome_explanation(a.recommendation, lang),
        "left_out": left_out(memo.case, a.as_of, lang),
        "ahead": ahead(a.as_of, memo.generated.date(), lang),
        "findings": plain.findings(a, lang)[1:],  # [0] is the recommendation, shown above it
        "steps": [
            {
                "title": plain.step_title(s.rule, lang, pack),
                "rule": s.rule,
                "finding": wording.finding_text(s, lang, pack),
                "translated": wording.finding_text(s, lang, pack) != s.finding,
                "entries": s.entries,
                "sources": sources(s.sources),
            }
            for s in a.steps
        ],
        # The flag's reason under the heading of the step that checks it (the pack's title of
        # the guardrails step), as in the reasoning above.
        "reason_heading": plain.step_title(RuleId.GUARDRAILS, lang, pack),
        "flags": [
            {
                "code": f.code.value,
                "text": plain.flag_text(f.code, lang, pack),
                "reason": plain.reason_text(f.reason, lang),
                "message": wording.flag_message(f, a.steps, lang, pack),
                "sources": sources(f.sources),
            }
            for f in a.flags
        ],
        "pack_id": a.policy.pack,
        "pack_name": pack.display_name(lang),
        "pack_version": a.policy.version,
        "as_of": day(a.as_of, lang),
        "as_of_iso": a.as_of.isoformat(),
        "generated": day(memo.generated.date(), lang),
        "generated_iso": memo.generated.isoformat(timespec="seconds"),
        "case_version": memo.case_version,
        "generated_by": memo.generated_by,
        "reference": reference_paragraph(memo.reference, pack, memo.reference_pack, lang)
        if memo.reference and memo.reference_pack
        else None,
    }


def render_html(memo: Memo, pack: Pack) -> str:
    return template("memo.html").render(**context(memo, pack))


def render(memo: Memo, pack: Pack, fmt: MemoFormat) -> bytes:
    html = render_html(memo, pack)
    if fmt is MemoFormat.PDF:
        from haven.reports.pdf import html_to_pdf  # WeasyPrint only when a PDF is wanted

        return html_to_pdf(html)
    return html.encode("utf-8")


def filename(case_ref: str, as_of: date, lang: str, fmt: MemoFormat) -> str:
    """A download name safe in any file system and header: other characters become '_'."""
    safe = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_") else "_" for ch in case_ref)
    return f"memo-{safe[:60] or 'case'}-{as_of.isoformat()}-{normalise(lang)}.{fmt.value}"
