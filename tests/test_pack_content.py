"""The shipped `nl` pack: sourced, dated, valid against its published JSON Schema, and complete."""

import copy
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from haven.policy.entries import Designation, SafeCountry
from haven.policy.loader import PACKS_DIR
from haven.policy.pack import Pack
from haven.policy.schema import file_schema

ROOT = PACKS_DIR / "nl"
ENTRY_FILES = sorted((ROOT / "entries").glob("*.yaml"))
SINGLE_FILES = ["pack.yaml", "sources.yaml", "groups.yaml", "framework.yaml"]
COUNTRIES = ["RU", "IQ", "IR", "AF", "CN", "ER", "SD", "SY"]


def as_json(value: Any) -> Any:
    """YAML dates become ISO strings, as in JSON."""
    if isinstance(value, dict):
        return {str(k): as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def read(file: Path) -> Any:
    return as_json(yaml.safe_load(file.read_text(encoding="utf-8")))


def validator(name: str) -> jsonschema.protocols.Validator:
    schema = file_schema(name)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def _flat(found: Iterable[jsonschema.ValidationError]) -> Iterator[str]:
    for e in found:
        yield f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        yield from _flat(e.context or [])


def errors(name: str, data: Any, deep: bool = False) -> list[str]:
    """Validation errors; with `deep`, also those of every branch of a union (oneOf)."""
    found = list(validator(name).iter_errors(data))
    if deep:
        return list(_flat(found))
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in found]


# -- sources -------------------------------------------------------------------------------


def test_every_entry_cites_a_known_source(pack: Pack) -> None:
    bad = []
    for e in pack.entries.values():
        if not e.sources:
            bad.append(f"{e.id}: no sources")
        cited = list(e.sources) + list(e.unconfirmed_from.sources if e.unconfirmed_from else ())
        bad += [f"{e.id}: unknown source {s}" for s in cited if s not in pack.sources]
    assert not bad, "\n".join(bad)


def test_every_source_has_an_http_url(pack: Pack) -> None:
    bad = [s.id for s in pack.sources.values() if not s.url.startswith(("http://", "https://"))]
    assert not bad


def test_every_framework_rule_cites_known_sources(pack: Pack) -> None:
    bad = []
    for rule in pack.rules.values():
        if not rule.sources:
            bad.append(f"{rule.id}: no sources")
        bad += [f"{rule.id}: unknown source {s}" for s in rule.sources if s not in pack.sources]
    assert not bad, "\n".join(bad)


def test_every_group_tag_is_in_the_vocabulary(pack: Pack) -> None:
    bad = [
        f"{g.id}: {t}"
        for g in pack.groups.values()
        for t in (*g.tags_any, *g.tags_all)
        if t not in pack.tags
    ]
    assert not bad


def test_contract_minimum_tag_vocabulary(pack: Pack) -> None:
    minimum = {
        "uyghur",
        "hazara",
        "house_church_member",
        "christian_convert",
        "political_critic",
        "conscript",
    }
    assert minimum <= set(pack.tags)


# -- dates ---------------------------------------------------------------------------------


def test_entries_with_dates_say_which_governs_and_why(pack: Pack) -> None:
    dated = [e for e in pack.entries.values() if e.dates is not None]
    assert dated, "the pack should record source dates for at least some entries"
    bad = []
    for e in dated:
        assert e.dates is not None
        governing = getattr(e.dates, e.dates.governs.value)
        if governing is None:
            bad.append(f"{e.id}: governs {e.dates.governs.value} but that date is not given")
        elif governing != e.valid_from:
            bad.append(f"{e.id}: valid_from {e.valid_from} is not the governing {governing}")
        if len(e.dates.why.strip()) < 10:
            bad.append(f"{e.id}: no reason why that date governs")
    assert not bad, "\n".join(bad)


def test_validity_intervals_are_well_formed(pack: Pack) -> None:
    for e in pack.entries.values():
        if e.valid_to is not None:
            assert e.valid_from < e.valid_to, e.id
        if e.unconfirmed_from is not None:
            assert e.in_force(e.unconfirmed_from.date), e.id


# -- JSON Schema ---------------------------------------------------------------------------


@pytest.mark.parametrize("file", ENTRY_FILES, ids=[f.name for f in ENTRY_FILES])
def test_entry_file_validates_against_the_schema(file: Path) -> None:
    assert errors("entries/*.yaml", read(file)) == []


@pytest.mark.parametrize("name", SINGLE_FILES)
def test_pack_file_validates_against_the_schema(name: str) -> None:
    assert errors(name, read(ROOT / name)) == []


def _an_entry() -> dict[str, Any]:
    data = read(ROOT / "entries" / "RU.yaml")
    found = [e for e in data["entries"] if e["id"] == "ru-critics-risk-group-2017"]
    return copy.deepcopy(found[0])


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "ruling"}, "kind"),
        ({"valid_untill": "2021-06-23"}, "valid_untill"),
        ({"category": "favoured"}, "category"),
        ({"valid_from": "2015-13-01"}, "valid_from"),
        ({"sources": []}, "sources"),
        ({"id": "Not An Id"}, "id"),
    ],
)
def test_schema_rejects_a_bad_entry(change: dict[str, Any], field: str) -> None:
    bad = _an_entry() | change
    found = errors("entries/*.yaml", {"entries": [bad]}, deep=True)
    assert found, f"schema accepted an entry with {change}"
    assert any(f"entries/0/{field}:" in e or repr(field) in e for e in found), found
    assert errors("entries/*.yaml", {"entries": [_an_entry()]}) == []


def test_schema_rejects_an_entry_without_sources() -> None:
    bad = _an_entry()
    del bad["sources"]
    assert errors("entries/*.yaml", {"entries": [bad]})


def test_schema_rejects_a_source_without_url() -> None:
    data = read(ROOT / "sources.yaml")
    del data["sources"][0]["url"]
    assert errors("sources.yaml", data)


# -- coverage ------------------------------------------------------------------------------


@pytest.mark.parametrize("country", COUNTRIES)
def test_pack_covers_country(pack: Pack, country: str) -> None:
    assert country in pack.countries()
    assert pack.for_country(country)


def test_pack_has_country_policy_designations(pack: Pack) -> None:
    designated = {e.country for e in pack.entries.values() if isinstance(e, Designation)}
    assert {"RU", "IQ", "IR", "AF", "CN", "ER"} <= designated


def test_safe_countries_list(pack: Pack) -> None:
    safe = {e.country: e for e in pack.entries.values() if isinstance(e, SafeCountry)}
    assert len(safe) >= 30
    for country in ("MA", "SN"):
        assert country in safe, f"{country} is not on the safe-countries list"
        assert "lgbti" in safe[country].exception_groups
    assert "lgbti" in pack.groups
    for c in COUNTRIES:
        assert c not in safe, f"{c} should not be a safe country of origin"
