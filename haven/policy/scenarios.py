"""A pack's own tests: scenarios written as data in `<pack>/scenarios/*.yaml`, for legal
experts to extend (run by `haven policy test`; the checking is haven.assess.scenarios).

This module reads files (like the pack loader); what it returns is plain data.

Format:

    bases:                      # named case templates
      ru-gay-moscow: {id: ..., nationality: RU, ...}
    scenarios:
      - name: ...
        case: {base: ru-gay-moscow, region: RU-CE}   # overrides merge into the base
        covers: [entry-id, ...]  # entries this case falls under
        checks:
          - as_of: 2015-09-06
            expect: {recommendation: ..., designation.category: ..., flags: [...]}

`expect` keys are dotted paths into the assessment (`designation.category`), or `flags` (the
flag codes, any order), `cites` / `not_cites` (entry ids some step cites or none does), and
`evidence` (exactly the country-report findings the trace's `evidence` steps cite), and
`rules` (framework rules some step falls under, e.g. `forward_looking_risk`, `facts_as_of`).

For every check, no step, flag, designation or safe-country finding may cite a document dated
after the as-of date (or legislation not applying on it), nor one about another country than
the case's (issue 14).

For every covered entry and every check the citation rule holds too: an entry in force and
verified on the date is cited by some step; an entry out of force is not; an entry in force
but unverified is listed under `unverified` and cited by no step as applied.
"""

import copy
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from haven.errors import PolicyError, Problem

SCENARIOS = "scenarios"  # the directory of a pack that holds its scenarios


@dataclass(frozen=True)
class Check:
    file: str
    name: str
    case: dict[str, Any]
    covers: tuple[str, ...]
    as_of: date
    expect: dict[str, Any]

    @property
    def id(self) -> str:
        return f"{self.file}::{self.name}@{self.as_of}"


def merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def load_checks(directory: Path) -> list[Check]:
    """Every check of every scenario file in a directory, in file order."""
    checks = []
    for file in sorted(directory.glob("*.yaml")):
        try:
            doc = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
            bases = doc.get("bases", {})
            for sc in doc.get("scenarios", []):
                raw = dict(sc["case"])
                base_name = raw.pop("base", None)
                case = merge(bases[base_name], raw) if base_name else raw
                for ch in sc["checks"]:
                    checks.append(
                        Check(
                            file.name,
                            sc["name"],
                            case,
                            tuple(sc.get("covers", ())),
                            ch["as_of"],
                            ch.get("expect", {}),
                        )
                    )
        except (yaml.YAMLError, KeyError, TypeError, AttributeError) as e:
            what = f"missing key {e}" if isinstance(e, KeyError) else str(e).splitlines()[0]
            raise PolicyError(
                [Problem(f"{SCENARIOS}/{file.name}", f"not a scenario file: {what}")]
            ) from None
    return checks
