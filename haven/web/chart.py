"""The policy explorer's timeline chart: Altair (Vega-Lite) rendered to SVG on the server by
vl-convert, so the browser needs no script and nothing is fetched from elsewhere."""

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import altair as alt
import vl_convert
from babel.dates import format_date

from haven.policy import checks
from haven.policy.entries import EntryBase
from haven.policy.pack import Pack
from haven.web.labels import LABELS, N_

KIND_TITLES = {
    "designation": N_("Designation"),
    "protection_duty": N_("Protection-seeking duty"),
    "internal_protection": N_("Internal relocation"),
    "safe_country": N_("Safe country of origin"),
    "moratorium": N_("Moratorium"),
    "exceptional_situation": N_("Exceptional situation (15(c))"),
    "forbidden_reasoning": N_("Forbidden reasoning"),
}


def _kind(e: EntryBase) -> str:
    kind: str = getattr(e, "kind", "")
    return KIND_TITLES.get(kind, kind)


def _spans(e: EntryBase, end: date) -> list[tuple[date, date, bool]]:
    """(start, end, verified) of an entry's bar: unverified throughout, or verified until a
    policy reset left it unconfirmed and unverified from then."""
    uc = e.unconfirmed_from
    if not e.verified:
        return [(e.valid_from, end, False)]
    if uc is None or uc.date >= end:
        return [(e.valid_from, end, True)]
    return [(e.valid_from, uc.date, True), (uc.date, end, False)]


def after(day: date, days: int) -> date:
    """`days` after `day`, or the last date there is: a page about 9999-12-31 still has a
    chart (its axis ends there), not an overflow."""
    return day + timedelta(days=days) if (date.max - day).days >= days else date.max


def _data(rows: list[dict[str, str]]) -> Any:
    return alt.Data(values=rows)  # type: ignore[no-untyped-call]


def entry_bars(
    bars: list[dict[str, str]],
    x: Any,
    lanes: list[str],
    colour: tuple[str, str],
    verified: tuple[str, str],
    gettext: Callable[[str], str],
) -> Any:
    """One bar per entry and period, one lane per entry, coloured by `colour` (field, legend
    title); the legend shows both opacities: a pale bar is an unverified entry (not applied).
    The policy timeline and the comparison of two packs draw entries alike."""
    field, title = colour
    return (
        alt.Chart(_data(bars))
        .mark_bar(height=14)
        .encode(
            x=x,
            x2="end:T",
            y=alt.Y("lane:N", title=None, sort=lanes, axis=alt.Axis(labelLimit=420)),
            color=alt.Color(field, title=title, scale=alt.Scale(scheme="dark2")),
            opacity=alt.Opacity(
                "verified:N",
                scale=alt.Scale(domain=list(verified), range=[1.0, 0.35]),
                title=gettext("Verified"),
            ),
            tooltip=["entry:N", "start:T", "end:T"],
        )
    )


