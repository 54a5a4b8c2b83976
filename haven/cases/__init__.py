"""The contract's case model, its validation, and caseload readers."""

from haven.cases.caseload import read_caseload
from haven.cases.model import Case, Credibility, Incident, Procedure, Profile
from haven.cases.readers import parse_caseload

__all__ = [
    "Case",
    "Credibility",
    "Incident",
    "Procedure",
    "Profile",
    "parse_caseload",
    "read_caseload",
]
