"""`haven generate` (synthetic caseloads) and `haven demo` (a guided tour on the examples)."""

import json
import secrets
import sys
from datetime import timedelta
from pathlib import Path

import typer

from haven.assess import assess
from haven.cases import Case, read_caseload
from haven.cases.synthetic import synthetic_caseload
from haven.cli import keys_cmd, render
from haven.cli.common import out, pack_option, parse_date
from haven.cli.private import write_private
from haven.errors import InputError, Problem
from haven.impact import compare
from haven.policy.pack import Pack
from haven.reports.impact_html import render_html
from haven.store import repo
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
    lines = "".join(json.dumps(c) + "\n" for c in synthetic_caseload(n, seed))
    if output:
        write_private(output, lines)
        out.print(f"wrote {n} synthetic cases to {output}")
    else:
        sys.stdout.write(lines)


def demo(
    out_dir: Path = typer.Option(Path("out"), "--out", help="Where to write the demo files"),
    serve: bool = typer.Option(True, "--serve/--no-serve", help="Start the API server at the end"),
    port: int = typer.Option(8000, "--port"),
) -> None:
    """A tour of the Sept 2015 Russian LGBTI policy change, then a demo server to explore."""
    pack = pack_option("nl")
    out_dir.mkdir(parents=True, exist_ok=True)
    out.rule("[bold]Haven demo[/]: decision support, not decisions")
    out.print(
        f"Policy pack [bold]{pack.meta.id}[/] version {pack.version}: {len(pack.entries)} dated "
        f"entries citing {len(pack.sources)} sources.\n"
    )
    rows = [e for e in pack.for_country("RU") if e.group == "ru-lgbti"]
    out.print(
        render.entries(rows, pack, "Russia, LGBTI: what applied when (haven policy timeline RU)")
    )
    case_file = out_dir / "ru-moscow-2015.json"
    write_private(case_file, json.dumps(EXAMPLE, indent=2))
    case = read_caseload(case_file)[0]
    for day in ("2015-06-01", "2015-10-01"):
        out.rule(f"haven assess {case_file} --as-of {day} --format table")
        out.print(render.assessment(assess(case, parse_date(day, "--as-of"), pack), pack))
    caseload_file = out_dir / "demo-caseload.jsonl"
    write_private(
        caseload_file, "".join(json.dumps(c) + "\n" for c in synthetic_caseload(500, seed=2015))
    )
    cases = read_caseload(caseload_file)
    result = compare(
        cases, parse_date("2015-06-01", "--from"), parse_date("2015-10-01", "--to"), pack
    )
    out.rule(
        f"haven impact {caseload_file} --from 2015-06-01 --to 2015-10-01 (500 SYNTHETIC cases)"
    )
    out.print(render.impact(result))
    report = out_dir / "impact-2015.html"
    write_private(report, render_html(result))
    out.print(f"\nWrote {case_file}, {caseload_file} (synthetic) and {report}.")
    url = f"sqlite:///{(out_dir / 'demo.db').resolve()}"
    token = demo_database(url, [case, *cases], pack)
    example = Path(case_file).resolve()
    out.rule("Demo server")
    out.print(
        f"Demo database {out_dir / 'demo.db'}: organisation 'demo' with one user per role "
        f"(passwords in {out_dir / 'demo-users.txt'}), the contract example and the 500 "
        f"synthetic cases, assessed as of 2015-10-01.\n"
        f"Try, once the server runs:\n"
        f"  curl -s -H 'Authorization: Bearer {token}' -H 'Content-Type: application/json' \\\n"
        f'    -d \'{{"as_of": "2015-10-01", "case": \'"$(cat {example})"\'}}\' \\\n'
        f"    http://127.0.0.1:{port}/api/v1/assessments\n"
        f"  curl -s -H 'Authorization: Bearer {token}' "
        f"'http://127.0.0.1:{port}/api/v1/cases?nationality=RU&recommendation=protection_indicated'"
    )
    if not serve:  # the server says it itself
        out.print(keys_cmd.notice(url), markup=False)
    if serve:
        import os

        from haven.cli.server_cmd import serve as run_server

        os.environ["HAVEN_DATABASE_URL"] = url
        run_server(host="127.0.0.1", port=port, workers=1, pack="nl")


DEMO_USERS = [
    ("olga", Role.CASE_OFFICER),
    ("nadia", Role.NGO_ADVOCATE),
    ("rik", Role.REVIEWER),
    ("rosa", Role.RESEARCHER),
    ("aud", Role.AUDITOR),
    ("admin", Role.ADMIN),
]


def demo_database(url: str, cases: list[Case], pack: Pack) -> str:
    """A fresh demo database; returns a bearer token for the case officer."""
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
    write_private(path.parent / "demo-users.txt", "\n".join(lines) + "\n")
    return token
