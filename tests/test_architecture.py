"""The layering of /work/shared/design/architecture.md, checked on the import graph (with `ast`).

A pure core (policy, cases, guardrails, assess, impact) that depends only downwards and on a few
shared leaf modules; doors (cli, api, web, store, reports) outside it; no I/O or clock in the
core except at the two reading edges (the pack loader and the caseload readers).
"""

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

HAVEN = Path(__file__).resolve().parent.parent / "haven"

# Shared leaf modules every package may use; they import nothing of Haven but haven.errors.
LEAVES = {"haven.vocab", "haven.errors", "haven.validation", "haven.codes"}
# Leaf modules only the doors may use (the clock: the core never reads it).
DOOR_LEAVES = {"haven.clock"}
DOORS = {"cli", "api", "web", "store", "reports"}
CORE = {"policy", "cases", "assess", "guardrails", "impact", "queue"}

# package -> the Haven packages it may import (besides itself and LEAVES)
ALLOWED: dict[str, set[str]] = {
    "policy": {"packs"},  # the loader finds shipped packs, and the default one, there
    "cases": set(),
    "guardrails": {"policy", "cases"},
    "assess": {"policy", "cases", "guardrails"},
    "impact": {"policy", "cases", "assess"},
    "queue": {"policy", "cases", "assess", "impact"},
}

# Files of the core that may do I/O: they read packs and caseloads for the pure core. Every
# caseload file (JSON, JSON Lines, CSV, Parquet) is opened by haven/cases/caseload.py, or, for
# the fast JSON Lines path, by haven/cases/arrow_jsonl.py (pyarrow, a parsing thread).
IO_EDGES = {
    "policy/loader.py",
    "policy/scenarios.py",
    "cases/caseload.py",
    "cases/arrow_jsonl.py",
}
PURE_FILES = sorted(
    [
        *HAVEN.glob("assess/**/*.py"),
        *HAVEN.glob("guardrails/**/*.py"),
        HAVEN / "cases" / "model.py",
    ]
)
# The rest of the core, outside the two I/O edges, should be pure too.
OTHER_CORE_FILES = sorted(
    f
    for pkg in ("policy", "cases", "impact", "queue")
    for f in HAVEN.glob(f"{pkg}/**/*.py")
    if f.relative_to(HAVEN).as_posix() not in IO_EDGES and f not in PURE_FILES
)

IO_FUNCTIONS = {"open", "print", "input"}
IO_METHODS = {"read_text", "write_text", "read_bytes", "write_bytes", "open", "mkdir", "unlink"}
CLOCK_METHODS = {"now", "today", "utcnow"}
CLOCK_OWNERS = {"date", "datetime", "dt.date", "dt.datetime", "datetime.date", "datetime.datetime"}
IO_MODULES = {"subprocess", "socket", "requests", "httpx", "urllib.request", "sqlite3", "time"}
# Polars' and pyarrow's file readers and writers are I/O too (pl.read_parquet, pq.read_table,
# lf.sink_parquet, ...), and so are threads and processes: a pure function neither reads
# files nor starts workers.
FRAME_IO = {
    *(f"{verb}_{fmt}" for verb in ("read", "scan") for fmt in ("parquet", "csv", "ndjson",
                                                               "json", "ipc", "excel", "database")),
    *(f"{verb}_{fmt}" for verb in ("write", "sink") for fmt in ("parquet", "csv", "ndjson",
                                                                "json", "ipc", "excel", "database")),
    "read_table", "write_table", "ParquetFile", "ParquetWriter", "open_input_stream",
}  # fmt: skip
CONCURRENCY_MODULES = {"threading", "multiprocessing", "concurrent", "asyncio"}
CONCURRENCY_CALLS = {"ThreadPoolExecutor", "ProcessPoolExecutor", "Thread", "Pool"}


@dataclass(frozen=True)
class Import:
    file: Path
    line: int
    module: str  # the imported Haven module, e.g. haven.policy.pack

    def __str__(self) -> str:
        return f"{self.file.relative_to(HAVEN.parent)}:{self.line} imports {self.module}"


