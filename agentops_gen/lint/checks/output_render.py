"""output/render: a target failed while rendering the specs in memory."""

from __future__ import annotations

from collections.abc import Iterator

from agentops_gen.errors import Location
from agentops_gen.lint.context import LintContext
from agentops_gen.lint.findings import Finding
from agentops_gen.lint.registry import Check

NAME = "output/render"
CHECK = Check(
    name=NAME,
    severity="error",
    summary="Planning or rendering the specs in memory raised an error (a template or target bug).",
    doc="When every spec of the folder is valid, lint renders the outputs in memory, as `render` "
        "would, without writing anything (all but the generated tests, runbooks, backfill files and the "
        "PrometheusRule, Mimir and Thanos copies of the rule files: docs/lint.md). An exception from a "
        "target or template (an undefined variable, a failed assertion) means `render` would crash on "
        "these specs: it is reported here so CI fails on the pull request that triggers it rather than "
        "on the next deploy. Please report it as an agentops-gen bug, with the spec.",
    stage="output",
)


def run(ctx: LintContext) -> Iterator[Finding]:
    """The render error, if any, at the first selected spec."""
    if ctx.render_error is None:
        return
    src = next((s for s in ctx.sources if s.selected), None)
    where = Location(src.file if src else str(ctx.root), 1, 1)
    yield Finding(where, NAME, CHECK.severity, f"rendering failed: {ctx.render_error}")
