"""Step 2: safe-country-of-origin routing. Never conclusive: exceptions keep the normal track."""

from dataclasses import dataclass, field

from haven.assess.match import Basis, Match, group_match
from haven.assess.model import SafeCountryOut, Step
from haven.assess.trace import step
from haven.cases import Case
from haven.policy.decisions import SAFE_COUNTRY, SAFE_COUNTRY_EXCEPTION
from haven.policy.entries import SafeCountry
from haven.policy.framework import FindingKey, RuleId
from haven.policy.rules import pick
from haven.policy.snapshot import PolicyOn


@dataclass(frozen=True)
class Routing:
    out: SafeCountryOut
    step: Step
    unverified: list[str] = field(default_factory=list)

    @property
    def steps(self) -> list[Step]:
        return [self.step]


def route(case: Case, policy: PolicyOn) -> Routing:
    as_of, pack = policy.as_of, policy.pack
    found = policy.in_force(SafeCountry, case.nationality)
    if not found:
        return Routing(
            SafeCountryOut(designated=False, exception_applies=False),
            step(
                policy,
                RuleId.SAFE_COUNTRY,
                f"{case.nationality} is not a designated safe country of origin on {as_of}.",
                keys=[FindingKey.SAFE_NOT_DESIGNATED],
                args={"country": case.nationality, "as_of": as_of.isoformat()},
            ),
        )
    e = found[0]  # the overlap check allows one designation per country at a time
    fired = pick(SAFE_COUNTRY, {"verified": e.verified_on(as_of), "suspended": e.suspended})
    if fired.id == "unverified":
        return Routing(
            SafeCountryOut(designated=False, exception_applies=False, entry=e.id),
            step(
                policy,
                RuleId.UNVERIFIED,
                f"Unverified, not applied: {e.label}.",
                [e],
                keys=[FindingKey.UNVERIFIED_NOT_APPLIED],
                args={"entry": e.id},
            ),
            unverified=[e.id],
        )
    if fired.id == "suspended":
        return Routing(
            SafeCountryOut(designated=False, exception_applies=False, entry=e.id),
            step(
                policy,
                RuleId.SAFE_COUNTRY,
                f"Designation suspended on {as_of}: {e.label}.",
                [e],
                keys=[FindingKey.SAFE_SUSPENDED],
                args={"entry": e.id, "as_of": as_of.isoformat()},
            ),
        )
    group_ids = [
        gid
        for gid in e.exception_groups
        if group_match(pack.groups[gid], case, as_of, Basis.CLAIMED) is Match.YES
    ]
    groups = [pack.groups[gid].label for gid in group_ids]
    region = case.region in e.exception_regions
    exempt = pick(
        SAFE_COUNTRY_EXCEPTION, {"exception_group": bool(groups), "exception_region": region}
    )
    exception: str | None = None
    args = {"entry": e.id, "date": e.valid_from.isoformat()}
    keys = [FindingKey.SAFE_DESIGNATED]
    if exempt.id == "exception_group":
        exception = groups[-1]
        keys, args["group"] = [FindingKey.SAFE_EXCEPTION_GROUP], group_ids[-1]
    elif exempt.id == "exception_region":
        exception = f"region {case.region}"
        keys, args["region"] = [FindingKey.SAFE_EXCEPTION_REGION], str(case.region)
    if exception:
        finding = (
            f"{e.label} (since {e.valid_from}). The exception applies ({exception}): "
            f"the claim is not routed as from a safe country."
        )
    else:
        finding = (
            f"{e.label} (since {e.valid_from}): accelerated track and a heavier burden, but the "
            f"applicant may still rebut safety in their own case."
        )
        if e.exception_region_note and case.region:
            finding += (
                f" Regional exception for {e.exception_region_note}: the officer must check "
                f"whether {case.region} falls under it."
            )
            keys.append(FindingKey.SAFE_REGION_NOTE)
            args |= {"region_note": e.id, "region": str(case.region)}
    out = SafeCountryOut(
        designated=True,
        exception_applies=exception is not None,
        entry=e.id,
        exception=exception,
        sources=list(e.sources_on(as_of)),
    )
    return Routing(out, step(policy, RuleId.SAFE_COUNTRY, finding, [e], keys=keys, args=args))
