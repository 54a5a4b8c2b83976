"""`haven assess FILE`: assess one case or a caseload as of a date."""

import sys

import typer

from haven.assess import assess as run_assess
from haven.cases import read_caseload
from haven.cli import render
from haven.cli.common import (
    Format,
    assessable,
    only,
    out,
    pack_option,
    parse_date,
    print_json,
)
from haven.clock import today
from haven.packs import DEFAULT_PACK
from haven.policy.snapshot import check_covered


def assess(
    file: str = typer.Argument(
        ..., help="A case (JSON), a caseload (JSONL or JSON array), or - for stdin"
    ),
    as_of: str | None = typer.Option(None, "--as-of", help="YYYY-MM-DD; default: today"),
    pack: str = typer.Option(DEFAULT_PACK, "--pack", help="Pack name or directory"),
    fmt: Format = typer.Option(Format.JSON, "--format", help="json, jsonl or table"),
) -> None:
    """Assess a case or caseload under the pack as of a date, with cited reasoning."""
    only(fmt, (Format.JSON, Format.JSONL, Format.TABLE))
    day = parse_date(as_of, "--as-of", default=today())
    policy = pack_option(pack)
    check_covered(policy, day, "--as-of")
    cases = read_caseload(file, stdin=sys.stdin, check=assessable(policy))
    results = [run_assess(c, day, policy) for c in cases]
    if fmt is Format.JSONL:
        for a in results:
            sys.stdout.write(a.model_dump_json() + "\n")
    elif fmt is Format.JSON:
        docs = [a.model_dump(mode="json") for a in results]
        print_json(docs[0] if len(docs) == 1 else docs)
    elif len(results) == 1:
        out.print(render.assessment(results[0], policy))
    else:
        out.print(render.caseload(results))
