"""Concepts of forbidden reasoning found on the lemmas of a clause (lexicon/concepts.yaml).

Where the pattern table (text_rules) reads a fixed wording within a few words, a concept reads
meaning: every group it names must occur somewhere in one clause, in any order and at any
distance, as a word's surface form or its lemma. So "the rainbow flag he does not know",
"kent de regenboogvlag niet" and "is not aware of any LGBT organisation" meet one concept.
Pure: text in, matches out, with the words that matched (for explanations).
"""

from dataclasses import dataclass

from haven.guardrails.text_lemmas import Word, language, words
from haven.guardrails.text_lexicon import Concept, Cue, Lexicon, Term
from haven.guardrails.text_spans import Span, clauses
from haven.vocab import Reason


@dataclass(frozen=True)
class Hit:
    group: str
    start: int  # word indices in the clause (end exclusive)
    end: int


@dataclass(frozen=True)
class ConceptMatch:
    concept: Concept
    clause: Span
    match_start: int  # characters: from the first to the last word that matched
    match_end: int
    found: tuple[tuple[str, str], ...]  # (group, wording) for each group of the concept


@dataclass(frozen=True)
class Veto:
    """A concept whose groups all matched but whose clause names an `unless` group."""

    concept: Concept
    match_start: int
    match_end: int
    group: str
    wording: str


class Passage:
    """One sentence's words, lemmatised once, with group look-ups cached."""

    def __init__(self, lexicon: Lexicon, text: str, span: Span, lang: str | None = None) -> None:
        self.lexicon = lexicon
        self.text = text
        self.span = span
        self.lang = lang or language(text, span.start, span.end)
        self._words: list[Word] | None = None
        self._hits: dict[str, list[Hit]] = {}
        self._starting: list[dict[str, list[Term]]] | None = None

    @property
    def words(self) -> list[Word]:
        """Lemmatised on first use (a sentence no concept or cue looks at costs nothing)."""
        if self._words is None:
            self._words = words(self.text, self.span.start, self.span.end, self.lang)
        return self._words

    def hits(self, group: str) -> list[Hit]:
        """Where the group's terms occur (one hit per starting word: the first term that fits)."""
        if group not in self._hits:
            if self._starting is None:
                self._starting = [self.lexicon.starting(self.lang, w) for w in self.words]
            found = []
            for i, by_group in enumerate(self._starting):
                for t in by_group.get(group, ()):
                    end = t.match_at(self.words, i)
                    if end is not None and end > i:
                        found.append(Hit(group, i, end))
                        break
            self._hits[group] = found
        return self._hits[group]

    def in_range(self, group: str, start: int, end: int) -> list[Hit]:
        """Hits of a group whose words lie within characters [start, end)."""
        ws = self.words
        return [
            h for h in self.hits(group) if ws[h.start].start >= start and ws[h.end - 1].end <= end
        ]

    def wording(self, h: Hit) -> str:
        return self.text[self.words[h.start].start : self.words[h.end - 1].end]

    def chars(self, h: Hit) -> tuple[int, int]:
        return self.words[h.start].start, self.words[h.end - 1].end


def find(
    lexicon: Lexicon, text: str, sentence: Span, before: "Passage | None"
) -> tuple[Passage, list[ConceptMatch], list[Veto]]:
    """Concept matches in one sentence (`before`: the previous sentence, for contexts)."""
    p = Passage(lexicon, text, sentence)
    matches: list[ConceptMatch] = []
    vetoes: list[Veto] = []
    for clause in clauses(text, sentence):
        for c in lexicon.concepts:
            if c.scope == "sentence":
                continue
            _match(p, c, clause, before, matches, vetoes)
    for c in lexicon.concepts:
        if c.scope == "sentence":
            _match(p, c, sentence, before, matches, vetoes)
    return p, matches, vetoes


def _match(
    p: Passage,
    c: Concept,
    clause: Span,
    before: "Passage | None",
    matches: list[ConceptMatch],
    vetoes: list[Veto],
) -> None:
    """Record the concept's match in one clause (or sentence), or the group that vetoes it."""
    chosen = _all_groups(p, c, clause)
    if chosen is None:
        return
    if c.context is not None and not (
        p.hits(c.context) or (before is not None and before.hits(c.context))
    ):
        return
    start = min(p.chars(h)[0] for h in chosen)
    end = max(p.chars(h)[1] for h in chosen)
    veto = next(((g, h) for g in c.unless for h in p.in_range(g, clause.start, clause.end)), None)
    if veto is not None:
        vetoes.append(Veto(c, start, end, veto[0], p.wording(veto[1])))
        return
    found = tuple((h.group, p.wording(h)) for h in chosen)
    matches.append(ConceptMatch(c, clause, start, end, found))


def _all_groups(p: Passage, c: Concept, clause: Span) -> list[Hit] | None:
    chosen: dict[str, Hit] = {}
    for g in c.all:
        hs = p.in_range(g, clause.start, clause.end)
        if not hs:
            return None
        chosen[g] = hs[0]
    for a, b, n in c.near:
        pair = next(
            (
                (x, y)
                for x in p.in_range(a, clause.start, clause.end)
                for y in p.in_range(b, clause.start, clause.end)
                if _distance(x, y) <= n
            ),
            None,
        )
        if pair is None:
            return None
        chosen[a], chosen[b] = pair
    return list(chosen.values())


def _distance(x: Hit, y: Hit) -> int:
    """Words between two hits (0 when adjacent or overlapping)."""
    if x.end <= y.start:
        return y.start - x.end
    if y.end <= x.start:
        return x.start - y.end
    return 0


def cue(p: Passage, reason: Reason, clause: Span, start: int, end: int) -> tuple[Cue, str] | None:
    """The first cue that sets a passage aside, with the wording that carried it."""
    sentence = (p.span.start, p.span.end)
    for c in p.lexicon.cues:
        if c.applies_to is not None and reason not in c.applies_to:
            continue
        lo, hi = {"sentence": sentence, "clause": (clause.start, clause.end)}.get(
            c.scope, (start, end)
        )
        found = []
        for g in c.all:
            hs = p.in_range(g, lo, hi)
            if not hs:
                break
            found.append(p.wording(hs[0]))
        else:
            if not any(p.in_range(g, *sentence) for g in c.unless):
                return c, " … ".join(found)
    return None
