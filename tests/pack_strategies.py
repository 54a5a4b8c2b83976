"""Hypothesis strategies for whole policy packs, and cases aimed at them.

A generated pack keeps the shipped pack's sources, groups (which overlap: `lgbti` and
`ru-lgbti`, groups by sex and age) and framework, and draws its entries: every kind, national
and regional scopes, country-specific and country-wide forbidden reasoning, spread over
several entry files whose names sort either way round (`eu.yaml` before or after `ru-x.yaml`).
Entries of one scope never overlap in time (the pack would refuse them).
"""

from datetime import date, timedelta
from typing import Any

from hypothesis import strategies as st

from haven.policy.entries import (
    Designation,
    EntryBase,
    ExceptionalSituation,
    ForbiddenReasoning,
    GuidanceGrade,
    IndividualProfile,
    InternalProtectionEntry,
    Moratorium,
    ProtectionDuty,
    RelocationStatus,
    SafeCountry,
    SituationLevel,
)
from haven.policy.pack import Located, Pack, scope_key
from haven.vocab import Category, FlagCode, Ground, Reason, Standard
from tests.strategies import PACK, unique_subset

REGIONS = {
    "RU": ["RU-CE", "RU-MOW", "RU-SPE", "RU-DA"],
    "IQ": ["IQ-BG", "IQ-AR", "IQ-NI"],
    "SY": ["SY-DI", "SY-HL"],
}
COUNTRIES = sorted(REGIONS)
# Dates entries start and end on; few, so that entries overlap and cases hit the edges.
PIVOTS = [date(2012, 1, 1), date(2014, 1, 1), date(2015, 9, 7), date(2017, 3, 1), date(2020, 6, 1)]
FILES = ["AA.yaml", "eu.yaml", "ru-extra.yaml", "zz.yaml"]
# Entries cite one general-law source that exists on every date (a pack refuses an entry
# citing a document about another country).
SOURCE = next(
    sid
    for sid, s in sorted(PACK.sources.items())
    if not s.countries and s.issued is None and s.applies_from is None
)
# Groups entries name: few and overlapping (lgbti and ru-lgbti test the same profile), plus
# groups by sex, tags and age, so that entries compete for the same case.
GROUPS = ["lgbti", "ru-lgbti", "ru-political-critics", "ru-women-domestic-violence",
          "ru-conscripts-18-27"]  # fmt: skip


