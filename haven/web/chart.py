"""The policy explorer's timeline chart: Altair (Vega-Lite) rendered to SVG on the server by
vl-convert, so the browser needs no script and nothing is fetched from elsewhere."""

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import altair as alt
import vl_convert

from haven.policy import checks
from haven.policy.entries import EntryBase
from haven.policy.pack import Pack
from haven.web.labels import N_

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


def _data(rows: list[dict[str, str]]) -> Any:
    return alt.Data(values=rows)  # type: ignore[no-untyped-call]


def timeline_svg(
    pack: Pack, country: str, today: date, gettext: Callable[[str], str], as_of: date | None = None
) -> str:
    """Entries as bars (one lane per kind and group; pale: unverified), country-report findings
    as named dashed lines, the windows where policy contradicts a finding shaded and named, and
    a marked line at the page's date (`as_of`, else today)."""
    as_of = as_of or today
    entries = pack.for_country(country)
    horizon = max(
        [
            today,
            as_of,
            *(e.valid_from for e in entries),
            *(e.valid_to for e in entries if e.valid_to),
        ]
    ) + timedelta(days=180)
    everyone, over_time = gettext("everyone"), gettext("policy over time")
    verified, unverified = gettext("verified"), gettext("unverified")
    bars = [
        {
            "lane": f"{gettext(_kind(e))} · {e.group or everyone}",
            "kind": gettext(_kind(e)),
            "start": e.valid_from.isoformat(),
            "end": (e.valid_to or horizon).isoformat(),
            "entry": e.id,
            "label": e.label,
            "verified": verified if e.verified else unverified,
        }
        for e in entries
    ]
    ticks = [
        {"date": f.date.isoformat(), "finding": f.id, "type": f.type.value}
        for f in pack.findings.values()
        if f.country == country
    ]
    shades = [
        {
            "start": w.start.isoformat(),
            "end": (w.end or horizon).isoformat(),
            "kind": w.contradiction.kind.value,
        }
        for w in checks.windows(pack, country)
        if w.contradiction.kind
        in (
            checks.Kind.RELOCATION,
            checks.Kind.PROTECTION,
            checks.Kind.DESIGNATION,
        )
    ]
    lanes = sorted({b["lane"] for b in bars})
    height = max(60, 22 * len(lanes))
    x = alt.X("start:T", title=gettext("Date"), axis=alt.Axis(format="%Y"))
    layers: list[Any] = []
    if shades:
        layers.append(
            alt.Chart(_data(shades))
            .mark_rect(color="#d9480f", opacity=0.15)
            .encode(x=x, x2="end:T", tooltip=["kind:N", "end:T"])
        )
    layers.append(
        alt.Chart(_data(bars))
        .mark_bar(height=14)
        .encode(
            x=x,
            x2="end:T",
            y=alt.Y("lane:N", title=None, sort=lanes, axis=alt.Axis(labelLimit=320)),
            color=alt.Color("kind:N", title=gettext("Kind"), scale=alt.Scale(scheme="dark2")),
            # The legend shows both: a pale bar is an unverified entry (not applied).
            opacity=alt.Opacity(
                "verified:N",
                scale=alt.Scale(domain=[verified, unverified], range=[1.0, 0.35]),
                title=gettext("Verified"),
            ),
            tooltip=["entry:N", "start:T", "end:T"],
        )
    )
    if shades:  # each shaded window says which contradiction it is
        # Named once per kind, at its first window, one row per kind (no overlap).
        kinds = list(dict.fromkeys(w["kind"] for w in shades))
        first = [
            {**w, "what": gettext(WINDOW_TITLES.get(w["kind"], w["kind"]))}
            for w in (next(v for v in shades if v["kind"] == k) for k in kinds)
        ]
        for i, w in enumerate(first):
            layers.append(
                alt.Chart(_data([w]))
                .mark_text(align="left", baseline="bottom", dx=3, fontSize=12, color="#8a2a00")
                .encode(x=x, y=alt.value(height + 30 + 15 * i), text="what:N")
            )
    if ticks:
        layers.append(
            alt.Chart(_data(ticks))
            .mark_rule(color="#1c1c1c", strokeDash=[4, 3])
            .encode(x=alt.X("date:T"), tooltip=["finding:N", "type:N"])
        )
    # The date the page is about: a solid line, labelled.
    marker = [{"date": as_of.isoformat(), "text": gettext("as of %(day)s") % {"day": as_of}}]
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
        .properties(width=760, height=height, title=f"{country}: {over_time}")
        .configure_axis(labelFontSize=13, titleFontSize=13)
        .configure_legend(labelFontSize=13, titleFontSize=13)
        .configure_title(fontSize=16)
    )
    svg: str = vl_convert.vegalite_to_svg(chart.to_dict())
    return svg


WINDOW_TITLES = {
    checks.Kind.RELOCATION.value: N_("relocation contradicted"),
    checks.Kind.PROTECTION.value: N_("protection duty contradicted"),
    checks.Kind.DESIGNATION.value: N_("designation contradicted"),
}
