"""`haven policy ...`: what applied when, with sources, and where it contradicts the evidence."""

import json

import typer

from haven.assess.scenarios import coverage_gaps, far_from_edges
from haven.assess.scenarios import run as run_check
from haven.cli import render
from haven.cli.common import Format, err, only, out, pack_option, parse_date, print_json
from haven.clock import today
from haven.codes import check_country
from haven.errors import InputError, Problem
from haven.impact.agreement import check_pack
from haven.packs import DEFAULT_PACK
from haven.policy import checks, scenarios
from haven.policy.entries import EntryBase
from haven.policy.in_force import entries_on
from haven.policy.loader import resolve
from haven.policy.pack import Pack
from haven.policy.schema import pack_schema
from haven.policy.snapshot import Citation
from haven.policy.texts import mismatched, missing, unknown

app = typer.Typer(
    help="Inspect policy packs: entries as of a date, timelines, sources, schema.",
    no_args_is_help=True,
)


def _country(value: str) -> str:
    code = value.upper()
    try:
        return check_country(code)
    except ValueError as e:
        raise InputError([Problem("COUNTRY", str(e))]) from None


def _entry_json(e: EntryBase, pack: Pack, cited: Citation | None = None) -> dict[str, object]:
    """The entry with its sources in full; as of a date (`cited`), only the documents that
    existed then, later ones under `later_sources` (as in an assessment)."""
    doc = e.model_dump(mode="json", exclude_none=True)
    doc["sources"] = [_source(pack, s) for s in (cited.sources if cited else e.sources)]
    if cited is not None:
        doc["later_sources"] = [_source(pack, s) for s in cited.later]
    return doc


def _source(pack: Pack, sid: str) -> dict[str, object]:
    return pack.sources[sid].model_dump(mode="json", exclude_none=True)


@app.command("show")
def show(
    country: str = typer.Argument(..., help="ISO 3166-1 alpha-2, e.g. RU"),
    as_of: str | None = typer.Option(None, "--as-of", help="YYYY-MM-DD; default: today"),
    pack: str = typer.Option(DEFAULT_PACK, "--pack"),
    fmt: Format = typer.Option(Format.TABLE, "--format", help="table or json"),
) -> None:
    """Entries in force for a country on a date (plus the EU guardrails that bind every case)."""
    only(fmt, (Format.TABLE, Format.JSON))
    code = _country(country)
    day = parse_date(as_of, "--as-of", default=today())
    policy = pack_option(pack)
    rows = entries_on(policy, code, day)
    if fmt is Format.JSON:
        print_json(
            {
                "country": code,
                "as_of": day.isoformat(),
                "policy": {"pack": policy.meta.id, "version": policy.version},
                "entries": [
                    {
                        **_entry_json(r.entry, policy, r.cited),
                        "verified_on_date": r.entry.verified_on(day),
                    }
                    for r in rows
                ],
            }
        )
        return
    out.print(
        render.entries(
            [r.entry for r in rows],
            policy,
            f"{code} policy in force on {day} (pack {policy.meta.id} {policy.version})",
            on=(day, [r.cited for r in rows]),
        )
    )


