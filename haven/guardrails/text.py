"""Find passages of a draft decision that rely on a refusal reason (English or Dutch).

Pure: text in, matches out, with exact character offsets. Two readers find candidates: the
pattern table (text_rules: fixed wordings) and the concepts (text_concepts: groups of lemmas
anywhere in one clause, from lexicon/concepts.yaml). A candidate is set aside when it quotes
someone (a quotation of three words or more), reports what the applicant or a witness said,
states the rule correctly (a negation before or after the wording in the same clause, or a
cue such as "the respondent wrongly ..."), only summarises the applicant's own account, or is
a lawful form of the topic (questions about the applicant's own process of awareness).
Whether relying on the reason is forbidden for a case on a date is for the engine to say
(haven.assess.lint); this module only reads the text.
"""

import re
from dataclasses import dataclass, field

from haven.guardrails import text_rules as tr
from haven.guardrails.text_concepts import Passage, cue, find
from haven.guardrails.text_lexicon import Lexicon
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
    concept: str = ""  # the concept id (lexicon) or the rule id (pattern table)
    found: tuple[str, ...] = ()  # "group: wording" for each group of a concept


@dataclass(frozen=True)
class Skipped:
    """A wording that matched but was set aside, and why (for explanations and tests)."""

    reason: Reason
    rule: str
    match_start: int
    match_end: int
    why: str  # "quotation", "reported speech", "negation", "statement", "account", "lawful"
    detail: str = ""  # the cue in plain words, with the wording that carried it


@dataclass(frozen=True)
class Reading:
    matches: list[TextMatch]
    skipped: list[Skipped]
    sentences: list[Span] = field(default_factory=list)


_EMPTY = Lexicon(groups={}, concepts=[], cues=[])


def read(text: str, lexicon: Lexicon | None = None) -> Reading:
    """Every passage that relies on a refusal reason: one match per sentence and reason.

    `lexicon`: the concepts and cues (the pack's lint/concepts.yaml); without it only the
    pattern table and its quotation, reported-speech and negation checks apply."""
    lexicon = lexicon or _EMPTY
    quotes = [
        q
        for q in quotations(text)
        if not _names_a_term(text, q) and not _quotes_the_decision(lexicon, text, q)
    ]
    spans = sentences(text)
    matches: list[TextMatch] = []
    skipped: list[Skipped] = []
    before: Passage | None = None
    reported: list[Skipped] = []  # the previous sentence's reasons set aside as someone's words
    for k, sentence in enumerate(spans):
        first_skip = len(skipped)
        window_start = spans[k - 1].start if k > 0 else sentence.start
        passage, concepts, vetoes = find(lexicon, text, sentence, before)
        before = passage
        seen: set[Reason] = set()
        for rule in tr.RULES:
            if rule.reason in seen:
                continue
            if rule.context is not None and not rule.context.search(
                text, window_start, sentence.end
            ):
                continue
            for m in rule.pattern.finditer(text, sentence.start, sentence.end):
                why = _set_aside(text, sentence, m.start(), m.end(), quotes, rule.absence_counts)
                set_aside = why or _cue(passage, rule.reason, sentence, m.start(), m.end())
                if set_aside is not None:
                    skipped.append(Skipped(rule.reason, rule.id, m.start(), m.end(), *set_aside))
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
                        rule.id,
                        (f"wording: {text[m.start() : m.end()]}",),
                    )
                )
                seen.add(rule.reason)
                break
        for v in vetoes:
            skipped.append(
                Skipped(
                    v.concept.reason,
                    v.concept.id,
                    v.match_start,
                    v.match_end,
                    "negation",
                    f"the clause states the rule ({v.group}: {v.wording!r})",
                )
            )
        for c in concepts:
            reason = c.concept.reason
            if reason in seen:
                continue
            why = _set_aside(text, sentence, c.match_start, c.match_end, quotes, True)
            if why is None and _reported(
                text[clause_start(text, sentence, c.match_start) : c.match_end]
            ):  # a concept's words may follow the reporting verb: "he said he never went"
                why = ("reported speech", _DETAIL["reported speech"])
            set_aside = why or _cue(passage, reason, c.clause, c.match_start, c.match_end)
            if set_aside is not None:
                skipped.append(
                    Skipped(reason, c.concept.id, c.match_start, c.match_end, *set_aside)
                )
                continue
            matches.append(
                TextMatch(
                    reason,
                    c.concept.id,
                    passage.lang,
                    sentence.start,
                    sentence.end,
                    c.match_start,
                    c.match_end,
                    c.concept.says,
                    c.concept.id,
                    tuple(f"{g}: {w}" for g, w in c.found),
                )
            )
            seen.add(reason)
        matches += _adopted(lexicon, text, passage, reported, seen, quotes)
        reported = [k for k in skipped[first_skip:] if k.why in _SOMEONES_WORDS]
    return Reading(matches, skipped, spans)


_SOMEONES_WORDS = ("reported speech", "account")


