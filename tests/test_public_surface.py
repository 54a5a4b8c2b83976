"""Small public surfaces (httpx's lesson): every Haven package says what it offers in
`__init__.py` with `__all__`, every name listed exists, and other packages import a package's
own namespace only through those names (or name a module: `from haven.policy import checks`)."""

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest

HAVEN = Path(__file__).resolve().parent.parent / "haven"
PACKAGES = sorted(
    p.parent.relative_to(HAVEN.parent).as_posix().replace("/", ".")
    for p in HAVEN.rglob("__init__.py")
    if "migrations" not in p.parts
)


def test_every_directory_of_code_is_a_package() -> None:
    missing = [
        d.relative_to(HAVEN.parent).as_posix()
        for d in HAVEN.rglob("*")
        if d.is_dir()
        and any(d.glob("*.py"))
        and not (d / "__init__.py").exists()
        and "migrations" not in d.parts
    ]
    assert not missing, f"directories of modules without __init__.py: {missing}"


@pytest.mark.parametrize("package", PACKAGES)
def test_package_declares_its_public_names(package: str) -> None:
    module = importlib.import_module(package)
    names = getattr(module, "__all__", None)
    assert isinstance(names, list), f"{package}/__init__.py has no __all__ list"
    missing = [n for n in names if not hasattr(module, n)]
    assert not missing, f"{package}.__all__ names what it does not define: {missing}"


def _submodules(package: str) -> set[str]:
    module = importlib.import_module(package)
    return {m.name for m in pkgutil.iter_modules(getattr(module, "__path__", []))}


def test_packages_are_imported_through_their_public_names() -> None:
    surfaces = {p: set(importlib.import_module(p).__all__) | _submodules(p) for p in PACKAGES}
    bad = []
    for file in sorted([*HAVEN.rglob("*.py"), *(HAVEN.parent / "tests").rglob("*.py")]):
        tree = ast.parse(file.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module in surfaces and node.level == 0:
                for alias in node.names:
                    if alias.name not in surfaces[node.module]:
                        where = file.relative_to(HAVEN.parent)
                        bad.append(f"{where}:{node.lineno}: {node.module}.{alias.name}")
    assert not bad, "not in the package's __all__:\n" + "\n".join(bad)