@st.composite
def _scope(draw: st.DrawFn, *, country_wide: bool = False) -> dict[str, Any]:
    country = None if country_wide else draw(st.sampled_from(COUNTRIES))
    regions: list[str] = []
    except_regions: list[str] = []
    if country is not None:
        shape = draw(st.sampled_from(["national", "regional", "regional", "except"]))
        if shape == "regional":
            regions = draw(
                st.lists(st.sampled_from(REGIONS[country]), unique=True, min_size=1, max_size=2)
            )
        elif shape == "except":
            except_regions = [draw(st.sampled_from(REGIONS[country]))]
    start = draw(st.sampled_from(PIVOTS[:-1]))
    later = [p for p in PIVOTS if p > start]
    end = draw(st.one_of(st.none(), st.sampled_from(later)))
    scope: dict[str, Any] = {
        "country": country,
        "regions": tuple(regions),
        "except_regions": tuple(except_regions),
        "valid_from": start,
        "valid_to": end,
        "sources": (SOURCE,),
        "verified": draw(st.sampled_from([True, True, True, False])),
    }
    if scope["verified"] and draw(st.integers(0, 5)) == 0:
        last = end or date(2027, 1, 1)
        middle = start + timedelta(days=(last - start).days // 2)
        scope["unconfirmed_from"] = {
            "date": middle,
            "sources": (SOURCE,),
            "note": "Nobody has confirmed it since the reset.",
        }
    # The optional fields of graded, versioned guidance (EU pack): a review flag changes what
    # the engines do (the entry is not applied from its date), the others are carried along.
    if scope["verified"] and draw(st.integers(0, 4)) == 0:
        last = end or date(2027, 1, 1)
        scope["review_flag"] = {
            "date": start + timedelta(days=max(1, (last - start).days // 3)),
            "date_precision": draw(st.sampled_from(["day", "month"])),
            "date_verified": draw(st.booleans()),
            "sources": (SOURCE,),
            "note": "The issuer marks the version under review.",
        }
    if draw(st.booleans()):
        scope["version"] = f"XX-{start.year}-{start.month:02d}"
        scope["date_precision"] = draw(st.sampled_from(["day", "month"]))
        scope["eu_grade"] = draw(st.sampled_from([g.value for g in GuidanceGrade]))
        if draw(st.booleans()):
            scope["carried_from"] = "XX-2010"
    return scope


def _entry(kind: type[EntryBase], n: int, label: str, fields: dict[str, Any]) -> EntryBase:
    fields = {k: v for k, v in fields.items() if v is not None or k == "ground"}
    return kind.model_validate(
        {"id": f"{label}-{n}", "label": f"generated {label}", **fields}, strict=False
    )


@st.composite
def entries(draw: st.DrawFn, n: int) -> EntryBase:
    # Ids start with a letter drawn at random, so the id tie-break is exercised both ways.
    prefix = draw(st.sampled_from("abyz"))
    kind = draw(st.sampled_from(["designation", "duty", "ipa", "safe", "moratorium", "situation",
                                 "forbidden", "forbidden", "profile"]))  # fmt: skip
    if kind == "profile":
        return _entry(IndividualProfile, n, prefix + "prof", {
            **draw(_scope()),
            "kind": "individual_profile",
            "group": draw(st.sampled_from(GROUPS)),
        })  # fmt: skip
    if kind == "designation":
        return _entry(Designation, n, prefix + "des", {
            **draw(_scope()),
            "kind": "designation",
            "group": draw(st.sampled_from(GROUPS)),
            "category": draw(st.sampled_from(list(Category))).value,
            "evidentiary_standard": draw(st.sampled_from(list(Standard))).value,
            "ground": draw(st.one_of(st.none(), st.sampled_from([g.value for g in Ground]))),
        })  # fmt: skip
    if kind == "duty":
        return _entry(ProtectionDuty, n, prefix + "duty", {
            **draw(_scope()),
            "kind": "protection_duty",
            "group": draw(st.one_of(st.none(), st.sampled_from(GROUPS))),
            "required": draw(st.sampled_from([False, False, True])),
        })  # fmt: skip
    if kind == "ipa":
        scope = draw(_scope())
        excluded = draw(st.booleans())
        return _entry(InternalProtectionEntry, n, prefix + "ipa", {
            **scope,
            "kind": "internal_protection",
            "group": draw(st.one_of(st.none(), st.sampled_from(GROUPS))),
            "status": (RelocationStatus.EXCLUDED if excluded else RelocationStatus.ALLOWED).value,
            "allowed_regions": () if excluded else (REGIONS[scope["country"]][1],),
        })  # fmt: skip
    if kind == "safe":
        scope = {**draw(_scope()), "regions": (), "except_regions": ()}
        return _entry(SafeCountry, n, prefix + "safe", {
            **scope,
            "kind": "safe_country",
            "exception_groups": tuple(draw(unique_subset(GROUPS, max_size=2))),
            "exception_regions": tuple(
                draw(unique_subset(REGIONS[scope["country"]], max_size=1))
            ),
            "suspended": draw(st.sampled_from([False, False, True])),
        })  # fmt: skip
    if kind == "moratorium":
        decision = draw(st.booleans())
        return _entry(Moratorium, n, prefix + "mor", {
            **draw(_scope()),
            "kind": "moratorium",
            "group": draw(st.one_of(st.none(), st.sampled_from(GROUPS))),
            "decision": decision,
            "departure": draw(st.booleans()) if decision else True,
            "except_lodged_more_than_months": draw(st.one_of(st.none(), st.integers(1, 24))),
        })  # fmt: skip
    if kind == "situation":
        level = draw(st.sampled_from(list(SituationLevel)))
        elements = None
        if level is SituationLevel.LESS_EXCEPTIONAL:
            elements = draw(st.one_of(st.none(), st.sampled_from(["low", "high"])))
        return _entry(ExceptionalSituation, n, prefix + "sit", {
            **draw(_scope()),
            "kind": "exceptional_situation",
            "level": level.value,
            "individual_elements": elements,
        })  # fmt: skip
    return _entry(ForbiddenReasoning, n, prefix + "fr", {
        **draw(_scope(country_wide=draw(st.booleans()))),
        "kind": "forbidden_reasoning",
        "group": draw(st.one_of(st.none(), st.sampled_from(GROUPS))),
        # Few reasons, so that entries for one reason compete.
        "reason": draw(st.sampled_from([Reason.LATE_DISCLOSURE, Reason.INTERNAL_RELOCATION])).value,
        "flag": draw(st.sampled_from([FlagCode.STEREOTYPED_ASSESSMENT, FlagCode.LATE_DISCLOSURE_ALONE,
                                      FlagCode.IPA_EXCLUDED_BY_POLICY])).value,
        "message": "A generated guardrail for the agreement test.",
    })  # fmt: skip


@st.composite
def packs(draw: st.DrawFn) -> Pack:
    drawn = draw(st.lists(entries(0), min_size=3, max_size=16))
    located: list[Located] = []
    scopes: set[tuple[object, ...]] = set()
    ids: set[str] = set()
    for i, e in enumerate(drawn):
        e = e.model_copy(update={"id": f"{e.id.rsplit('-', 1)[0]}-{i}"})
        key = scope_key(e)
        if key in scopes or e.id in ids:  # one entry per scope: entries may not overlap
            continue
        scopes.add(key)
        ids.add(e.id)
        located.append(Located(file=draw(st.sampled_from(FILES)), index=i, entry=e))
    located.sort(key=lambda loc: loc.file)  # as the loader reads them: file by file
    return Pack(
        PACK.meta,
        list(PACK.sources.values()),
        list(PACK.tags.values()),
        list(PACK.groups.values()),
        list(PACK.rules.values()),
        located,
        checks=list(PACK.checks.values()),
        flags=list(PACK.flags.values()),
        steps=list(PACK.steps.values()),
    )
