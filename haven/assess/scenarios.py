"""Run a pack's scenarios (haven.policy.scenarios) against the explaining engine."""

import json
from datetime import date, timedelta
from typing import Any

from haven.assess.engine import assess
from haven.assess.model import Assessment
from haven.cases.readers import parse_case
from haven.policy.pack import Pack
from haven.policy.scenarios import Check


def lookup(doc: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if doc is None:
            return None
        doc = doc[int(part)] if isinstance(doc, list) else doc.get(part)
    return doc


def run(check: Check, pack: Pack) -> list[str]:
    """Every mismatch, in words naming the field that differed; empty when the check passes."""
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
    """Every source a step or flag rests on existed on the as-of date (signed or published by
    then, and for legislation applying then) and is general law or concerns the case's country.
    Checked for every scenario."""
    errors = []
    cited = [(str(s.rule), s.sources) for s in result.steps]
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


def coverage_gaps(checks: list[Check], pack: Pack) -> list[str]:
    """Entries not checked on both sides of each of their dates (start, end, unconfirmed)."""
    dates_by_entry: dict[str, set[date]] = {}
    for c in checks:
        for entry_id in c.covers:
            dates_by_entry.setdefault(entry_id, set()).add(c.as_of)
    gaps = []
    for e in sorted(pack.entries.values(), key=lambda e: e.id):
        seen = dates_by_entry.get(e.id, set())
        edges = [e.valid_from]
        if e.valid_to:
            edges.append(e.valid_to)
        edges += e.doubt_dates()
        for edge in edges:
            if not any(d < edge for d in seen):
                gaps.append(f"{e.id}: no check before {edge}")
            if not any(d >= edge for d in seen):
                gaps.append(f"{e.id}: no check on or after {edge}")
    return gaps


def far_from_edges(checks: list[Check], pack: Pack) -> list[str]:
    """A check 'before' an entry starts should be near it, or it proves little about the edge."""
    far = []
    for e in sorted(pack.entries.values(), key=lambda e: e.id):
        dates = sorted({c.as_of for c in checks if e.id in c.covers})
        before = [d for d in dates if d < e.valid_from]
        if before and e.valid_from - max(before) > timedelta(days=366):
            far.append(f"{e.id}: nearest check before {e.valid_from} is {max(before)}")
    return far
