"""`haven queue ...`: the affected-case work queue.

`preview` works on a caseload file and needs no database; the other commands act on the store
(`HAVEN_DATABASE_URL`) as `--user` of `--org`, access-checked and audited like the API.
"""

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from haven.cases import read_caseload
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
from haven.cli.private import check_out, write_out
from haven.errors import Forbidden, InputError, NotFound, Problem
from haven.i18n import LANGUAGES
from haven.impact.period import check_period
from haven.packs import DEFAULT_PACK
from haven.policy.pack import Pack
from haven.queue import Item
from haven.queue import preview as preview_queue
from haven.queue.affected import left_out_message
from haven.reports import letter as letters
from haven.reports.memo import MemoFormat
from haven.store import queue as store
from haven.store import repo
from haven.store.db import Database, database_url, upgrade
from haven.store.repo import Actor

app = typer.Typer(
    help="The affected-case work queue: refused cases whose outcome improved.",
    no_args_is_help=True,
)
T = TypeVar("T")

ORG = typer.Option(..., "--org", help="Organisation slug")
USER = typer.Option(..., "--user", help="Act as this user")


def _table(items: list[Item], title: str) -> Table:
    t = Table(title=title)
    for col in ("case", "status", "next step", "improved", "changed rules", "new flags"):
        t.add_column(col)
    for i in items:
        t.add_row(
            i.case_id + (" (urgent)" if i.urgent else ""),
            i.status.value,
            i.next_step.value,
            ", ".join(i.improved),
            ", ".join(i.changed_rules),
            ", ".join(i.new_flags),
        )
    return t


@app.command("preview")
def preview(
    file: str = typer.Argument(..., help="A caseload (JSONL or JSON array), or - for stdin"),
    date_from: str = typer.Option(..., "--from", help="YYYY-MM-DD: the earlier as-of date"),
    date_to: str = typer.Option(..., "--to", help="YYYY-MM-DD: the later as-of date"),
    pack: str = typer.Option(DEFAULT_PACK, "--pack", help="Pack name or directory"),
    draft: str | None = typer.Option(None, "--draft", help="A draft pack directory for --to"),
    to_pack: str | None = typer.Option(
        None, "--to-pack", help="Another pack for --to: the cases more favourable under it"
    ),
    fmt: Format = typer.Option(Format.JSON, "--format", help="json or table"),
) -> None:
    """The work queue a caseload file would give, without storing anything."""
    only(fmt, (Format.JSON, Format.TABLE))
    before, after = parse_date(date_from, "--from"), parse_date(date_to, "--to")
    policy = pack_option(pack)
    after_policy = _after_pack(draft, to_pack)
    check_period(before, after, policy, after_policy, ("--from", "--to"))
    cases = read_caseload(file, stdin=sys.stdin, check=assessable(policy, after_policy))
    impact, chosen = preview_queue(cases, before, after, policy, after_policy)
    items, late = chosen.items, [i.case_id for i in chosen.decided_after]
    if fmt is Format.TABLE:
        title = f"{len(items)} of {impact.cases} cases to act on"
        if impact.not_addressed:
            title += f"; {impact.not_addressed} whose country a pack does not address"
        out.print(_table(items, title))
        if late:
            out.print(f"{len(late)} {left_out_message(before, after)}:", markup=False)
            out.print(", ".join(late), markup=False)
    else:
        print_json(
            {
                "from": before.isoformat(),
                "to": after.isoformat(),
                "cases": impact.cases,
                "items": [i.model_dump(mode="json") for i in items],
                "not_addressed": impact.not_addressed,
                "not_addressed_cases": impact.not_addressed_cases,
                # Added: improved refusals decided after the change, left out (by case id).
                "decided_after_change": {
                    "count": len(late),
                    "cases": late,
                    "message": left_out_message(before, after),
                },
            }
        )


def _after_pack(draft: str | None, to_pack: str | None) -> Pack | None:
    """The pack of the later side: a draft, or another pack (a queue between packs)."""
    if draft and to_pack:
        raise InputError([Problem("--to-pack", "give --to-pack or --draft, not both")])
    if to_pack:
        return pack_option(to_pack, "--to-pack")
    return pack_option(draft, "--draft") if draft else None


@contextmanager
def _session(org: str, username: str, audited: str) -> Iterator[tuple[Session, Actor]]:
    """A transaction as `username`; a refusal is audited (in a transaction of its own)."""
    url = database_url()
    upgrade(url)
    db = Database(url)
    with db.session() as s:
        actor = repo.actor_by_name(s, org, username)
    try:
        with db.session() as s:
            yield s, actor
    except (Forbidden, NotFound) as e:
        repo.record_denial(db, actor, audited, None, str(e))
        raise


def _run(org: str, user: str, audited: str, work: Callable[[Session, Actor], T]) -> T:
    with _session(org, user, audited) as (s, actor):
        return work(s, actor)