def timeline_svg(
    pack: Pack,
    country: str,
    today: date,
    gettext: Callable[[str], str],
    as_of: date | None = None,
    lang: str = "en",
) -> str:
    """Entries as bars (one lane per kind and group; pale: unverified), country-report findings
    as named dashed lines, the windows where policy contradicts a finding shaded and named, and
    a marked line at the page's date (`as_of`, else today)."""
    as_of = as_of or today
    entries = pack.for_country(country)
    horizon = after(
        max(
            [
                today,
                as_of,
                *(e.valid_from for e in entries),
                *(e.valid_to for e in entries if e.valid_to),
            ]
        ),
        180,
    )
    everyone, over_time = gettext("everyone"), gettext("policy over time")
    contradicted = gettext("policy contradicted by a finding")
    verified, unverified = gettext("verified"), gettext("unverified")
    # One bar per entry; an entry left unconfirmed by a policy reset turns pale from that date.
    bars = [
        {
            "lane": f"{gettext(_kind(e))} · {e.group or everyone}",
            "kind": gettext(_kind(e)),
            "start": start.isoformat(),
            "end": end.isoformat(),
            "entry": e.id,
            "label": e.label,
            "verified": verified if sure else unverified,
        }
        for e in entries
        for start, end, sure in _spans(e, e.valid_to or horizon)
    ]
    # Findings as dashed lines, each named by its report and month once per date (a report's
    # findings share its date), e.g. "ambtsbericht aug. 2015".
    ticks = [
        {
            "date": f.date.isoformat(),
            "finding": f.id,
            "type": gettext(LABELS.get(f.type.value, f.type.value)),
            "what": gettext(N_("country report %(month)s"))
            % {"month": format_date(f.date, "MMM yyyy", locale=lang)},
        }
        for f in pack.findings.values()
        if f.country == country
    ]
    shades = [
        {
            "start": w.start.isoformat(),
            "end": (w.end or horizon).isoformat(),
            "kind": w.contradiction.kind.value,
            "what": gettext(WINDOW_TITLES[w.contradiction.kind.value]),
            "shade": contradicted,
        }
        for w in checks.windows(pack, country)
        if w.contradiction.kind.value in WINDOW_TITLES
    ]
    lanes = sorted({b["lane"] for b in bars})
    height = max(60, 22 * len(lanes))
    x = alt.X("start:T", title=gettext("Date"), axis=alt.Axis(format="%Y"))
    layers: list[Any] = []
    if shades:
        layers.append(
            alt.Chart(_data(shades))
            .mark_rect(opacity=0.18)
            .encode(
                x=x,
                x2="end:T",
                # Its own legend entry, in the colour the windows are drawn in.
                fill=alt.Fill(
                    "shade:N",
                    title=gettext("Shaded"),
                    scale=alt.Scale(domain=[contradicted], range=[SHADE]),
                ),
                tooltip=[alt.Tooltip("what:N", title=contradicted), "start:T", "end:T"],
            )
        )
    layers.append(
        entry_bars(bars, x, lanes, ("kind:N", gettext("Kind")), (verified, unverified), gettext)
    )
    # Each shaded window says which contradiction it is, at its start, one row per window
    # below the axis (no overlap); a window of the same kind and start is named once.
    named = list({(w["start"], w["kind"]): w for w in shades}.values())
    first = min([*(b["start"] for b in bars), *(t["date"] for t in ticks), as_of.isoformat()])
    place = _rows(date.fromisoformat(first), horizon)
    for w, row in zip(named, place([(w["start"], w["what"], 0.0) for w in named]), strict=True):
        layers.append(
            alt.Chart(_data([w]))
            .mark_text(align="left", baseline="bottom", dx=3, fontSize=13, color="#8a2a00")
            .encode(x=x, y=alt.value(height + 32 + 16 * row), text="what:N")
        )
    if ticks:
        layers.append(
            alt.Chart(_data(ticks))
            .mark_rule(color="#1c1c1c", strokeDash=[4, 3])
            .encode(x=alt.X("date:T"), tooltip=["what:N", "type:N", "finding:N"])
        )
        # Named above the plot, rows staggered so that reports months apart do not overlap.
        dated = list({t["date"]: t for t in ticks}.values())
        rows = place([(t["date"], t["what"], 0.5) for t in dated])
        for t, row in zip(dated, rows, strict=True):
            layers.append(
                alt.Chart(_data([t]))
                .mark_text(align="center", baseline="bottom", fontSize=13, color="#1c1c1c")
                .encode(x="date:T", y=alt.value(-20 - 16 * row), text="what:N")
            )
    # The date the page is about: a solid line, labelled.
    shown = format_date(as_of, "d MMM yyyy", locale=lang)
    marker = [{"date": as_of.isoformat(), "text": gettext("as of %(day)s") % {"day": shown}}]
    layers.append(
        alt.Chart(_data(marker)).mark_rule(color="#a1161b", strokeWidth=2).encode(x="date:T")
    )
    layers.append(
        alt.Chart(_data(marker))
        .mark_text(align="left", baseline="bottom", dx=4, fontSize=13, color="#a1161b")
        .encode(x="date:T", y=alt.value(-2), text="text:N")
    )
    chart = (
        alt.layer(*layers)
        .properties(width=WIDTH, height=height, title=f"{country}: {over_time}")
        .configure_axis(labelFontSize=13, titleFontSize=13)
        .configure_legend(labelFontSize=13, titleFontSize=13, labelLimit=360)
        # Room above the plot for the report names and the date marker.
        .configure_title(fontSize=16, offset=8)
    )
    svg: str = vl_convert.vegalite_to_svg(chart.to_dict())
    return svg


WIDTH = 760  # the plot's width in px
CHAR = 6.5  # about the width of a character at font size 13 (measured: 5.8), px


def _rows(first: date, last: date) -> Callable[[list[tuple[str, str, float]]], list[int]]:
    """Rows for text labels on the time axis, so that none overlaps another: each label
    (its date, its text, where on it the date falls: 0 left, 0.5 centre) goes into the first
    row where it clears the labels already there."""
    span = max((last - first).days, 1)

    def place(labels: list[tuple[str, str, float]]) -> list[int]:
        ends: list[float] = []  # per row, where its last label ends (px)
        out = []
        for day, text, anchor in labels:
            at = (date.fromisoformat(day) - first).days / span * WIDTH
            start = at - anchor * len(text) * CHAR
            row = next((r for r, end in enumerate(ends) if start > end + 8), len(ends))
            if row == len(ends):
                ends.append(0.0)
            ends[row] = start + len(text) * CHAR
            out.append(row)
        return out

    return place


SHADE = "#d9480f"
WINDOW_TITLES = {
    checks.Kind.RELOCATION.value: N_("relocation contradicted"),
    checks.Kind.PROTECTION.value: N_("protection duty contradicted"),
    checks.Kind.DESIGNATION.value: N_("designation contradicted"),
}
