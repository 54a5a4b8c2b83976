"""`haven generate` (synthetic caseloads) and `haven demo` (a guided tour on the examples)."""

import json
import secrets
import sys
import textwrap
from datetime import timedelta
from pathlib import Path

import typer
from rich import box
from rich.table import Table

from haven.assess import Assessment, assess
from haven.cases import Case, read_caseload
from haven.cases.synthetic import synthetic_caseload
from haven.cli import keys_cmd
from haven.cli.common import out, pack_option, parse_date
from haven.cli.private import check_out, make_folder, write_out, write_private
from haven.errors import InputError, Problem
from haven.impact import compare
from haven.packs import DEFAULT_PACK
from haven.policy.pack import Pack
from haven.reports import plain
from haven.reports.impact_html import render_html
from haven.store import queue, repo
from haven.store.access import Role
from haven.store.auth import add_user, ensure_org, issue_token
from haven.store.db import Database, upgrade
from haven.store.repo import Actor

EXAMPLE = {
    "id": "EX-RU-1",
    "nationality": "RU",
    "region": "RU-MOW",
    "profile": {"sogi": ["gay"], "tags": [], "sex": "male", "birth_date": "1988-04-02"},
    "credibility": {
        "identity": "credible",
        "nationality": "credible",
        "region": "credible",
        "profile": "credible",
    },
    "incidents": [
        {
            "date": "2014-11-03",
            "kind": "threat",
            "actor": "non_state",
            "credibility": "credible",
            "sought_protection": False,
        }
    ],
    "procedure": {
        "lodged": "2015-03-02",
        "status": "refused",
        "decided": "2015-07-20",
        "reasons": ["internal_relocation", "no_state_protection_sought"],
    },
}


def generate(
    n: int = typer.Option(1000, "--n", help="Number of cases"),
    seed: int = typer.Option(1, "--seed", help="Same seed, same caseload"),
    output: Path | None = typer.Option(None, "--out", help="JSONL file; default: stdout"),
) -> None:
    """Write a synthetic (fake, SYN- ids) caseload as JSON Lines."""
    if n < 0:
        raise InputError([Problem("--n", "must be 0 or more")])
    check_out(output)
    lines = "".join(json.dumps(c) + "\n" for c in synthetic_caseload(n, seed))
    if output:
        write_out(output, lines)
        out.print(f"wrote {n} synthetic cases to {output}")
    else:
        sys.stdout.write(lines)


def demo(
    out_dir: Path = typer.Option(Path("out"), "--out", help="Where to write the demo files"),
    serve: bool = typer.Option(True, "--serve/--no-serve", help="Start the API server at the end"),
    port: int = typer.Option(8000, "--port", min=1, max=65535),
) -> None:
    """A tour of the Sept 2015 Russian LGBTI policy change, then a demo server to explore.

    Short and 80 columns wide: one screen per step, the whole story in the web app after."""
    pack = pack_option(DEFAULT_PACK)
    make_folder(out_dir)
    before, after = parse_date("2015-06-01", "--from"), parse_date("2015-10-01", "--to")
    out.rule("[bold]Haven demo[/]: decision support, not decisions")
    out.print(
        f"Policy pack [bold]{pack.meta.id}[/] version {pack.version}: {len(pack.entries)} dated "
        f"entries citing {len(pack.sources)} sources.\n"
    )
    out.rule("1. Russia, LGBTI: what applied when")
    timeline = Table(box=box.SIMPLE, show_edge=False, pad_edge=False)
    for col in ("from", "until", "what"):
        timeline.add_column(col, overflow="fold", no_wrap=col != "what")
    for e in (e for e in pack.for_country("RU") if e.group == "ru-lgbti"):
        until = e.valid_to.isoformat() if e.valid_to else "—"
        timeline.add_row(e.valid_from.isoformat(), until, e.label)
    out.print(timeline)
    out.print("Each entry cites its sources: haven policy timeline RU\n")

    case_file = out_dir / "ru-moscow-2015.json"
    write_private(case_file, json.dumps(EXAMPLE, indent=2))
    case = read_caseload(case_file)[0]
    out.rule(f"2. One case, {case.id}, refused on 2015-07-20, on two dates")
    a, b = assess(case, before, pack), assess(case, after, pack)
    side = Table(box=box.SIMPLE, show_edge=False, pad_edge=False)
    side.add_column("")
    side.add_column(str(before), overflow="fold")
    side.add_column(str(after), overflow="fold")
    for name, x, y in (
        ("outcome", *(plain.outcome_text(v.recommendation, "en") for v in (a, b))),
        ("group", *(_group(v) for v in (a, b))),
        ("standard", *(plain.standard_text(v.evidentiary_standard, "en") for v in (a, b))),
        ("relocation", *(v.internal_protection.value.replace("_", " ") for v in (a, b))),
        ("refusal", *(_objections(v) for v in (a, b))),
    ):
        side.add_row(name, x, y)
    out.print(side)
    _say(f"Every step with its sources: haven assess {case_file} --as-of {after}\n")

    caseload_file = out_dir / "demo-caseload.jsonl"
    write_private(
        caseload_file, "".join(json.dumps(c) + "\n" for c in synthetic_caseload(500, seed=2015))
    )
    cases = read_caseload(caseload_file)
    # The same 501 cases as the demo database (the example and 500 synthetic ones), so the
    # counts here are the ones the web app shows.
    result = compare([case, *cases], before, after, pack)
    out.rule(f"3. The caseload: {result.cases} cases (500 SYNTHETIC), {before} → {after}")
    moved = Table(box=box.SIMPLE, show_edge=False, pad_edge=False)
    for col in ("on " + str(before), "on " + str(after), "cases"):
        moved.add_column(col, overflow="fold")
    for t in result.transitions:
        if t.from_ != t.to:
            moved.add_row(
                plain.outcome_text(t.from_, "en"), plain.outcome_text(t.to, "en"), str(t.count)
            )
    out.print(moved)
    report = out_dir / "impact-2015.html"
    write_private(report, render_html(result))
    url = f"sqlite:///{(out_dir / 'demo.db').resolve()}"
    queued, token = demo_database(url, [case, *cases], pack)
    _say(
        f"{len(result.changed)} cases change in some finding (the web app's Impact page); "
        f"{queued} of them are refused cases, decided before {after}, whose outcome "
        f"improved: the reviewer's work queue (Work queues), each with a next step and a draft "
        f"letter; refusals decided later were not affected by the change and are left out.\n"
        f"Files: {case_file}, {caseload_file} (synthetic), {report}."
    )
    out.rule("4. The web app")
    if not serve:  # the server says it itself
        _say(keys_cmd.notice(url))
    out.print(
        # Short lines, so the tour stays within 80 columns with the token in full.
        f"API: TOKEN={token}\n"
        f'  curl -H "Authorization: Bearer $TOKEN" \\\n'
        f"    'http://127.0.0.1:{port}/api/v1/cases?nationality=RU'",
        markup=False,
    )
    _say(
        f"Demo database {out_dir / 'demo.db'}: one user per role, passwords in "
        f"{out_dir / 'demo-users.txt'}; nadia (NGO lawyer) holds {case.id}.\n"
        f"Open http://127.0.0.1:{port} and sign in as olga "
        f"(password in {out_dir / 'demo-users.txt'})."
    )
    if serve:
        import os

        from haven.cli.server_cmd import serve as run_server

        os.environ["HAVEN_DATABASE_URL"] = url
        # Every option given: called as a function, Typer's defaults would be OptionInfo objects.
        run_server(
            host="127.0.0.1",
            port=port,
            workers=1,
            pack=DEFAULT_PACK,
            packs="",
            reference=None,
            trusted_proxies="",
            log_format="text",
        )


