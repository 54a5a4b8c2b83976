"""`haven policy diff --from DATE --to DATE [COUNTRY]`."""

import typer
from rich.table import Table

from haven.cli.common import Format, only, out, pack_option, parse_date, print_json
from haven.codes import check_country
from haven.errors import InputError, Problem
from haven.packs import DEFAULT_PACK
from haven.policy.diff import diff as policy_diff


def diff(
    country: str | None = typer.Argument(None, help="ISO 3166-1 alpha-2; default: all"),
    date_from: str = typer.Option(..., "--from", help="YYYY-MM-DD"),
    date_to: str = typer.Option(..., "--to", help="YYYY-MM-DD"),
    pack: str = typer.Option(DEFAULT_PACK, "--pack"),
    fmt: Format = typer.Option(Format.TABLE, "--format", help="table or json"),
) -> None:
    """Entries added, ended or changed between two dates, with their sources."""
    only(fmt, (Format.TABLE, Format.JSON))
    start, end = parse_date(date_from, "--from"), parse_date(date_to, "--to")
    code = None
    if country is not None:
        try:
            code = check_country(country.upper())
        except ValueError as e:
            raise InputError([Problem("COUNTRY", str(e))]) from None
    policy = pack_option(pack)
    changes = policy_diff(policy, start, end, code)
    if fmt is Format.JSON:
        print_json(
            {
                "from": start.isoformat(),
                "to": end.isoformat(),
                "country": code,
                "policy": {"pack": policy.meta.id, "version": policy.version},
                "changes": [
                    {
                        "kind": c.kind.value,
                        "country": c.country,
                        "before": c.before.id if c.before else None,
                        "after": c.after.id if c.after else None,
                        "sources": sorted(
                            {
                                *(c.before.sources if c.before else ()),
                                *(c.after.sources if c.after else ()),
                            }
                        ),
                        "note": c.note,
                    }
                    for c in changes
                ],
            }
        )
        return
    t = Table(
        title=f"Policy changes {start} → {end}" + (f" for {code}" if code else ""), show_lines=True
    )
    for col in ("change", "country", "before", "after", "what"):
        t.add_column(col, overflow="fold")
    for c in changes:
        t.add_row(
            c.kind.value,
            c.country or "all",
            c.before.id if c.before else "—",
            c.after.id if c.after else "—",
            c.note,
        )
    out.print(t if changes else f"No policy changes between {start} and {end}.")
