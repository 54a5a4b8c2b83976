"""The concept lexicons of the decision-text linter, as data (the pack's lint/concepts.yaml).

Pure: the policy loader reads the file with the pack; this module checks it (every group a
concept or cue names must exist, every reason must be a contract reason code) and compiles
each term into word patterns.
"""

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from haven.guardrails.text_lemmas import Word, split_words
from haven.vocab import Reason

LANGS = ("en", "nl")
_SKIP = re.compile(r"~(\d*)")  # a term token that skips words: `~` up to 3, `~8` up to 8
_MAX_SKIP = 3


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Concept(_Model):
    id: str = Field(min_length=1)
    reason: Reason
    says: str = Field(min_length=1, description="What a matching passage does, in plain words")
    all: list[str] = Field(min_length=1, description="Groups that must all occur in the clause")
    near: list[tuple[str, str, int]] = Field(default_factory=list)
    context: str | None = None
    unless: list[str] = Field(default_factory=list)
    # Where the groups must all occur: one clause (default), or anywhere in the sentence, for
    # reasoning whose parts a comma separates ("He had no partner, so he was not believed").
    scope: Literal["clause", "sentence"] = "clause"


class Cue(_Model):
    id: str = Field(min_length=1)
    role: Literal["statement", "account", "lawful"]
    why: str = Field(min_length=1)
    all: list[str] = Field(min_length=1)
    unless: list[str] = Field(default_factory=list)
    applies_to: list[Reason] | None = None
    # Where `all` must occur: the clause (default), the sentence, or the matched wording
    # itself. `unless` is looked for in the whole sentence.
    scope: Literal["clause", "sentence", "match"] = "clause"


class Adoption(_Model):
    group: str
    # Groups that, in the adopting clause up to the adopting words, undo it ("not held against").
    unless: list[str] = Field(default_factory=list)


class Lexicon(_Model):
    groups: dict[str, dict[str, list[str]]]
    concepts: list[Concept]
    cues: list[Cue]
    # The group naming the decision-maker as speaker: a quotation it introduces is read as
    # the decision's own reasoning, not set aside as someone else's words.
    decision_quotes: str | None = None
    # The group naming the decision-maker acting inside a quotation ("'Home Office officials
    # have advised them to go home and act discreetly', we said"): a report of the decision's
    # reasoning, read like the rest whoever is quoted.
    decision_in_quote: str | None = None
    # The group of a sentence in the writer's voice that holds against the applicant what the
    # sentence before reports ("He stated that he knows no gay bars. This is held against
    # him."): the reported reasoning becomes the decision's own.
    adoption: "Adoption | None" = None
    # Spellings of one word that every term of a language accepts alike, per language: a
    # stem and its variants (Dutch "lhbt" is also written "lgbt" and, in Flanders, "holebi"),
    # so a group lists "lhbt*-gemeenschap" once and matches "LGBT-gemeenschap" too.
    spellings: dict[str, dict[str, list[str]]] = Field(default_factory=dict)
    _terms: dict[tuple[str, str], tuple["Term", ...]] = PrivateAttr(default_factory=dict)
    _index: dict[str, "_Index"] = PrivateAttr(default_factory=dict)

    def terms(self, group: str, lang: str) -> tuple["Term", ...]:
        key = (group, lang)
        if key not in self._terms:
            phrases = list(dict.fromkeys(self._spelt(self.groups[group].get(lang, []), lang)))
            self._terms[key] = tuple(Term(p) for p in phrases if split_words(p))
        return self._terms[key]

    def _spelt(self, phrases: list[str], lang: str) -> list[str]:
        """Each phrase, then the same phrase in every variant spelling of its stems."""
        out = []
        for p in phrases:
            out.append(p)
            for stem, variants in self.spellings.get(lang, {}).items():
                if stem in p.lower():
                    out += [p.lower().replace(stem, v) for v in variants]
        return out

    def starting(self, lang: str, w: Word) -> dict[str, list["Term"]]:
        """Per group, the terms whose first token matches this word (a cached index, so a
        long text costs one look-up per word rather than one per word and term)."""
        if lang not in self._index:
            self._index[lang] = _Index({g: self.terms(g, lang) for g in self.groups})
        return self._index[lang].starting(w)

    @model_validator(mode="after")
    def _names_exist(self) -> "Lexicon":
        for name, by_lang in self.groups.items():
            if set(by_lang) != set(LANGS):
                raise ValueError(f"group {name!r} must list terms for exactly {LANGS}")
        unknown = sorted(set(self.spellings) - set(LANGS))
        if unknown:
            raise ValueError(f"spellings name unknown languages {unknown}")
        adopting = [self.adoption.group, *self.adoption.unless] if self.adoption else []
        special = [self.decision_quotes, self.decision_in_quote, *adopting]
        for name in (n for n in special if n is not None):
            if name not in self.groups:
                raise ValueError(f"a quotation or adoption group names an unknown group {name!r}")
        every: list[Concept | Cue] = [*self.concepts, *self.cues]
        for c in every:
            named = [*c.all, *c.unless]
            if isinstance(c, Concept):
                named += [g for a, b, _ in c.near for g in (a, b)]
                named += [c.context] if c.context else []
            missing = sorted(set(named) - set(self.groups))
            if missing:
                raise ValueError(f"{c.id} names unknown groups {missing}")
        ids = [c.id for c in every]
        if len(ids) != len(set(ids)):
            raise ValueError("concept and cue ids must be unique")
        return self


