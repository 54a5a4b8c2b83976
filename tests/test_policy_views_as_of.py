"""As of a date, only that date: every as-of policy view (the entries in force, the evidence
check, the comparison of two packs) cites in `sources` only documents that existed on the date,
and lists those published after it in `later_sources`, as an assessment does. Exhaustive over
the shipped packs and the dates on which something changes (entry boundaries, the day a
document appears, and the day before each). The timeline, over all dates, is unaffected.

Found by a QA walk: `haven policy check --as-of 2015-10-01` cited a 2016 and a 2024 letter,
`haven policy show IQ --as-of 2013-06-01` WBV 2014/16 and WBV 2021/1."""

import json
import subprocess
import sys
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from functools import cache
from itertools import permutations
from typing import Any

import pytest

from haven.policy import checks
from haven.policy.compare import compare
from haven.policy.compare_json import as_of_json
from haven.policy.in_force import entries_on
from haven.policy.loader import load_pack, shipped
from haven.policy.pack import Pack

HAVEN = [sys.executable, "-m", "haven"]


@cache
def _pack(name: str) -> Pack:
    return load_pack(name)


def dates(pack: Pack) -> list[date]:
    """Every day on which an as-of view can change, and the day before it."""
    days = set(pack.boundaries())
    days |= {s.issued for s in pack.sources.values() if s.issued is not None}
    days |= {s.applies_from for s in pack.sources.values() if s.applies_from is not None}
    return sorted(days | {d - timedelta(days=1) for d in days})


def _checked(
    pack: Pack, on: date, where: str, sources: Iterable[str], later: Iterable[str]
) -> None:
    sources, later = list(sources), list(later)
    for sid in sources:
        src = pack.sources[sid]
        assert not src.later_than(on), f"{where} cites {sid} ({src.issued}) as of {on}"
    for sid in later:
        assert pack.sources[sid].later_than(on), f"{where}: {sid} in later_sources as of {on}"
        assert sid not in sources, f"{where}: {sid} in both"


def _sides(doc: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(where, pack id, the side or an entry it does not count)."""
    for d in doc["divergences"]:
        for name in ("left", "right"):
            side = d[name]
            yield f"{d['profile']} {name} {side['entry']}", side["pack"], side
            for n in side["not_counted"]:
                yield f"{d['profile']} {name} not counted {n['entry']}", side["pack"], n


@pytest.mark.parametrize("name", shipped())
def test_no_as_of_view_cites_a_document_published_after_its_date(name: str) -> None:
    pack = _pack(name)
    countries = pack.countries()
    for on in dates(pack):
        for code in countries:
            for row in entries_on(pack, code, on):
                cited = row.cited
                # Nothing lost but superseded legislation, nothing added.
                kept = {s for s in row.entry.sources if not pack.sources[s].superseded_on(on)}
                assert kept <= {*cited.sources, *cited.later} <= set(row.entry.sources)
                _checked(pack, on, f"entry {row.entry.id}", cited.sources, cited.later)
        for c in checks.check(pack, None, on):
            doc: dict[str, Any] = c.as_json()
            _checked(pack, on, f"{c.kind.value} {c.entry}", doc["sources"], doc["later_sources"])


def test_no_comparison_side_cites_a_document_published_after_its_date() -> None:
    for a, b in permutations(shipped(), 2):
        left, right = _pack(a), _pack(b)
        days = sorted(set(dates(left)) | set(dates(right)))
        for code in sorted(set(left.countries()) | set(right.countries())):
            for on in days:
                doc = as_of_json(left, right, on, compare(left, right, code, on))
                for where, pid, side in _sides(doc):
                    _checked(
                        left if pid == a else right,
                        on,
                        where,
                        (s["id"] for s in side["sources"]),
                        (s["id"] for s in side["later_sources"]),
                    )


def test_the_iraqi_designation_as_of_2013_cites_the_2012_letter_and_sets_the_rest_apart() -> None:
    pack = _pack("nl")
    (row,) = [
        r
        for r in entries_on(pack, "IQ", date(2013, 6, 1))
        if r.entry.id == "iq-lgbti-group-persecution-2012"
    ]
    assert "kst-19637-1563" in row.cited.sources
    assert row.cited.later == ["stcrt-2014-11803", "stcrt-2021-1570"]


def test_the_timeline_keeps_every_source() -> None:
    """Over all dates a contradiction's window cites all its documents, none set apart."""
    pack = _pack("nl")
    found: list[dict[str, Any]] = [w.as_json() for w in checks.windows(pack, "RU")]
    assert found and all("later_sources" not in w for w in found)
    assert any("kst-19637-3241" in w["sources"] for w in found)


def haven(*args: str) -> Any:
    r = subprocess.run([*HAVEN, *args], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


@pytest.mark.parametrize(
    ("day", "later"),
    [
        ("2013-06-01", {"stcrt-2014-11803", "stcrt-2021-1570"}),
        ("2015-10-01", {"kst-19637-2235", "kst-19637-3241"}),
        ("2018-01-01", {"kst-19637-3241"}),
        ("2022-01-01", {"kst-19637-3241"}),
    ],
)
def test_policy_check_cli_cites_nothing_later(day: str, later: set[str]) -> None:
    doc = haven("policy", "check", "--as-of", day, "--format", "json")
    cited = {s for c in doc["contradictions"] for s in c["sources"]}
    set_apart = {s for c in doc["contradictions"] for s in c["later_sources"]}
    assert not later & cited, later & cited
    assert later <= set_apart


def test_policy_show_cli_sets_later_documents_apart() -> None:
    doc = haven("policy", "show", "IQ", "--as-of", "2013-06-01", "--format", "json")
    (entry,) = [e for e in doc["entries"] if e["id"] == "iq-lgbti-group-persecution-2012"]
    assert [s["id"] for s in entry["later_sources"]] == ["stcrt-2014-11803", "stcrt-2021-1570"]
    assert "kst-19637-1563" in [s["id"] for s in entry["sources"]]
    assert {"stcrt-2014-11803", "stcrt-2021-1570"}.isdisjoint(s["id"] for s in entry["sources"])
    # The timeline is over all dates: every source, none set apart.
    doc = haven("policy", "timeline", "IQ", "--format", "json")
    (entry,) = [e for e in doc["entries"] if e["id"] == "iq-lgbti-group-persecution-2012"]
    assert "stcrt-2021-1570" in [s["id"] for s in entry["sources"]]
    assert "later_sources" not in entry
