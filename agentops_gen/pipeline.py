"""The whole flow, load -> validate -> plan -> render -> check, with nothing written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agentops_gen.check.outputs import OutputError, check_outputs
from agentops_gen.memo import absorb, memo, save, take_added
from agentops_gen.parallel import both
from agentops_gen.plan.build import build_plan
from agentops_gen.plan.model import Plan
from agentops_gen.spec.validate import SpecSet, load_specs
from agentops_gen.targets import HALVES, merge, prepare, render_targets


def plan_paths(paths: list[Path]) -> tuple[SpecSet, Plan]:
    """Load, validate and plan the spec folder of `paths` (raises SpecErrors / UsageError)."""
    specs = load_specs(paths)
    return specs, build_plan(specs)


def render_paths(paths: list[Path]) -> dict[str, str]:
    """Every output file of the spec folder, rendered and checked in memory (two halves at once)."""
    _, plan = plan_paths(paths)
    prepare()
    memo()  # read once, before the fork, by both halves

    def half(names: tuple[str, ...]) -> tuple[dict[str, str], str | None, dict[str, Any]]:
        files = render_targets(plan, names)
        try:
            check_outputs(files)
        except OutputError as exc:
            return files, str(exc), take_added()
        return files, None, take_added()

    (first, first_error, first_memo), (second, second_error, second_memo) = both(
        lambda: half(HALVES[0]), lambda: half(HALVES[1]))
    absorb(first_memo)
    absorb(second_memo)
    save()
    files = merge(first, second)
    failed = [e for e in (first_error, second_error) if e is not None]
    if failed:
        raise OutputError(min(failed))  # the first bad file by path, as one check over every file reports
    return files