@app.command("timeline")
def timeline(
    country: str = typer.Argument(..., help="ISO 3166-1 alpha-2, e.g. RU"),
    group: str | None = typer.Option(None, "--group", help="Only entries for this group id"),
    pack: str = typer.Option(DEFAULT_PACK, "--pack"),
    fmt: Format = typer.Option(Format.TABLE, "--format", help="table or json"),
) -> None:
    """Every dated entry for a country, in order: what applied when, and on whose authority."""
    only(fmt, (Format.TABLE, Format.JSON))
    code = _country(country)
    policy = pack_option(pack)
    if group is not None and group not in policy.groups:
        raise InputError(
            [
                Problem(
                    "--group", f"unknown group {group!r}; known: {', '.join(sorted(policy.groups))}"
                )
            ]
        )
    rows = [e for e in policy.for_country(code) if group is None or e.group == group]
    found = sorted(
        (f for f in policy.findings.values() if f.country == code and group in (None, f.group)),
        key=lambda f: (f.date, f.id),
    )
    reports = [policy.reports[r] for r in dict.fromkeys(f.report for f in found)]
    spans = [w for w in checks.windows(policy, code) if group in (None, w.contradiction.group)]
    if fmt is Format.JSON:
        print_json(
            {
                "country": code,
                "group": group,
                "policy": {"pack": policy.meta.id, "version": policy.version},
                "entries": [_entry_json(e, policy) for e in rows],
                "reports": [r.model_dump(mode="json", exclude_none=True) for r in reports],
                "findings": [
                    {
                        **f.model_dump(mode="json"),
                        "until": str(end) if (end := policy.finding_end(f)) else None,
                    }
                    for f in found
                ],
                "contradictions": [w.as_json() for w in spans],
            }
        )
        return
    suffix = f" for {group}" if group else ""
    if not rows:
        out.print(
            f"The pack has no entries for {code}" + (f" and group {group}." if group else ".")
        )
    else:
        out.print(render.entries(rows, policy, f"{code} policy timeline{suffix}"))
    if found:
        out.print(render.findings(found, policy, f"{code} country-report findings{suffix}"))
    if spans:
        out.print(
            render.windows(spans, f"{code} contradictions between policy and evidence{suffix}")
        )


@app.command("sources")
def sources(
    pack: str = typer.Option(DEFAULT_PACK, "--pack"),
    fmt: Format = typer.Option(Format.TABLE, "--format", help="table or json"),
) -> None:
    """The sources registry: every document the pack cites."""
    only(fmt, (Format.TABLE, Format.JSON))
    policy = pack_option(pack)
    if fmt is Format.JSON:
        print_json([s.model_dump(mode="json", exclude_none=True) for s in policy.sources.values()])
        return
    from rich.table import Table

    t = Table(title=f"{len(policy.sources)} sources", show_lines=True)
    for col in ("id", "kind", "date", "title", "url"):
        t.add_column(col)
    for s in policy.sources.values():
        t.add_row(s.id, s.kind.value, str(s.published or s.signed or "—"), s.title, s.url)
    out.print(t)


@app.command("validate")
def validate(
    pack: str = typer.Argument(DEFAULT_PACK, help="Pack name or directory"),
    agreement: bool = typer.Option(
        True,
        "--agreement/--no-agreement",
        help="Also check that both engines agree on cases generated from the pack",
    ),
) -> None:
    """Load a pack and check it: schema, references, overlaps (exit 2 with every problem
    found), and that the explaining and columnar engines agree on it (exit 1 if not)."""
    policy = pack_option(pack)
    unverified = [e.id for e in policy.entries.values() if not e.verified]
    unconfirmed = [e.id for e in policy.entries.values() if e.unconfirmed_from]
    cited = {
        s
        for e in policy.entries.values()
        for s in (
            *e.sources,
            *(e.unconfirmed_from.sources if e.unconfirmed_from else ()),
            *(e.review_flag.sources if e.review_flag else ()),
        )
    }
    cited |= {s for r in policy.rules.values() for s in r.sources}
    cited |= {s for w in policy.legal_weight for s in w.sources}
    cited |= {s for f in policy.findings.values() for s in (f.report, *f.sources)}
    cited |= {s for b in policy.checks.values() for s in b.sources}
    cited |= {s for f in policy.flags.values() for s in f.sources}
    unused = sorted(set(policy.sources) - cited)
    out.print(
        f"pack {policy.meta.id} {policy.version}: {len(policy.entries)} entries, "
        f"{len(policy.countries())} countries, {len(policy.sources)} sources, "
        f"{len(policy.groups)} groups; {len(unverified)} unverified, "
        f"{len(unconfirmed)} unconfirmed after a reset. OK"
    )
    if unused:
        out.print(f"note: sources cited by no entry or rule: {', '.join(unused)}")
    for lang, texts in sorted(policy.texts.items()):
        for p in unknown(texts, policy.ids(), f"i18n/{lang}.yaml"):
            out.print(f"note: {p.where}: {p.message} (unused)", markup=False)
        english = {k: f.text for k, f in policy.step_findings.items()}
        for p in mismatched(texts, english, f"i18n/{lang}.yaml"):
            out.print(f"note: {p.where}: {p.message}", markup=False)
        # Untranslated texts fall back to English: a gap to fill, not an error.
        for kind, ids in missing(texts, policy.ids()).items():
            out.print(
                f"note: {len(ids)} {kind} without a '{lang}' text (i18n/{lang}.yaml): "
                f"{', '.join(ids)}",
                markup=False,
            )
    if agreement:
        _agreement(policy)


