"""`haven policy compare`: two packs side by side for a country, on a date or over a period."""

from datetime import date
from typing import Any

import typer
from rich.table import Table
from rich.text import Text

from haven.cli.common import Format, only, out, parse_date, print_json
from haven.clock import today
from haven.codes import check_country
from haven.errors import InputError, PolicyError, Problem
from haven.policy.compare import compare as compare_on
from haven.policy.compare import compare_period
from haven.policy.compare_json import as_of_json, period_json, rows
from haven.policy.loader import load_pack, resolve
from haven.policy.pack import Pack
from haven.reports.compare_html import render_compare_html


def two_packs(value: str, option: str = "--packs") -> tuple[Pack, Pack]:
    """`A,B`: two pack names or directories, loaded; errors name `option`."""
    names = [n.strip() for n in value.split(",") if n.strip()]
    if len(names) != 2:
        raise InputError([Problem(option, f"give two packs separated by a comma, not {value!r}")])
    for name in names:
        try:
            resolve(name)
        except PolicyError:
            raise InputError([Problem(option, f"no pack named {name!r}")]) from None
    return load_pack(names[0]), load_pack(names[1])


def country_of(value: str, left: Pack, right: Pack, option: str = "COUNTRY") -> str:
    code = value.strip().upper()
    try:
        check_country(code)
    except ValueError as e:
        raise InputError([Problem(option, str(e))]) from None
    if code not in left.countries() and code not in right.countries():
        raise InputError(
            [Problem(option, f"neither {left.meta.id} nor {right.meta.id} has entries for {code}")]
        )
    return code


def period(start: date, end: date, option: str = "--from") -> None:
    if start > end:
        raise InputError([Problem(option, f"{start} is after the end of the period ({end})")])


def compare(
    country: str = typer.Argument(..., help="ISO 3166-1 alpha-2, e.g. IR"),
    packs: str = typer.Option(..., "--packs", help="Two packs, left first: e.g. nl,euaa"),
    as_of: str | None = typer.Option(None, "--as-of", help="YYYY-MM-DD; default: today"),
    start: str | None = typer.Option(None, "--from", help="Start of a period (YYYY-MM-DD)"),
    end: str | None = typer.Option(None, "--to", help="End of a period, inclusive"),
    fmt: Format = typer.Option(Format.JSON, "--format", help="json, table or html"),
) -> None:
    """What two packs say about every profile either addresses for a country, and how the
    first compares with the second (kinds relative to the first: nl_stricter,
    nl_more_favourable, only_nl, only_eu, same, different, unconfirmed). With --from/--to, the
    windows in which each divergence held."""
    only(fmt, (Format.JSON, Format.TABLE, Format.HTML))
    left, right = two_packs(packs)
    code = country_of(country, left, right)
    if as_of is not None and (start is not None or end is not None):
        raise InputError([Problem("--as-of", "give --as-of or --from/--to, not both")])
    doc: dict[str, Any]
    if start is not None or end is not None:
        first, last = parse_date(start, "--from"), parse_date(end, "--to")
        period(first, last)
        doc = period_json(left, right, first, last, compare_period(left, right, code, first, last))
    else:
        day = parse_date(as_of, "--as-of", default=today())
        doc = as_of_json(left, right, day, compare_on(left, right, code, day))
    if fmt is Format.JSON:
        print_json(doc)
    elif fmt is Format.HTML:
        typer.echo(render_compare_html(doc), nl=False)
    else:
        out.print(table(doc, code))


def _side(s: dict[str, Any]) -> Text:
    text = Text()
    if s["entry"]:
        vals = ", ".join(f"{v}" for v in s["values"].values() if v not in (None, [], ""))
        text.append(f"{vals}\n", style="bold")
        text.append(f"{s['entry']}\n", style="dim")
        text.append("\n".join(f"{x['id']} ({x['date'] or '—'})" for x in s["sources"]))
        if s["later_sources"]:
            text.append("\npublished or applicable only after the date:\n", style="dim")
            text.append(
                "\n".join(f"{x['id']} ({x['date'] or '—'})" for x in s["later_sources"]),
                style="dim",
            )
    else:
        text.append("—")
    for n in s["not_counted"]:
        text.append(f"\n[not counted] {n['entry']}: {n['why']}", style="yellow")
    return text


def table(doc: dict[str, Any], country: str) -> Table:
    left, right = doc["packs"]
    when = doc["as_of"] or f"{doc['from']} to {doc['to']}"
    t = Table(title=f"{country}: {left} compared with {right}, {when}", show_lines=True)
    t.add_column("topic · profile", overflow="fold")
    t.add_column("kind", no_wrap=True)
    t.add_column(left, overflow="fold")
    t.add_column(right, overflow="fold")
    shown = rows(doc)  # the contract's divergences and the unranked rows
    if doc["as_of"] is None:
        t.add_column("windows", no_wrap=True)
    for d in shown:
        style = "bold red" if d["kind"] in ("nl_stricter", "only_eu") else ""
        nothing_counted = d["left"]["entry"] is None and d["right"]["entry"] is None
        row: list[str | Text] = [
            f"{d['topic']} · {d['profile']}",
            Text(d["kind"], style=style)
            + (Text("\n(nothing counted)", style="dim") if nothing_counted else Text("")),
            _side(d["left"]),
            _side(d["right"]),
        ]
        if "windows" in d:
            row.append("\n".join(f"{w['from']} – {w['to']}" for w in d["windows"]))
        t.add_row(*row)
    return t
