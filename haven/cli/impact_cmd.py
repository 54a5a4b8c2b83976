"""`haven impact FILE --from DATE --to DATE`: whose outcome changes between two dates;
`haven impact FILE --from-pack A --to-pack B --on DATE`: whose outcome would differ under
another pack (the same comparison of two (pack, date) pairs)."""

import json
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import IO, Any

import polars as pl
import typer
from rich.console import Console
from rich.progress import Progress

from haven.cases import Case, read_caseload
from haven.cli import render
from haven.cli.common import (
    Format,
    assessable,
    err,
    only,
    out,
    pack_option,
    parse_date,
    print_json,
)
from haven.cli.frame_json import rows_text
from haven.cli.impact_stored import stored_stream
from haven.cli.private import check_out, write_out, writing
from haven.errors import InputError, Problem
from haven.impact import Impact, compare
from haven.impact.period import check_period
from haven.impact.stream import BATCH_SIZE, ImpactStream
from haven.packs import DEFAULT_PACK
from haven.policy.pack import Pack
from haven.reports.impact_html import render_html

_MARK = "\0changed\0"  # stands for the changed list in the JSON head, replaced by the spool


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
    file: str | None = typer.Argument(
        None, help="A caseload (JSONL or JSON array), or - for stdin; none with --org"
    ),
    date_from: str | None = typer.Option(None, "--from", help="YYYY-MM-DD: the earlier as-of date"),
    date_to: str | None = typer.Option(None, "--to", help="YYYY-MM-DD: the later as-of date"),
    on: str | None = typer.Option(
        None, "--on", help="YYYY-MM-DD: one date for both sides (with --from-pack/--to-pack)"
    ),
    pack: str | None = typer.Option(
        None, "--pack", help=f"Pack name or directory (default {DEFAULT_PACK})"
    ),
    from_pack: str | None = typer.Option(
        None, "--from-pack", help="The pack of the first side (instead of --pack)"
    ),
    to_pack: str | None = typer.Option(
        None, "--to-pack", help="The pack of the second side: whose outcome would differ under it"
    ),
    draft: str | None = typer.Option(
        None, "--draft", help="Compare against a draft pack directory on --to"
    ),
    fmt: Format = typer.Option(Format.JSON, "--format", help="json, jsonl, table or html"),
    output: Path | None = typer.Option(None, "--out", help="Write to this file instead of stdout"),
    engine: Engine = typer.Option(
        Engine.AUTO, "--engine", help="columnar (JSONL/Parquet files), single (reference), or auto"
    ),
    batch_size: int = typer.Option(
        BATCH_SIZE, "--batch-size", help="Cases per batch for the columnar engine (memory bound)"
    ),
    org: str | None = typer.Option(
        None, "--org", help="The stored caseload of this organisation (instead of a file)"
    ),
    user: str | None = typer.Option(
        None, "--user", help="With --org: read as this user (the cases they may list)"
    ),
) -> None:
    """Re-assess a caseload on two dates and list every case whose outcome changes.

    With the columnar engine, json and jsonl are streamed: memory stays flat in the number of
    cases. jsonl writes the impact without `changed` on the first line, then one changed case
    per line. table and html hold every changed case in memory (they are for reading).
    """
    only(fmt, (Format.JSON, Format.JSONL, Format.TABLE, Format.HTML))
    check_out(output)
    if batch_size < 1:
        raise InputError([Problem("--batch-size", "must be at least 1")])
    before, after = _dates(date_from, date_to, on)
    policy, after_policy = _packs(pack, from_pack, to_pack, draft)
    check_period(before, after, policy, after_policy, ("--on",) * 2 if on else ("--from", "--to"))
    if org is not None or user is not None or file is None:
        if file is not None:
            raise InputError([Problem("FILE", "give a file or --org and --user, not both")])
        # The stored caseload, read in columnar form (haven/cli/impact_stored.py).
        with stored_stream(org, user, before, after, policy, after_policy, batch_size) as s:
            _columnar(s, fmt, output)
        return
    columnar = engine is Engine.COLUMNAR or (
        engine is Engine.AUTO and Path(file).suffix in (".jsonl", ".ndjson", ".parquet")
    )
    if columnar:
        stream = ImpactStream(file, before, after, policy, after_policy, batch_size)
        _columnar(stream, fmt, output)
        return
    cases = read_caseload(file, stdin=sys.stdin, check=assessable(policy, after_policy))
    _show(compare(_progress(cases), before, after, policy, after_policy), fmt, output)


