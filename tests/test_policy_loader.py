"""load_pack on broken packs: every error is a PolicyError naming the file, the entry and the field.

Each test copies the shipped `nl` pack to a fresh directory and breaks one thing. load_pack is
cached by its path string, so every test uses its own tmp_path.
"""

import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from haven.errors import PolicyError
from haven.policy import loader
from haven.policy.loader import PACKS_DIR, load_pack
from haven.policy.pack import Pack

SHIPPED = PACKS_DIR / "nl"

Entries = list[dict[str, Any]]


class _NoAliasDumper(yaml.SafeDumper):
    """Write every value in full, so one edited entry never changes another."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def copy_pack(tmp_path: Path) -> Path:
    root = tmp_path / "nl"
    shutil.copytree(SHIPPED, root)
    return root


def edit_text(root: Path, name: str, old: str, new: str) -> None:
    """Replace the first occurrence of `old` (which must be there) in one pack file."""
    file = root / name
    text = file.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not found in {name}: the shipped pack changed"
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


def edit_yaml(root: Path, name: str, change: Callable[[dict[str, Any]], None]) -> None:
    """Round-trip one pack file through YAML, changing its data in between."""
    file = root / name
    data = yaml.safe_load(file.read_text(encoding="utf-8"))
    change(data)
    file.write_text(
        yaml.dump(data, Dumper=_NoAliasDumper, sort_keys=False, allow_unicode=True),
        encoding="utf-8",
    )


def edit_entries(root: Path, name: str, change: Callable[[Entries], None]) -> None:
    edit_yaml(root, f"entries/{name}", lambda data: change(data["entries"]))


def entry(entries: Entries, entry_id: str) -> dict[str, Any]:
    found = [e for e in entries if e.get("id") == entry_id]
    assert len(found) == 1, f"entry {entry_id!r} not in the shipped pack"
    return found[0]


def load_error(root: Path) -> str:
    with pytest.raises(PolicyError) as info:
        load_pack(str(root))
    return str(info.value)


def assert_names(message: str, *parts: str) -> None:
    missing = [p for p in parts if p not in message]
    assert not missing, f"message does not name {missing}:\n{message}"


# -- broken entries ----------------------------------------------------------------------


def test_unknown_source_id(tmp_path: Path) -> None:
    root = copy_pack(tmp_path)
    edit_entries(
        root,
        "RU.yaml",
        lambda es: entry(es, "ru-critics-risk-group-2017").update(sources=["kst-0000-0000"]),
    )
    assert_names(
        load_error(root),
        "entries/RU.yaml",
        "'ru-critics-risk-group-2017'",
        "sources[0]",
        "kst-0000-0000",
    )


def test_unknown_source_in_unconfirmed_from(tmp_path: Path) -> None:
    root = copy_pack(tmp_path)

    def change(es: Entries) -> None:
        e = entry(es, "ru-critics-risk-group-2021")
        e["unconfirmed_from"] = {**e["unconfirmed_from"], "sources": ["no-such-source"]}

    edit_entries(root, "RU.yaml", change)
    assert_names(
        load_error(root),
        "entries/RU.yaml",
        "'ru-critics-risk-group-2021'",
        "unconfirmed_from",
        "no-such-source",
    )


def test_unknown_group(tmp_path: Path) -> None:
    root = copy_pack(tmp_path)
    edit_entries(
        root,
        "RU.yaml",
        lambda es: entry(es, "ru-critics-risk-group-2017").update(group="ru-nobody"),
    )
    assert_names(
        load_error(root), "entries/RU.yaml", "'ru-critics-risk-group-2017'", "group", "ru-nobody"
    )


def test_unknown_exception_group(tmp_path: Path) -> None:
    root = copy_pack(tmp_path)
    edit_entries(
        root,
        "safe-countries.yaml",
        lambda es: entry(es, "safe-ma-2016").update(exception_groups=["lgbtq"]),
    )
    assert_names(
        load_error(root),
        "entries/safe-countries.yaml",
        "'safe-ma-2016'",
        "exception_groups[0]",
        "lgbtq",
    )


def _write_bad_yaml_date(tmp_path: Path) -> Path:
    """ru-critics-risk-group-2017 gets valid_from 2015-13-01, which looks like a YAML date."""
    root = copy_pack(tmp_path)
    edit_text(
        root,
        "entries/RU.yaml",
        "valid_from: 2017-08-30\n    valid_to: 2021-06-23",
        "valid_from: 2015-13-01\n    valid_to: 2021-06-23",
    )
    return root


def test_bad_date_written_as_a_yaml_date(tmp_path: Path) -> None:
    """Reading it must give a PolicyError (not PyYAML's ValueError) naming file and value."""
    message = load_error(_write_bad_yaml_date(tmp_path))
    assert_names(message, "entries/RU.yaml", "2015-13-01", "valid_from")


def test_bad_date_written_as_a_yaml_date_names_the_entry(tmp_path: Path) -> None:
    message = load_error(_write_bad_yaml_date(tmp_path))
    assert_names(message, "entries/RU.yaml", "'ru-critics-risk-group-2017'", "valid_from")


def test_bad_date_written_as_a_string(tmp_path: Path) -> None:
    root = copy_pack(tmp_path)
    edit_entries(
        root,
        "RU.yaml",
        lambda es: entry(es, "ru-critics-risk-group-2017").update(valid_from="2015-13-01"),
    )
    assert_names(
        load_error(root),
        "entries/RU.yaml",
        "'ru-critics-risk-group-2017'",
        "valid_from",
        "not a date",
    )


def test_valid_to_before_valid_from(tmp_path: Path) -> None:
    root = copy_pack(tmp_path)
    edit_text(root, "entries/RU.yaml", "valid_to: 2021-06-23", "valid_to: 2016-01-01")
    assert_names(
        load_error(root),
        "entries/RU.yaml",
        "'ru-critics-risk-group-2017'",
        "valid_to",
        "2016-01-01",
        "valid_from",
    )


def test_unknown_field(tmp_path: Path) -> None:
    root = copy_pack(tmp_path)
    edit_entries(
        root,
        "RU.yaml",
        lambda es: entry(es, "ru-critics-risk-group-2017").update(valid_untill="2021-06-23"),
    )
    message = load_error(root)
    assert_names(
        message, "entries/RU.yaml", "'ru-critics-risk-group-2017'", "valid_untill", "unknown field"
    )


def test_missing_sources(tmp_path: Path) -> None:
    root = copy_pack(tmp_path)
    edit_entries(root, "RU.yaml", lambda es: entry(es, "ru-critics-risk-group-2017").pop("sources"))
    assert_names(
        load_error(root),
        "entries/RU.yaml",
        "'ru-critics-risk-group-2017'",
        "sources",
        "required field is missing",
    )


def test_empty_sources(tmp_path: Path) -> None:
    root = copy_pack(tmp_path)
    edit_entries(
        root, "RU.yaml", lambda es: entry(es, "ru-critics-risk-group-2017").update(sources=[])
    )
    assert_names(load_error(root), "entries/RU.yaml", "'ru-critics-risk-group-2017'", "sources")


def test_unknown_kind(tmp_path: Path) -> None:
    root = copy_pack(tmp_path)
    edit_entries(
        root, "RU.yaml", lambda es: entry(es, "ru-critics-risk-group-2017").update(kind="ruling")
    )
    assert_names(
        load_error(root), "entries/RU.yaml", "'ru-critics-risk-group-2017'", "kind", "ruling"
    )


def test_region_of_another_country(tmp_path: Path) -> None:
    root = copy_pack(tmp_path)
    edit_entries(
        root,
        "RU.yaml",
        lambda es: entry(es, "ru-ce-lgbti-group-persecution-2017").update(regions=["SD-KH"]),
    )
    assert_names(
        load_error(root),
        "entries/RU.yaml",
        "'ru-ce-lgbti-group-persecution-2017'",
        "regions",
        "SD-KH",
    )


def test_region_that_does_not_exist(tmp_path: Path) -> None:
    root = copy_pack(tmp_path)
    edit_entries(
        root,
        "RU.yaml",
        lambda es: entry(es, "ru-ce-lgbti-group-persecution-2017").update(regions=["RU-XX"]),
    )
    assert_names(
        load_error(root),
        "entries/RU.yaml",
        "'ru-ce-lgbti-group-persecution-2017'",
        "regions[0]",
        "RU-XX",
    )


@pytest.mark.parametrize("day", ["2010-01-01", "2017-08-30", "2021-06-23", "2022-01-01"])
def test_unconfirmed_from_outside_the_validity_interval(tmp_path: Path, day: str) -> None:
    """ru-critics-risk-group-2017 runs from 2017-08-30 to (exclusive) 2021-06-23."""
    root = copy_pack(tmp_path)

    def change(es: Entries) -> None:
        entry(es, "ru-critics-risk-group-2017")["unconfirmed_from"] = {
            "date": day,
            "sources": ["kst-19637-3118"],
            "note": "Unconfirmed after a policy reset (test).",
        }

    edit_entries(root, "RU.yaml", change)
    assert_names(
        load_error(root), "entries/RU.yaml", "'ru-critics-risk-group-2017'", "unconfirmed_from"
    )


def test_unquoted_no_country_code(tmp_path: Path) -> None:
    root = copy_pack(tmp_path)
    edit_text(root, "entries/safe-countries.yaml", 'country: "NO"', "country: NO")
    message = load_error(root)
    assert_names(message, "entries/safe-countries.yaml", "'safe-no-2015'", "country", "quote")


def test_dates_governs_a_date_that_is_not_given(tmp_path: Path) -> None:
    root = copy_pack(tmp_path)

    def change(es: Entries) -> None:
        e = entry(es, "ru-lgbti-risk-group-2015")
        e["dates"] = {**e["dates"], "governs": "in_force"}

    edit_entries(root, "RU.yaml", change)
    assert_names(
        load_error(root), "entries/RU.yaml", "'ru-lgbti-risk-group-2015'", "dates", "in_force"
    )


def test_every_broken_entry_is_reported_not_only_the_first(tmp_path: Path) -> None:
    root = copy_pack(tmp_path)

    def change(es: Entries) -> None:
        entry(es, "ru-critics-risk-group-2017").update(kind="ruling")
        entry(es, "ru-critics-risk-group-2021").pop("sources")

    edit_entries(root, "RU.yaml", change)
    assert_names(load_error(root), "'ru-critics-risk-group-2017'", "'ru-critics-risk-group-2021'")


# -- overlaps ------------------------------------------------------------------------------


def test_overlapping_duplicate_with_the_same_scope(tmp_path: Path) -> None:
    root = copy_pack(tmp_path)

    def change(es: Entries) -> None:
        twin = dict(entry(es, "ru-critics-risk-group-2021"))
        twin.update(id="ru-critics-risk-group-2022", valid_from="2022-01-01")
        es.append(twin)

    edit_entries(root, "RU.yaml", change)
    assert_names(
        load_error(root),
        "entries/RU.yaml",
        "'ru-critics-risk-group-2022'",
        "'ru-critics-risk-group-2021'",
        "valid_from",
        "overlaps",
    )


def test_overlap_across_files_names_both_files(tmp_path: Path) -> None:
    root = copy_pack(tmp_path)
    extra: dict[str, Any] = {}

    def take(es: Entries) -> None:
        extra.update(entry(es, "ru-critics-risk-group-2021"))

    edit_entries(root, "RU.yaml", take)
    extra.pop("unconfirmed_from")
    extra.update(id="ru-critics-again-2024", valid_from="2024-01-01")
    (root / "entries" / "RU-extra.yaml").write_text(
        yaml.dump({"entries": [extra]}, Dumper=_NoAliasDumper, sort_keys=False), encoding="utf-8"
    )
    assert_names(
        load_error(root),
        "entries/RU-extra.yaml",
        "entries/RU.yaml",
        "'ru-critics-again-2024'",
        "'ru-critics-risk-group-2021'",
    )


def test_contradictory_entry_is_rejected(tmp_path: Path) -> None:
    """A protection duty for Russian LGBTI people while the waiver is in force contradicts it."""
    root = copy_pack(tmp_path)

    def change(es: Entries) -> None:
        es.append(
            {
                "id": "ru-lgbti-protection-duty-2016",
                "kind": "protection_duty",
                "label": "Russian LGBTI applicants must have sought police protection",
                "country": "RU",
                "group": "ru-lgbti",
                "required": True,
                "valid_from": "2016-01-01",
                "sources": ["kst-19637-2029"],
            }
        )

    edit_entries(root, "RU.yaml", change)
    assert_names(
        load_error(root),
        "entries/RU.yaml",
        "'ru-lgbti-protection-duty-2016'",
        "'ru-lgbti-protection-duty-waived-2014'",
        "overlaps",
    )


def test_adjacent_entries_do_not_overlap(tmp_path: Path) -> None:
    """valid_to is exclusive: an entry may start on the day the previous one ends."""
    root = copy_pack(tmp_path)
    edit_text(root, "entries/RU.yaml", "valid_to: 2021-06-23", "valid_to: 2021-06-24")
    message = load_error(root)
    assert_names(message, "'ru-critics-risk-group-2021'", "'ru-critics-risk-group-2017'")
    # the shipped pack ends the 2017 entry exactly on the day the 2021 one starts, and loads
    assert load_pack(str(SHIPPED)).entries["ru-critics-risk-group-2017"].valid_to is not None


def test_regional_refinement_is_not_an_overlap(tmp_path: Path) -> None:
    root = copy_pack(tmp_path)

    def change(es: Entries) -> None:
        regional = dict(entry(es, "ru-critics-risk-group-2021"))
        regional.pop("unconfirmed_from")
        regional.update(
            id="ru-ce-critics-group-persecution-2022",
            label="Critics from Chechnya are systematically persecuted (test)",
            regions=["RU-CE"],
            category="group_persecution",
            evidentiary_standard="membership",
            valid_from="2022-01-01",
        )
        es.append(regional)

    edit_entries(root, "RU.yaml", change)
    pack = load_pack(str(root))
    national = pack.entries["ru-critics-risk-group-2021"]
    regional = pack.entries["ru-ce-critics-group-persecution-2022"]
    assert national.group == regional.group == "ru-political-critics"
    assert regional.regions == ("RU-CE",)
    assert national.regions == ()


# -- other files ---------------------------------------------------------------------------


def test_duplicate_yaml_key(tmp_path: Path) -> None:
    root = copy_pack(tmp_path)
    edit_text(
        root,
        "entries/RU.yaml",
        "    category: risk_group\n",
        "    category: risk_group\n    category: group_persecution\n",
    )
    message = load_error(root)
    assert_names(message, "entries/RU.yaml", "duplicate key", "category", "line ")


def test_duplicate_yaml_key_names_the_entry(tmp_path: Path) -> None:
    """The first `category:` in RU.yaml belongs to ru-lgbti-risk-group-2015."""
    root = copy_pack(tmp_path)
    edit_text(
        root,
        "entries/RU.yaml",
        "    category: risk_group\n",
        "    category: risk_group\n    category: group_persecution\n",
    )
    assert_names(load_error(root), "entries/RU.yaml", "ru-lgbti-risk-group-2015", "category")


def test_duplicate_entry_id(tmp_path: Path) -> None:
    root = copy_pack(tmp_path)

    def change(es: Entries) -> None:
        twin = dict(entry(es, "ru-critics-risk-group-2017"))
        twin.update(country="IR", group="ir-critics")
        es.append(twin)

    edit_entries(root, "RU.yaml", change)
    assert_names(load_error(root), "ru-critics-risk-group-2017", "duplicate id")


def test_malformed_yaml(tmp_path: Path) -> None:
    root = copy_pack(tmp_path)
    edit_text(root, "entries/IQ.yaml", "entries:\n", "entries:\n  - [unclosed\n")
    assert_names(load_error(root), "entries/IQ.yaml", "line ")


def test_entry_file_without_entries_list(tmp_path: Path) -> None:
    root = copy_pack(tmp_path)
    (root / "entries" / "empty.yaml").write_text("entries: {}\n", encoding="utf-8")
    assert_names(load_error(root), "entries/empty.yaml", "entries")


def test_source_without_url(tmp_path: Path) -> None:
    root = copy_pack(tmp_path)
    edit_yaml(root, "sources.yaml", lambda data: data["sources"][0].pop("url"))
    first = yaml.safe_load((SHIPPED / "sources.yaml").read_text(encoding="utf-8"))["sources"][0]
    assert_names(load_error(root), "sources.yaml", f"'{first['id']}'", "url", "missing")


def test_source_with_a_url_that_is_not_http(tmp_path: Path) -> None:
    root = copy_pack(tmp_path)
    edit_yaml(root, "sources.yaml", lambda data: data["sources"][0].update(url="kst-19637-1563"))
    assert_names(load_error(root), "sources.yaml", "sources[0]", "url")


def test_missing_framework_rule(tmp_path: Path) -> None:
    root = copy_pack(tmp_path)
    edit_yaml(
        root,
        "framework.yaml",
        lambda data: data.update(rules=[r for r in data["rules"] if r["id"] != "past_harm"]),
    )
    assert_names(load_error(root), "framework.yaml", "missing rules", "past_harm")


def test_framework_rule_citing_an_unknown_source(tmp_path: Path) -> None:
    root = copy_pack(tmp_path)
    edit_yaml(root, "framework.yaml", lambda data: data["rules"][0].update(sources=["nope"]))
    assert_names(load_error(root), "framework.yaml", "credibility_gate", "sources[0]", "nope")


def test_framework_rule_citing_a_country_document(tmp_path: Path) -> None:
    """Issue 14: framework rules cite general law, never one country's letter or ruling."""
    root = copy_pack(tmp_path)
    edit_yaml(
        root, "framework.yaml", lambda data: data["rules"][0].update(sources=["rvs-2017-morocco"])
    )
    assert_names(
        load_error(root), "framework.yaml", "credibility_gate", "sources[0]", "concerns MA"
    )


def test_entry_citing_a_document_about_another_country(tmp_path: Path) -> None:
    root = copy_pack(tmp_path)
    edit_text(root, "entries/RU.yaml", "sources: [kst-19637-2029", "sources: [kst-19637-1563")
    assert_names(load_error(root), "RU.yaml", "kst-19637-1563", "concerns IQ, not RU")


def test_group_with_unknown_tag(tmp_path: Path) -> None:
    root = copy_pack(tmp_path)

    def change(data: dict[str, Any]) -> None:
        g = next(g for g in data["groups"] if g["id"] == "ru-political-critics")
        g["tags_any"] = ["politcal_critic"]

    edit_yaml(root, "groups.yaml", change)
    assert_names(load_error(root), "groups.yaml", "ru-political-critics", "politcal_critic")


def test_missing_pack_file(tmp_path: Path) -> None:
    root = copy_pack(tmp_path)
    (root / "groups.yaml").unlink()
    assert_names(load_error(root), "groups.yaml", "missing")


def test_no_such_pack() -> None:
    with pytest.raises(PolicyError, match="no-such-pack"):
        load_pack("no-such-pack")


# -- positive ------------------------------------------------------------------------------


def test_shipped_pack_loads(pack: Pack) -> None:
    assert pack.meta.id == "nl"
    assert pack.entries
    assert pack.sources
    assert len(pack.version) == 16


def test_same_data_same_version(tmp_path: Path, pack: Pack) -> None:
    a = load_pack(str(copy_pack(tmp_path / "a")))
    b = load_pack(str(copy_pack(tmp_path / "b")))
    assert a is not b
    assert a.version == b.version == pack.version


def test_formatting_only_change_keeps_the_version(tmp_path: Path, pack: Pack) -> None:
    root = copy_pack(tmp_path)
    edit_entries(root, "RU.yaml", lambda es: None)  # re-serialised: comments and anchors gone
    assert load_pack(str(root)).version == pack.version


def test_changing_one_label_changes_the_version(tmp_path: Path, pack: Pack) -> None:
    root = copy_pack(tmp_path)
    edit_entries(
        root,
        "RU.yaml",
        lambda es: entry(es, "ru-critics-risk-group-2017").update(label="A different label"),
    )
    changed = load_pack(str(root))
    assert changed.entries["ru-critics-risk-group-2017"].label == "A different label"
    assert changed.version != pack.version


# -- sources dated by month only ---------------------------------------------------------


def test_month_only_report_is_not_a_basis_inside_its_month() -> None:
    """The August 2015 country report counts from 31 August 2015, the first day it surely
    existed: an assessment as of a day earlier in August does not rest on it."""
    pack = load_pack(str(SHIPPED))
    report = pack.sources["ambtsbericht-ru-2015"]
    assert report.issued == date(2015, 8, 31)
    assert report.later_than(date(2015, 8, 15)) and not report.later_than(date(2015, 8, 31))


def test_known_from_beside_a_full_date_is_refused(tmp_path: Path) -> None:
    root = copy_pack(tmp_path)
    edit_text(
        root,
        "sources.yaml",
        "    known_from: 2015-08-31",
        "    known_from: 2015-08-31\n    published: 2015-08-20",
    )
    assert_names(load_error(root), "ambtsbericht-ru-2015", "known_from")


def test_libyaml_reads_every_shipped_file_as_the_pure_python_loader_does() -> None:
    """Packs are read with libyaml when PyYAML has it (fast); errors are re-read with the
    pure-Python loader. Both must give the same data for every shipped file."""
    files = sorted(PACKS_DIR.rglob("*.yaml"))
    assert files
    for file in files:
        text = file.read_text(encoding="utf-8")
        fast = yaml.load(text, Loader=loader._FastLoader)
        assert fast == yaml.load(text, Loader=loader._StrictLoader), file


def test_a_missing_flag_text_is_named(tmp_path: Path) -> None:
    """The meaning of every flag a step can raise, with its law, is the pack's (issue 18)."""
    root = copy_pack(tmp_path)
    edit_yaml(
        root,
        "framework.yaml",
        lambda data: data.update(flags=[f for f in data["flags"] if f["id"] != "projective_test"]),
    )
    assert_names(load_error(root), "framework.yaml: flags", "missing flag texts", "projective_test")


def test_a_pack_without_flags_is_refused_naming_them(tmp_path: Path) -> None:
    root = copy_pack(tmp_path)
    edit_yaml(root, "framework.yaml", lambda data: data.pop("flags"))
    assert_names(load_error(root), "framework.yaml", "'flags'")


def test_a_flag_cites_known_sources(tmp_path: Path) -> None:
    root = copy_pack(tmp_path)
    edit_yaml(root, "framework.yaml", lambda data: data["flags"][0].update(sources=["nope"]))
    assert_names(load_error(root), "framework.yaml: flag 'discretion_reasoning'", "nope")


def test_flag_texts_come_from_the_pack_in_its_languages() -> None:
    from haven.reports import plain

    pack = load_pack()
    with_law = plain.flag_text("projective_test", "en", pack)
    assert with_law == pack.flags["projective_test"].text
    assert (
        plain.flag_text("projective_test", "nl", pack) == pack.texts["nl"].flags["projective_test"]
    )
    # without a pack: Haven's own words, citing no law
    assert plain.flag_text("projective_test", "en") != with_law


def test_past_harm_without_incident_kinds_fails_naming_them(tmp_path: Path) -> None:
    """Which incident kinds are serious harm is law (QD art. 4(4)): the pack says, not code."""
    root = copy_pack(tmp_path)

    def drop(data: dict[str, Any]) -> None:
        for r in data["rules"]:
            r.pop("incident_kinds", None)

    edit_yaml(root, "framework.yaml", drop)
    assert_names(load_error(root), "framework.yaml", "past_harm", "incident_kinds")


def test_a_missing_step_title_is_named(tmp_path: Path) -> None:
    """Every step the engine produces has its heading in the pack (issues 15 and 18)."""
    root = copy_pack(tmp_path)
    edit_yaml(
        root,
        "framework.yaml",
        lambda data: data.update(steps=[s for s in data["steps"] if s["id"] != "past_harm"]),
    )
    assert_names(load_error(root), "framework.yaml: steps", "missing step titles", "past_harm")


def test_a_pack_without_step_titles_is_refused_naming_them(tmp_path: Path) -> None:
    root = copy_pack(tmp_path)
    edit_yaml(root, "framework.yaml", lambda data: data.pop("steps"))
    assert_names(load_error(root), "framework.yaml", "'steps'")


def test_a_step_title_twice_is_named(tmp_path: Path) -> None:
    root = copy_pack(tmp_path)
    edit_yaml(root, "framework.yaml", lambda data: data["steps"].append(data["steps"][0]))
    assert_names(load_error(root), "framework.yaml: steps", "credibility_gate")


def test_a_step_title_for_no_step_is_refused(tmp_path: Path) -> None:
    root = copy_pack(tmp_path)
    edit_yaml(
        root, "framework.yaml", lambda data: data["steps"].append({"id": "nope", "title": "Nope"})
    )
    assert_names(load_error(root), "framework.yaml: steps", "nope")


def test_step_titles_come_from_the_pack_in_its_languages() -> None:
    from haven.reports import plain

    pack = load_pack()
    title = plain.step_title("internal_protection", "en", pack)
    assert title == pack.steps["internal_protection"].title
    dutch = pack.texts["nl"].steps["internal_protection"]
    assert plain.step_title("internal_protection", "nl", pack) == dutch
    # a guardrail step: the pack's heading and the reason checked
    assert plain.step_title("guardrails.internal_relocation", "nl", pack) == (
        f"{pack.texts['nl'].steps['guardrails']}: kan zich elders in het land vestigen"
    )
    # without a pack: Haven's own words, citing no law
    assert "15(c)" in plain.step_title("exceptional_situation", "en", pack)
    assert "15(c)" not in plain.step_title("exceptional_situation", "en")
    # a step the pack does not know (a newer engine) keeps Haven's words
    assert plain.step_title("a_future_rule", "nl", pack) == "a_future_rule"
