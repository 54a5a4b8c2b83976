"""`haven impact FILE --from DATE --to DATE`: whose outcome changes between two dates."""

import sys
from pathlib import Path

import typer

from haven.cases import read_caseload
from haven.cli import render
from haven.cli.common import Format, only, out, pack_option, parse_date, print_json
from haven.impact import compare
from haven.reports.impact_html import render_html


def impact(
    file: str = typer.Argument(..., help="A caseload (JSONL or JSON array), or - for stdin"),
    date_from: str = typer.Option(..., "--from", help="YYYY-MM-DD: the earlier as-of date"),
    date_to: str = typer.Option(..., "--to", help="YYYY-MM-DD: the later as-of date"),
    pack: str = typer.Option("nl", "--pack", help="Pack name or directory"),
    draft: str | None = typer.Option(
        None, "--draft", help="Compare against a draft pack directory on --to"
    ),
    fmt: Format = typer.Option(Format.JSON, "--format", help="json, table or html"),
    output: Path | None = typer.Option(None, "--out", help="Write to this file instead of stdout"),
) -> None:
    """Re-assess a caseload on two dates and list every case whose outcome changes."""
    only(fmt, (Format.JSON, Format.TABLE, Format.HTML))
    before = parse_date(date_from, "--from")
    after = parse_date(date_to, "--to")
    policy = pack_option(pack)
    after_policy = pack_option(draft) if draft else None
    result = compare(read_caseload(file, stdin=sys.stdin), before, after, policy, after_policy)
    if fmt is Format.TABLE:
        out.print(render.impact(result))
        return
    text = (
        render_html(result)
        if fmt is Format.HTML
        else result.model_dump_json(indent=2, by_alias=True) + "\n"
    )
    if output:
        output.write_text(text, encoding="utf-8")
        out.print(f"wrote {output}")
    elif fmt is Format.JSON:
        print_json(result.model_dump(mode="json", by_alias=True))
    else:
        sys.stdout.write(text)
