"""`haven policy compare`: two packs side by side, profile by profile, on a date or a period.

The right-hand pack here is tests/packs/eu-mini (a few EUAA conclusions from the dossier's
section 8, with its sources), not the EU pack: compare must work for any two valid packs.
"""

import json
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from haven.policy.compare import Atom, Kind, compare, compare_period, profile_name
from haven.policy.loader import load_pack
from haven.policy.pack import Pack

EU_MINI = str(Path(__file__).parent / "packs" / "eu-mini")
EXAMPLE = str(Path(__file__).parent / "packs" / "example")


@pytest.fixture(scope="module")
def eu() -> Pack:
    return load_pack(EU_MINI)


def kinds(left: Pack, right: Pack, country: str, on: str) -> dict[str, str]:
    return {
        f"{d.topic.value}:{d.profile.name}": d.kind.value
        for d in compare(left, right, country, date.fromisoformat(on))
    }


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "haven", "policy", "compare", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_iranian_divergences_of_the_dossier(pack: Pack, eu: Pack) -> None:
    found = kinds(pack, eu, "IR", "2025-02-01")
    # Dossier 8.6: LGB risk group (minor indications) against SOGIESC highly likely; trans
    # people have no Dutch group since 2019.
    assert found["designation:sogi=bisexual|gay|lesbian"] == "nl_stricter"
    assert found["designation:sogi=intersex|queer|trans"] == "only_eu"
    # 8.7: active apostates a risk group; a convert who does not express it has no NL group.
    assert found["designation:tags=apostate"] == "nl_stricter"
    assert found["designation:tags=christian_convert"] == "only_eu"
    # 8.8: significant critics a risk group; opposition members and HRDs only in the EU pack.
    assert found["designation:tags=political_critic"] == "nl_stricter"
    assert found["designation:tags=human_rights_lawyer|opposition_member"] == "only_eu"
    # 8.5: the pack's 2019 group persecution of house-church members agrees with the EU.
    assert found["designation:tags=evangelising_christian|house_church_member"] == "same"


def test_kinds_are_relative_to_the_first_pack(pack: Pack, eu: Pack) -> None:
    mirror = {
        "nl_stricter": "nl_more_favourable",
        "nl_more_favourable": "nl_stricter",
        "only_nl": "only_eu",
        "only_eu": "only_nl",
        "same": "same",
        "different": "different",
        "unconfirmed": "unconfirmed",
    }
    for country, on in (("IR", "2025-02-01"), ("AF", "2024-03-01"), ("SY", "2025-01-01")):
        forward = kinds(pack, eu, country, on)
        assert kinds(eu, pack, country, on) == {k: mirror[v] for k, v in forward.items()}


def test_iraqi_lgbti_control_pair_is_same_while_both_are_verified(pack: Pack, eu: Pack) -> None:
    assert kinds(pack, eu, "IQ", "2021-06-01") == {
        "designation:sogi=bisexual|gay|intersex|lesbian|queer|trans": "same"
    }
    # After the Dutch reset of 27 May 2024 the NL entry is unconfirmed: shown, not counted, and
    # the row is not a divergence ("only_eu" would claim the Dutch pack is silent).
    for on in (date(2025, 1, 1), date(2025, 2, 1)):
        [row] = compare(pack, eu, "IQ", on)
        assert row.kind is Kind.UNCONFIRMED
        assert row.right.entry is not None and row.right.entry.id == "eu-iq-sogiesc-2024"
    assert row.left.entry is None
    assert [e.id for e, _ in row.left.not_counted] == ["iq-lgbti-group-persecution-2012"]


def test_a_pack_compared_with_itself_is_the_same_everywhere(pack: Pack) -> None:
    for country in pack.countries():
        rows = compare(pack, pack, country, date(2024, 3, 1))
        assert {d.kind for d in rows} <= {Kind.SAME, Kind.UNCONFIRMED}, country
        for d in rows:  # unconfirmed exactly where the pack counts none of its entries
            nothing = d.left.entry is None and bool(d.left.not_counted)
            assert (d.kind is Kind.UNCONFIRMED) == nothing, (country, d.profile.name)