@app.command("create")
def create(
    date_from: str = typer.Option(..., "--from", help="YYYY-MM-DD: the earlier as-of date"),
    date_to: str = typer.Option(..., "--to", help="YYYY-MM-DD: the later as-of date"),
    org: str = ORG,
    user: str = USER,
    pack: str = typer.Option(DEFAULT_PACK, "--pack", help="Pack name or directory"),
    draft: str | None = typer.Option(None, "--draft", help="A draft pack directory for --to"),
    to_pack: str | None = typer.Option(
        None, "--to-pack", help="Another pack for --to: the cases more favourable under it"
    ),
    name: str | None = typer.Option(None, "--name", help="A name for the queue"),
) -> None:
    """Save the work queue over the stored cases one may read (reviewer: all of them). The
    same queue (pack and version, dates, name, the same cases unchanged) is not made twice:
    the one made is printed, with `existed` true, as the API and the web app answer."""
    before, after = parse_date(date_from, "--from"), parse_date(date_to, "--to")
    policy = pack_option(pack)
    after_policy = _after_pack(draft, to_pack)
    check_period(before, after, policy, after_policy, ("--from", "--to"))

    def work(s: Session, actor: Actor) -> dict[str, object]:
        saved = store.save_queue(s, actor, before, after, policy, after_policy, name=name)
        out = store.viewed_json(s, actor, saved.queue, saved.items, saved.open)
        out["existed"] = saved.existed
        out["skipped"] = saved.skipped
        return out | store.not_addressed_json(saved.not_addressed)

    made = _run(org, user, "queue.create", work)
    if made["existed"]:
        # Said on stderr: stdout stays the JSON a script reads.
        err.print(
            f"queue {made['id']} was made already over the same cases; no new queue was made",
            markup=False,
        )
    print_json(made)


@app.command("list")
def list_queues(org: str = ORG, user: str = USER) -> None:
    """Queues of the organisation, with the items the user may see."""
    print_json(
        _run(
            org,
            user,
            "queue.list",
            lambda s, a: [store.viewed_json(s, a, *row) for row in store.list_queues(s, a)],
        )
    )


@app.command("show")
def show(queue: int = typer.Argument(...), org: str = ORG, user: str = USER) -> None:
    """A queue's items the user may see (JSON)."""

    def work(s: Session, actor: Actor) -> dict[str, object]:
        q, views = store.read_queue(s, actor, queue)
        open_items = sum(v.row.state == store.OPEN for v in views)
        shown = store.viewed_json(s, actor, q, len(views), open_items)
        return {**shown, "work_items": [store.item_json(v) for v in views]}

    print_json(_run(org, user, "queue.read", work))


@app.command("counts")
def counts(queue: int = typer.Argument(...), org: str = ORG, user: str = USER) -> None:
    """Counts only (researchers): by status, next step and state; cells below 5 suppressed."""
    print_json(_run(org, user, "queue.counts", lambda s, a: store.counts(s, a, queue)))


@app.command("assign")
def assign(
    queue: int = typer.Argument(...),
    item: int = typer.Argument(...),
    to: str = typer.Argument(..., help="The username to assign the item to"),
    org: str = ORG,
    user: str = USER,
) -> None:
    """Assign a work item to a user who may work on its case."""
    view = _run(org, user, "queue.assign", lambda s, a: store.assign(s, a, queue, item, to))
    print_json(store.item_json(view))


@app.command("comment")
def comment(
    queue: int = typer.Argument(...),
    item: int = typer.Argument(...),
    text: str = typer.Argument(..., help="The comment"),
    org: str = ORG,
    user: str = USER,
) -> None:
    """Comment on a work item."""
    _check_text(text, "TEXT", 4000)
    view = _run(org, user, "queue.comment", lambda s, a: store.comment(s, a, queue, item, text))
    print_json(store.item_json(view))


@app.command("close")
def close(
    queue: int = typer.Argument(...),
    item: int = typer.Argument(...),
    resolution: str = typer.Option(..., "--resolution", help="What was done"),
    org: str = ORG,
    user: str = USER,
) -> None:
    """Close a work item, saying what was done."""
    _check_text(resolution, "--resolution", 1000)
    view = _run(org, user, "queue.close", lambda s, a: store.close(s, a, queue, item, resolution))
    print_json(store.item_json(view))


@app.command("letter")
def letter(
    queue: int = typer.Argument(...),
    item: int = typer.Argument(...),
    output: Path = typer.Option(..., "--out", help="File to write (.pdf or .html)"),
    lang: str = typer.Option("en", "--lang", help="en or nl"),
    fmt: MemoFormat | None = typer.Option(None, "--format", help="pdf or html; default: --out"),
    pack: str = typer.Option(
        DEFAULT_PACK, "--pack", help="Pack name or directory (for the sources)"
    ),
    org: str = ORG,
    user: str = USER,
) -> None:
    """The draft letter for a work item (review request or subsequent application)."""
    check_out(output)
    if lang not in LANGUAGES:
        raise InputError([Problem("--lang", f"{lang!r} is not available; use en or nl")])
    if fmt is None:
        fmt = MemoFormat.HTML if output.suffix.lower() in (".html", ".htm") else MemoFormat.PDF
    policy = pack_option(pack)

    def work(s: Session, actor: Actor) -> bytes:
        detail = {"lang": lang, "format": fmt.value}
        it, case, q = store.letter_inputs(s, actor, queue, item, **detail)
        window = letters.Window(q.from_date, q.to_date, q.pack_version_after)
        return letters.render(it, case, window, policy, lang, datetime.now(UTC), fmt)

    data = _run(org, user, "queue.letter", work)
    write_out(output, data)
    out.print(f"wrote {fmt.value} letter for item {item} to {output}", markup=False)


def _check_text(text: str, field: str, limit: int) -> None:
    if not text.strip():
        raise InputError([Problem(field, "must not be empty")])
    if len(text) > limit:
        raise InputError([Problem(field, f"is longer than {limit} characters")])
