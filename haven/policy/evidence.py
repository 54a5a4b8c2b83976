"""Country-of-origin evidence beside the pack: reports and the findings a person extracted.

`findings.yaml` (optional) holds `reports:` (a source of sources.yaml with its publication date
and coverage period) and `findings:` (what one report says about a group in a country).

Dates. A finding counts from its `date`, which is never before its report's publication. Some
reports are dated by month only ("July 2014"): they are recorded with `published_precision:
month` and the LAST day of that month as `published`, so that a window in which policy
contradicts the report is never overstated (the report may have appeared any day that month).
A finding stays in force until the report that `replaces` its report is published (the Dutch
general country reports are a series, each continuing the coverage of the last).
"""

import calendar
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from haven.codes import CountryCode, RegionCode

FINDING_ID = r"^[a-z0-9][a-z0-9\-]*$"
SOURCE_ID = r"^[a-z0-9][a-z0-9.\-]*$"
MONTH_OR_DAY = r"^\d{4}-(0[1-9]|1[0-2])(-\d{2})?$"
Day = date  # a field named `date` cannot also be annotated `date`


class ReportKind(StrEnum):
    COUNTRY_REPORT = "country_report"  # official general country report (ambtsbericht)
    THEMATIC_REPORT = "thematic_report"  # official thematic country report
    UNHCR_GUIDELINES = "unhcr_guidelines"
    EUAA_GUIDANCE = "euaa_guidance"  # EUAA country guidance or COI report
    NGO_REPORT = "ngo_report"


class DatePrecision(StrEnum):
    DAY = "day"
    MONTH = "month"  # `published` is then the last day of the month the report is dated


class FindingType(StrEnum):
    HARM_NATIONWIDE = "harm_nationwide"
    HARM_IN_REGION = "harm_in_region"
    AUTHORITIES_UNWILLING_OR_UNABLE = "authorities_unwilling_or_unable"
    CRIMINALISATION_ENFORCED = "criminalisation_enforced"
    CRIMINALISATION_NOT_ENFORCED = "criminalisation_not_enforced"
    SYSTEMATIC_PERSECUTION = "systematic_persecution"
    INFORMATION_GAP = "information_gap"  # the report has no (reliable) information on the group


def last_day(d: date) -> date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def _span(value: str, end: bool) -> date:
    """'2014-07' -> 2014-07-01 (start) or 2014-07-31 (end); a full date stays as it is."""
    if len(value) == 10:
        return date.fromisoformat(value)
    first = date.fromisoformat(value + "-01")
    return last_day(first) if end else first


class Report(BaseModel):
    """A country-of-origin report: a source with a publication date and a coverage period."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    id: str = Field(pattern=SOURCE_ID, description="The report's id in sources.yaml")
    kind: ReportKind
    published: date = Field(
        description="Publication date; with month precision the last day of that month"
    )
    published_precision: DatePrecision = Field(
        DatePrecision.DAY, description="month: the report is dated by month only"
    )
    coverage_from: str | None = Field(
        None, pattern=MONTH_OR_DAY, description="YYYY-MM or YYYY-MM-DD, as precise as stated"
    )
    coverage_to: str | None = Field(
        None, pattern=MONTH_OR_DAY, description="YYYY-MM or YYYY-MM-DD, as precise as stated"
    )
    replaces: str | None = Field(
        None, pattern=SOURCE_ID, description="The earlier report (id) whose findings this ends"
    )
    note: str | None = None

    @model_validator(mode="after")
    def _dates(self) -> "Report":
        if self.published_precision is DatePrecision.MONTH and self.published != last_day(
            self.published
        ):
            raise ValueError(
                f"published: a month-only date is recorded as the last day of the month "
                f"({last_day(self.published)}), not {self.published}"
            )
        start = _span(self.coverage_from, end=False) if self.coverage_from else None
        stop = _span(self.coverage_to, end=True) if self.coverage_to else None
        if start and stop and stop < start:
            raise ValueError(f"coverage_to {self.coverage_to} is before {self.coverage_from}")
        if start and start > self.published:
            raise ValueError(f"coverage_from {self.coverage_from} is after publication")
        if self.replaces == self.id:
            raise ValueError("replaces: a report cannot replace itself")
        return self

    @property
    def month(self) -> str | None:
        """'2014-07' for a report dated by month only."""
        if self.published_precision is DatePrecision.MONTH:
            return self.published.isoformat()[:7]
        return None


class Finding(BaseModel):
    """What one report says about one group in one country (a paraphrase, not a quotation)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    id: str = Field(pattern=FINDING_ID)
    report: str = Field(pattern=SOURCE_ID, description="Id of a report in `reports`")
    country: CountryCode
    regions: tuple[RegionCode, ...] = Field(
        (), description="Regions of origin the finding concerns; empty: the whole country"
    )
    group: str = Field(description="Group id from groups.yaml, as the pack's entries use it")
    type: FindingType
    date: Day = Field(description="From when it counts; not before the report's publication")
    section: str | None = Field(description="Section or page of the report; null if unknown")
    paraphrase: str = Field(min_length=10)
    sources: tuple[str, ...] = Field(min_length=1)
    note: str | None = None

    @model_validator(mode="after")
    def _scope(self) -> "Finding":
        for region in self.regions:
            if not region.startswith(self.country + "-"):
                raise ValueError(f"regions: {region} is not a region of {self.country}")
        if self.type is FindingType.HARM_IN_REGION and not self.regions:
            raise ValueError("regions: a harm_in_region finding must name its regions")
        return self
