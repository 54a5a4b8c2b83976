"""Read a pack directory of YAML files into a validated Pack.

This module does file I/O; everything it returns is plain data for the pure core.
Layout: pack.yaml, sources.yaml, groups.yaml, framework.yaml, entries/*.yaml, and optionally
findings.yaml (country-of-origin reports and findings; a pack without it has no evidence) and
lint/concepts.yaml (the decision-text linter's concept lexicons: reading data, checked by
haven.guardrails.text_lexicon; a pack without it lints with the pattern table only) and
lint/model.json (the linter's opt-in model weights, read by `haven lint --model` only).
"""

import json
import re
from collections.abc import Iterable
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, TypeAdapter, ValidationError

from haven.errors import PolicyError, Problem
from haven.packs import DEFAULT_PACK
from haven.policy.entries import Entry, EntryBase
from haven.policy.evidence import Finding, Report
from haven.policy.framework import (
    CheckBasis,
    FindingText,
    FlagText,
    LegalWeight,
    Rule,
    StepTitle,
)
from haven.policy.groups import Group, Tag
from haven.policy.pack import Located, Pack, PackMeta
from haven.policy.packset import PackSet
from haven.policy.sources import Source
from haven.policy.texts import PackTexts
from haven.validation import problems as pydantic_problems

PACKS_DIR = Path(__file__).resolve().parent.parent / "packs"
_ENTRY: TypeAdapter[EntryBase] = TypeAdapter(Entry)
M = TypeVar("M", bound=BaseModel)


class _StrictLoader(yaml.SafeLoader):
    """PyYAML silently keeps the last of two equal keys; in policy data that hides an error."""


def _no_duplicates(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> Any:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":  # `<<: *anchor` may be overridden
            continue
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


def _timestamp(loader: _StrictLoader, node: yaml.ScalarNode) -> Any:
    """An impossible date such as 2015-13-01 must be an error with a position, not a crash."""
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError as err:
        raise yaml.constructor.ConstructorError(
            None, None, f"{node.value!r} is not a date ({err})", node.start_mark
        ) from None


# libyaml's parser (when PyYAML has it) reads a pack ~10x faster than the pure-Python one;
# the same constructors apply. Errors are reported by re-reading with the pure-Python loader,
# whose messages and positions the pack tests pin.
_FastLoader: type[Any] = type("_FastLoader", (getattr(yaml, "CSafeLoader", _StrictLoader),), {})
for _loader in (_StrictLoader, _FastLoader):
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _no_duplicates)
    _loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


def resolve(name_or_path: str) -> Path:
    """A pack is named (`nl`, shipped with Haven) or given as a directory."""
    candidate = Path(name_or_path)
    if candidate.is_dir():
        return candidate
    shipped = PACKS_DIR / name_or_path
    if name_or_path.isidentifier() and shipped.is_dir():
        return shipped
    raise PolicyError([Problem("--pack", f"no pack named {name_or_path!r} and no such directory")])


def shipped() -> list[str]:
    """The names of the packs shipped with Haven (directories of haven/packs with a pack.yaml)."""
    return sorted(
        d.name for d in PACKS_DIR.iterdir() if d.name.isidentifier() and (d / "pack.yaml").is_file()
    )


def offered(
    default: str = DEFAULT_PACK, extra: Iterable[str] = (), reference: str | None = None
) -> PackSet:
    """The packs a server offers: the shipped ones, the default and the `extra` ones (names or
    directories), by id; `reference` (a name or directory) is compared with every other pack.
    Two directories with one id are an error: a pack id must name one pack."""
    names = [default, *shipped(), *extra, *([reference] if reference else [])]
    packs: dict[str, Pack] = {}
    roots: dict[str, Path] = {}
    for name in names:
        pack = load_pack(name)
        pid, root = pack.meta.id, resolve(name).resolve()
        if pid in roots and roots[pid] != root:
            raise PolicyError([Problem(name, f"pack id {pid!r} is already {roots[pid]}")])
        packs[pid], roots[pid] = pack, root
    return PackSet(
        default=load_pack(default),
        packs=packs,
        shipped=frozenset(load_pack(n).meta.id for n in shipped()),
        reference_id=load_pack(reference).meta.id if reference else None,
    )