def test_unverified_entries_are_shown_never_counted(pack: Pack, eu: Pack) -> None:
    [bahai] = [
        d for d in compare(pack, eu, "IR", date(2025, 2, 1)) if d.profile.name == "tags=bahai"
    ]
    assert bahai.kind is Kind.UNCONFIRMED  # the EU grade is unverified: not "only nl"
    assert bahai.right.entry is None
    [(entry, why)] = bahai.right.not_counted
    assert entry.id == "eu-ir-bahai-2025" and "unverified" in why


def test_15c_per_region_and_moratorium(pack: Pack, eu: Pack) -> None:
    # Dossier 8.1: NL no 15(c) anywhere from 23 Jan 2024; EU Panjshir at a high level.
    af = kinds(pack, eu, "AF", "2024-03-01")
    assert af["exceptional_situation:region=AF-PAN"] == "nl_stricter"
    assert af["exceptional_situation:everyone"] == "only_nl"
    # 8.9: a Dutch moratorium has no EU counterpart; the EU 2023 draft-evader profile none in NL.
    assert kinds(pack, eu, "SY", "2025-01-01") == {"moratorium:everyone": "only_nl"}
    assert kinds(pack, eu, "SY", "2023-06-01") == {"designation:tags=conscript+sex=male": "only_eu"}


def test_period_windows_follow_the_packs_change_dates(pack: Pack, eu: Pack) -> None:
    rows = compare_period(pack, eu, "IQ", date(2021, 1, 1), date(2025, 6, 1))
    got = [(d.kind.value, [(str(a), str(b)) for a, b in d.windows]) for d in rows]
    assert got == [
        ("same", [("2021-01-01", "2024-05-26")]),
        ("unconfirmed", [("2024-05-27", "2024-11-29")]),
        ("unconfirmed", [("2024-11-30", "2025-06-01")]),
    ]
    # Windows are those the per-day comparison gives, sampled on both sides of each change.
    for d in rows:
        for a, b in d.windows:
            for day in (a, b):
                assert any(
                    x.kind is d.kind and x.profile.atoms == d.profile.atoms
                    for x in compare(pack, eu, "IQ", day)
                )


def test_profile_names() -> None:
    assert profile_name([Atom()]) == "everyone"
    assert profile_name([Atom(tags=("a",)), Atom(tags=("b",))]) == "tags=a|b"
    assert profile_name([Atom(tags=("a",), sex="male"), Atom(sogi="gay")]) == (
        "tags=a+sex=male | sogi=gay"
    )


def test_cli_json_has_both_sides_with_sources() -> None:
    r = run("IR", "--packs", f"nl,{EU_MINI}", "--as-of", "2025-02-01", "--format", "json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert list(doc) == ["as_of", "packs", "divergences", "unranked"]
    assert doc["as_of"] == "2025-02-01" and doc["packs"] == ["nl", "eu-mini"]
    lgb: dict[str, Any] = next(
        d for d in doc["divergences"] if d["profile"] == "sogi=bisexual|gay|lesbian"
    )
    assert lgb["country"] == "IR" and lgb["kind"] == "nl_stricter"
    assert lgb["left"]["entry"] == "ir-lhb-risk-group-2019"
    assert lgb["left"]["values"]["category"] == "risk_group"
    assert lgb["right"]["entry"] == "eu-ir-sogiesc-2025"
    src = lgb["right"]["sources"][0]
    assert src["id"] == "euaa-ir-2025-gn" and src["url"].startswith("https://")
    assert set(src) == {"id", "title", "date", "url"}


def test_cli_period_has_windows_and_table_and_html_render() -> None:
    r = run("IQ", "--packs", f"nl,{EU_MINI}", "--from", "2021-01-01", "--to", "2025-06-01")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["from"] == "2021-01-01" and doc["to"] == "2025-06-01"
    assert doc["divergences"][0]["windows"] == [{"from": "2021-01-01", "to": "2024-05-26"}]
    table = run("IR", "--packs", f"nl,{EU_MINI}", "--as-of", "2025-02-01", "--format", "table")
    assert table.returncode == 0 and "nl_stricter" in table.stdout
    html = run("IR", "--packs", f"nl,{EU_MINI}", "--as-of", "2025-02-01", "--format", "html")
    assert html.returncode == 0 and html.stdout.startswith("<!doctype html>")
    assert (
        "EUAA Country Guidance Iran 2025, guidance note" in html.stdout
        and "Not counted" in html.stdout
    )


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["IR", "--packs", "nl,nosuchpack"], "--packs"),
        (["IR", "--packs", "nl"], "--packs"),
        (["IR", "--packs", f"nl,{EU_MINI}", "--as-of", "2025-13-01"], "--as-of"),
        (
            ["IR", "--packs", f"nl,{EU_MINI}", "--from", "2025-01-01", "--to", "2024-01-01"],
            "--from",
        ),
        (["IR", "--packs", f"nl,{EU_MINI}", "--from", "2025-01-01"], "--to"),
        (["ZZ", "--packs", f"nl,{EU_MINI}"], "COUNTRY"),
        (["AQ", "--packs", f"nl,{EU_MINI}"], "COUNTRY"),
        (
            ["IR", "--packs", f"nl,{EU_MINI}", "--as-of", "2025-01-01", "--to", "2025-02-01"],
            "--as-of",
        ),
    ],
)
def test_cli_bad_input_names_the_option(args: list[str], field: str) -> None:
    r = run(*args)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert field in r.stderr
    assert "Traceback" not in r.stderr


