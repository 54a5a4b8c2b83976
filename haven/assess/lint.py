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
from functools import cache

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from haven.assess.engine import assess
from haven.assess.model import Flag, PolicyRef
from haven.cases import Case
from haven.errors import PolicyError
from haven.guardrails.text import TextMatch, read
from haven.guardrails.text_eval import Item, Outcome
from haven.guardrails.text_lexicon import Lexicon, parse
from haven.guardrails.text_rules import RULES
from haven.policy.pack import Pack
from haven.validation import problems
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
    concept: str = Field(
        "", description="The concept (pack lint/concepts.yaml) or pattern rule that matched"
    )
    matched: list[str] = Field(
        default_factory=list, description="What matched, as 'group: wording' per concept group"
    )


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
    flags = [
        _flag(text, m, f, as_of)
        for m in read(text, lexicon(pack)).matches
        if (f := forbidden.get(m.reason)) is not None
    ]
    flags.sort(key=lambda x: (x.start, x.code.value))
    return LintResult(
        case_id=case.id,
        as_of=as_of,
        policy=PolicyRef(pack=pack.meta.id, version=pack.version),
        flags=flags,
    )


def _flag(text: str, m: TextMatch, f: Flag, as_of: date) -> LintFlag:
    return LintFlag(
        code=f.code,
        start=m.start,
        end=m.end,
        text=text[m.start : m.end],
        message=f.message,
        sources=f.sources,
        reason=m.reason,
        explanation=_explanation(text, m, f, as_of),
        rule=m.rule,
        lang=m.lang,
        match_start=m.match_start,
        match_end=m.match_end,
        entry=f.entry,
        concept=m.concept,
        matched=list(m.found),
    )


def _explanation(text: str, m: TextMatch, f: Flag, as_of: date) -> str:
    wording = repr(text[m.match_start : m.match_end])
    by_concept = m.found and not m.found[0].startswith("wording: ")
    detail = f"; concept {m.concept}: {', '.join(m.found)}" if by_concept else ""
    return (
        f"The passage {m.says} ({wording}{detail}); on {as_of} relying on {m.reason.value} "
        f"is flagged {f.code.value} for this case."
    )


class Verdict(_Out):
    """Why one sentence was or was not flagged (`haven lint --explain`)."""

    start: int
    end: int
    text: str
    flags: list[LintFlag]
    set_aside: list[str] = Field(description="Wording that matched and why it was set aside")
    allowed: list[str] = Field(
        description="Wording that relies on a reason no rule forbids for this case on this date"
    )


def explain(text: str, case: Case, as_of: date, pack: Pack) -> list[Verdict]:
    """Every sentence with its flags, the wordings set aside and the reasons allowed."""
    forbidden = forbidden_reasons(case, as_of, pack)
    reading = read(text, lexicon(pack))
    out = []
    for s in reading.sentences:
        inside = [m for m in reading.matches if m.start == s.start]
        flags = [_flag(text, m, f, as_of) for m in inside if (f := forbidden.get(m.reason))]
        allowed = [
            f"{text[m.match_start : m.match_end]!r} ({m.concept}) relies on {m.reason.value}, "
            f"which no rule in the pack forbids for this case on {as_of}"
            for m in inside
            if m.reason not in forbidden
        ]
        aside = [
            f"{text[k.match_start : k.match_end]!r} ({k.rule}, {k.reason.value}) set aside: "
            f"{k.why}: {k.detail}"
            for k in reading.skipped
            if s.start <= k.match_start < s.end
        ]
        out.append(
            Verdict(
                start=s.start,
                end=s.end,
                text=text[s.start : s.end],
                flags=flags,
                set_aside=list(dict.fromkeys(aside)),
                allowed=allowed,
            )
        )
    return out


@cache
def lexicon(pack: Pack) -> Lexicon | None:
    """The pack's concept lexicons (lint/concepts.yaml), checked once per pack."""
    if pack.lint_lexicon is None:
        return None
    try:
        return parse(pack.lint_lexicon)
    except ValidationError as err:
        raise PolicyError(problems(err, prefix="lint/concepts.yaml: ")) from None


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
