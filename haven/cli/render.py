"""Rich renderings for people at a terminal. JSON is for programs."""

from datetime import date

from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from haven.assess import Assessment
from haven.impact import Impact
from haven.policy.checks import Contradiction, Window
from haven.policy.entries import EntryBase
from haven.policy.evidence import Finding
from haven.policy.pack import Pack
from haven.policy.snapshot import Citation

# A date and, per row, the row's sources as of that date.
InForceOn = tuple[date, list[Citation]]

_COLOURS = {
    "protection_indicated": "green",
    "further_assessment": "yellow",
    "protection_not_indicated": "red",
    "decision_deferred": "cyan",
    "not_assessable": "magenta",
}


def recommendation(value: str) -> Text:
    return Text(value, style=f"bold {_COLOURS.get(value, '')}")


def assessment(a: Assessment, pack: Pack) -> Group:
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold")
    facts.add_column()
    d = a.designation
    facts.add_row("recommendation", recommendation(a.recommendation.value))
    facts.add_row("ground", a.ground.value if a.ground else "—")
    facts.add_row(
        "designation", f"{d.category.value} ({d.group}, since {d.since})" if d else "none"
    )
    facts.add_row("evidentiary standard", a.evidentiary_standard.value)
    facts.add_row("standard met", {True: "yes", False: "no", None: "open"}[a.standard_met])
    facts.add_row("protection-seeking required", "yes" if a.protection_seeking_required else "no")
    facts.add_row("internal protection", a.internal_protection.value)
    sc = a.safe_country_of_origin
    facts.add_row(
        "safe country of origin",
        ("yes" + (" (exception applies)" if sc.exception_applies else ""))
        if sc.designated
        else "no",
    )
    facts.add_row(
        "moratorium",
        ", ".join(k for k in ("decision", "departure") if getattr(a.moratorium, k)) or "none",
    )
    if a.unverified:
        facts.add_row("unverified, not applied", ", ".join(a.unverified))
    parts: list[Panel | Table | Text] = [
        Panel(
            facts,
            title=f"Case {a.case_id} as of {a.as_of}",
            subtitle=f"pack {a.policy.pack} {a.policy.version}",
        )
    ]
    if a.flags:
        parts.append(Text("Guardrail flags", style="bold red"))
        for f in a.flags:
            parts.append(
                Text.assemble(
                    ("  ! ", "bold red"),
                    (f.code.value, "bold"),
                    f" (reason {f.reason.value})\n    {f.message}\n",
                    ("    sources: " + ", ".join(f.sources), "dim"),
                )
            )
    parts.append(Text("\nReasoning", style="bold"))
    for n, st in enumerate(a.steps, 1):
        parts.append(
            Text.assemble(
                (f"{n:>3}. ", "bold"),
                (st.rule, "cyan"),
                f"\n     {st.finding}\n",
                ("     sources: " + ", ".join(st.sources), "dim"),
            )
        )
    parts.append(Text(f"\n{a.notice}", style="italic"))
    return Group(*parts)


def caseload(results: list[Assessment]) -> Table:
    t = Table(title=f"{len(results)} assessments")
    for col in (
        "case",
        "as of",
        "recommendation",
        "designation",
        "standard",
        "met",
        "relocation",
        "flags",
    ):
        t.add_column(col)
    for a in results:
        t.add_row(
            a.case_id,
            str(a.as_of),
            recommendation(a.recommendation.value),
            a.designation.category.value if a.designation else "—",
            a.evidentiary_standard.value,
            {True: "yes", False: "no", None: "open"}[a.standard_met],
            a.internal_protection.value,
            ", ".join(f.code.value for f in a.flags),
        )
    return t


def impact(result: Impact) -> Group:
    a, b = result.policy_before, result.policy_after
    sides = (
        f"{result.from_} → {result.to}"
        if a.pack == b.pack
        else f"{a.pack} {result.from_} → {b.pack} {result.to}"
    )
    m = Table(title=f"Transitions {sides} ({result.cases} cases)")
    m.add_column("from")
    m.add_column("to")
    m.add_column("cases", justify="right")
    for tr in result.transitions:
        m.add_row(recommendation(tr.from_), recommendation(tr.to), str(tr.count))
    c = Table(title=f"{len(result.changed)} changed cases")
    for col in ("case", "status", "before", "after", "what changed", "rules"):
        c.add_column(col, overflow="fold")
    for ch in result.changed:
        c.add_row(
            ch.case_id,
            ch.status.value,
            recommendation(ch.before.recommendation),
            recommendation(ch.after.recommendation),
            ", ".join(ch.changed_fields),
            ", ".join(ch.changed_rules),
        )
    p = Table(title="Changed cases by claimed profile")
    p.add_column("profile")
    p.add_column("cases", justify="right")
    for profile, n in result.changed_by_profile.items():
        p.add_row(profile, str(n))
    shown = [m, c, p] if result.changed_by_profile else [m, c]
    if result.not_addressed:
        shown.append(not_addressed(result))
    return Group(*shown)


