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

RE_EXPORTS = {"plan/durations.py", "plan/names.py", "check/promql.py", "check/promql_limits.py"}
"""Old homes of modules that moved to units/, kept as one-line re-exports for existing imports."""


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
    """Every module of the package except the re-export shims."""
    return sorted(p for p in PACKAGE.rglob("*.py")
                  if str(p.relative_to(PACKAGE)) not in RE_EXPORTS and "__pycache__" not in p.parts)


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


def test_re_exports_only_re_export() -> None:
    for rel in RE_EXPORTS:
        tree = ast.parse((PACKAGE / rel).read_text())
        body = [n for n in tree.body if not isinstance(n, ast.Expr)]  # the docstring
        assert len(body) == 1 and isinstance(body[0], ast.ImportFrom), rel
        assert body[0].module and body[0].module.startswith("agentops_gen.units."), rel


@pytest.mark.parametrize(("source", "stage"), [
    ("from agentops_gen.plan import names\n", "plan"),
    ("import agentops_gen.check.promql\n", "check"),
    ("def f():\n    from agentops_gen.targets.otel import render\n", "targets"),
])
def test_the_reader_sees_every_import_form(source: str, stage: str) -> None:
    assert stage in imported_stages(ast.parse(source))
