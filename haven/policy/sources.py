"""The sources registry: every pack entry cites documents listed here."""

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from haven.codes import CountryCode


class SourceKind(StrEnum):
    LETTER = "letter"  # Kamerbrief to parliament
    AMENDMENT = "amendment"  # WBV: decision amending the Aliens Circular (Staatscourant)
    CIRCULAR = "circular"  # a paragraph of the Aliens Circular (Vc)
    COUNTRY_REPORT = "country_report"  # ambtsbericht of the Foreign Ministry
    JUDGMENT = "judgment"
    LEGISLATION = "legislation"
    GUIDELINE = "guideline"  # UNHCR / EUAA guidance
    PARLIAMENTARY_ANSWER = "parliamentary_answer"
    WORK_INSTRUCTION = "work_instruction"
    GOVERNMENT_PAGE = "government_page"
    NEWS = "news"  # press and NGO news items
    REPORT = "report"  # NGO, academic or practitioner report


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    id: str = Field(
        pattern=r"^[a-z0-9][a-z0-9.\-]*$",
        description="Stable id within the pack: lower-case letters, digits, '.' and '-'",
    )
    kind: SourceKind
    title: str = Field(min_length=3)
    url: str = Field(pattern=r"^https?://\S+$", description="Where the text can be read")
    signed: date | None = Field(None, description="Date on the document (signature, judgment)")
    published: date | None = Field(
        None, description="Date it was sent to parliament, published or reported"
    )
    known_from: date | None = Field(
        None,
        description="For a document without a full date (e.g. a country report dated by month "
        "only): the first day it is known to have existed, such as the last day of its month. "
        "Only when neither signed nor published is given",
    )
    identifier: str | None = Field(None, description="Official number: Kamerstuk, ECLI, CELEX")
    countries: tuple[CountryCode, ...] = Field(
        (),
        description="The countries the document concerns; empty: general law or guidance that "
        "applies whatever the country (EU law, the Aliens Act and Circular, UNHCR guidance)",
    )
    applies_from: date | None = Field(
        None, description="First day its rules apply, where later than signed/published"
    )
    applies_until: date | None = Field(
        None, description="First day it no longer applies (repealed or replaced)"
    )
    note: str | None = None

    @model_validator(mode="after")
    def _one_kind_of_date(self) -> "Source":
        if self.known_from is not None and (self.signed or self.published):
            raise ValueError(
                "known_from is only for a document without a full date: give signed or "
                "published, or known_from, not both"
            )
        return self

    @property
    def issued(self) -> date | None:
        """When the document existed: the earlier of its signature and publication dates, or,
        for a document dated by month only, the first day it surely existed (so that an
        assessment as of a day inside that month does not cite it as its basis)."""
        days = [d for d in (self.signed, self.published) if d is not None]
        return min(days) if days else self.known_from

    def later_than(self, on: date) -> bool:
        """Did the document not yet exist, or its rules not yet apply, on `on`?"""
        issued = self.issued
        return (issued is not None and issued > on) or (
            self.applies_from is not None and self.applies_from > on
        )

    def superseded_on(self, on: date) -> bool:
        return self.applies_until is not None and on >= self.applies_until

    def concerns(self, country: str | None) -> bool:
        """General law, or a document about this country."""
        return not self.countries or country in self.countries
