"""The whole flow, load -> validate -> plan -> render -> check, with nothing written."""

from __future__ import annotations

from pathlib import Path

from agentops_gen.check.outputs import check_outputs
from agentops_gen.plan.build import build_plan
from agentops_gen.plan.model import Plan
from agentops_gen.spec.validate import SpecSet, load_specs
from agentops_gen.targets import render_all


def plan_paths(paths: list[Path]) -> tuple[SpecSet, Plan]:
    """Load, validate and plan the spec folder of `paths` (raises SpecErrors / UsageError)."""
    specs = load_specs(paths)
    return specs, build_plan(specs)


def render_paths(paths: list[Path]) -> dict[str, str]:
    """Every output file of the spec folder, rendered and checked in memory."""
    _, plan = plan_paths(paths)
    files = render_all(plan)
    check_outputs(files)
    return files
