"""A draft letter for a work item: the request for ex officio review, or the brief for a
subsequent application, citing the policy that changed and the findings that improved.

It is a draft for the officer or advocate to check, complete and sign; the procedural route is
Haven's suggestion (see haven/queue/steps.py), and the letter says so. Same machinery as the
memo: Jinja2 with autoescape, the reports catalogue, and offline PDF rendering.
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from haven.cases import Case
from haven.i18n import normalise
from haven.policy.pack import Pack
from haven.policy.snapshot import PolicyOn
from haven.queue import Item, NextStep
from haven.reports import plain
from haven.reports.memo import MemoFormat, source_citation, template
from haven.reports.plain import N_, day, tr

TITLES = {
    NextStep.EX_OFFICIO_REVIEW: N_("Draft: request for ex officio review under the new policy"),
    NextStep.SUBSEQUENT_APPLICATION: N_("Draft: subsequent application citing the new policy"),
}
# The letter knows the policy as of the queue's later date, not of the day it is printed: it
# names that date rather than "now" (a later change would make "now" untrue).
REQUESTS = {
    NextStep.EX_OFFICIO_REVIEW: N_(
        "We therefore ask that the decision be reconsidered ex officio under the policy in force "
        "on {date}, as set out above."
    ),
    NextStep.SUBSEQUENT_APPLICATION: N_(
        "This application asks for an assessment under the policy in force on {date}, as set out "
        "above."
    ),
}
RULED_OUT = N_("Reasons of the refusal that the policy in force on {date} rules out")
# The letter's own notice: a draft someone completes and signs, not a memo to the officer.
STATEMENT = N_(
    "This draft was prepared with Haven. It supports a human decision and does not make one: "
    "whoever uses it checks every point against the cited sources and the facts of the case, "
    "completes it and signs it; the case officer decides."
)
ROUTE_NOTE = N_(
    "The route (ex officio review or subsequent application) is Haven's suggestion from the "
    "case status, not a procedural rule: check which route is open before using this draft."
)


@dataclass(frozen=True)
class Window:
    """The queue's window: the two dates compared and the pack version of the later one."""

    from_date: date
    to_date: date
    pack_version: str


def context(
    item: Item, case: Case, window: Window, pack: Pack, lang: str, generated: datetime
) -> dict[str, Any]:
    lang = normalise(lang)

    def t(message: str) -> str:
        return tr(message, lang)

    rules: list[dict[str, Any]] = []
    # Entries in force on both dates (the same pack version) did not change: they apply to the
    # case on the later date because something else did (a designation, or a refusal dated
    # between the dates). Listed apart, so that "the policy that changed" is only what changed.
    same_pack = window.pack_version == pack.version and window.from_date < window.to_date
    unchanged: list[dict[str, Any]] = []
    on_date = PolicyOn(pack, window.to_date)
    for rid in item.changed_rules:
        entry = pack.entries.get(rid)
        if entry is None:  # an entry of a draft pack the server does not hold
            rules.append({"id": rid, "label": rid, "period": "", "sources": []})
            continue
        both = same_pack and entry.in_force(window.from_date) and entry.in_force(window.to_date)
        period = t(N_("from {date}")).format(date=day(entry.valid_from, lang))
        if entry.valid_to is not None:
            period += ", " + t(N_("until {date}")).format(date=day(entry.valid_to, lang))
        (unchanged if both else rules).append(
            {
                "id": rid,
                "label": pack.entry_label(rid, lang),
                "period": period,
                # Only documents that existed on the later date (issue 14), never later ones.
                "sources": [
                    source_citation(pack, sid, lang) for sid in on_date.entry_sources(entry).sources
                ],
            }
        )
    b, a = item.before, item.after
    changes = [
        (t(N_("Recommendation")), plain.outcome_text(b.recommendation, lang),
         plain.outcome_text(a.recommendation, lang)),
        (t(N_("Group designation")), plain.designation_text(b.designation, lang),
         plain.designation_text(a.designation, lang)),
        (t(N_("Standard of proof")), plain.standard_text(b.evidentiary_standard, lang),
         plain.standard_text(a.evidentiary_standard, lang)),
        (t(N_("Must have sought protection from the authorities")),
         plain.yes_no(b.protection_seeking_required, lang),
         plain.yes_no(a.protection_seeking_required, lang)),
        (t(N_("Internal protection alternative (relocation)")),
         plain.internal_protection_text(b.internal_protection, lang),
         plain.internal_protection_text(a.internal_protection, lang)),
    ]  # fmt: skip
    return {
        "_": t,
        "lang": lang,
        "title": t(TITLES[item.next_step]),
        "request": t(REQUESTS[item.next_step]).format(date=day(window.to_date, lang)),
        "ruled_out": t(RULED_OUT).format(date=day(window.to_date, lang)),
        "route_note": t(ROUTE_NOTE),
        "statement": t(STATEMENT),
        "case_id": item.case_id,
        "status": plain.status_text(item.status, lang),
        "decided": day(case.procedure.decided, lang) if case.procedure.decided else None,
        "reasons": [plain.reason_text(r, lang) for r in case.procedure.reasons],
        "urgent": item.urgent,
        "from_date": day(window.from_date, lang),
        "to_date": day(window.to_date, lang),
        "rules": rules,
        "unchanged": unchanged,
        "changes": [c for c in changes if c[1] != c[2]],
        "flags": [plain.flag_text(f, lang, pack) for f in item.new_flags],
        "pack_id": pack.meta.id,
        "pack_version": window.pack_version,
        "pack_version_now": pack.version,
        "generated": day(generated.date(), lang),
    }


def render(
    item: Item,
    case: Case,
    window: Window,
    pack: Pack,
    lang: str,
    generated: datetime,
    fmt: MemoFormat,
) -> bytes:
    html = template("letter.html").render(**context(item, case, window, pack, lang, generated))
    if fmt is MemoFormat.PDF:
        from haven.reports.pdf import html_to_pdf

        return html_to_pdf(html)
    return html.encode("utf-8")