def _dates(date_from: str | None, date_to: str | None, on: str | None) -> tuple[date, date]:
    """The two sides' dates: --from and --to, or --on for both (a comparison of packs)."""
    if on is not None:
        given = [o for o, v in (("--from", date_from), ("--to", date_to)) if v is not None]
        if given:
            raise InputError([Problem(given[0], "give --on or --from and --to, not both")])
        day = parse_date(on, "--on")
        return day, day
    return parse_date(date_from, "--from"), parse_date(date_to, "--to")


def _packs(
    pack: str | None, from_pack: str | None, to_pack: str | None, draft: str | None
) -> tuple[Pack, Pack | None]:
    """The two sides' packs: --pack (or --from-pack) on both, or --to-pack / --draft on the
    second side."""
    if pack is not None and from_pack is not None:
        raise InputError([Problem("--from-pack", "give --pack or --from-pack, not both")])
    if to_pack is not None and draft is not None:
        raise InputError([Problem("--to-pack", "give --to-pack or --draft, not both")])
    first = (
        pack_option(from_pack, "--from-pack") if from_pack else pack_option(pack or DEFAULT_PACK)
    )
    second = to_pack or draft
    return first, pack_option(second, "--to-pack" if to_pack else "--draft") if second else None


def _columnar(stream: ImpactStream, fmt: Format, output: Path | None) -> None:
    if fmt in (Format.JSON, Format.JSONL):
        with err.status("Assessing the caseload on both dates (columnar, streamed)…"):
            _write_streamed(stream, stream.impact, fmt, output)
        return
    with err.status("Assessing the caseload on both dates (columnar)…"):
        result = stream.collect()
    _show(result, fmt, output)


def _show(result: Impact, fmt: Format, output: Path | None) -> None:
    if fmt is Format.TABLE:
        if output is None:
            out.print(render.impact(result))
            return
        # The same table in the file (it went to the screen, the file left unwritten): plain
        # text, as wide as a screen of a wide terminal.
        with writing(output) as f:
            Console(file=f, width=160, highlight=False, color_system=None).print(
                render.impact(result)
            )
        out.print(f"wrote {output}")
        return
    if fmt is Format.JSONL:
        rows = [c.model_dump(mode="json") for c in result.changed]
        _write_streamed([pl.DataFrame(rows)] if rows else [], lambda: result, fmt, output)
        return
    text = (
        render_html(result)
        if fmt is Format.HTML
        else result.model_dump_json(indent=2, by_alias=True) + "\n"
    )
    if output:
        write_out(output, text)
        out.print(f"wrote {output}")
    elif fmt is Format.JSON:
        print_json(result.model_dump(mode="json", by_alias=True))
    else:
        sys.stdout.write(text)


def _write_streamed(
    frames: Iterable[pl.DataFrame], impact: Callable[[], Impact], fmt: Format, output: Path | None
) -> None:
    """Changed cases go to a spool file batch by batch. The head (the counts) is known only at
    the end and comes first in the output, so the spool is copied after it; an invalid input
    raises before anything is written to the output."""
    with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:
        n = 0
        for frame in frames:
            if frame.height:
                spool.write(_jsonl(frame) if fmt is Format.JSONL else _json_items(frame, n == 0))
                n += frame.height
        spool.seek(0)
        result = impact()
        if output is None:
            _assemble(sys.stdout, spool, result, fmt, n)
        else:
            with writing(output) as sink:
                _assemble(sink, spool, result, fmt, n)
    if output:
        out.print(f"wrote {output}")


def _assemble(sink: IO[str], spool: IO[str], impact: Impact, fmt: Format, n: int) -> None:
    head: dict[str, Any] = impact.model_dump(mode="json", by_alias=True)
    if fmt is Format.JSONL:
        del head["changed"]
        sink.write(json.dumps(head, ensure_ascii=False, separators=(",", ":")) + "\n")
        shutil.copyfileobj(spool, sink)
        return
    if n == 0:
        sink.write(json.dumps({**head, "changed": []}, ensure_ascii=False, indent=2) + "\n")
        return
    text = json.dumps({**head, "changed": [_MARK]}, ensure_ascii=False, indent=2)
    before, after = text.split(json.dumps(_MARK))
    sink.write(before)
    shutil.copyfileobj(spool, sink)
    sink.write(after + "\n")


def _jsonl(frame: pl.DataFrame) -> str:
    """One changed case per line, compact (the layout of `haven assess --format jsonl`)."""
    return frame.write_ndjson()


def _json_items(frame: pl.DataFrame, first: bool) -> str:
    """The frame's cases as items of the `changed` array, laid out as json.dumps(indent=2)
    lays them out at that depth."""
    items = rows_text(frame, depth=2)
    return items if first else ",\n    " + items