def test_any_two_packs(pack: Pack) -> None:
    example = load_pack(EXAMPLE)
    r = run("AQ", "--packs", f"{EXAMPLE},nl", "--as-of", "2020-01-01")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["packs"] == ["example", "nl"]
    assert {d["kind"] for d in doc["divergences"]} == {"only_nl"}
    assert len(compare(example, pack, "AQ", date(2020, 1, 1))) == 2


def _entry(kind: str, **fields: Any) -> Any:
    from pydantic import TypeAdapter

    from haven.policy.entries import Entry

    base: dict[str, Any] = {
        "id": "x-" + kind.replace("_", "-"),
        "label": "an entry",
        "country": "IR",
        "kind": kind,
    }
    base |= {"valid_from": "2020-01-01", "sources": ["s"]}
    return TypeAdapter(Entry).validate_json(json.dumps(base | fields))


def test_the_favourability_order_per_topic() -> None:
    from haven.policy.compare import kind_of

    def designation(**over: Any) -> Any:
        given = {"category": "group_persecution", "evidentiary_standard": "membership"}
        return _entry("designation", group="g", **(given | {"ground": "refugee"} | over))

    gp = designation()
    subsidiary = designation(ground="subsidiary")
    unknown_ground = designation(ground=None)
    risk = designation(category="risk_group", evidentiary_standard="individual")
    assert kind_of(risk, gp) is Kind.LEFT_STRICTER
    assert kind_of(gp, risk) is Kind.LEFT_MORE_FAVOURABLE
    assert kind_of(subsidiary, gp) is Kind.LEFT_STRICTER
    assert kind_of(unknown_ground, gp) is Kind.SAME
    excluded = _entry("internal_protection", status="excluded")
    allowed = _entry("internal_protection", status="allowed", allowed_regions=["IR-10"])
    elsewhere = _entry("internal_protection", status="allowed", allowed_regions=["IR-11"])
    assert kind_of(allowed, excluded) is Kind.LEFT_STRICTER
    assert kind_of(allowed, elsewhere) is Kind.DIFFERENT
    most = _entry("exceptional_situation", level="most_exceptional")
    less = _entry("exceptional_situation", level="less_exceptional")
    assert kind_of(most, less) is Kind.LEFT_MORE_FAVOURABLE
    stop = _entry("moratorium", decision=True, departure=False)
    both = _entry("moratorium", decision=True, departure=True)
    assert kind_of(stop, stop) is Kind.SAME
    assert kind_of(stop, both) is Kind.DIFFERENT
    assert kind_of(stop, None) is Kind.ONLY_LEFT and kind_of(None, both) is Kind.ONLY_RIGHT
