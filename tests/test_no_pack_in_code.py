"""No law in code (issue 18): no source id of any shipped pack and no pack name appears as a
string literal in Haven's Python code outside haven/packs/, where the one setting naming the
default pack lives (haven.packs.DEFAULT_PACK). Legal texts, citations and their sources belong
in a pack's data (framework.yaml, i18n/), so a second jurisdiction is a data change.

A pack's name may also be a language code (`nl`): a literal is read as a language where the
code that holds it (its function or class, or its statement at module level) names English
(`"en"`) too, as every language switch, table and catalogue does.
"""

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
HAVEN = ROOT / "haven"
PACKS = HAVEN / "packs"


def shipped_packs() -> dict[str, set[str]]:
    """pack name -> the ids of its sources."""
    found = {}
    for meta in sorted(PACKS.glob("*/pack.yaml")):
        sources = yaml.safe_load((meta.parent / "sources.yaml").read_text(encoding="utf-8"))
        name = yaml.safe_load(meta.read_text(encoding="utf-8"))["id"]
        found[name] = {s["id"] for s in sources["sources"]}
    return found


def python_files() -> list[Path]:
    return sorted(f for f in HAVEN.rglob("*.py") if not f.is_relative_to(PACKS))


def _strings(node: ast.AST) -> Iterator[tuple[ast.Constant, str]]:
    for n in ast.walk(node):
        if isinstance(n, ast.Constant) and isinstance(n.value, str):
            yield n, n.value


def _scopes(tree: ast.Module) -> Iterator[ast.AST]:
    """Functions and classes, and the module's other statements: each literal's context."""
    yield from tree.body
    for n in ast.walk(tree):
        if n not in tree.body and isinstance(
            n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
        ):
            yield n


def offences(file: Path, packs: dict[str, set[str]]) -> list[str]:
    tree = ast.parse(file.read_text(encoding="utf-8"), filename=str(file))
    ids = sorted(set().union(*packs.values()), key=len, reverse=True)
    cited = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, ids)) + r")(?![\w-])")
    where = file.relative_to(ROOT) if file.is_relative_to(ROOT) else file.name
    found = []
    for node, text in _strings(tree):
        m = cited.search(text)
        if m:
            found.append(f"{where}:{node.lineno}: source id {m.group(1)!r} in {text!r}")
    # pack names: a literal equal to one, unless it is a language beside English
    languages: set[int] = set()
    for scope in _scopes(tree):
        literals = list(_strings(scope))
        if any(text == "en" for _, text in literals):
            languages |= {id(node) for node, _ in literals}
    found += [
        f"{where}:{node.lineno}: pack name {text!r}"
        for node, text in _strings(tree)
        if text in packs and id(node) not in languages
    ]
    return found


def test_the_shipped_packs_are_found() -> None:
    packs = shipped_packs()
    assert packs, "no pack under haven/packs"
    assert all(ids for ids in packs.values())


def test_no_source_id_or_pack_name_in_code() -> None:
    packs = shipped_packs()
    bad = [o for f in python_files() for o in offences(f, packs)]
    assert not bad, "law or a pack name in code; move it into the pack:\n" + "\n".join(bad)


def test_the_detector_finds_both(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    source = next(iter(next(iter(shipped_packs().values()))))
    name = next(iter(shipped_packs()))
    sample.write_text(
        f'CITE = "see {source}"\nPACK = "{name}"\nLANGS = ("en", "{name}")\n', encoding="utf-8"
    )
    found = "\n".join(offences(sample, shipped_packs()))
    assert f"source id {source!r}" in found
    assert found.count("pack name") == 1, found  # the language pair is not a pack name
