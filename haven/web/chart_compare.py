"""The compare page's timeline: both packs' entries for a country on one time axis, one lane
per pack, kind and group, with the windows in which the packs diverge shaded by kind. Drawn
like the explorer's chart (haven.web.chart): Altair rendered to SVG on the server."""

from collections.abc import Callable
from datetime import date
from typing import Any

import altair as alt
import vl_convert
from babel.dates import format_date

from haven.policy.compare import Divergence
from haven.policy.pack import Pack
from haven.web.chart import WIDTH, _data, _kind, after, entry_bars
from haven.web.labels import N_

# Shaded windows, one colour per divergence kind (`same` is not shaded).
KIND_LABELS = {
    "nl_stricter": N_("%(left)s stricter"),
    "nl_more_favourable": N_("%(left)s more favourable"),
    "only_nl": N_("only %(left)s"),
    "only_eu": N_("only %(right)s"),
    "same": N_("same"),
    "different": N_("different, not ranked"),
    "unconfirmed": N_("position unconfirmed"),
}
KIND_COLOURS = {
    "nl_stricter": "#d9480f",
    "nl_more_favourable": "#1c7ed6",
    "only_nl": "#868e96",
    "only_eu": "#f08c00",
    "different": "#7048e8",
    "unconfirmed": "#adb5bd",
}


def kind_label(kind: str, left: str, right: str, gettext: Callable[[str], str]) -> str:
    return gettext(KIND_LABELS[kind]) % {"left": left, "right": right}


def compare_svg(
    left: Pack,
    right: Pack,
    country: str,
    rows: list[Divergence],
    start: date,
    end: date,
    gettext: Callable[[str], str],
    lang: str = "en",
) -> str:
    """`rows`: compare_period between `start` and `end` (their windows are shaded)."""
    everyone = gettext("everyone")
    horizon = after(end, 1)
    verified, unverified = gettext("verified"), gettext("unverified")
    bars = [
        {
            "lane": f"{p.meta.id} · {gettext(_kind(e))} · {e.group or everyone}",
            "pack": p.meta.id,
            "start": max(e.valid_from, start).isoformat(),
            "end": min(e.valid_to or horizon, horizon).isoformat(),
            "entry": e.id,
            "verified": verified if e.verified else unverified,
        }
        for p in (left, right)
        for e in p.for_country(country)
        if e.valid_from <= end and (e.valid_to is None or e.valid_to > start)
    ]
    names = {k: kind_label(k, left.meta.id, right.meta.id, gettext) for k in KIND_LABELS}
    # One window per kind over the union of its profiles' windows: shades of many profiles
    # stacked on one another blend into grey and no longer match the legend's colours.
    spans: dict[str, list[tuple[date, date]]] = {}
    for d in rows:
        if d.kind.value in KIND_COLOURS:
            spans.setdefault(d.kind.value, []).extend(d.windows)
    shades = [
        {"start": a.isoformat(), "end": after(b, 1).isoformat(), "what": names[k]}
        for k, windows in spans.items()
        for a, b in _union(windows)
    ]
    lanes = sorted({b["lane"] for b in bars})
    height = max(60, 22 * len(lanes))
    x = alt.X(
        "start:T",
        title=gettext("Date"),
        # A tick a year, unless the years are too many to draw (a period to 9999 took
        # seconds and megabytes): then a few, Vega's choice.
        axis=alt.Axis(format="%Y", tickCount="year" if end.year - start.year <= 60 else 10),
        scale=alt.Scale(domain=[start.isoformat(), horizon.isoformat()]),
    )
    layers: list[Any] = []
    if shades:
        shown = [k for k in KIND_COLOURS if any(s["what"] == names[k] for s in shades)]
        layers.append(
            alt.Chart(_data(shades))
            .mark_rect(opacity=0.22)
            .encode(
                x=x,
                x2="end:T",
                fill=alt.Fill(
                    "what:N",
                    title=gettext("Divergence"),
                    scale=alt.Scale(
                        domain=[names[k] for k in shown], range=[KIND_COLOURS[k] for k in shown]
                    ),
                ),
                tooltip=["what:N", "start:T", "end:T"],
            )
        )
    if bars:
        layers.append(
            entry_bars(bars, x, lanes, ("pack:N", gettext("Pack")), (verified, unverified), gettext)
        )
    # The date the page is about (or the end of its period): a solid line.
    marker = [{"date": end.isoformat()}]
    layers.append(
        alt.Chart(_data(marker)).mark_rule(color="#a1161b", strokeWidth=2).encode(x="date:T")
    )
    title = gettext("%(left)s and %(right)s, %(start)s to %(end)s") % {
        "left": left.meta.id,
        "right": right.meta.id,
        "start": format_date(start, "d MMM yyyy", locale=lang),
        "end": format_date(end, "d MMM yyyy", locale=lang),
    }
    chart = (
        alt.layer(*layers)
        .properties(width=WIDTH, height=height, title=f"{country}: {title}")
        .configure_axis(labelFontSize=13, titleFontSize=13)
        .configure_legend(labelFontSize=13, titleFontSize=13, labelLimit=360)
        .configure_title(fontSize=16, offset=8)
    )
    svg: str = vl_convert.vegalite_to_svg(chart.to_dict())
    return svg


def _union(windows: list[tuple[date, date]]) -> list[tuple[date, date]]:
    """Inclusive date windows merged where they overlap or touch."""
    out: list[tuple[date, date]] = []
    for a, b in sorted(windows):
        if out and (a - out[-1][1]).days <= 1:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out
