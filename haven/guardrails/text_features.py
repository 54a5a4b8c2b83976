"""Features of each sentence of a draft decision, from the linter's own deterministic reading.

The opt-in model (text_model, `haven lint --model`) weighs these; it reads nothing the rules do
not: lemmas and lemma pairs (simplemma), which lexicon groups occur (the pack's
lint/concepts.yaml), which concepts and pattern rules matched or were set aside and why
(quotation, reported speech, negation, the court's statement, the applicant's account), and the
rule table's negation and speaker cues anywhere in the sentence. Pure: text in, feature names
out, the same everywhere.
"""

import itertools
from dataclasses import dataclass

from haven.guardrails import text_rules as tr
from haven.guardrails.text import Reading, read
from haven.guardrails.text_concepts import Passage
from haven.guardrails.text_lexicon import Lexicon
from haven.guardrails.text_spans import Span, quotations

# Bumped when what a feature means changes: a model trained on other features is refused.
FEATURE_VERSION = 2

_EMPTY = Lexicon(groups={}, concepts=[], cues=[])
_CUES = (
    ("negation-cue", tr.NEGATION_BEFORE),
    ("negation-after", tr.NEGATION_AFTER),
    ("reported-speech", tr.ATTRIBUTION),
    ("writer-weighs", tr.WRITER_WEIGHS),
    ("burden", tr.BURDEN),
)


@dataclass(frozen=True)
class Sentence:
    span: Span
    lang: str
    features: frozenset[str]


def featurize(text: str, lexicon: Lexicon | None, reading: Reading | None = None) -> list[Sentence]:
    """Every sentence of the text (as the linter cuts it) with its feature names. `reading`:
    the rules' reading of the same text with the same lexicon, when the caller has it."""
    lex = lexicon or _EMPTY
    reading = reading or read(text, lexicon)
    quotes = quotations(text)
    out = []
    for s in reading.sentences:
        p = Passage(lex, text, s)
        found = {f"lang:{p.lang}"}
        lemmas = [w.lemma for w in p.words if not w.lemma.isdigit()]
        found.update(f"lemma:{w}" for w in lemmas)
        found.update(f"bigram:{a} {b}" for a, b in itertools.pairwise(lemmas))
        present = {g for g in lex.groups if p.hits(g)}
        found.update(f"group:{g}" for g in present)
        # A concept of a reason met but for one of its groups, anywhere in the sentence: the
        # paraphrase a conjunction of word lists misses by one word.
        for c in lex.concepts:
            groups = set(c.all) | {g for a, b, _ in c.near for g in (a, b)}
            if len(groups) >= 2 and len(groups - present) <= 1:
                found.add(f"near-concept:{c.reason.value}")
        found.update(name for name, pattern in _CUES if pattern.search(text, s.start, s.end))
        if any(q.start < s.end and s.start < q.end for q in quotes):
            found.add("quotation")
        for m in reading.matches:
            if m.start == s.start:
                found.update((f"match:{m.reason.value}", f"concept:{m.concept}"))
        for k in reading.skipped:
            if s.start <= k.match_start < s.end:
                found.update((f"set-aside:{k.why}", f"set-aside:{k.reason.value}:{k.why}"))
        out.append(Sentence(s, p.lang, frozenset(found)))
    return out
