"""Guardrails: reasoning that law or policy forbids on a date."""

from haven.guardrails.reasons import ReasonCheck, ReasonContext, check_reasons

__all__ = ["ReasonCheck", "ReasonContext", "check_reasons"]
