"""A loaded policy pack: sources, vocabulary, framework rules and dated entries.

Cross-references and overlaps are checked here, so a Pack that exists is consistent.
"""

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from haven.errors import PolicyError, Problem
from haven.policy.entries import (
    Designation,
    EntryBase,
    ForbiddenReasoning,
    Moratorium,
    SafeCountry,
)
from haven.policy.evidence import Finding, Report
from haven.policy.framework import (
    QUOTED_RULES,
    CheckBasis,
    CheckId,
    FindingKey,
    FindingText,
    FlagText,
    LegalWeight,
    Rule,
    RuleId,
    StepTitle,
)
from haven.policy.groups import Group, Tag
from haven.policy.precedence import ordered
from haven.policy.sources import Source
from haven.policy.texts import PackTexts

if TYPE_CHECKING:
    from haven.policy.snapshot import PolicyOn
from haven.vocab import FlagCode

E = TypeVar("E", bound=EntryBase)


def doubt_note(e: EntryBase) -> str | None:
    """The pack's words on why a designation is in doubt, as the designation step quotes them:
    the reset's note once a verified entry is unconfirmed, else an unverified entry's note."""
    if not isinstance(e, Designation):
        return None
    if e.verified and e.unconfirmed_from is not None:
        return e.unconfirmed_from.note
    return e.note if not e.verified else None


# A framework section's key: a check, flag or step id.
K = TypeVar("K", bound=StrEnum)


class PackMeta(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_\-]*$")
    name: str
    jurisdiction: str
    description: str
    maintainers: str | None = None


