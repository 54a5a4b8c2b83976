"""`haven memo CASE --as-of DATE --lang nl --out memo.pdf`: the decision-support memo.

CASE is a case file (JSON, the contract's format), or, with `--org` and `--user`, the reference
of a stored case, read as that user (access-checked and audited like any read, plus `case.memo`).
"""

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import typer

from haven.cases import Case, read_caseload
from haven.cli.common import assessable, err, out, pack_option, parse_date
from haven.cli.private import check_out, write_out
from haven.clock import today
from haven.errors import Forbidden, InputError, Problem
from haven.i18n import LANGUAGES
from haven.packs import DEFAULT_PACK
from haven.policy.loader import offered
from haven.policy.snapshot import check_covered
from haven.reports import memo as memos
from haven.reports.memo import MemoFormat


def memo(
    case: str = typer.Argument(
        ..., help="A case file (JSON), or a stored case reference with --org and --user"
    ),
    as_of: str | None = typer.Option(None, "--as-of", help="YYYY-MM-DD; default: today"),
    lang: str = typer.Option("en", "--lang", help="en or nl"),
    output: Path = typer.Option(..., "--out", help="File to write (.pdf or .html)"),
    fmt: MemoFormat | None = typer.Option(
        None, "--format", help="pdf or html; default: from --out (.html: html, else pdf)"
    ),
    pack: str = typer.Option(DEFAULT_PACK, "--pack", help="Pack name or directory"),
    reference: str | None = typer.Option(
        None,
        "--reference-pack",
        help="Note where this pack (name or directory) is more favourable on the date "
        "(default: the other shipped pack, if there is exactly one)",
    ),
    org: str | None = typer.Option(None, "--org", help="Read a stored case of this organisation"),
    user: str | None = typer.Option(None, "--user", help="... as this user"),
) -> None:
    """Write the decision-support memo for a case as of a date (HTML or PDF, English or Dutch)."""
    check_out(output)
    if lang not in LANGUAGES:
        raise InputError([Problem("--lang", f"{lang!r} is not available; use en or nl")])
    day = parse_date(as_of, "--as-of", default=today())
    if fmt is None:
        fmt = MemoFormat.HTML if output.suffix.lower() in (".html", ".htm") else MemoFormat.PDF
    policy = pack_option(pack)
    check_covered(policy, day, "--as-of")
    ref = (
        pack_option(reference, "--reference-pack") if reference else offered(pack).reference(policy)
    )
    if (org is None) != (user is None):
        raise InputError([Problem("--org" if org is None else "--user", "give both or neither")])
    if org is not None and user is not None:
        subject = _stored(case, org, user, day.isoformat(), lang, fmt)
    else:
        cases = read_caseload(case, stdin=sys.stdin, check=assessable(policy))
        if len(cases) != 1:
            raise InputError([Problem(case, f"holds {len(cases)} cases; a memo is for one")])
        subject = cases[0]
    document = memos.build(subject, day, policy, lang, datetime.now(UTC), reference=ref)
    data = memos.render(document, policy, fmt)
    write_out(output, data)
    out.print(
        f"wrote {fmt.value} memo for {subject.id} as of {day} ({lang}) to {output}", markup=False
    )


def _stored(ref: str, org: str, username: str, as_of: str, lang: str, fmt: MemoFormat) -> Case:
    """The current version of a stored case, read (and audited) as `username`."""
    from haven.store import repo  # the store only when asked for: file memos need no database
    from haven.store.db import Database, database_url, upgrade

    url = database_url()
    upgrade(url)
    db = Database(url)
    with db.session() as s:
        actor = repo.actor_by_name(s, org, username)
    try:
        with db.session() as s:
            _, version = repo.read_case(s, actor, ref)
            repo.audit(
                s, actor, "case.memo", case_ref=ref, as_of=as_of, lang=lang, format=fmt.value
            )
            return Case.model_validate_json(json.dumps(version.data))
    except Forbidden as e:
        repo.record_denial(db, actor, "case.memo", ref, str(e))
        err.print(f"{username!r} may not read case {ref!r}", markup=False)
        raise
