"""The whole flow, load -> validate -> plan -> render -> check, with nothing written."""

from __future__ import annotations

from pathlib import Path

from agentops_gen.check.outputs import OutputError, check_outputs
from agentops_gen.memo import both_with_memo
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

    def half(names: tuple[str, ...]) -> tuple[dict[str, str], str | None]:
        files = render_targets(plan, names)
        try:
            check_outputs(files)
        except OutputError as exc:
            return files, str(exc)
        return files, None

    (first, first_error), (second, second_error) = both_with_memo(lambda: half(HALVES[0]), lambda: half(HALVES[1]))
    files = merge(first, second)
    failed = [e for e in (first_error, second_error) if e is not None]
    if failed:
        raise OutputError(min(failed))  # the first bad file by path, as one check over every file reports
    return files