class Located(BaseModel):
    """An entry and where it was read from, for error messages."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    file: str
    index: int
    entry: EntryBase

    @property
    def where(self) -> str:
        return f"{self.file}: entry {self.entry.id!r} (entries[{self.index}])"


class Pack:
    def __init__(
        self,
        meta: PackMeta,
        sources: list[Source],
        tags: list[Tag],
        groups: list[Group],
        rules: list[Rule],
        entries: list[Located],
        reports: list[Report] | None = None,
        findings: list[Finding] | None = None,
        checks: list[CheckBasis] | None = None,
        lint_lexicon: dict[str, Any] | None = None,
        flags: list[FlagText] | None = None,
        steps: list[StepTitle] | None = None,
        step_findings: list[FindingText] | None = None,
        legal_weight: list[LegalWeight] | None = None,
        lint_model: dict[str, Any] | None = None,
    ) -> None:
        self.meta = meta
        # The linter's opt-in model (lint/model.json: weights as data), raw, read only by
        # `haven lint --model`; like the lexicons, not policy and not part of the version.
        self.lint_model = lint_model
        # The linter's concept lexicons (lint/concepts.yaml), raw: haven.guardrails checks
        # them. Reading data, not policy: they do not change the pack's version.
        self.lint_lexicon = lint_lexicon
        self.sources = {s.id: s for s in sources}
        self.tags = {t.id: t for t in tags}
        self.groups = {g.id: g for g in groups}
        self.rules = {r.id: r for r in rules}
        self.located = entries
        self.entries = {loc.entry.id: loc.entry for loc in entries}
        self.reports = {r.id: r for r in reports or ()}
        self.findings = {f.id: f for f in findings or ()}
        self.checks = {c.id: c for c in checks or ()}
        self.flags: dict[str, FlagText] = {f.id: f for f in flags or ()}
        self.steps: dict[str, StepTitle] = {s.id: s for s in steps or ()}
        # The sentences of the steps' findings (framework.yaml: step_findings), presentation
        # only like the texts below: not part of the version. Optional; complete if given.
        self.step_findings: dict[str, FindingText] = {f.id: f for f in step_findings or ()}
        problems = self._check(sources, tags, groups, rules)
        problems += self._check_bases(list(checks or ()))
        problems += self._check_flags(list(flags or ()))
        problems += self._check_steps(list(steps or ()))
        if step_findings:
            problems += _complete(
                "framework.yaml: step_findings",
                [f.id for f in step_findings],
                FindingKey,
                "finding sentences",
            )
        problems += self._check_evidence(list(reports or ()), list(findings or ()))
        # The legal weight of the policy by period (framework.yaml: legal_weight), optional.
        self.legal_weight: list[LegalWeight] = sorted(
            legal_weight or (), key=lambda w: w.valid_from
        )
        problems += self._check_weight(self.legal_weight)
        if problems:
            raise PolicyError(problems)
        self._by_country: dict[str | None, list[EntryBase]] = defaultdict(list)
        for loc in entries:
            self._by_country[loc.entry.country].append(loc.entry)
        self._finding_end = self._finding_ends()
        self.version = self._hash()
        # Texts in other languages (haven/policy/texts.py), set by the loader; presentation
        # only, so not part of the version.
        self.texts: dict[str, PackTexts] = {}
        # The pack as of a date, by date (haven.policy.snapshot.policy_on): a pure function of
        # the pack and the date, so built once per date instead of once per assessment.
        self.snapshots: dict[date, PolicyOn] = {}

    def ids(self) -> dict[str, set[str]]:
        """The ids a translation file may name, by kind."""
        return {
            "entries": set(self.entries),
            "sources": set(self.sources),
            "tags": set(self.tags),
            "groups": set(self.groups),
            "flags": {str(code) for code in self.flags},
            "steps": {str(rule) for rule in self.steps},
            "step_findings": set(self.step_findings),
            "messages": {e.id for e in self.entries.values() if isinstance(e, ForbiddenReasoning)},
            "findings": set(self.findings),
            "checks": {str(c) for c in self.checks},
            "rules": {str(r) for r in QUOTED_RULES if r in self.rules},
            "rule_titles": {str(r) for r in QUOTED_RULES if r in self.rules},
            "notes": {e.id for e in self.entries.values() if doubt_note(e)},
            "pack": {"name"},
            "region_notes": {
                e.id
                for e in self.entries.values()
                if isinstance(e, SafeCountry) and e.exception_region_note
            },
            "review_notes": {e.id for e in self.entries.values() if e.review_flag},
            "legal_weights": {w.id for w in self.legal_weight},
        }

    def text(self, kind: str, key: str, default: str, lang: str) -> str:
        """The text of an entry, source, tag or group in `lang`, else `default` (English)."""
        texts = self.texts.get(lang)
        found = getattr(texts, kind).get(key) if texts else None
        return found or default

    def display_name(self, lang: str) -> str:
        """The pack's name in `lang` (i18n: pack.name), else its own (pack.yaml: name)."""
        return self.text("pack", "name", self.meta.name, lang)

    def entry_label(self, entry_id: str, lang: str) -> str:
        entry = self.entries.get(entry_id)
        return self.text("entries", entry_id, entry.label if entry else entry_id, lang)

    def flag_text(self, code: str, lang: str) -> str | None:
        """What a flag means and the law that says so (framework.yaml: flags), in `lang`."""
        flag = self.flags.get(code)
        return self.text("flags", code, flag.text, lang) if flag else None

    def step_title(self, rule: str, lang: str) -> str | None:
        """The heading of a reasoning step (framework.yaml: steps), in `lang`."""
        step = self.steps.get(rule)
        return self.text("steps", rule, step.title, lang) if step else None

    def finding_sentence(self, key: str, lang: str) -> str | None:
        """One sentence of a step's finding (framework.yaml: step_findings), in `lang`, with
        its `{argument}` placeholders; None if the pack has no such sentence."""
        found = self.step_findings.get(key)
        return self.text("step_findings", key, found.text, lang) if found else None

    def reasoning_message(self, entry_id: str, lang: str) -> str:
        """A forbidden-reasoning entry's message for the case officer, in `lang`."""
        entry = self.entries.get(entry_id)
        default = entry.message if isinstance(entry, ForbiddenReasoning) else entry_id
        return self.text("messages", entry_id, default, lang)

    def paraphrase(self, finding_id: str, lang: str) -> str:
        """What a country-report finding says (findings.yaml: paraphrase), in `lang`."""
        found = self.findings.get(finding_id)
        return self.text("findings", finding_id, found.paraphrase if found else finding_id, lang)

    def check_text(self, check: str, lang: str) -> str:
        """The legal basis of a consistency check (framework.yaml: checks), in `lang`."""
        basis = self.checks.get(CheckId(check)) if check in set(CheckId) else None
        return self.text("checks", check, basis.text if basis else check, lang)

    def rule_text(self, rule: str, lang: str, *, title: bool = False) -> str:
        """A framework rule's text (or title) a step quotes, in `lang`."""
        found = self.rules.get(RuleId(rule)) if rule in set(RuleId) else None
        if found is None:
            return rule
        if title:
            return self.text("rule_titles", rule, found.title, lang)
        return self.text("rules", rule, found.text, lang)

    def note(self, entry_id: str, lang: str) -> str:
        """Why a designation is unverified or unconfirmed (`doubt_note`), in `lang`."""
        entry = self.entries.get(entry_id)
        return self.text("notes", entry_id, (doubt_note(entry) if entry else None) or "", lang)

    def region_note(self, entry_id: str, lang: str) -> str:
        """A safe country's note on its regional exception, in `lang`."""
        entry = self.entries.get(entry_id)
        note = entry.exception_region_note if isinstance(entry, SafeCountry) else None
        return self.text("region_notes", entry_id, note or "", lang)

    def review_note(self, entry_id: str, lang: str) -> str:
        """Why an entry is under review (its `review_flag.note`), in `lang`."""
        entry = self.entries.get(entry_id)
        note = entry.review_flag.note if entry and entry.review_flag else ""
        return self.text("review_notes", entry_id, note, lang)

    def weight_text(self, weight_id: str, lang: str) -> str:
        """The text of a legal weight (framework.yaml: legal_weight), in `lang`."""
        found = next((w.text for w in self.legal_weight if w.id == weight_id), weight_id)
        return self.text("legal_weights", weight_id, found, lang)

    def source_title(self, source_id: str, lang: str) -> str:
        source = self.sources.get(source_id)
        return self.text("sources", source_id, source.title if source else source_id, lang)

    # -- queries -------------------------------------------------------------------------

    def in_force(self, kind: type[E], on: date, country: str | None) -> list[E]:
        """Entries of one kind in force on a date for a country (plus country-wide ones), in
        precedence order (haven.policy.precedence): the first that applies wins."""
        found = [e for e in self._by_country.get(country, ()) if isinstance(e, kind)]
        if country is not None:
            found += [e for e in self._by_country.get(None, ()) if isinstance(e, kind)]
        return ordered(e for e in found if e.in_force(on))

    def all_in_force(self, on: date) -> list[EntryBase]:
        """Every entry in force on a date, for every country, in precedence order."""
        return ordered(e for e in self.entries.values() if e.in_force(on))

    def for_country(self, country: str | None) -> list[EntryBase]:
        """Entries stored under a country; `None` gives the country-wide ones (EU guardrails)."""
        return sorted(self._by_country.get(country, ()), key=lambda e: (e.valid_from, e.id))

    def countries(self) -> list[str]:
        return sorted(c for c in self._by_country if c is not None)

    def weight_on(self, on: date) -> LegalWeight | None:
        """The legal weight of the pack's policy on a date (framework.yaml: legal_weight)."""
        return next((w for w in self.legal_weight if w.in_force(on)), None)

    def rule(self, rule: RuleId) -> Rule:
        return self.rules[rule]

    def check_basis(self, check: CheckId) -> CheckBasis:
        """The legal basis of a consistency check (framework.yaml: checks)."""
        return self.checks[check]

    # -- evidence (findings.yaml) --------------------------------------------------------

    def finding_end(self, finding: Finding) -> date | None:
        """The first day a finding no longer counts: when a report replacing its report appears."""
        return self._finding_end.get(finding.report)

    def finding_in_force(self, finding: Finding, on: date) -> bool:
        end = self.finding_end(finding)
        return finding.date <= on and (end is None or on < end)

    def findings_in_force(self, on: date, country: str | None = None) -> list[Finding]:
        """Findings counting on a date (for one country, or all), oldest first."""
        return sorted(
            (
                f
                for f in self.findings.values()
                if (country is None or f.country == country) and self.finding_in_force(f, on)
            ),
            key=lambda f: (f.date, f.id),
        )

    def evidence_boundaries(self) -> list[date]:
        """Every date on which a finding starts or stops counting."""
        days = {f.date for f in self.findings.values()}
        days |= {end for end in self._finding_end.values() if end is not None}
        return sorted(days)

    def _finding_ends(self) -> dict[str, date | None]:
        ends: dict[str, date | None] = dict.fromkeys(self.reports)
        for r in self.reports.values():
            if r.replaces is not None:
                ends[r.replaces] = r.published
        return ends

    def boundaries(self) -> list[date]:
        """Every date on which something in the pack starts, ends or becomes unconfirmed."""
        days: set[date] = set()
        for e in self.entries.values():
            days.add(e.valid_from)
            if e.valid_to:
                days.add(e.valid_to)
            days.update(e.doubt_dates())
        for w in self.legal_weight:
            days.add(w.valid_from)
            if w.valid_to:
                days.add(w.valid_to)
        return sorted(days)

    # -- consistency ---------------------------------------------------------------------

    def _check(
        self, sources: list[Source], tags: list[Tag], groups: list[Group], rules: list[Rule]
    ) -> list[Problem]:
        problems: list[Problem] = []
        problems += _duplicates("sources.yaml: sources", (s.id for s in sources))
        problems += _duplicates("groups.yaml: tags", (t.id for t in tags))
        problems += _duplicates("groups.yaml: groups", (g.id for g in groups))
        problems += _duplicates("framework.yaml: rules", (r.id for r in rules))
        problems += _duplicates("entries", (loc.entry.id for loc in self.located))
        for g in groups:
            for tag in (*g.tags_any, *g.tags_all):
                if tag not in self.tags:
                    problems.append(Problem(f"groups.yaml: group {g.id!r}", f"unknown tag {tag!r}"))
        for rule in rules:
            where = f"framework.yaml: rule {rule.id.value!r}"
            problems += self._cite(where, rule.sources)
            # Framework rules are general law: a document about one country would be cited in
            # every other country's assessment (issue 14).
            problems += [
                Problem(
                    f"{where}: sources[{i}]",
                    f"{sid!r} concerns {', '.join(src.countries)}; "
                    "a framework rule cites general law only",
                )
                for i, sid in enumerate(rule.sources)
                if (src := self.sources.get(sid)) is not None and src.countries
            ]
            if (rule.id is RuleId.PAST_HARM) != bool(rule.incident_kinds):
                problems.append(
                    Problem(
                        f"{where}: incident_kinds",
                        "the past_harm rule names the incident kinds that count as serious "
                        "harm (and no other rule does)",
                    )
                )
        missing = sorted(set(RuleId) - set(self.rules))
        if missing:
            problems.append(Problem("framework.yaml", f"missing rules: {', '.join(missing)}"))
        for loc in self.located:
            problems += self._check_entry(loc)
        problems += _overlaps(self.located)
        return problems

    def _check_weight(self, periods: list[LegalWeight]) -> list[Problem]:
        """framework.yaml: legal_weight: known sources, ordered intervals that do not overlap."""
        problems = _duplicates("framework.yaml: legal_weight", (w.id for w in periods))
        for i, w in enumerate(periods):
            where = f"framework.yaml: legal_weight {w.id!r}"
            problems += self._cite(where, w.sources)
            if w.valid_to is not None and w.valid_to <= w.valid_from:
                problems.append(Problem(f"{where}: valid_to", "is not after valid_from"))
            end = periods[i - 1].valid_to if i else None
            if i and (end is None or end > w.valid_from):
                problems.append(Problem(f"{where}: valid_from", f"overlaps {periods[i - 1].id!r}"))
        return problems

    def _check_bases(self, checks: list[CheckBasis]) -> list[Problem]:
        """framework.yaml: checks: one legal basis per consistency check, citing known sources."""
        where = "framework.yaml: checks"
        problems = _complete(where, [c.id for c in checks], CheckId, "legal bases")
        for c in checks:
            problems += self._cite(f"framework.yaml: check {c.id.value!r}", c.sources)
        return problems

    def _check_flags(self, flags: list[FlagText]) -> list[Problem]:
        """framework.yaml: flags: the meaning of every flag a step can raise, citing known
        sources."""
        problems = _complete("framework.yaml: flags", [f.id for f in flags], FlagCode, "flag texts")
        for f in flags:
            problems += self._cite(f"framework.yaml: flag {f.id.value!r}", f.sources)
        return problems

    def _check_steps(self, steps: list[StepTitle]) -> list[Problem]:
        """framework.yaml: steps: a heading for every step the engine produces."""
        return _complete("framework.yaml: steps", [s.id for s in steps], RuleId, "step titles")

    def _check_evidence(self, reports: list[Report], findings: list[Finding]) -> list[Problem]:
        """findings.yaml: reports are sources; findings name a known report, group and sources."""
        problems: list[Problem] = []
        problems += _duplicates("findings.yaml: reports", (r.id for r in reports))
        problems += _duplicates("findings.yaml: findings", (f.id for f in findings))
        replaced: set[str] = set()
        for i, r in enumerate(reports):
            where = f"findings.yaml: report {r.id!r} (reports[{i}])"
            if r.id not in self.sources:
                problems.append(Problem(f"{where}: id", f"unknown source {r.id!r}"))
            if r.replaces is None:
                continue
            old = self.reports.get(r.replaces)
            if old is None:
                problems.append(Problem(f"{where}: replaces", f"unknown report {r.replaces!r}"))
            elif old.published >= r.published:
                problems.append(
                    Problem(f"{where}: replaces", f"{old.id!r} is not older than this report")
                )
            if r.replaces in replaced:
                problems.append(
                    Problem(f"{where}: replaces", f"another report already replaces {r.replaces!r}")
                )
            replaced.add(r.replaces)
        for i, f in enumerate(findings):
            where = f"findings.yaml: finding {f.id!r} (findings[{i}])"
            problems += self._cite(where, f.sources)
            report = self.reports.get(f.report)
            if report is None:
                problems.append(Problem(f"{where}: report", f"unknown report {f.report!r}"))
            elif f.date < report.published:
                problems.append(
                    Problem(
                        f"{where}: date",
                        f"{f.date} is before its report was published ({report.published})",
                    )
                )
            if f.group not in self.groups:
                problems.append(Problem(f"{where}: group", f"unknown group {f.group!r}"))
        return problems

    def _cite(self, where: str, ids: Iterable[str]) -> list[Problem]:
        return [
            Problem(f"{where}: sources[{i}]", f"unknown source {sid!r} (not in sources.yaml)")
            for i, sid in enumerate(ids)
            if sid not in self.sources
        ]

    def _check_entry(self, loc: Located) -> list[Problem]:
        e, where = loc.entry, loc.where
        problems = self._cite(where, e.sources)
        problems += [
            Problem(
                f"{where}: sources[{i}]",
                f"{sid!r} concerns {', '.join(src.countries)}, not {e.country or 'every country'}",
            )
            for i, sid in enumerate(e.sources)
            if (src := self.sources.get(sid)) is not None
            and not src.concerns(e.country)
            and src.countries
        ]
        if e.unconfirmed_from:
            problems += self._cite(f"{where}: unconfirmed_from", e.unconfirmed_from.sources)
        if e.review_flag:
            problems += self._cite(f"{where}: review_flag", e.review_flag.sources)
        groups = [("group", e.group)] if e.group else []
        if isinstance(e, SafeCountry):
            groups += [(f"exception_groups[{i}]", g) for i, g in enumerate(e.exception_groups)]
        for field, gid in groups:
            if gid not in self.groups:
                problems.append(Problem(f"{where}: {field}", f"unknown group {gid!r}"))
        return problems

    def _hash(self) -> str:
        """Content hash: any change to data gives a new version; same data, same version."""
        doc = {
            "meta": self.meta.model_dump(mode="json"),
            "sources": [s.model_dump(mode="json") for s in self.sources.values()],
            "tags": [t.model_dump(mode="json") for t in self.tags.values()],
            "groups": [g.model_dump(mode="json") for g in self.groups.values()],
            # Without defaults: a field added later leaves the version of a pack without it.
            "rules": [
                r.model_dump(mode="json", exclude_defaults=True) for r in self.rules.values()
            ],
            "entries": [loc.entry.hashed() for loc in self.located],
        }
        if self.checks:
            doc["checks"] = [c.model_dump(mode="json") for c in self.checks.values()]
        if self.flags:
            doc["flags"] = [f.model_dump(mode="json") for f in self.flags.values()]
        if self.steps:
            doc["steps"] = [s.model_dump(mode="json") for s in self.steps.values()]
        if self.legal_weight:  # a pack without it keeps its earlier version
            doc["legal_weight"] = [w.model_dump(mode="json") for w in self.legal_weight]
        if self.reports or self.findings:  # a pack without evidence keeps its earlier version
            doc["reports"] = [r.model_dump(mode="json") for r in self.reports.values()]
            doc["findings"] = [f.model_dump(mode="json") for f in self.findings.values()]
        blob = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _complete(where: str, ids: list[K], wanted: type[K], what: str) -> list[Problem]:
    """A framework section that must name each member of `wanted` once: its repeats, and the
    members it lacks."""
    problems = _duplicates(where, ids)
    missing = sorted(set(wanted) - set(ids))
    if missing:
        problems.append(Problem(where, f"missing {what}: {', '.join(missing)}"))
    return problems


