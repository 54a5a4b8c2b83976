"""A pack's texts in another language: entry labels, source titles, tag and group labels, flag
texts, step titles and findings' sentences, forbidden-reasoning messages, country-report
findings' paraphrases and the consistency checks' legal bases, kept in `i18n/<lang>.yaml`
beside the pack (apart from the entries, which are data) and keyed by id. Pure: the loader
reads the file; here the model, the look-up and the completeness check.

A missing translation falls back to the pack's own (English) text; `haven policy validate`
lists what is missing, and any text for an id the pack does not have (a typo, or an entry a
draft removed), which is otherwise unused."""

import string
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from haven.errors import Problem

Texts = dict[str, str]  # id -> its text in the file's language


def _texts(description: str) -> Any:
    """A kind of text: by id, none by default."""
    return Field(default_factory=dict, description=description)


class PackTexts(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    entries: Texts = _texts("entry id -> label")
    sources: Texts = _texts("source id -> title")
    tags: Texts = _texts("tag id -> label")
    groups: Texts = _texts("group id -> label")
    flags: Texts = _texts("flag code -> its meaning (framework.yaml: flags)")
    steps: Texts = _texts("step (rule id) -> its heading (framework.yaml: steps)")
    step_findings: Texts = _texts(
        "sentence key -> a sentence of a step's finding, with the same {arguments} "
        "(framework.yaml: step_findings)"
    )
    messages: Texts = _texts("forbidden-reasoning entry id -> its message for the case officer")
    findings: Texts = _texts("country-report finding id -> its paraphrase")
    rules: Texts = _texts("framework rule a step quotes -> its text (framework.yaml: rules)")
    rule_titles: Texts = _texts("framework rule a step quotes -> its title (framework.yaml: rules)")
    notes: Texts = _texts(
        "entry id -> why it is unverified or unconfirmed (its `note`, or "
        "`unconfirmed_from.note`), where a step says so"
    )
    region_notes: Texts = _texts("safe-country entry id -> its `exception_region_note`")
    review_notes: Texts = _texts("entry id -> the note of its `review_flag` (why under review)")
    legal_weights: Texts = _texts("legal weight id -> its text (framework.yaml: legal_weight)")
    pack: Texts = _texts("`name` -> the pack's name (pack.yaml: name)")
    checks: Texts = _texts(
        "consistency check -> its legal basis in plain words (framework.yaml: checks)"
    )


KINDS = (
    "entries",
    "sources",
    "tags",
    "groups",
    "flags",
    "steps",
    "step_findings",
    "messages",
    "findings",
    "checks",
    "rules",
    "rule_titles",
    "notes",
    "region_notes",
    "review_notes",
    "legal_weights",
    "pack",
)
SINGULAR = {
    "entries": "entry",
    "sources": "source",
    "tags": "tag",
    "groups": "group",
    "flags": "flag",
    "steps": "step",
    "step_findings": "finding sentence",
    "messages": "forbidden-reasoning entry",
    "findings": "finding",
    "checks": "check",
    "rules": "quoted rule",
    "rule_titles": "quoted rule",
    "notes": "entry with a note on its doubt",
    "region_notes": "safe country with a regional exception note",
    "review_notes": "entry under review",
    "legal_weights": "legal weight",
    "pack": "pack text",
}


def placeholders(text: str) -> set[str]:
    """The `{argument}` names a sentence uses."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def mismatched(texts: PackTexts, english: dict[str, str], where: str) -> list[Problem]:
    """Finding sentences whose `{arguments}` differ from the pack's own (English) sentence: a
    translation must say everything the engine gives, and nothing it does not."""
    return [
        Problem(
            f"{where}: step_findings.{key}",
            f"uses {sorted(placeholders(text))}, the pack's sentence "
            f"{sorted(placeholders(english[key]))}",
        )
        for key, text in sorted(texts.step_findings.items())
        if key in english and placeholders(text) != placeholders(english[key])
    ]


def unknown(texts: PackTexts, ids: dict[str, set[str]], where: str) -> list[Problem]:
    """Translations of ids the pack does not have (`ids`: kind -> the pack's ids)."""
    return [
        Problem(f"{where}: {kind}.{key}", f"the pack has no {SINGULAR[kind]} {key!r}")
        for kind in KINDS
        for key in sorted(getattr(texts, kind).keys() - ids[kind])
    ]


def missing(texts: PackTexts | None, ids: dict[str, set[str]]) -> dict[str, list[str]]:
    """kind -> the pack's ids with no translation (every id when there is no file)."""
    out = {}
    for kind in KINDS:
        have = set(getattr(texts, kind)) if texts else set()
        gaps = sorted(ids[kind] - have)
        if gaps:
            out[kind] = gaps
    return out
