"""Hypothesis strategies: valid contract cases (as JSON-ready dicts), as-of dates, and garbage."""

from datetime import date, timedelta
from typing import Any

import pycountry
from hypothesis import strategies as st

from haven.packs import DEFAULT_PACK
from haven.policy.entries import InternalProtectionEntry, SafeCountry
from haven.policy.loader import load_pack
from haven.vocab import Actor, Finding, IncidentKind, Reason, Sex, Sogi, Status

PACK = load_pack(DEFAULT_PACK)

# Regions the pack or the contract mentions, so that regional rules are hit often.
FIXED_REGIONS = [
    "RU-CE",
    "RU-MOW",
    "RU-SPE",
    "RU-DA",
    "RU-IN",
    "SD-KH",
    "SD-DW",
    "SD-DN",
    "SD-DS",
    "SD-DC",
    "SD-GZ",
    "SD-KN",
    "SD-KS",
    "SD-GK",
    "IQ-BG",
    "IQ-AR",
    "IQ-NI",
    "SY-DI",
    "SY-HL",
    "AF-KAB",
    "AF-BAM",
    "CN-XJ",
    "CN-BJ",
    "GE-AB",
    "UA-43",
]


def _pack_regions() -> set[str]:
    found: set[str] = set()
    for e in PACK.entries.values():
        found.update(e.regions, e.except_regions)
        if isinstance(e, InternalProtectionEntry):
            found.update(e.allowed_regions)
        if isinstance(e, SafeCountry):
            found.update(e.exception_regions)
    return found


def _iso_regions(country: str) -> list[str]:
    found = pycountry.subdivisions.get(country_code=country)  # type: ignore[no-untyped-call]
    return sorted(str(s.code) for s in found or [])


NATIONALITIES = sorted({*PACK.countries(), "MA", "NL", "SY", "TR", "NG", "XK"})
_KNOWN = {*FIXED_REGIONS, *_pack_regions()}
FAVOURED_REGIONS = {
    c: sorted(r for r in _KNOWN if r.startswith(c + "-") and r in _iso_regions(c))
    for c in NATIONALITIES
}
ALL_REGIONS = {c: _iso_regions(c) for c in NATIONALITIES}

MIN_DAY = date(2010, 1, 1)
MAX_DAY = date(2027, 12, 31)
BOUNDARIES = PACK.boundaries()
EDGE_DAYS = sorted({*BOUNDARIES, *(d - timedelta(days=1) for d in BOUNDARIES)})

# Weighted towards `credible`, so that group rules get to apply.
findings = st.one_of(st.just(Finding.CREDIBLE.value), st.sampled_from([f.value for f in Finding]))
# Countries with country policy in the pack, drawn more often than the others.
POLICY_COUNTRIES = ["RU", "IQ", "IR", "AF", "CN", "ER", "SD", "SY"]


def _country_tags(country: str) -> list[str]:
    """Tags that some group of the country's entries tests, so that designations get hit."""
    found: set[str] = set()
    for e in PACK.for_country(country):
        group = PACK.groups.get(e.group or "")
        if group is not None:
            found.update(group.tags_any, group.tags_all)
    return sorted(found)


COUNTRY_TAGS = {c: _country_tags(c) for c in NATIONALITIES}
days = st.dates(MIN_DAY, MAX_DAY)


def unique_subset(values: list[str], max_size: int | None = None) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from(values), unique=True, max_size=max_size or len(values))


def as_of_dates() -> st.SearchStrategy[date]:
    return st.one_of(days, st.sampled_from(EDGE_DAYS))


@st.composite
def regions(draw: st.DrawFn, country: str) -> str | None:
    options: list[st.SearchStrategy[str | None]] = [st.none()]
    if FAVOURED_REGIONS[country]:
        options.append(st.sampled_from(FAVOURED_REGIONS[country]))
    if ALL_REGIONS[country]:
        options.append(st.sampled_from(ALL_REGIONS[country]))
    region: str | None = draw(st.one_of(*options))
    return region


def incidents() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {
            "date": st.one_of(st.none(), st.dates(date(2000, 1, 1), MAX_DAY).map(str)),
            "kind": st.sampled_from([k.value for k in IncidentKind]),
            "actor": st.sampled_from([a.value for a in Actor]),
            "credibility": findings,
            "sought_protection": st.one_of(st.none(), st.booleans()),
        }
    )


@st.composite
def procedures(draw: st.DrawFn) -> dict[str, Any]:
    lodged = draw(st.dates(MIN_DAY, date(2026, 12, 31)))
    decided = draw(st.one_of(st.none(), st.dates(lodged, MAX_DAY)))
    return {
        "lodged": str(lodged),
        "status": draw(st.sampled_from([s.value for s in Status])),
        "decided": None if decided is None else str(decided),
        "reasons": draw(unique_subset([r.value for r in Reason])),
    }


