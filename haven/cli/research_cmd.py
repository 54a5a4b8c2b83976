"""`haven research export`: pseudonymised extracts and suppressed aggregates."""

import json
import sys
from pathlib import Path

import typer

from haven.cli.acting import acting_user, require_role
from haven.cli.common import err, out, pack_option, parse_date
from haven.cli.private import check_out, write_out
from haven.clock import today
from haven.errors import InputError
from haven.packs import DEFAULT_PACK
from haven.store import research
from haven.store.access import Action
from haven.store.db import Database, database_url, upgrade

app = typer.Typer(help="Pseudonymised research exports.", no_args_is_help=True)


@app.command("export")
def export(
    org: str = typer.Option(..., "--org", help="Organisation slug"),
    user: str = typer.Option(..., "--user", help="A researcher of the organisation"),
    purpose: str = typer.Option(..., "--purpose", help="What the extract is for"),
    legal_basis: str = typer.Option(..., "--legal-basis", help="e.g. 'GDPR Art. 9(2)(j), 89'"),
    dpia: str = typer.Option(..., "--dpia", help="The DPIA reference covering the research"),
    expires: str | None = typer.Option(
        None,
        "--expires",
        help="YYYY-MM-DD, after today and at most HAVEN_RESEARCH_EXPORT_MAX_DAYS (default 180) "
        "days ahead; default: 90 days",
    ),
    aggregates_only: bool = typer.Option(
        False, "--aggregates-only", help="Only the suppressed aggregates (publishable)"
    ),
    output: Path | None = typer.Option(None, "--out", help="File to write; default: stdout"),
    pack: str = typer.Option(
        DEFAULT_PACK, "--pack", help="Pack whose tag vocabulary may be exported"
    ),
) -> None:
    """Export the organisation's cases pseudonymised: no references, names or free text,
    per-export pseudonyms, dates as months, aggregates with small-cell suppression."""
    check_out(output)
    day = today()
    until = parse_date(expires, "--expires", research.default_expiry(day))
    # Refused before the database is touched, as the store would refuse it.
    if wrong := research.expiry_problems(until, day):
        raise InputError(wrong)
    url = database_url()
    upgrade(url)
    db = Database(url)
    actor = acting_user(db, org, user)
    require_role(db, actor, (Action.STATS_READ,), "research.export", "export research data")
    vocabulary = set(pack_option(pack).tags)
    with db.session() as s:
        result = research.export(
            s,
            actor,
            purpose=purpose,
            legal_basis=legal_basis,
            dpia=dpia,
            expires=until,
            today=day,
            vocabulary=vocabulary,
        )
    if aggregates_only:
        result = {"export": result["export"], "aggregates": result["aggregates"]}
    text = json.dumps(result, ensure_ascii=False, indent=2) + "\n"
    if output is None:
        sys.stdout.write(text)
        return
    write_out(output, text)
    err.print(f"export {result['export']['id']}: expires {until}", markup=False)
    out.print(f"wrote {output}", markup=False)
