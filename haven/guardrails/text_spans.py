"""Sentences, clauses and quotations of a draft decision, as exact character offsets.

Pure: offsets are indices into the text exactly as given (code points), so `text[start:end]`
is always the passage a flag names. Nothing is normalised or rewritten.
"""

import itertools
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    start: int
    end: int

    def contains(self, start: int, end: int) -> bool:
        return self.start <= start and end <= self.end


# Words that end in a full stop without ending a sentence (English and Dutch legal writing).
_ABBREVIATIONS = frozenset(
    (
        "e.g",
        "i.e",
        "cf",
        "no",
        "nr",
        "nrs",
        "art",
        "arts",
        "para",
        "paras",
        "p",
        "pp",
        "vol",
        "ch",
        "sec",
        "st",
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "jr",
        "sr",
        "vs",
        "v",
        "etc",
        "al",
        "approx",
        "fig",
        "resp",
        "ibid",
        "id",
        "op",
        "cit",
        "jo",
        "jo.",
        "o.a",
        "bijv",
        "bv",
        "d.w.z",
        "m.a.w",
        "z.g.a.n",
        "ca",
        "enz",
        "e.a",
        "m.b.t",
        "i.v.m",
        "t.a.v",
        "t.o.v",
        "vgl",
        "blz",
        "mevr",
        "dhr",
        "drs",
        "ir",
        "ing",
        "mr.",
        "ec",
        "rov",
        "r.o",
        "wi",
        "stb",
        "stcrt",
        "kst",
        "abrvs",
        "vc",
    )
)
_END = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s)")
_PARAGRAPH = re.compile(r"\n[ \t\r\f\v]*\n|\n(?=[ \t]*(?:[-•*·–]|\d{1,3}[.)])[ \t])")
_WORD_BEFORE = re.compile(r"([\w.]+)$")


def sentences(text: str) -> list[Span]:
    """Split into sentences and list items, keeping exact offsets and trimming whitespace."""
    cuts = {0, len(text)}
    for m in _PARAGRAPH.finditer(text):
        cuts.add(m.end())
    for m in _END.finditer(text):
        if _is_sentence_end(text, m.start(), m.end()):
            cuts.add(m.end())
    spans: list[Span] = []
    ordered = sorted(cuts)
    for a, b in itertools.pairwise(ordered):
        span = _trim(text, a, b)
        if span is not None:
            spans.append(span)
    return spans


def _is_sentence_end(text: str, dot: int, after: int) -> bool:
    if text[dot] == ".":
        word = _WORD_BEFORE.search(text, max(0, dot - 40), dot)  # bounded: no quadratic scan
        if word is not None:
            w = word.group(1).lower()
            if w in _ABBREVIATIONS or (len(w) == 1 and w.isalpha()):
                return False
    rest = text[after : after + 40].lstrip()
    # "e.g. the" or "nr. 2029": a lower-case word or a number after the stop continues the sentence.
    return not rest or not (rest[0].islower() or rest[0].isdigit())


def _trim(text: str, a: int, b: int) -> Span | None:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return Span(a, b) if a < b else None


# A clause ends at a semicolon or colon, or where a comma introduces the writer's own
# conclusion or a new finite clause; reported speech and negation do not reach past it. A
# contrast (but, whereas, maar, terwijl) ends it even without a comma: "toetst nog steeds op
# bewustwording terwijl besloten is dat dat niet meer mag" states a practice, then the rule.
_CLAUSE_BREAK = re.compile(
    r"[;:]|,\s*(?:so|therefore|thus|hence|but|however|yet|whereas|while|which|and therefore|"
    r"and so|and thus|zodat|dus|daarom|derhalve|maar|echter|terwijl|hetgeen|wat|en dus|"
    r"zodoende|zo ?dat)\b|\b(?:but|so that|whereas|zodat|maar|terwijl)\b",
    re.IGNORECASE,
)


def clause_start(text: str, sentence: Span, pos: int) -> int:
    """Where the clause holding `pos` begins (within its sentence)."""
    start = sentence.start
    for m in _CLAUSE_BREAK.finditer(text, sentence.start, pos):
        start = m.end()
    return start


def clauses(text: str, sentence: Span) -> list[Span]:
    """The sentence cut into clauses (at `;`, `:` and the breaks of `clause_start`)."""
    cuts = [sentence.start]
    for m in _CLAUSE_BREAK.finditer(text, sentence.start, sentence.end):
        cuts.append(m.end())
    cuts.append(sentence.end)
    spans = (_trim(text, a, b) for a, b in itertools.pairwise(cuts))
    return [s for s in spans if s is not None]


def clause_end(text: str, sentence: Span, pos: int) -> int:
    """The end of the clause holding `pos`, for cues that follow a match (`;` or sentence end)."""
    m = re.compile(r"[;]").search(text, pos, sentence.end)
    return m.start() if m else sentence.end


# Quotation marks: (opening, closing). Straight quotes open and close alike.
_PAIRS = {"“": "”", "„": "”", "«": "»", "‹": "›", '"': '"', "‘": "’", "'": "'", "‚": "’"}
_MIN_QUOTE_WORDS = 3  # 'discreet' or "the scene" are scare quotes, not a quoted statement
_MAX_QUOTE = 2000


def quotations(text: str) -> list[Span]:
    """Quoted passages of at least a few words (the quotation marks included).

    An apostrophe between letters (applicant's, foto's) is not a quotation mark. A quotation
    does not run past a blank line or a maximum length, so an unbalanced mark cannot swallow
    the rest of the decision.
    """
    found: list[Span] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        close = _PAIRS.get(ch)
        if close is None or not _opens(text, i):
            i += 1
            continue
        j = _find_close(text, i + 1, close)
        if j is None:
            i += 1
            continue
        if len(text[i + 1 : j].split()) >= _MIN_QUOTE_WORDS:
            found.append(Span(i, j + 1))
            i = j + 1
        else:
            i += 1
    return found


def _opens(text: str, i: int) -> bool:
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    if text[i] in "'’‘" and before.isalnum():
        return False  # an apostrophe: applicant's, foto's, 's avonds
    return not after.isspace() and (before.isspace() or before in "([{:—–-/")


def _find_close(text: str, start: int, close: str) -> int | None:
    limit = min(len(text), start + _MAX_QUOTE)
    blank = text.find("\n\n", start, limit)
    if blank != -1:
        limit = blank
    k = text.find(close, start, limit)
    while k != -1:
        after = text[k + 1] if k + 1 < len(text) else " "
        if not text[k - 1].isspace() and not (close in "'’" and after.isalnum()):
            return k  # a closing mark, not an apostrophe
        if close in "'\"" and _opens(text, k):
            return None  # the same mark opens again: this one is unbalanced (and scans stay linear)
        k = text.find(close, k + 1, limit)
    return None
