"""The stages import only downward, read from the import statements (ast) of every module of the package.

units < load < spec < plan < targets < check < pipeline < lint, live < cli (docs/architecture.md). A lazy
import inside a function counts the same as one at the top: it is still a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from conftest import ROOT

PACKAGE = ROOT / "agentops_gen"

FORBIDDEN: dict[str, frozenset[str]] = {
    "units": frozenset({"load", "spec", "plan", "targets", "check", "pipeline", "lint", "live", "cli", "write"}),
    "load": frozenset({"spec", "plan", "targets", "check", "pipeline", "lint", "live", "cli", "write"}),
    "spec": frozenset({"plan", "targets", "check", "pipeline", "lint", "live", "cli", "write"}),
    "plan": frozenset({"targets", "check", "pipeline", "lint", "live", "cli", "write"}),
    "targets": frozenset({"spec", "load", "check", "pipeline", "lint", "live", "cli", "write"}),
    "check": frozenset({"spec", "plan", "targets", "pipeline", "lint", "live", "cli"}),
    "pipeline": frozenset({"lint", "live", "cli", "write"}),
}
"""Stage -> the top-level parts of agentops_gen its modules must never import."""

MOVED = {
    "agentops_gen.plan.durations": "agentops_gen.units.durations",
    "agentops_gen.plan.names": "agentops_gen.units.names",
    "agentops_gen.check.promql": "agentops_gen.units.promql",
    "agentops_gen.check.promql_limits": "agentops_gen.units.promql_limits",
}
"""Old homes of modules that moved to units/ (issue 17) -> their new home; the old ones must not come back."""


def stage_of(path: Path) -> str:
    """`spec` for agentops_gen/spec/x.py, `pipeline` for agentops_gen/pipeline.py."""
    rel = path.relative_to(PACKAGE)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def imported_stages(tree: ast.AST) -> dict[str, int]:
    """Top-level parts of agentops_gen that a module imports -> the line of the first such import."""
    found: dict[str, int] = {}
    for node in ast.walk(tree):
        modules: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        elif isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level:
            raise AssertionError(f"relative import at line {node.lineno}: the rule reads absolute ones only")
        for module in modules:
            parts = module.split(".")
            if parts[0] == "agentops_gen" and len(parts) > 1:
                found.setdefault(parts[1], node.lineno)
    return found


def modules() -> list[Path]:
    """Every module of the package."""
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def violations() -> list[str]:
    """`file:line: stage imports stage` for every import against the rule."""
    out = []
    for path in modules():
        stage = stage_of(path)
        for imported, line in imported_stages(ast.parse(path.read_text(), str(path))).items():
            if imported in FORBIDDEN.get(stage, frozenset()):
                out.append(f"{path.relative_to(ROOT)}:{line}: {stage} imports {imported}")
    return out


def test_stages_import_only_downward() -> None:
    assert violations() == []


def test_every_stage_has_a_rule() -> None:
    stages = {stage_of(p) for p in modules() if p.parent != PACKAGE}
    assert stages - set(FORBIDDEN) <= {"lint", "live", "importers"}  # the top: they may import every stage below


def imported_modules(tree: ast.AST) -> dict[str, int]:
    """Every dotted name an import statement may resolve to (`from a import b` gives a and a.b) -> its line."""
    found: dict[str, int] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            for name in (node.module, *(f"{node.module}.{alias.name}" for alias in node.names)):
                found.setdefault(name, node.lineno)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                found.setdefault(alias.name, node.lineno)
    return found


def test_moved_modules_stay_gone() -> None:
    for old in MOVED:
        path = ROOT.joinpath(*old.split("."))
        assert not path.with_suffix(".py").exists() and not path.is_dir(), f"{old} is back: import {MOVED[old]}"


def test_nobody_imports_a_moved_module() -> None:
    sources = [p for part in ("agentops_gen", "tests", "bench") for p in (ROOT / part).rglob("*.py")
               if "__pycache__" not in p.parts]
    found = [f"{path.relative_to(ROOT)}:{line}: imports {name}, use {MOVED[name]}"
             for path in sources
             for name, line in imported_modules(ast.parse(path.read_text(), str(path))).items() if name in MOVED]
    assert found == []


@pytest.mark.parametrize(("source", "stage"), [
    ("from agentops_gen.plan import model\n", "plan"),
    ("import agentops_gen.check.outputs\n", "check"),
    ("def f():\n    from agentops_gen.targets.otel import render\n", "targets"),
])
def test_the_reader_sees_every_import_form(source: str, stage: str) -> None:
    assert stage in imported_stages(ast.parse(source))


@pytest.mark.parametrize("source", [
    "from agentops_gen.plan import names\n",
    "from agentops_gen.plan.durations import parse_duration\n",
    "import agentops_gen.check.promql\n",
    "def f():\n    from agentops_gen.check import promql_limits\n",
])
def test_the_moved_module_reader_sees_every_import_form(source: str) -> None:
    assert set(imported_modules(ast.parse(source))) & set(MOVED)


def package_of(module: str) -> str:
    """`load` for agentops_gen.load.yaml_loader, `cli` for agentops_gen.cli, `` for agentops_gen itself."""
    parts = module.split(".")
    return parts[1] if parts[0] == "agentops_gen" and len(parts) > 1 else ""


def private_imports(tree: ast.AST, own: str) -> list[tuple[int, str]]:
    """(line, `module.name`) of every `_private` name imported from another part of agentops_gen than `own`.

    Dunders (`__version__`) are public. Within one package a module may share its private helpers.
    """
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "agentops_gen":
            if package_of(node.module) == own:
                continue
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    found.append((node.lineno, f"{node.module}.{alias.name}"))
    return found


def test_no_private_name_is_imported_across_packages() -> None:
    found = [f"{path.relative_to(ROOT)}:{line}: imports private {name}"
             for path in modules()
             for line, name in private_imports(ast.parse(path.read_text(), str(path)), stage_of(path))]
    assert found == []


@pytest.mark.parametrize(("source", "own", "expected"), [
    ("from agentops_gen.load.yaml_loader import _Builder, dotted\n", "importers",
     [(1, "agentops_gen.load.yaml_loader._Builder")]),
    ("def f():\n    from agentops_gen.units.promql import _cache\n", "plan", [(2, "agentops_gen.units.promql._cache")]),
    ("from agentops_gen.load.yaml_loader import _Builder\n", "load", []),  # its own package
    ("from agentops_gen import __version__\n", "cli", []),
])
def test_the_private_import_reader(source: str, own: str, expected: list[tuple[int, str]]) -> None:
    assert private_imports(ast.parse(source), own) == expected
