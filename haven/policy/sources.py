"""The sources registry: every pack entry cites documents listed here."""

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


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

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9.\-]*$", description="Stable id, e.g. kst-19637-2029")
    kind: SourceKind
    title: str = Field(min_length=3)
    url: str = Field(pattern=r"^https?://\S+$", description="Where the text can be read")
    signed: date | None = Field(None, description="Date on the document (signature, judgment)")
    published: date | None = Field(
        None, description="Date it was sent to parliament, published or reported"
    )
    identifier: str | None = Field(None, description="Official number: Kamerstuk, ECLI, CELEX")
    note: str | None = None
