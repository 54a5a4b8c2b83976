"""Words of a passage with their lemmas (Dutch and English) and the passage's language.

Pure and deterministic: lemmas come from simplemma, whose dictionaries ship inside the PyPI
package (nothing is downloaded, no model is loaded from a hub). A word keeps its exact
character offsets so that a concept match can name the wording it found.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

import simplemma

# A word: letters and digits, with inner hyphens or apostrophes (self-acceptance,
# LHBTI-organisaties, doesn't, foto's).
_WORD = re.compile(r"\w+(?:[-'’]\w+)*")

_STOP_EN = "the of and to a in that is was he she his her it not be by for with as on has have"
_STOP_EN += " had this which from are were an or been would could their they him does did"
_STOP_NL = "de het een en van dat is was hij zij zijn haar niet te in op met voor door heeft"
_STOP_NL += " hebben wordt worden bij als om ook aan er die deze dit naar geen kan zich uit"
_STOP = {"en": frozenset(_STOP_EN.split()), "nl": frozenset(_STOP_NL.split())}


@dataclass(frozen=True)
class Word:
    start: int
    end: int
    lower: str
    lemma: str


@lru_cache(maxsize=65536)
def lemma(word: str, lang: str) -> str:
    """The lemma of a lower-case word ("kent" → "kennen", "knew" → "know")."""
    return str(simplemma.lemmatize(word, lang=lang)).lower()


def language(text: str, start: int = 0, end: int | None = None) -> str:
    """ "nl" or "en": whichever language's common words the passage uses more (ties: en)."""
    stop = len(text) if end is None else end
    found = [m.group().lower() for m in _WORD.finditer(text, start, stop)]
    nl = sum(w in _STOP["nl"] for w in found)
    en = sum(w in _STOP["en"] for w in found)
    return "nl" if nl > en else "en"


def words(text: str, start: int, end: int, lang: str) -> list[Word]:
    """The words of text[start:end] with offsets into the whole text and their lemmas."""
    out = []
    for m in _WORD.finditer(text, start, end):
        low = m.group().lower().replace("’", "'")
        out.append(Word(m.start(), m.end(), low, lemma(low, lang)))
    return out


def split_words(phrase: str) -> list[str]:
    """A lexicon term's tokens, cut as the text is (punctuation other than `*` and `~` dropped)."""
    return re.findall(r"[\w*~]+(?:[-'’][\w*]+)*", phrase.lower().replace("’", "'"))