@st.composite
def cases(draw: st.DrawFn) -> dict[str, Any]:
    """A case that satisfies the contract (and uses only the pack's tag vocabulary)."""
    nationality = draw(st.one_of(st.sampled_from(POLICY_COUNTRIES), st.sampled_from(NATIONALITIES)))
    birth = draw(st.one_of(st.none(), st.dates(date(1940, 1, 1), date(2020, 12, 31))))
    tag_pool = COUNTRY_TAGS[nationality] or sorted(PACK.tags)
    tags = draw(
        st.one_of(unique_subset(tag_pool, max_size=2), unique_subset(sorted(PACK.tags), max_size=4))
    )
    return {
        # Any text but NUL, which a case reference cannot hold (haven.cases.model).
        "id": draw(
            st.text(
                st.characters(codec="utf-8", exclude_characters="\x00"),
                min_size=1,
                max_size=30,
            )
        ),
        "nationality": nationality,
        "region": draw(regions(nationality)),
        "profile": {
            "sogi": draw(st.one_of(st.just([]), unique_subset([s.value for s in Sogi]))),
            "tags": tags,
            "sex": draw(st.one_of(st.none(), st.sampled_from([s.value for s in Sex]))),
            "birth_date": None if birth is None else str(birth),
        },
        "credibility": {
            "identity": draw(findings),
            "nationality": draw(findings),
            "region": draw(findings),
            "profile": draw(findings),
        },
        "incidents": draw(st.lists(incidents(), max_size=4)),
        "procedure": draw(procedures()),
    }


SCOPED_ENTRIES = sorted(
    (e for e in PACK.entries.values() if e.country is not None), key=lambda e: e.id
)


@st.composite
def targeted(draw: st.DrawFn) -> tuple[dict[str, Any], date]:
    """A case inside one entry's scope (country, region, group), on a date near its interval."""
    e = draw(st.sampled_from(SCOPED_ENTRIES))
    assert e.country is not None
    raw = draw(cases())
    raw["nationality"] = e.country
    raw["region"] = draw(st.sampled_from(e.regions)) if e.regions else draw(regions(e.country))
    group = PACK.groups.get(e.group or "")
    if group is not None:
        profile = raw["profile"]
        if group.sogi_any:
            profile["sogi"] = draw(unique_subset([s.value for s in group.sogi_any], max_size=2))
        tags = set(profile["tags"]) | set(group.tags_all)
        if group.tags_any:
            tags.add(draw(st.sampled_from(group.tags_any)))
        profile["tags"] = sorted(tags)
        if group.sex is not None:
            profile["sex"] = group.sex.value
    if draw(st.booleans()):
        raw["credibility"] = dict.fromkeys(raw["credibility"], Finding.CREDIBLE.value)
    edges = [e.valid_from, e.valid_to, e.unconfirmed_from.date if e.unconfirmed_from else None]
    own_edges = sorted({d + timedelta(days=k) for d in edges if d for k in (-1, 0)})
    end = e.valid_to or MAX_DAY
    as_of = draw(
        st.one_of(
            st.dates(max(MIN_DAY, e.valid_from), min(MAX_DAY, end)),
            st.sampled_from(own_edges),
        )
    )
    if group is not None and (group.age_min is not None or group.age_max is not None):
        age = draw(st.integers((group.age_min or 0) - 1, (group.age_max or 100) + 1))
        born = date(as_of.year - age, 1, 1) - timedelta(days=draw(st.integers(0, 364)))
        raw["profile"]["birth_date"] = str(born)
    return raw, as_of


def cases_and_dates() -> st.SearchStrategy[tuple[dict[str, Any], date]]:
    """Random cases on random dates, and cases aimed at one pack entry's scope."""
    return st.one_of(st.tuples(cases(), as_of_dates()), targeted())


# -- garbage -------------------------------------------------------------------------------

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    st.sampled_from(["RU", "RU-CE", "2015-13-01", "2015-03-02", "credible", "gay", "[", "{"]),
)

json_values = st.recursive(
    json_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(
            st.one_of(
                st.text(max_size=10),
                st.sampled_from(["id", "nationality", "region", "profile", "procedure"]),
            ),
            children,
            max_size=5,
        ),
    ),
    max_leaves=25,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*prefix, i))
    return out


@st.composite
def near_miss_cases(draw: st.DrawFn) -> Any:
    """A valid case with one value, anywhere in it, replaced by garbage (or removed)."""
    case = draw(cases())
    path = draw(st.sampled_from(_paths(case)))
    if not path:
        return draw(json_values)
    parent: Any = case
    for part in path[:-1]:
        parent = parent[part]
    if isinstance(parent, dict) and draw(st.booleans()):
        del parent[path[-1]]
    else:
        parent[path[-1]] = draw(json_values)
    return case
