"""`haven impact FILE --from DATE --to DATE`: whose outcome changes between two dates."""

import sys
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path

import typer
from rich.progress import Progress

from haven.cases import Case, read_caseload
from haven.cli import render
from haven.cli.common import Format, err, only, out, pack_option, parse_date, print_json
from haven.impact import batch, compare
from haven.impact.frame import compare_frame
from haven.reports.impact_html import render_html


class Engine(StrEnum):
    AUTO = "auto"
    COLUMNAR = "columnar"
    SINGLE = "single"


def _progress(cases: list[Case]) -> Iterator[Case]:
    """A progress bar on stderr for long single-engine runs."""
    if len(cases) < 5000:
        yield from cases
        return
    with Progress(transient=True, console=err) as bar:
        task = bar.add_task("Assessing on both dates", total=len(cases))
        for c in cases:
            yield c
            bar.advance(task)


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
    engine: Engine = typer.Option(
        Engine.AUTO, "--engine", help="columnar (JSONL/Parquet files), single (reference), or auto"
    ),
) -> None:
    """Re-assess a caseload on two dates and list every case whose outcome changes."""
    only(fmt, (Format.JSON, Format.TABLE, Format.HTML))
    before = parse_date(date_from, "--from")
    after = parse_date(date_to, "--to")
    policy = pack_option(pack)
    after_policy = pack_option(draft) if draft else None
    columnar = engine is Engine.COLUMNAR or (
        engine is Engine.AUTO and Path(file).suffix in (".jsonl", ".ndjson", ".parquet")
    )
    if columnar:
        with err.status("Assessing the caseload on both dates (columnar)…"):
            result = compare_frame(batch.read(file, policy), before, after, policy, after_policy)
    else:
        cases = read_caseload(file, stdin=sys.stdin)
        result = compare(_progress(cases), before, after, policy, after_policy)
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
