"""Find passages of a draft decision that rely on a refusal reason (English or Dutch).

Pure: text in, matches out, with exact character offsets. A passage is not a match when it
quotes someone (a quotation of three words or more), reports what the applicant or a witness
said, or states the rule correctly (a negation before or after the wording in the same
clause). Whether relying on the reason is forbidden for a case on a date is for the engine to
say (haven.assess.lint); this module only reads the text.
"""

from dataclasses import dataclass

from haven.guardrails import text_rules as tr
from haven.guardrails.text_spans import Span, clause_end, clause_start, quotations, sentences
from haven.vocab import Reason


@dataclass(frozen=True)
class TextMatch:
    reason: Reason
    rule: str  # the rule id in text_rules.RULES
    lang: str
    start: int  # the sentence holding the wording
    end: int
    match_start: int  # the wording itself
    match_end: int
    says: str


@dataclass(frozen=True)
class Skipped:
    """A wording that matched but was set aside, and why (for explanations and tests)."""

    reason: Reason
    rule: str
    match_start: int
    match_end: int
    why: str  # "quotation", "reported speech", "negation"


@dataclass(frozen=True)
class Reading:
    matches: list[TextMatch]
    skipped: list[Skipped]


def read(text: str) -> Reading:
    """Every passage that relies on a refusal reason: one match per sentence and reason."""
    quotes = quotations(text)
    spans = sentences(text)
    matches: list[TextMatch] = []
    skipped: list[Skipped] = []
    for k, sentence in enumerate(spans):
        window_start = spans[k - 1].start if k > 0 else sentence.start
        seen: set[Reason] = set()
        for rule in tr.RULES:
            if rule.reason in seen:
                continue
            if rule.context is not None and not rule.context.search(
                text, window_start, sentence.end
            ):
                continue
            for m in rule.pattern.finditer(text, sentence.start, sentence.end):
                why = _set_aside(text, sentence, m.start(), m.end(), quotes, rule)
                if why is not None:
                    skipped.append(Skipped(rule.reason, rule.id, m.start(), m.end(), why))
                    continue
                matches.append(
                    TextMatch(
                        rule.reason,
                        rule.id,
                        rule.lang,
                        sentence.start,
                        sentence.end,
                        m.start(),
                        m.end(),
                        rule.says,
                    )
                )
                seen.add(rule.reason)
                break
    return Reading(matches, skipped)


def _set_aside(
    text: str, sentence: Span, start: int, end: int, quotes: list[Span], rule: tr.Rule
) -> str | None:
    if any(q.contains(start, end) for q in quotes):
        return "quotation"
    begin = clause_start(text, sentence, start)
    before = text[begin:start]
    if tr.ATTRIBUTION.search(before):
        return "reported speech"
    burden = tr.BURDEN.search(before)
    if burden is not None:  # "not made plausible that he cannot ...": a double negative
        before = before[: burden.start()]
    elif not rule.absence_counts and tr.NEGATION_JUST_BEFORE.search(before):
        return "negation"
    if tr.NEGATION_BEFORE.search(before):
        return "negation"
    if tr.NEGATION_AFTER.search(text, end, clause_end(text, sentence, end)):
        return "negation"
    return None