def _agreement(policy: Pack) -> None:
    found = check_pack(policy, max_days=AGREEMENT_DAYS)
    if not found:
        out.print(
            f"engines agree: explaining and columnar engines give the same summary fields, "
            f"flags and applied entries on cases aimed at every entry ({AGREEMENT_DAYS} dates)."
        )
        return
    for d in found[:5]:
        err.print(f"engines disagree: {d}")
    more = f" (and {len(found) - 5} more)" if len(found) > 5 else ""
    err.print(
        f"{len(found)} generated cases get different answers from the two engines{more}: "
        f"a defect in Haven, not in the pack; please report it with this output."
    )
    raise typer.Exit(1)


@app.command("test")
def test(pack: str = typer.Argument(DEFAULT_PACK, help="Pack name or directory")) -> None:
    """Run the pack's own scenarios (<pack>/scenarios/*.yaml): every check's expected fields,
    the citation rule, and coverage of every entry on both sides of its dates. Exit 1 naming
    the check and the field that differed."""
    policy = pack_option(pack)
    found = scenarios.load_checks(resolve(pack) / scenarios.SCENARIOS)
    if not found:
        err.print(f"{scenarios.SCENARIOS}/: no scenario checks in pack {policy.meta.id}")
        raise typer.Exit(1)
    failures = [f"{c.id}: {e}" for c in found for e in run_check(c, policy)]
    failures += [f"coverage: {g}" for g in coverage_gaps(found, policy)]
    failures += [f"coverage: {g}" for g in far_from_edges(found, policy)]
    for line in failures:
        err.print(line, markup=False)
    if failures:
        err.print(f"{len(failures)} of the scenario checks of pack {policy.meta.id} fail")
        raise typer.Exit(1)
    files = len({c.file for c in found})
    out.print(
        f"{len(found)} scenario checks of pack {policy.meta.id} pass ({files} files); every "
        f"entry is checked on both sides of its dates."
    )


# Dates for the agreement check: compiling the columnar plan for a date is most of its cost.
AGREEMENT_DAYS = 12


@app.command("check")
def check(
    country: str | None = typer.Argument(None, help="ISO 3166-1 alpha-2; default: every country"),
    as_of: str | None = typer.Option(None, "--as-of", help="YYYY-MM-DD; default: today"),
    pack: str = typer.Option(DEFAULT_PACK, "--pack", help="Pack name or directory"),
    fmt: Format = typer.Option(Format.JSON, "--format", help="json or table"),
) -> None:
    """Contradictions between the pack and the country-report findings in force on a date."""
    only(fmt, (Format.JSON, Format.TABLE))
    code = _country(country) if country is not None else None
    day = parse_date(as_of, "--as-of", default=today())
    policy = pack_option(pack)
    found = checks.check(policy, code, day)
    if fmt is Format.JSON:
        print_json({"as_of": day.isoformat(), "contradictions": [c.as_json() for c in found]})
        return
    where = code or "every country"
    if not found:
        out.print(f"No contradictions between policy and evidence for {where} on {day}.")
        return
    out.print(render.contradictions(found, f"{where}: policy against evidence on {day}"))


@app.command("schema")
def schema() -> None:
    """Print the JSON Schema of the pack format."""
    typer.echo(json.dumps(pack_schema(), indent=2))
