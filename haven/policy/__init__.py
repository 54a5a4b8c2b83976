"""Policy packs: the schema (Pydantic), the YAML loader, validation, precedence between
entries, diffs, timelines and policy-evidence checks. Imports nothing of Haven but the leaf
modules: the law lives in the packs (haven/packs/<id>/), not here."""

from haven.policy.entries import (
    ENTRY_KINDS,
    Designation,
    EntryBase,
    ExceptionalSituation,
    ForbiddenReasoning,
    InternalProtectionEntry,
    Moratorium,
    ProtectionDuty,
    SafeCountry,
)
from haven.policy.framework import CheckBasis, CheckId, Rule, RuleId
from haven.policy.loader import load_pack, resolve
from haven.policy.pack import Pack
from haven.policy.precedence import choose_designation, favour, ordered, precedence

__all__ = [
    "ENTRY_KINDS",
    "CheckBasis",
    "CheckId",
    "Designation",
    "EntryBase",
    "ExceptionalSituation",
    "ForbiddenReasoning",
    "InternalProtectionEntry",
    "Moratorium",
    "Pack",
    "ProtectionDuty",
    "Rule",
    "RuleId",
    "SafeCountry",
    "choose_designation",
    "favour",
    "load_pack",
    "ordered",
    "precedence",
    "resolve",
]
