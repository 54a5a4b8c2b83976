"""Synthetic caseloads for demos, tests and benchmarks. Every case is fake and marked so.

Ids start with `SYN-`. Distributions (per case, independent unless stated):
- nationality: RU 30 %, IR 15 %, AF 15 %, IQ 10 %, ER 8 %, CN 6 %, SD 6 %, SY 5 %, MA 5 %;
- region: a region of that country where the pack distinguishes regions (RU: 8 % Chechnya,
  25 % Moscow, 12 % St Petersburg, else none; SD: a state for 70 %), else none;
- profile: 45 % claim a sexual orientation or gender identity (gay 40 %, lesbian 25 %,
  bisexual 20 %, trans 10 %, queer 5 %); one country-relevant tag for 35 %;
- sex: male 60 %, female 38 %, other 2 %; birth date uniform 1960–2006;
- credibility: identity and nationality 92 % credible, 5 % open, 3 % not credible; region
  80/15/5; profile 60/25/15;
- incidents: 0–3 (weights 30/40/20/10), each credible 65 %, open 20 %; actor state 35 %;
- procedure: lodged uniform 2012–2024; status pending 35 %, refused 30 %, refused_final 15 %,
  removal_scheduled 10 %, granted 8 %, withdrawn 2 %; refused cases carry 1–3 reasons.
"""

import random
from datetime import date, timedelta
from typing import Any

_COUNTRIES = [
    ("RU", 30),
    ("IR", 15),
    ("AF", 15),
    ("IQ", 10),
    ("ER", 8),
    ("CN", 6),
    ("SD", 6),
    ("SY", 5),
    ("MA", 5),
]
_TAGS = {
    "RU": ["political_critic", "conscript", "domestic_violence"],
    "IR": ["house_church_member", "christian_convert", "bahai", "apostate", "political_critic"],
    "AF": ["hazara", "interpreter_western_forces"],
    "CN": ["uyghur", "xie_jiao", "kazakh", "unregistered_church"],
    "ER": ["conscript", "civil_national_service"],
    "IQ": [],
    "SD": [],
    "SY": ["political_critic"],
    "MA": [],
}
_SUDAN = ["SD-KH", "SD-DN", "SD-DS", "SD-DC", "SD-DW", "SD-GZ", "SD-KN", "SD-RS"]
_REASONS = [
    "discretion_possible",
    "no_state_protection_sought",
    "internal_relocation",
    "late_disclosure",
    "stereotyped_knowledge",
    "insufficient_indications",
    "profile_not_credible",
]
_REFUSED = ("refused", "refused_final", "removal_scheduled")


def _pick(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


def _finding(rng: random.Random, credible: int, open_: int) -> str:
    return _pick(
        rng, [("credible", credible), ("open", open_), ("not_credible", 100 - credible - open_)]
    )


def _day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange((end - start).days + 1))


def synthetic_case(rng: random.Random, n: int) -> dict[str, Any]:
    country = _pick(rng, _COUNTRIES)
    region = None
    if country == "RU":
        region = _pick(rng, [("RU-CE", 8), ("RU-MOW", 25), ("RU-SPE", 12), ("", 55)]) or None
    elif country == "SD" and rng.random() < 0.7:
        region = rng.choice(_SUDAN)
    sogi = (
        [_pick(rng, [("gay", 40), ("lesbian", 25), ("bisexual", 20), ("trans", 10), ("queer", 5)])]
        if rng.random() < 0.45
        else []
    )
    tags = [rng.choice(_TAGS[country])] if _TAGS[country] and rng.random() < 0.35 else []
    sex = _pick(rng, [("male", 60), ("female", 38), ("other", 2)])
    if "domestic_violence" in tags:
        sex = "female"
    lodged = _day(rng, date(2012, 1, 1), date(2024, 12, 31))
    status = _pick(
        rng,
        [
            ("pending", 35),
            ("refused", 30),
            ("refused_final", 15),
            ("removal_scheduled", 10),
            ("granted", 8),
            ("withdrawn", 2),
        ],
    )
    incidents = [
        {
            "date": _day(rng, lodged - timedelta(days=900), lodged - timedelta(days=1)).isoformat(),
            "kind": rng.choice(
                [
                    "threat",
                    "harassment",
                    "discrimination",
                    "extortion",
                    "assault",
                    "sexual_violence",
                    "arrest",
                    "detention",
                    "torture",
                    "prosecution",
                    "other",
                ]
            ),
            "actor": "state" if rng.random() < 0.35 else "non_state",
            "credibility": _finding(rng, 65, 20),
            "sought_protection": rng.choice([True, False, None]),
        }
        for _ in range(int(_pick(rng, [("0", 30), ("1", 40), ("2", 20), ("3", 10)])))
    ]
    decided = None
    reasons: list[str] = []
    if status != "pending":
        decided = min(
            lodged + timedelta(days=rng.randrange(60, 540)), date(2025, 6, 30)
        ).isoformat()
    if status in _REFUSED:
        reasons = rng.sample(_REASONS, rng.randint(1, 3))
    return {
        "id": f"SYN-{n:07d}",
        "nationality": country,
        "region": region,
        "profile": {
            "sogi": sogi,
            "tags": tags,
            "sex": sex,
            "birth_date": _day(rng, date(1960, 1, 1), date(2006, 12, 31)).isoformat(),
        },
        "credibility": {
            "identity": _finding(rng, 92, 5),
            "nationality": _finding(rng, 92, 5),
            "region": _finding(rng, 80, 15),
            "profile": _finding(rng, 60, 25),
        },
        "incidents": incidents,
        "procedure": {
            "lodged": lodged.isoformat(),
            "status": status,
            "decided": decided,
            "reasons": reasons,
        },
    }


def synthetic_caseload(n: int, seed: int) -> list[dict[str, Any]]:
    """The same n and seed always give the same caseload."""
    rng = random.Random(seed)
    return [synthetic_case(rng, i + 1) for i in range(n)]