def _duplicates(where: str, ids: Iterator[str] | Iterable[str]) -> list[Problem]:
    seen: set[str] = set()
    problems = []
    for i in ids:
        if i in seen:
            problems.append(Problem(where, f"duplicate id {i!r}"))
        seen.add(i)
    return problems


def scope_key(e: EntryBase) -> tuple[object, ...]:
    """Two entries with the same scope say the same kind of thing about the same people."""
    key: tuple[object, ...] = (
        type(e).__name__,
        e.country,
        frozenset(e.regions),
        frozenset(e.except_regions),
        e.group,
    )
    if isinstance(e, ForbiddenReasoning):
        key += (e.reason,)
    if isinstance(e, Moratorium):
        key += (e.decision, e.departure)
    return key


def _ends_later(a: EntryBase, b: EntryBase) -> bool:
    if a.valid_to is None:
        return True
    return b.valid_to is not None and a.valid_to > b.valid_to


def _overlaps(located: list[Located]) -> list[Problem]:
    """Entries of one scope must not overlap in time: they would contradict or duplicate."""
    by_scope: dict[tuple[object, ...], list[Located]] = defaultdict(list)
    for loc in located:
        by_scope[scope_key(loc.entry)].append(loc)
    problems = []
    for locs in by_scope.values():
        locs.sort(key=lambda loc: loc.entry.valid_from)
        latest: Located | None = None  # the entry reaching furthest into the future so far
        for b in locs:
            if latest is not None:
                end = latest.entry.valid_to
                if end is None or b.entry.valid_from < end:
                    problems.append(
                        Problem(
                            b.where,
                            f"valid_from {b.entry.valid_from} overlaps {latest.entry.id!r} in "
                            f"{latest.file} (same kind, country, regions and group, in force "
                            f"until {end or 'no end date'}); end one before the other starts",
                        )
                    )
            if latest is None or _ends_later(b.entry, latest.entry):
                latest = b
    return problems