@cache
def load_pack(name_or_path: str = DEFAULT_PACK) -> Pack:
    """Load and validate a pack. Cached: a pack directory is read once per process."""
    root = resolve(name_or_path)
    meta = _model(root, "pack.yaml", None, PackMeta)
    sources = _list(root, "sources.yaml", "sources", Source)
    tags = _list(root, "groups.yaml", "tags", Tag)
    groups = _list(root, "groups.yaml", "groups", Group)
    rules = _list(root, "framework.yaml", "rules", Rule)
    checks = _list(root, "framework.yaml", "checks", CheckBasis)
    flags = _list(root, "framework.yaml", "flags", FlagText)
    steps = _list(root, "framework.yaml", "steps", StepTitle)
    # Optional: without it the case page and the memo show the engine's English findings.
    step_findings = (
        _list(root, "framework.yaml", "step_findings", FindingText)
        if "step_findings" in _read(root / "framework.yaml", "framework.yaml")
        else []
    )
    # Optional: the legal weight of the pack's policy by period.
    legal_weight = (
        _list(root, "framework.yaml", "legal_weight", LegalWeight)
        if "legal_weight" in _read(root / "framework.yaml", "framework.yaml")
        else []
    )
    entries: list[Located] = []
    problems: list[Problem] = []
    files = sorted((root / "entries").glob("*.yaml"))
    if not files:
        problems.append(Problem(str(root / "entries"), "no entry files (*.yaml)"))
    for file in files:
        rel = file.relative_to(root).as_posix()
        items = _read(file, rel).get("entries")
        if not isinstance(items, list):
            problems.append(Problem(rel, "expected a top-level 'entries:' list"))
            continue
        for i, raw in enumerate(items):
            try:
                entry: EntryBase = _ENTRY.validate_json(_as_json(raw))
            except ValidationError as err:
                ident = raw.get("id", "?") if isinstance(raw, dict) else "?"
                kind = raw.get("kind") if isinstance(raw, dict) else None
                problems += _entry_problems(err, f"{rel}: entry {ident!r} (entries[{i}])", kind)
                continue
            entries.append(Located(file=rel, index=i, entry=entry))
    if problems:
        raise PolicyError(problems)
    reports: list[Report] = []
    findings: list[Finding] = []
    if (root / "findings.yaml").is_file():
        reports = _list(root, "findings.yaml", "reports", Report)
        findings = _list(root, "findings.yaml", "findings", Finding)
    lexicon = (
        _read(root / "lint" / "concepts.yaml", "lint/concepts.yaml")
        if (root / "lint" / "concepts.yaml").is_file()
        else None
    )
    model_file = root / "lint" / "model.json"
    model = _read_json(model_file, "lint/model.json") if model_file.is_file() else None
    pack = Pack(
        meta,
        sources,
        tags,
        groups,
        rules,
        entries,
        reports,
        findings,
        checks,
        lexicon,
        flags,
        steps,
        step_findings,
        legal_weight,
        model,
    )
    _load_texts(root, pack)
    return pack


def _load_texts(root: Path, pack: Pack) -> None:
    """`i18n/<lang>.yaml`: the pack's texts in that language (haven/policy/texts.py). A text
    for an id the pack lacks is kept but unused (a draft that removes entries still loads);
    `haven policy validate` names it."""
    for file in sorted((root / "i18n").glob("*.yaml")) if (root / "i18n").is_dir() else []:
        pack.texts[file.stem] = _model(root, file.relative_to(root).as_posix(), None, PackTexts)


def _entry_problems(err: ValidationError, where: str, kind: object) -> list[Problem]:
    found = []
    for p in pydantic_problems(err):
        field = p.where
        if isinstance(kind, str) and field.startswith(kind):  # drop the union tag
            field = field[len(kind) :].lstrip(".")
        message = p.message
        if message == "must be a string":  # YAML 1.1 reads NO, yes, on, off as booleans
            message += " (unquoted NO, yes, on or off read as true/false: quote the value)"
        found.append(Problem(f"{where}: {field}" if field else where, message))
    return found