class Term:
    """One lexicon phrase, compiled: each token matches a word's surface form or lemma."""

    def __init__(self, phrase: str) -> None:
        self.phrase = phrase
        self.tokens: list[str | re.Pattern[str] | int] = []  # int: skip up to that many
        for tok in split_words(phrase):
            skip = _SKIP.fullmatch(tok)
            if skip:
                self.tokens.append(int(skip.group(1) or _MAX_SKIP))
            elif "*" in tok:
                self.tokens.append(re.compile(".*".join(re.escape(p) for p in tok.split("*"))))
            else:
                self.tokens.append(tok)

    def match_at(self, ws: list[Word], i: int) -> int | None:
        """The index after the last word matched when the term starts at word i, or None."""
        return self._match(ws, i, 0)

    def _match(self, ws: list[Word], i: int, k: int) -> int | None:
        if k == len(self.tokens):
            return i
        tok = self.tokens[k]
        if isinstance(tok, int):
            for skip in range(tok + 1):
                if i + skip > len(ws):
                    break
                end = self._match(ws, i + skip, k + 1)
                if end is not None:
                    return end
            return None
        if i >= len(ws) or not _token_matches(tok, ws[i]):
            return None
        return self._match(ws, i + 1, k + 1)


class _Index:
    _MAX_CACHED = 200_000  # word forms; the cache starts afresh past this (bounded memory)

    def __init__(self, by_group: dict[str, tuple[Term, ...]]) -> None:
        # (group, position in the group, term): a group's terms are tried in their order
        self.literal: dict[str, list[tuple[str, int, Term]]] = {}
        self.wild: list[tuple[str, int, Term, re.Pattern[str]]] = []
        for group, terms in by_group.items():
            for k, t in enumerate(terms):
                first = t.tokens[0]
                if isinstance(first, str):
                    self.literal.setdefault(first, []).append((group, k, t))
                elif isinstance(first, re.Pattern):
                    self.wild.append((group, k, t, first))
        self.cache: dict[tuple[str, str], dict[str, list[Term]]] = {}

    def starting(self, w: Word) -> dict[str, list[Term]]:
        key = (w.lower, w.lemma)
        found = self.cache.get(key)
        if found is None:
            hits = [*self.literal.get(w.lower, ())]
            if w.lemma != w.lower:
                hits += self.literal.get(w.lemma, ())
            hits += [
                (g, k, t)
                for g, k, t, p in self.wild
                if p.fullmatch(w.lower) or p.fullmatch(w.lemma)
            ]
            found = {}
            for g, _, t in sorted(hits, key=lambda h: (h[0], h[1])):
                if t not in found.get(g, ()):
                    found.setdefault(g, []).append(t)
            if len(self.cache) > self._MAX_CACHED:
                self.cache.clear()
            self.cache[key] = found
        return found


def _token_matches(tok: str | re.Pattern[str], w: Word) -> bool:
    if isinstance(tok, str):
        return tok in (w.lower, w.lemma)
    return bool(tok.fullmatch(w.lower) or tok.fullmatch(w.lemma))


def parse(raw: dict[str, Any]) -> Lexicon:
    """The lexicon checked and ready (pydantic.ValidationError names what is wrong)."""
    return Lexicon.model_validate(raw)