def not_addressed(result: Impact) -> Table:
    """Between packs: the cases whose nationality a pack does not address, by claimed
    profile, with the countries each pack is silent on in the caption."""
    silent = "; ".join(f"{k}: {', '.join(v)}" for k, v in result.not_addressed_countries.items())
    t = Table(
        title=f"{result.not_addressed} cases whose country a pack does not address",
        caption=f"not addressed — {silent}" if silent else None,
    )
    t.add_column("profile")
    t.add_column("cases", justify="right")
    for profile, n in result.not_addressed_by_profile.items():
        t.add_row(profile, str(n))
    return t


def entries(rows: list[EntryBase], pack: Pack, title: str, on: InForceOn | None = None) -> Table:
    """Entries with their sources; as of a date (`on`: the date and each row's citation), the
    documents published after it apart."""
    t = Table(title=title, show_lines=True, expand=True)
    for col in ("from", "to", "kind", "entry", "sources"):
        t.add_column(col, ratio=3 if col == "entry" else None, overflow="fold")
    for i, e in enumerate(rows):
        status = "" if e.verified else " [UNVERIFIED]"
        if e.unconfirmed_from:
            status += f" [unconfirmed from {e.unconfirmed_from.date}]"
        if e.review_flag:
            status += f" [under review from {e.review_flag.date}]"
        scope = f" ({', '.join(e.regions)})" if e.regions else ""
        cited = Citation(list(e.sources)) if on is None else on[1][i]
        srcs = "\n".join(f"{s}: {pack.sources[s].title[:60]}" for s in cited.sources)
        if on is not None and cited.later:
            srcs += f"\npublished or applicable only after {on[0]}:\n" + "\n".join(
                f"{s}: {pack.sources[s].title[:60]}" for s in cited.later
            )
        t.add_row(
            str(e.valid_from),
            str(e.valid_to or "—"),
            type(e).__name__,
            Text(f"{e.label}{scope}{status}\n", style="") + Text(e.id, style="dim"),
            srcs,
        )
    return t


def findings(rows: list[Finding], pack: Pack, title: str) -> Table:
    """Reports' findings on the time axis: from when each counts, and until when."""
    t = Table(title=title, show_lines=True, expand=True)
    t.add_column("from", no_wrap=True)
    t.add_column("to", no_wrap=True)
    t.add_column("finding", ratio=1, overflow="fold")
    for f in rows:
        report = pack.reports.get(f.report)
        dated = f", dated {report.month}" if report and report.month else ""
        scope = f" ({', '.join(f.regions)})" if f.regions else ""
        t.add_row(
            str(f.date),
            str(pack.finding_end(f) or "—"),
            Text.assemble(
                (f.type.value, "bold"),
                f" — {f.group}{scope}: {f.paraphrase}\n",
                (f"{f.id} ({f.report}{dated})", "dim"),
            ),
        )
    return t


def contradictions(rows: list[Contradiction], title: str) -> Group:
    """Each contradiction with both sides named, its message and its sources."""
    parts: list[Text] = [Text(title, style="bold")]
    for c in rows:
        parts.append(
            Text.assemble(
                ("\n  ! ", "bold red"),
                (c.kind.value, "bold"),
                f" ({c.country})\n    policy: {c.entry}\n    finding: {c.finding or '—'}\n",
                f"    {c.message}\n",
                ("    sources: " + ", ".join(c.sources), "dim"),
                (
                    "\n    published or applicable only after the date: "
                    + ", ".join(c.later_sources)
                    if c.later_sources
                    else "",
                    "dim",
                ),
            )
        )
    return Group(*parts)


def windows(rows: list[Window], title: str) -> Table:
    """Contradiction windows, highlighted: policy and evidence disagree on these dates."""
    t = Table(title=title, show_lines=True, expand=True)
    t.add_column("from", no_wrap=True)
    t.add_column("to", no_wrap=True)
    t.add_column("contradiction", ratio=1, overflow="fold")
    for w in rows:
        c = w.contradiction
        strong = c.kind.value not in ("review_due", "information_gap")
        t.add_row(
            str(w.start),
            str(w.end or "—"),
            Text.assemble(
                (c.kind.value, "bold red" if strong else "yellow"),
                f"\npolicy: {c.entry}\nfinding: {c.finding or '—'}",
            ),
        )
    return t