def _group(a: Assessment) -> str:
    return plain.designation_text(a.designation.category if a.designation else None, "en")


def _objections(a: Assessment) -> str:
    """The refusal reasons the law forbids on the date, in a few words each."""
    return "; ".join(plain.flag_text(f.code, "en").split(",")[0] for f in a.flags) or "—"


def _say(text: str) -> None:
    """A paragraph wrapped to the terminal (the console soft-wraps: words split at 80)."""
    width = min(out.width, 100)
    out.print(
        "\n".join(
            textwrap.fill(p, width, break_on_hyphens=False, break_long_words=False)
            for p in text.split("\n")
        ),
        markup=False,
    )


DEMO_USERS = [
    ("olga", Role.CASE_OFFICER),
    ("nadia", Role.NGO_ADVOCATE),
    ("rik", Role.REVIEWER),
    ("rosa", Role.RESEARCHER),
    ("aud", Role.AUDITOR),
    ("admin", Role.ADMIN),
]


def demo_database(url: str, cases: list[Case], pack: Pack) -> tuple[int, str]:
    """A fresh demo database with the reviewer's 2015 work queue; returns its item count and
    a bearer token for the case officer."""
    path = Path(url.removeprefix("sqlite:///"))
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    upgrade(url)
    db = Database(url)
    lines = ["# Demo accounts (synthetic data only). Passwords are random per demo run."]
    day = parse_date("2015-10-01", "--as-of")
    with db.session() as s:
        org = ensure_org(s, "demo", "Demo organisation (synthetic data)")
        users = {}
        for name, role in DEMO_USERS:
            password = secrets.token_urlsafe(12)
            users[name] = add_user(s, org, name, password, role)
            lines.append(f"{name}\t{role.value}\t{password}")
        officer = Actor.of(users["olga"])
        repo.import_cases(s, officer, cases)
        for c in cases:
            repo.assess_and_store(s, officer, c.id, day, pack)
        repo.share_case(s, officer, cases[0].id, "nadia")
        token = issue_token(s, users["olga"], "demo", timedelta(days=1))
        reviewer = Actor.of(users["rik"])
    with db.session() as s:  # a fresh session: the cases read back as stored (decrypted)
        # The reviewer's work queue for the 2015 change: nadia's client EX-RU-1 is in it.
        # Kept under its key: the same queue saved from the page or the API opens this one.
        saved = queue.save_queue(s, reviewer, parse_date("2015-06-01", "--from"), day, pack)
        items = saved.items
    write_private(path.parent / "demo-users.txt", "\n".join(lines) + "\n")
    return items, token