def _as_json(raw: object) -> str:
    """Pack data is JSON-shaped; validating it as JSON keeps strict mode while accepting enum
    values and ISO dates written as YAML scalars."""
    return json.dumps(raw, default=_scalar)


def _scalar(value: object) -> str:
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"unsupported YAML value {value!r}")


def _read(file: Path, name: str | None = None) -> dict[str, Any]:
    name = name or file.name
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PolicyError([Problem(name, "file is missing")]) from None
    except UnicodeDecodeError as err:
        raise PolicyError([Problem(name, f"not UTF-8 text ({err.reason})")]) from None
    try:
        data = yaml.load(text, Loader=_FastLoader)  # a SafeLoader with the same constructors
    except (yaml.YAMLError, ValueError):
        data = None
    else:
        return _top(name, data)
    try:
        data = yaml.load(text, Loader=_StrictLoader)  # a SafeLoader subclass
    except yaml.MarkedYAMLError as err:
        raise PolicyError([_yaml_problem(name, text, err)]) from None
    except yaml.YAMLError as err:
        raise PolicyError([Problem(name, f"not valid YAML: {err}")]) from None
    return _top(name, data)


def _read_json(file: Path, name: str) -> dict[str, Any]:
    try:
        return _top(name, json.loads(file.read_text(encoding="utf-8")))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise PolicyError([Problem(name, f"not valid JSON: {err}")]) from None


def _top(name: str, data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise PolicyError([Problem(name, "expected a mapping at the top level")])
    return data


_ENTRY_START = re.compile(r"^\s*-\s*\{?\s*id:\s*['\"]?([\w.\-]+)")
_KEY = re.compile(r"^\s*(?:-\s*)?([A-Za-z_][\w\-]*):")


def _yaml_problem(name: str, text: str, err: yaml.MarkedYAMLError) -> Problem:
    """Name the file, the entry (the nearest `- id:` above) and the key on the failing line."""
    mark = err.problem_mark
    what = err.problem or str(err)
    if mark is None:
        return Problem(name, f"not valid YAML: {what}")
    where = f"{name}: line {mark.line + 1}"
    if not isinstance(err, yaml.constructor.ConstructorError):
        # A syntax error is reported where the parser noticed it, which may be the next entry.
        return Problem(where, f"not valid YAML: {what}")
    lines = text.splitlines()
    for line in reversed(lines[: mark.line + 1]):
        found = _ENTRY_START.match(line)
        if found:
            where = f"{name}: entry {found.group(1)!r} (line {mark.line + 1})"
            break
    key = _KEY.match(lines[mark.line]) if mark.line < len(lines) else None
    if key:
        where += f": {key.group(1)}"
    return Problem(where, what)


def _model(root: Path, name: str, key: str | None, model: type[M]) -> M:
    data = _read(root / name, name)
    try:
        return model.model_validate_json(_as_json(data[key] if key else data))
    except KeyError:
        raise PolicyError([Problem(name, f"missing top-level key {key!r}")]) from None
    except ValidationError as err:
        raise PolicyError(pydantic_problems(err, prefix=name + ":")) from None


def _list(root: Path, name: str, key: str, model: type[M]) -> list[M]:
    items = _read(root / name, name).get(key)
    if not isinstance(items, list):
        raise PolicyError([Problem(name, f"expected a top-level {key!r} list")])
    out, problems = [], []
    for i, raw in enumerate(items):
        try:
            out.append(model.model_validate_json(_as_json(raw)))
        except ValidationError as err:
            ident = raw.get("id", "?") if isinstance(raw, dict) else "?"
            problems += pydantic_problems(err, prefix=f"{name}: {key}[{i}] ({ident!r})")
    if problems:
        raise PolicyError(problems)
    return out
