"""The compare JSON keeps the contract (section 5): every `divergences[].kind` is one of its
five kinds, for every country either shipped pack speaks about, both packs on either side, on
dates across the packs and over a period; rows of Haven's added kinds (`different`,
`unconfirmed`) are in `unranked`, none lost. `haven policy compare RU --packs nl,euaa` gave
`unconfirmed` in `divergences`."""

import json
import subprocess
import sys
from datetime import date
from typing import Any

import pytest

from haven.policy.compare import compare, compare_period
from haven.policy.compare_json import as_of_json, period_json, rows
from haven.policy.loader import load_pack

# Written out, not imported: the contract's list (shared/contract/README.md, section 5).
CONTRACT = {"nl_stricter", "nl_more_favourable", "only_nl", "only_eu", "same"}
ADDED = {"different", "unconfirmed"}
NL, EU = load_pack("nl"), load_pack("euaa")
COUNTRIES = sorted({*NL.countries(), *EU.countries()})
DAYS = [date(2012, 1, 1), date(2015, 10, 1), date(2019, 8, 1), date(2024, 6, 1), date(2025, 6, 1)]


def _check(doc: dict[str, Any], expected_rows: int) -> None:
    assert {d["kind"] for d in doc["divergences"]} <= CONTRACT
    assert {d["kind"] for d in doc["unranked"]} <= ADDED
    assert len(rows(doc)) == expected_rows  # every row of the comparison, once


@pytest.mark.parametrize("country", COUNTRIES)
def test_every_divergence_kind_is_the_contracts(country: str) -> None:
    for left, right in ((NL, EU), (EU, NL)):
        for day in DAYS:
            found = compare(left, right, country, day)
            _check(as_of_json(left, right, day, found), len(found))
        start, end = date(2010, 1, 1), date(2026, 1, 1)
        found = compare_period(left, right, country, start, end)
        _check(period_json(left, right, start, end, found), len(found))


def test_the_rows_keep_the_comparisons_order() -> None:
    day = date(2025, 6, 1)
    for country in COUNTRIES:
        found = compare(NL, EU, country, day)
        doc = as_of_json(NL, EU, day, found)
        assert [(d["topic"], d["profile"]) for d in rows(doc)] == [
            (d.topic.value, d.profile.name) for d in found
        ]


def _run(*args: str) -> str:
    r = subprocess.run(
        [sys.executable, "-m", "haven", "policy", "compare", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert r.returncode == 0, r.stderr
    return r.stdout


def _cli(*args: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(_run(*args, "--format", "json"))
    return doc


def test_the_cli_json_of_the_qa_walk() -> None:
    doc = _cli("RU", "--packs", "nl,euaa", "--as-of", "2025-06-01")
    assert list(doc) == ["as_of", "packs", "divergences", "unranked"]
    assert {d["kind"] for d in doc["divergences"]} <= CONTRACT
    assert {d["kind"] for d in doc["unranked"]} == {"unconfirmed"}
    doc = _cli("RU", "--packs", "euaa,nl", "--from", "2014-01-01", "--to", "2025-06-01")
    assert {d["kind"] for d in doc["divergences"]} <= CONTRACT
    assert doc["unranked"] and all(d["windows"] for d in doc["unranked"])


def test_the_table_and_the_html_show_every_row() -> None:
    args = ("RU", "--packs", "nl,euaa", "--as-of", "2025-06-01")
    doc = _cli(*args)
    table = _run(*args, "--format", "table")
    html = _run(*args, "--format", "html")
    for d in rows(doc):
        assert d["profile"] in html and d["kind"] in html
    assert "unconfirmed" in table and html.count('<td class="kind">') == len(rows(doc))
