"""Lint a draft decision text for a case on a date: which passages rely on forbidden reasoning.

The text module (haven.guardrails.text) finds passages that rely on a refusal reason; the
engine says whether relying on that reason is forbidden for this case on this date, and on
whose authority. It does so exactly as for `procedure.reasons`: the case is assessed as if the
refusal relied on every reason the text rules know, and each flag the engine raises (with its
code, message and sources from the pack) is what a matching passage gets. So relocation
wording is flagged only where the pack excludes relocation (or the state persecutes) on that
date, and CJEU-based codes only from their dates.
"""

from collections.abc import Mapping
from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from haven.assess.engine import assess
from haven.assess.model import Flag, PolicyRef
from haven.cases import Case
from haven.guardrails.text import read
from haven.guardrails.text_eval import Item, Outcome
from haven.guardrails.text_rules import RULES
from haven.policy.pack import Pack
from haven.vocab import FlagCode, Reason

NOTICE = (
    "Review aid only: a flag marks wording to check against the cited rule; it is not a "
    "finding about the decision or the applicant. Unflagged text is not thereby lawful."
)
TEXT_REASONS: tuple[Reason, ...] = tuple(dict.fromkeys(r.reason for r in RULES))


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LintFlag(_Out):
    code: FlagCode
    start: int = Field(description="Character offset of the passage in the text (inclusive)")
    end: int = Field(description="Character offset of the passage end (exclusive)")
    text: str
    message: str
    sources: list[str]
    reason: Reason = Field(description="The refusal reason the passage relies on")
    explanation: str = Field(description="Why this passage was flagged, in plain words")
    rule: str = Field(description="The text rule that matched")
    lang: str = Field(description="Language of the matching rule (en or nl)")
    match_start: int = Field(description="Offset of the matching wording within the text")
    match_end: int
    entry: str | None = Field(None, description="The pack entry whose rule the reason breaks")


class LintResult(_Out):
    case_id: str
    as_of: date
    policy: PolicyRef
    flags: list[LintFlag]
    notice: str = NOTICE


def forbidden_reasons(case: Case, as_of: date, pack: Pack) -> dict[Reason, Flag]:
    """The engine's flag for each reason the text rules detect, where relying on it is
    forbidden (or insufficient on its own) for this case on this date."""
    hypothetical = case.model_copy(
        update={"procedure": case.procedure.model_copy(update={"reasons": list(TEXT_REASONS)})}
    )
    return {f.reason: f for f in assess(hypothetical, as_of, pack).flags}


def lint(
    text: str,
    case: Case,
    as_of: date,
    pack: Pack,
    forbidden: Mapping[Reason, Flag] | None = None,
) -> LintResult:
    """`forbidden` may be passed in when linting many texts for one case and date."""
    if forbidden is None:
        forbidden = forbidden_reasons(case, as_of, pack)
    flags = []
    for m in read(text).matches:
        f = forbidden.get(m.reason)
        if f is None:
            continue
        flags.append(
            LintFlag(
                code=f.code,
                start=m.start,
                end=m.end,
                text=text[m.start : m.end],
                message=f.message,
                sources=f.sources,
                reason=m.reason,
                explanation=(
                    f"The passage {m.says} ({text[m.match_start : m.match_end]!r}); on "
                    f"{as_of} relying on {m.reason.value} is flagged {f.code.value} for this case."
                ),
                rule=m.rule,
                lang=m.lang,
                match_start=m.match_start,
                match_end=m.match_end,
                entry=f.entry,
            )
        )
    flags.sort(key=lambda x: (x.start, x.code.value))
    return LintResult(
        case_id=case.id,
        as_of=as_of,
        policy=PolicyRef(pack=pack.meta.id, version=pack.version),
        flags=flags,
    )


def evaluate(items: list[Item], contexts: Mapping[str, Case], pack: Pack) -> list[Outcome]:
    """Lint every corpus item for its context case and date (contexts hold every item's key)."""
    cache: dict[tuple[str, date], dict[Reason, Flag]] = {}
    outcomes = []
    for item in items:
        case = contexts[item.case]
        key = (item.case, item.as_of)
        if key not in cache:
            cache[key] = forbidden_reasons(case, item.as_of, pack)
        result = lint(item.text, case, item.as_of, pack, cache[key])
        outcomes.append(Outcome(item, frozenset(f.code for f in result.flags)))
    return outcomes
