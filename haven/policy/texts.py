"""A pack's texts in another language: entry labels, source titles, tag and group labels, flag
texts, step titles and findings' sentences, forbidden-reasoning messages, country-report
findings' paraphrases and the consistency checks' legal bases, kept in `i18n/<lang>.yaml`
beside the pack (apart from the entries, which are data) and keyed by id. Pure: the loader
reads the file; here the model, the look-up and the completeness check.

A missing translation falls back to the pack's own (English) text; `haven policy validate`
lists what is missing, and any text for an id the pack does not have (a typo, or an entry a
draft removed), which is otherwise unused."""

import string

from pydantic import BaseModel, ConfigDict, Field

from haven.errors import Problem


class PackTexts(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    entries: dict[str, str] = Field(default_factory=dict, description="entry id -> label")
    sources: dict[str, str] = Field(default_factory=dict, description="source id -> title")
    tags: dict[str, str] = Field(default_factory=dict, description="tag id -> label")
    groups: dict[str, str] = Field(default_factory=dict, description="group id -> label")
    flags: dict[str, str] = Field(
        default_factory=dict, description="flag code -> its meaning (framework.yaml: flags)"
    )
    steps: dict[str, str] = Field(
        default_factory=dict, description="step (rule id) -> its heading (framework.yaml: steps)"
    )
    step_findings: dict[str, str] = Field(
        default_factory=dict,
        description="sentence key -> a sentence of a step's finding, with the same {arguments} "
        "(framework.yaml: step_findings)",
    )
    messages: dict[str, str] = Field(
        default_factory=dict,
        description="forbidden-reasoning entry id -> its message for the case officer",
    )
    findings: dict[str, str] = Field(
        default_factory=dict, description="country-report finding id -> its paraphrase"
    )
    rules: dict[str, str] = Field(
        default_factory=dict,
        description="framework rule a step quotes -> its text (framework.yaml: rules)",
    )
    rule_titles: dict[str, str] = Field(
        default_factory=dict,
        description="framework rule a step quotes -> its title (framework.yaml: rules)",
    )
    notes: dict[str, str] = Field(
        default_factory=dict,
        description="entry id -> why it is unverified or unconfirmed (its `note`, or "
        "`unconfirmed_from.note`), where a step says so",
    )
    region_notes: dict[str, str] = Field(
        default_factory=dict,
        description="safe-country entry id -> its `exception_region_note`",
    )
    pack: dict[str, str] = Field(
        default_factory=dict, description="`name` -> the pack's name (pack.yaml: name)"
    )
    checks: dict[str, str] = Field(
        default_factory=dict,
        description="consistency check -> its legal basis in plain words (framework.yaml: checks)",
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