def module_name(file: Path) -> str:
    parts = list(file.relative_to(HAVEN.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(file: Path, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    package = module_name(file).split(".")
    if file.name != "__init__.py":
        package.pop()
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def imports(file: Path) -> list[Import]:
    """Every Haven module a file imports, anywhere in it (also inside functions)."""
    tree = ast.parse(file.read_text(encoding="utf-8"), filename=str(file))
    found: list[Import] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [Import(file, node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(file, node)
            if base == "haven":  # from haven import assess -> haven.assess
                found += [Import(file, node.lineno, f"haven.{a.name}") for a in node.names]
            else:
                found.append(Import(file, node.lineno, base))
    return [i for i in found if i.module == "haven" or i.module.startswith("haven.")]


def all_imports(modules: list[Path]) -> list[Import]:
    return [i for f in modules for i in imports(f)]


def files_of(package: str) -> list[Path]:
    return sorted(HAVEN.glob(f"{package}/**/*.py"))


def top(module: str) -> str:
    """haven.policy.pack -> policy; haven.vocab -> vocab."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_the_tree_is_there() -> None:
    for pkg in ("policy", "cases", "assess", "guardrails"):
        assert files_of(pkg), f"haven/{pkg} has no modules"
    for leaf in LEAVES:
        assert (HAVEN / f"{leaf.split('.')[1]}.py").is_file(), leaf


def test_import_resolution() -> None:
    found = {i.module for f in ("engine.py", "stages.py") for i in imports(HAVEN / "assess" / f)}
    assert {"haven.policy.pack", "haven.cases", "haven.guardrails"} <= found


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_core_package_layering(package: str) -> None:
    allowed = {package, *ALLOWED[package]}
    bad = [
        str(i)
        for i in all_imports(files_of(package))
        if i.module not in LEAVES and top(i.module) not in allowed
    ]
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("leaf", sorted(LEAVES | DOOR_LEAVES))
def test_leaf_modules_import_only_errors(leaf: str) -> None:
    file = HAVEN / f"{leaf.split('.')[1]}.py"
    assert file.exists(), f"{leaf} is listed as a leaf module but does not exist"
    bad = [str(i) for i in imports(file) if i.module != "haven.errors"]
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("package", sorted(CORE))
def test_core_imports_no_door(package: str) -> None:
    bad = [
        str(i)
        for i in all_imports(files_of(package))
        if top(i.module) in DOORS or i.module in DOOR_LEAVES or i.module == "haven"
    ]
    assert not bad, "\n".join(bad)


# -- no I/O, no clock ----------------------------------------------------------------------


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def io_calls(file: Path) -> list[str]:
    tree = ast.parse(file.read_text(encoding="utf-8"), filename=str(file))
    where = file.relative_to(HAVEN.parent) if file.is_relative_to(HAVEN.parent) else file
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            if isinstance(f, ast.Name) and f.id in IO_FUNCTIONS:
                found.append(f"{where}:{node.lineno} calls {f.id}()")
            elif isinstance(f, ast.Name) and f.id in FRAME_IO | CONCURRENCY_CALLS:
                found.append(f"{where}:{node.lineno} does I/O or starts workers: {f.id}()")
            elif isinstance(f, ast.Attribute):
                owner = _dotted(f.value)
                if f.attr in FRAME_IO | CONCURRENCY_CALLS:
                    found.append(f"{where}:{node.lineno} does I/O or starts workers: .{f.attr}()")
                elif f.attr in CLOCK_METHODS and owner in CLOCK_OWNERS:
                    found.append(f"{where}:{node.lineno} reads the clock: {owner}.{f.attr}()")
                elif f.attr in IO_METHODS and f.attr != "open":
                    found.append(f"{where}:{node.lineno} does I/O: .{f.attr}()")
                elif f.attr == "open" and owner not in ("", "self"):
                    found.append(f"{where}:{node.lineno} does I/O: {owner}.open()")
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
            )
            found += [
                f"{where}:{node.lineno} imports {n}"
                for n in names
                if n in IO_MODULES
                or n.split(".")[0] in {"subprocess", "socket", "requests", *CONCURRENCY_MODULES}
            ]
    return found


def test_io_detector_finds_io(tmp_path: Path) -> None:
    sample = HAVEN.parent / "tests" / "test_architecture.py"
    assert any("read_text" in c for c in io_calls(sample))
    frames = tmp_path / "frames.py"
    frames.write_text(
        "import polars as pl\nimport pyarrow.parquet as pq\n"
        "from concurrent.futures import ThreadPoolExecutor\n"
        "pl.scan_parquet('x')\npq.read_table('x')\nlf.sink_csv('y')\n"
        "ThreadPoolExecutor(2)\n",
        encoding="utf-8",
    )
    found = "\n".join(io_calls(frames))
    for what in ("scan_parquet", "read_table", "sink_csv", "ThreadPoolExecutor", "concurrent"):
        assert what in found, what
    clock = HAVEN / "clock.py"
    if clock.exists():
        assert any("clock" in c for c in io_calls(clock))


@pytest.mark.parametrize(
    "file", PURE_FILES, ids=[f.relative_to(HAVEN).as_posix() for f in PURE_FILES]
)
def test_core_does_no_io(file: Path) -> None:
    assert io_calls(file) == []


@pytest.mark.parametrize(
    "file", OTHER_CORE_FILES, ids=[f.relative_to(HAVEN).as_posix() for f in OTHER_CORE_FILES]
)
def test_rest_of_core_does_no_io(file: Path) -> None:
    assert io_calls(file) == []


@pytest.mark.parametrize(("door", "other"), [("api", "web"), ("web", "api")])
def test_http_doors_do_not_import_each_other(door: str, other: str) -> None:
    """The API and the web app are put together in one place, haven/server.py; what both need
    lives in haven/doors.py. Neither imports the other, nor the composition root."""
    bad = [
        str(i)
        for i in all_imports(files_of(door))
        if top(i.module) == other or i.module in ("haven.server", "haven.asgi")
    ]
    assert not bad, "\n".join(bad)


def test_the_composition_root_mounts_both_doors() -> None:
    found = {i.module for i in imports(HAVEN / "server.py")}
    assert {"haven.api.app", "haven.web.app"} <= found
