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
from haven.errors import PolicyError, Problem
from haven.guardrails import text_model
from haven.guardrails.text import Reading, TextMatch, read
from haven.guardrails.text_eval import Item, Outcome
from haven.guardrails.text_features import featurize
from haven.guardrails.text_lexicon import Lexicon, parse
from haven.guardrails.text_model import LintModel, ModelScore
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
    # The draft is judged as of the date whatever the recorded decision's date: undated, its
    # reasons are not left out as those of a decision dated after it (haven.cases.known).
    hypothetical = case.model_copy(
        update={
            "procedure": case.procedure.model_copy(
                update={"reasons": list(TEXT_REASONS), "decided": None}
            )
        }
    )
    return {f.reason: f for f in assess(hypothetical, as_of, pack).flags}


def lint(
    text: str,
    case: Case,
    as_of: date,
    pack: Pack,
    forbidden: Mapping[Reason, Flag] | None = None,
    model: bool = False,
) -> LintResult:
    """`forbidden` may be passed in when linting many texts for one case and date. `model`:
    also flag the sentences the pack's linear model (lint/model.json) reads as relying on a
    forbidden reason where no rule or concept did (opt-in: `haven lint --model`)."""
    if forbidden is None:
        forbidden = forbidden_reasons(case, as_of, pack)
    reading = read(text, lexicon(pack))
    flags = [
        _flag(text, m, f, as_of)
        for m in reading.matches
        if (f := forbidden.get(m.reason)) is not None
    ]
    if model:
        flags += [
            _model_flag(text, s, forbidden[s.reason], as_of)
            for s in model_scores(text, reading, pack)
            if _model_reads(s, reading, forbidden)
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


def model_scores(text: str, reading: Reading, pack: Pack) -> list[ModelScore]:
    """The model's score of every sentence for every reason it knows."""
    return text_model.score(lint_model(pack), featurize(text, lexicon(pack), reading))


def _model_reads(s: ModelScore, reading: Reading, forbidden: Mapping[Reason, Flag]) -> bool:
    """A model flag where the score reaches the threshold, relying on the reason is forbidden,
    and no rule or concept already matched that reason in the sentence."""
    start = s.sentence.span.start
    return (
        s.read
        and s.reason in forbidden
        and not any(m.start == start and m.reason is s.reason for m in reading.matches)
    )


def _model_flag(text: str, s: ModelScore, f: Flag, as_of: date) -> LintFlag:
    span = s.sentence.span
    return LintFlag(
        code=f.code,
        start=span.start,
        end=span.end,
        text=text[span.start : span.end],
        message=f.message,
        sources=f.sources,
        reason=s.reason,
        explanation=(
            f"The linter's model reads the passage as relying on {s.reason.value} (score "
            f"{s.probability:.2f}, threshold {s.threshold:.2f}; features that weighed most: "
            f"{s.why() or 'none'}); no rule or concept matched it. On {as_of} relying on "
            f"{s.reason.value} is flagged {f.code.value} for this case."
        ),
        rule=f"model.{s.reason.value}",
        lang=s.sentence.lang,
        match_start=span.start,
        match_end=span.end,
        entry=f.entry,
        concept="model",
        matched=[f"{name}: {w:+.2f}" for name, w in s.top],
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
    model: list[str] = Field(
        default_factory=list,
        description="With --model: the model's scores below its threshold, for the reasons "
        "forbidden for this case on this date (scores from 0.25)",
    )


_SHOWN_FROM = 0.25  # a model score below the threshold is named from here (--explain)


def explain(text: str, case: Case, as_of: date, pack: Pack, model: bool = False) -> list[Verdict]:
    """Every sentence with its flags, the wordings set aside and the reasons allowed (and,
    with `model`, the model's flags and its scores below the threshold)."""
    forbidden = forbidden_reasons(case, as_of, pack)
    reading = read(text, lexicon(pack))
    scores = model_scores(text, reading, pack) if model else []
    out = []
    for s in reading.sentences:
        inside = [m for m in reading.matches if m.start == s.start]
        flags = [_flag(text, m, f, as_of) for m in inside if (f := forbidden.get(m.reason))]
        mine = [m for m in scores if m.sentence.span.start == s.start]
        flags += [
            _model_flag(text, m, forbidden[m.reason], as_of)
            for m in mine
            if _model_reads(m, reading, forbidden)
        ]
        below = [
            f"model: {m.reason.value} scored {m.probability:.2f}, below the threshold "
            f"{m.threshold:.2f} ({m.why() or 'no feature weighed for it'})"
            for m in mine
            if not m.read and m.reason in forbidden and m.probability >= _SHOWN_FROM
        ]
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
                model=below,
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


@cache
def lint_model(pack: Pack) -> LintModel:
    """The pack's linear model (lint/model.json), checked once per pack."""
    name = "lint/model.json"
    if pack.lint_model is None:
        raise PolicyError([Problem(name, f"pack {pack.meta.id} has no lint model")])
    try:
        return text_model.parse(pack.lint_model)
    except ValidationError as err:
        raise PolicyError(problems(err, prefix=f"{name}: ")) from None
    except ValueError as err:
        raise PolicyError([Problem(name, str(err))]) from None


def evaluate(
    items: list[Item], contexts: Mapping[str, Case], pack: Pack, model: bool = False
) -> list[Outcome]:
    """Lint every corpus item for its context case and date (contexts hold every item's key);
    `model`: with the pack's model too (`--model`)."""
    cache: dict[tuple[str, date], dict[Reason, Flag]] = {}
    outcomes = []
    for item in items:
        case = contexts[item.case]
        key = (item.case, item.as_of)
        if key not in cache:
            cache[key] = forbidden_reasons(case, item.as_of, pack)
        result = lint(item.text, case, item.as_of, pack, cache[key], model)
        outcomes.append(Outcome(item, frozenset(f.code for f in result.flags)))
    return outcomes
