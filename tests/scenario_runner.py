"""Scenario tests written as data (tests/scenarios/*.yaml), for legal experts to extend.

Format (see tests/scenarios/README.md):

    bases:                      # named case templates
      ru-gay-moscow: {id: ..., nationality: RU, ...}
    scenarios:
      - name: ...
        case: {base: ru-gay-moscow, region: RU-CE}   # overrides merge into the base
        covers: [entry-id, ...]  # entries this case falls under
        checks:
          - as_of: 2015-09-06
            expect: {recommendation: ..., designation.category: ..., flags: [...]}

`evidence: [finding-id, ...]` expects exactly those country-report findings to be cited by the
trace's `evidence` steps (a finding in force that contradicts the policy applied).
`rules: [rule-id, ...]` expects steps under those framework rules (e.g. `forward_looking_risk`,
`facts_as_of`).

For every check the runner also asserts issue 14's rule on citations: no step, flag,
designation or safe-country finding cites a document dated after the as-of date (or legislation
not applying on it), nor one about another country than the case's.

For every covered entry and every check the runner also asserts the citation rule: an entry in
force and verified on the date is cited by some step; an entry out of force is not; an entry in
force but unverified is listed under `unverified` and cited by no step as applied.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from haven.assess import Assessment, assess
from haven.cases.readers import parse_case
from haven.policy.pack import Pack

SCENARIO_DIR = Path(__file__).parent / "scenarios"


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


def load_checks() -> list[Check]:
    checks = []
    for file in sorted(SCENARIO_DIR.glob("*.yaml")):
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
    return checks


def lookup(doc: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if doc is None:
            return None
        doc = doc[int(part)] if isinstance(doc, list) else doc.get(part)
    return doc


def run(check: Check, pack: Pack) -> list[str]:
    """Every mismatch, in words; empty when the check passes."""
    case = parse_case(json.dumps(check.case, default=str))
    result = assess(case, check.as_of, pack)
    doc = json.loads(result.model_dump_json())
    cited = {e for s in result.steps for e in s.entries}
    errors = []
    for key, want in check.expect.items():
        if key == "flags":
            got: Any = sorted(f["code"] for f in doc["flags"])
            want = sorted(want)
        elif key == "cites":
            missing = sorted(set(want) - cited)
            if missing:
                errors.append(f"steps do not cite {missing}")
            continue
        elif key == "not_cites":
            extra = sorted(set(want) & cited)
            if extra:
                errors.append(f"steps cite {extra}")
            continue
        elif key == "rules":
            # The trace has steps under these rules (e.g. forward_looking_risk, facts_as_of).
            missing = sorted(set(want) - {s.rule for s in result.steps})
            if missing:
                errors.append(f"no step under rule {missing}")
            continue
        elif key == "evidence":
            texts = [s.finding for s in result.steps if s.rule == "evidence"]
            got = sorted(f for f in pack.findings if any(f"finding {f} (" in t for t in texts))
            want = sorted(want)
        else:
            got = lookup(doc, key)
            if isinstance(want, date):
                want = want.isoformat()
        if got != want:
            errors.append(f"{key}: expected {want!r}, got {got!r}")
    errors += later_or_foreign(result, case.nationality, check.as_of, pack)
    for entry_id in check.covers:
        if entry_id not in pack.entries:
            errors.append(f"covers unknown entry {entry_id!r}")
            continue
        e = pack.entries[entry_id]
        if not e.in_force(check.as_of):
            if entry_id in cited:
                errors.append(f"{entry_id} is not in force on {check.as_of} but is cited")
        elif e.verified_on(check.as_of):
            if entry_id not in cited:
                errors.append(f"{entry_id} is in force on {check.as_of} but no step cites it")
        elif entry_id not in result.unverified:
            errors.append(f"{entry_id} is unverified on {check.as_of} but not listed as such")
    return errors


def later_or_foreign(result: Assessment, country: str, as_of: date, pack: Pack) -> list[str]:
    """Issue 14: every source a step or flag rests on existed on the as-of date (signed or
    published by then, and for legislation applying then) and is general law or concerns the
    case's country. Checked for every scenario."""
    errors = []
    cited = [(s.rule, s.sources) for s in result.steps]
    cited += [(f"flag {f.code.value}", f.sources) for f in result.flags]
    if result.designation is not None:
        cited.append(("designation", result.designation.sources))
    cited.append(("safe_country_of_origin", result.safe_country_of_origin.sources))
    for where, ids in cited:
        for sid in ids:
            src = pack.sources[sid]
            if src.later_than(as_of) or src.superseded_on(as_of):
                errors.append(f"{where} cites {sid}, dated {src.issued}, not in force on {as_of}")
            if not src.concerns(country):
                errors.append(f"{where} cites {sid}, which concerns {list(src.countries)}")
    return errors