def _adopted(
    lexicon: Lexicon,
    text: str,
    p: Passage,
    reported: list[Skipped],
    seen: set[Reason],
    quotes: list[Span],
) -> list[TextMatch]:
    """The reasons the previous sentence only reported, where this sentence, in the writer's
    own voice, holds them against the applicant ("This is held against him")."""
    adoption = lexicon.adoption
    if adoption is None or not reported:
        return []
    for h in p.hits(adoption.group):
        start, end = p.chars(h)
        begin = clause_start(text, p.span, start)
        if _why(text, p.span, start, end, quotes, True) is not None or any(
            p.in_range(g, begin, end) for g in adoption.unless
        ):
            continue  # "this is not held against him", "counsel says this is held against"
        out = []
        for k in reported:
            if k.reason in seen:
                continue
            seen.add(k.reason)
            out.append(
                TextMatch(
                    k.reason,
                    f"adopted.{k.rule}",
                    p.lang,
                    p.span.start,
                    p.span.end,
                    start,
                    end,
                    "holds against the applicant what the sentence before reports",
                    "adoption",
                    (
                        f"{adoption.group}: {text[start:end]}",
                        f"reported ({k.rule}): {text[k.match_start : k.match_end]}",
                    ),
                )
            )
        return out
    return []


_VOICE_BEFORE = 200  # characters before a quotation where its speaker is named
_VOICE_AFTER = 80  # after it, to the end of its sentence ("'…', the letter continued.")


_TERM_WORDS = 6  # a quoted phrase this short inside a sentence names a term or a phrase
_INTRODUCED = re.compile(
    r"(?:\b(?:said|says|say|stated|states|told|tells|wrote|writes|asked|asks|replied|answered|"
    r"explained|added|insisted|recalled|recounted|zei|zegt|zeggen|stelde|stelt|vroeg|schreef|"
    r"schrijft|antwoordde|verklaarde|verklaart|vertelde|vertelt)\b\s*,?|[:,(\[])\s*$",
    re.IGNORECASE,
)


def _names_a_term(text: str, q: Span) -> bool:
    """A short quoted phrase in the middle of the writer's sentence ("wat men 'het proces van
    bewustwording en zelfacceptatie' noemt", "found him to be 'not gay enough'") names a term
    or marks a phrase: it is the writer's sentence, not someone's statement. A quotation
    introduced by a reporting verb or a colon, or one that is a sentence of its own, stays a
    quotation."""
    inner = text[q.start + 1 : q.end - 1].strip()
    if len(inner.split()) > _TERM_WORDS or inner.endswith((".", "!", "?")):
        return False
    before = text[max(0, q.start - 60) : q.start]
    tail = before.rstrip()
    return bool(tail) and tail[-1] not in ".!?\n" and _INTRODUCED.search(before) is None


def _quotes_the_decision(lexicon: Lexicon, text: str, q: Span) -> bool:
    """A quotation of the decision itself ("the judge wrote: '…'", "verweerder heeft overwogen:
    '…'", "'…', the letter continued") is the decision's reasoning, not someone else's words:
    it is read like the rest."""
    if lexicon.decision_in_quote is not None and Passage(lexicon, text, q).hits(
        lexicon.decision_in_quote
    ):
        return True
    group = lexicon.decision_quotes
    if group is None:
        return False
    start = max(0, q.start - _VOICE_BEFORE)
    blank = text.rfind("\n\n", start, q.start)
    before = Passage(lexicon, text, Span(blank + 2 if blank != -1 else start, q.start))
    if before.hits(group):
        return True
    # After it only where the sentence goes on (", the letter continued"; not a new sentence).
    tail = text[q.end : q.end + _VOICE_AFTER]
    rest = tail.lstrip(" ")
    if not rest or not (rest[0] == "," or rest[0].islower()):
        return False
    after = sentences(tail)[0]
    return bool(Passage(lexicon, text, Span(q.end + after.start, q.end + after.end)).hits(group))


def _cue(p: Passage, reason: Reason, clause: Span, start: int, end: int) -> tuple[str, str] | None:
    found = cue(p, reason, clause, start, end)
    return None if found is None else (found[0].role, f"{found[0].why} ({found[1]!r})")


def _set_aside(
    text: str, sentence: Span, start: int, end: int, quotes: list[Span], absence_counts: bool
) -> tuple[str, str] | None:
    why = _why(text, sentence, start, end, quotes, absence_counts)
    return None if why is None else (why, _DETAIL[why])


def _reported(before: str) -> bool:
    """The clause so far reports someone's words, unless the writer first weighs them ("did
    not find the applicant's claim that … credible because …")."""
    found = tr.ATTRIBUTION.search(before)
    return found is not None and not tr.WRITER_WEIGHS.search(before, 0, found.start())


_DETAIL = {
    "quotation": "the wording lies inside a quotation",
    "reported speech": "the clause reports what the applicant, a witness or counsel said",
    "negation": "the clause states or applies the rule correctly (a negation)",
}


def _why(
    text: str, sentence: Span, start: int, end: int, quotes: list[Span], absence_counts: bool
) -> str | None:
    if any(q.contains(start, end) for q in quotes):
        return "quotation"
    begin = clause_start(text, sentence, start)
    before = text[begin:start]
    if _reported(before):
        return "reported speech"
    burden = tr.BURDEN.search(before)
    if burden is not None:  # "not made plausible that he cannot ...": a double negative
        before = before[: burden.start()]
    elif not absence_counts and tr.NEGATION_JUST_BEFORE.search(before):
        return "negation"
    if tr.NEGATION_BEFORE.search(before):
        return "negation"
    if tr.NEGATION_AFTER.search(text, end, clause_end(text, sentence, end)):
        return "negation"
    return None
