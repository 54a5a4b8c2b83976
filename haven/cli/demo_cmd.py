"""`haven generate` (synthetic caseloads) and `haven demo` (a guided tour on the examples)."""

import json
import sys
from pathlib import Path

import typer

from haven.assess import assess
from haven.cases import read_caseload
from haven.cases.synthetic import synthetic_caseload
from haven.cli import render
from haven.cli.common import out, pack_option, parse_date
from haven.errors import InputError, Problem
from haven.impact import compare
from haven.reports.impact_html import render_html

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
        output.write_text(lines, encoding="utf-8")
        out.print(f"wrote {n} synthetic cases to {output}")
    else:
        sys.stdout.write(lines)


def demo(
    out_dir: Path = typer.Option(Path("out"), "--out", help="Where to write the demo files"),
) -> None:
    """A tour: the Russian LGBTI policy change of September 2015, on one case and a caseload."""
    pack = pack_option("nl")
    out_dir.mkdir(parents=True, exist_ok=True)
    out.rule("[bold]Haven demo[/]: decision support, not decisions")
    out.print(
        f"Policy pack [bold]{pack.meta.id}[/] version {pack.version}: {len(pack.entries)} dated "
        f"entries, {len(pack.sources)} sources, countries {', '.join(pack.countries()[:12])}…\n"
    )
    rows = [e for e in pack.for_country("RU") if e.group == "ru-lgbti"]
    out.print(render.entries(rows, pack, "Russia: what applied when (haven policy timeline RU)"))
    case_file = out_dir / "ru-moscow-2015.json"
    case_file.write_text(json.dumps(EXAMPLE, indent=2), encoding="utf-8")
    case = read_caseload(case_file)[0]
    for day in ("2015-06-01", "2015-10-01"):
        out.rule(f"haven assess {case_file} --as-of {day} --format table")
        out.print(render.assessment(assess(case, parse_date(day, "--as-of"), pack), pack))
    caseload_file = out_dir / "demo-caseload.jsonl"
    caseload_file.write_text(
        "".join(json.dumps(c) + "\n" for c in synthetic_caseload(500, seed=2015)), encoding="utf-8"
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
    report.write_text(render_html(result), encoding="utf-8")
    out.print(f"\nWrote {case_file}, {caseload_file} (synthetic) and {report}.")
    out.print("Next: [bold]haven --help[/], [bold]haven policy show RU --as-of 2017-09-01[/].")
